package report

import (
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/depsweep/depsweep/ioc"
	"github.com/depsweep/depsweep/ioc/history"
	"github.com/depsweep/depsweep/lockfiles/gitlog"
)

// History adds the history of one repository: the repository (listed with
// what was walked; give its git metadata to [Builder.Repo] first), a
// finding per exposure, an error per lockfile version that did not parse,
// and every lockfile path whose versions were read. A path read in two
// histories (the same repository given twice) is listed once.
func (b *Builder) History(res *history.Result) {
	b.addRepo(Repo{Path: res.Repo}).History = repoHistory(res)
	for i := range res.Exposures {
		b.findings.add(exposureFinding(&res.Exposures[i]))
	}
	for i := range res.Errors {
		b.Error(res.Errors[i].Path, &res.Errors[i])
	}
	for _, l := range res.Lockfiles {
		format := strings.Join(l.Formats, ",")
		if i, ok := b.lockfiles[l.Path]; ok {
			prev := &b.r.Lockfiles[i]
			prev.Format = strings.Join(union(strings.Split(prev.Format, ","), l.Formats), ",")
			prev.Packages = max(prev.Packages, l.Packages)
			continue
		}
		b.lockfiles[l.Path] = len(b.r.Lockfiles)
		b.r.Lockfiles = append(b.r.Lockfiles, Lockfile{Path: l.Path, Repo: res.Repo, Format: format, Packages: l.Packages})
	}
}

// union returns the sorted distinct strings of a and b.
func union(a, b []string) []string {
	out := append(slices.Clone(a), b...)
	slices.Sort(out)
	return slices.Compact(out)
}

// exposureFinding returns the report form of one finding's history on one
// branch: the finding as [convertFinding] makes it, with Branch, FirstSeen,
// Before, LastSeen, RemovedIn and Exposure set.
func exposureFinding(e *history.Exposure) Finding {
	f := convertFinding(&e.Finding)
	f.Branch = e.Branch
	f.BranchTag = e.Tag
	if len(e.Refs) > 1 {
		f.Refs = e.Refs
	}
	if e.Introduced != nil {
		f.Introduced = commitRef(*e.Introduced)
	}
	if e.Lockfile != "" && e.Lockfile != e.Finding.Lockfile {
		f.MovedTo = e.Lockfile
	}
	f.FirstSeen = commitRef(e.FirstSeen)
	f.Before = e.Before
	f.LastSeen = commitRef(e.LastSeen)
	if e.RemovedIn != nil {
		f.RemovedIn = commitRef(*e.RemovedIn)
	}
	x := &Exposure{Present: period(e.Present)}
	if e.Overlaps {
		a := period(e.Window)
		x.Audit = &a
	}
	if len(e.Spans) > 1 {
		for _, s := range e.Spans {
			sp := Span{From: *commitRef(s.From), Last: *commitRef(s.Last), Present: period(s.Present)}
			if s.To != nil {
				sp.To = commitRef(*s.To)
			}
			if s.Introduced != nil {
				sp.Introduced = commitRef(*s.Introduced)
			}
			if s.Overlaps {
				a := period(s.Window)
				sp.Audit = &a
			}
			x.Spans = append(x.Spans, sp)
		}
	}
	f.Exposure = x
	return f
}

func commitRef(c gitlog.Commit) *CommitRef {
	return &CommitRef{Hash: c.Hash, Date: c.Date.UTC(), Author: c.Author}
}

// period converts a window whose zero times mean "unknown start" and "open end".
func period(w ioc.Window) Period {
	var p Period
	if !w.From.IsZero() {
		t := w.From.UTC()
		p.From = &t
	}
	if !w.To.IsZero() {
		t := w.To.UTC()
		p.To = &t
	}
	return p
}

// historyText says on one line where a finding's history starts and ends:
// "main: first seen 2025-09-17 10:00 UTC 3f2a… (Bob), removed 2025-09-19 …".
func historyText(f *Finding) string {
	var b strings.Builder
	if f.Branch != "" {
		b.WriteString(clean(f.Branch))
		if f.BranchTag {
			b.WriteString(" (tag)")
		}
		if len(f.Refs) > 1 {
			b.WriteString(" (also " + strings.Join(cleanAll(f.Refs[1:]), ", ") + ")")
		}
		b.WriteString(": ")
	}
	if f.Introduced != nil {
		b.WriteString("introduced " + commitText(f.Introduced) + " on a merged branch, reached " + clean(f.Branch) + " at ")
	}
	switch f.Before {
	case "shallow":
		b.WriteString("present at the shallow clone's boundary " + commitText(f.FirstSeen) + " (it may be older)")
	case "since":
		b.WriteString("already present at " + commitText(f.FirstSeen) + ", before the walked history")
	case "":
		if f.Introduced != nil {
			b.WriteString("merge " + commitText(f.FirstSeen))
		} else {
			b.WriteString("first seen " + commitText(f.FirstSeen))
		}
	default:
		b.WriteString("present where the walked history starts (" + clean(f.Before) + ") " + commitText(f.FirstSeen))
	}
	switch {
	case f.RemovedIn != nil:
		b.WriteString(", removed " + commitText(f.RemovedIn))
	case f.LastSeen != nil:
		b.WriteString(", still present at the tip " + clean(shortHash(f.LastSeen.Hash)))
	default:
		b.WriteString(", still present")
	}
	if f.Exposure != nil && len(f.Exposure.Spans) > 1 {
		fmt.Fprintf(&b, ", in %d separate periods", len(f.Exposure.Spans))
	}
	if f.MovedTo != "" {
		b.WriteString("; lockfile moved to " + clean(f.MovedTo))
	}
	return b.String()
}

// commitText is "2025-09-17 10:00 UTC 3f2a9c1d0e4b (Bob)".
func commitText(c *CommitRef) string {
	if c == nil {
		return "an unknown commit"
	}
	s := clean(shortHash(c.Hash))
	if !c.Date.IsZero() {
		s = dateTime(c.Date) + " " + s
	}
	if c.Author != "" {
		s += " (" + clean(c.Author) + ")"
	}
	return s
}

// auditText says which period of a finding's presence to audit.
// A finding present in several separate periods gets one window per
// period: the clean days between are not part of any.
func auditText(f *Finding) string {
	x := f.Exposure
	if len(x.Spans) > 1 {
		var ws []string
		for _, sp := range x.Spans {
			if sp.Audit != nil {
				ws = append(ws, periodText(*sp.Audit))
			}
		}
		switch len(ws) {
		case 0:
			return "present in " + plural(len(x.Spans), "period", "periods") + ", all outside the advisory's exposure window"
		case 1:
			return ws[0] + ": audit activity in that window"
		}
		return strings.Join(ws, "; ") + ": audit activity in each of these " + strconv.Itoa(len(ws)) + " windows"
	}
	if x.Audit == nil {
		return "present " + periodText(x.Present) + ", outside the advisory's exposure window"
	}
	return periodText(*x.Audit) + ": audit activity in that window"
}

// auditPeriods returns the windows to audit for f: one per span of
// presence that overlaps the advisory's window.
func auditPeriods(f *Finding) []Period {
	x := f.Exposure
	if x == nil {
		return nil
	}
	if len(x.Spans) > 1 {
		var out []Period
		for _, sp := range x.Spans {
			if sp.Audit != nil {
				out = append(out, *sp.Audit)
			}
		}
		return out
	}
	if x.Audit != nil {
		return []Period{*x.Audit}
	}
	return nil
}

// periodText is "2025-09-17 10:00 UTC → 2025-09-19 09:00 UTC", with
// "unknown start" and "now (still present)" for the open ends.
func periodText(p Period) string {
	from, to := "unknown start", "now (still present)"
	if p.From != nil {
		from = dateTime(*p.From)
	}
	if p.To != nil {
		to = dateTime(*p.To)
	}
	return from + " → " + to
}

// seenText says which host trace a finding comes from, and when it was made.
func seenText(f *Finding) string {
	s := traceLabel(f.Trace)
	if f.SeenAt != nil {
		return s + ", " + dateTime(*f.SeenAt) + seenFrom(f.SeenAtFrom)
	}
	return s + ", time unknown"
}

// traceLabel names a trace source in words.
func traceLabel(trace string) string {
	switch trace {
	case "npx-cache":
		return "npx cache"
	case "npm-cacache":
		return "npm cache index"
	case "mcp-config":
		return "MCP client configuration (launched on demand)"
	case "yarn-cache":
		return "Yarn cache"
	case "pnpm-store":
		return "pnpm store index"
	case "pnpm-dlx":
		return "pnpm dlx cache"
	case "npm-log":
		return "npm debug log"
	case "":
		return "host trace"
	}
	return clean(trace)
}

func dateTime(t time.Time) string { return t.UTC().Format("2006-01-02 15:04 UTC") }

// repoHistory returns what res walked, for the repository's entry in the
// report.
func repoHistory(res *history.Result) *RepoHistory {
	h := &RepoHistory{Status: res.Status(), Bare: res.Bare, Shallow: res.Shallow, Versions: res.Stats.Files, Branches: []HistoryBranch{}}
	for i := range res.Exposures {
		f := exposureFinding(&res.Exposures[i])
		h.Windows = append(h.Windows, auditPeriods(&f)...)
	}
	h.Windows = mergePeriods(h.Windows)
	for i := range res.Branches {
		b := &res.Branches[i]
		hb := HistoryBranch{Name: b.Name, Tag: b.Tag, Also: b.Also, Tip: b.Tip.Hash, Commits: b.Steps, Cut: b.Cut,
			Status: res.RefStatus(b), Inconclusive: b.Inconclusive}
		if !b.FetchSince.IsZero() {
			t := b.FetchSince.UTC()
			hb.FetchSince = &t
		}
		if b.Start != nil {
			hb.Start = commitRef(*b.Start)
		}
		h.Branches = append(h.Branches, hb)
	}
	return h
}

// historySummary sums up what a history report walked ("" for a scan
// report): branches, lockfile versions, and which histories were cut.
func historySummary(r *Report) string {
	repos, branches, versions := 0, 0, 0
	var cut []string
	for _, repo := range r.Repos {
		h := repo.History
		if h == nil {
			continue
		}
		repos++
		branches += len(h.Branches)
		versions += h.Versions
		where := ""
		if repo.Path != "." && repo.Path != "" {
			where = clean(repo.Path) + " "
		}
		for _, b := range h.Branches {
			switch b.Cut {
			case "shallow":
				cut = append(cut, where+clean(b.Name)+" starts at the shallow boundary "+commitText(b.Start))
			case "since":
				cut = append(cut, where+clean(b.Name)+" starts at "+commitText(b.Start)+" (--since)")
			}
		}
	}
	if repos == 0 {
		return ""
	}
	s := fmt.Sprintf("%s in %s, %s read", plural(branches, "branch", "branches"),
		plural(repos, "repository", "repositories"), plural(versions, "lockfile version", "lockfile versions"))
	if len(cut) > 0 {
		s += "; history cut: " + strings.Join(cut, "; ")
	}
	return s
}
