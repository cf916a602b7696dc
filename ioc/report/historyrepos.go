package report

import (
	"bytes"
	"fmt"
	"slices"
	"strings"
	"time"
)

// Statuses of a repository or ref in a history report (RepoHistory.Status,
// HistoryBranch.Status).
const (
	HistoryAffected     = "affected"
	HistoryInconclusive = "inconclusive"
	HistoryClean        = "clean"
)

// mergePeriods sorts periods by start (unknown start first) and merges
// those that overlap or touch; an open end absorbs every later period.
func mergePeriods(ps []Period) []Period {
	if len(ps) < 2 {
		return ps
	}
	from := func(p Period) time.Time {
		if p.From == nil {
			return time.Time{}
		}
		return *p.From
	}
	slices.SortStableFunc(ps, func(a, b Period) int { return from(a).Compare(from(b)) })
	out := []Period{ps[0]}
	for _, p := range ps[1:] {
		last := &out[len(out)-1]
		if last.To == nil || !from(p).After(*last.To) {
			if last.To != nil && (p.To == nil || p.To.After(*last.To)) {
				last.To = p.To
			}
			continue
		}
		out = append(out, p)
	}
	return out
}

// historyRepos returns the repositories of a history report (those with
// History set), in report order.
func historyRepos(r *Report) []*Repo {
	var out []*Repo
	for i := range r.Repos {
		if r.Repos[i].History != nil {
			out = append(out, &r.Repos[i])
		}
	}
	return out
}

// inconclusiveRepos counts the repositories whose history cannot rule a
// finding out.
func inconclusiveRepos(r *Report) int {
	n := 0
	for _, repo := range historyRepos(r) {
		if repo.History.Status == HistoryInconclusive {
			n++
		}
	}
	return n
}

// repoLine sums one repository's history up on a line:
// "affected: 2 findings on main, v1.2.0 (tag); audit 2025-09-17 10:00 UTC → …".
func repoLine(r *Report, repo *Repo) string {
	h := repo.History
	var refs []string
	var windows []Period
	findings := 0
	for _, f := range r.Findings {
		if f.Repo != repo.Path || f.FirstSeen == nil || f.Status == StatusResolved {
			continue
		}
		findings++
		windows = append(windows, auditPeriods(&f)...)
		names := f.Refs
		if len(names) == 0 {
			names = []string{f.Branch}
		}
		for _, n := range names {
			if !slices.Contains(refs, n) {
				refs = append(refs, n)
			}
		}
	}
	windows = mergePeriods(windows)
	walked := plural(len(h.Branches), "ref", "refs") + " walked, " + plural(h.Versions, "lockfile version", "lockfile versions")
	status := h.Status
	if status == "" { // a report from before statuses: judge by its findings
		status = cond(findings > 0, HistoryAffected, HistoryClean)
	}
	switch status {
	case HistoryAffected:
		s := "affected: " + plural(findings, "finding", "findings")
		if len(refs) > 0 {
			s += " on " + strings.Join(cleanAll(refs), ", ")
		}
		if len(windows) > 0 {
			var ws []string
			for _, w := range windows {
				ws = append(ws, periodText(w))
			}
			s += "; audit " + strings.Join(ws, "; ")
		} else {
			s += "; outside the advisories' windows"
		}
		if inc := inconclusiveRefs(h); len(inc) > 0 {
			s += "; also inconclusive on " + strings.Join(inc, ", ")
		}
		return s
	case HistoryInconclusive:
		return "INCONCLUSIVE: no finding, but the history walked starts after the advisory's window opened: " +
			strings.Join(inconclusiveRefs(h), ", ") + " (" + walked + ")"
	}
	return "not affected: " + walked
}

// inconclusiveRefs describes the refs of h whose walk is inconclusive:
// "main (shallow boundary 2025-09-28 09:00 UTC 3f2a9c1d0e4b)".
func inconclusiveRefs(h *RepoHistory) []string {
	var out []string
	for _, b := range h.Branches {
		if len(b.Inconclusive) == 0 {
			continue
		}
		s := clean(b.Name)
		if b.Start != nil {
			s += " at the shallow boundary " + dateTime(b.Start.Date) + " " + clean(shortHash(b.Start.Hash))
		}
		out = append(out, s)
	}
	return out
}

// unshallowHint is what to run so that the history covers the windows:
// git fetch --unshallow, or --shallow-since the earliest window start.
func unshallowHint(r *Report) string {
	var from time.Time
	for _, repo := range historyRepos(r) {
		for _, b := range repo.History.Branches {
			if len(b.Inconclusive) > 0 && b.FetchSince != nil && (from.IsZero() || b.FetchSince.Before(from)) {
				from = *b.FetchSince
			}
		}
	}
	if from.IsZero() {
		return "git fetch --unshallow"
	}
	return "git fetch --unshallow, or git fetch --shallow-since=" + from.UTC().Format(time.DateOnly)
}

// historyReposText writes the per-repository lines that lead a history
// report, and the inconclusive repositories' hint.
func (t *textWriter) historyRepos(r *Report) {
	repos := historyRepos(r)
	if len(repos) == 0 {
		return
	}
	t.printf("\n%s\n", t.p.bold(fmt.Sprintf("Repositories (%d)", len(repos))))
	// One line per repository: the paths in a column as wide as the
	// longest (up to 40), the status wrapped beside them.
	col := 0
	for _, repo := range repos {
		col = max(col, min(40, visibleLen(clean(repo.Path))))
	}
	for _, repo := range repos {
		name := clean(repo.Path)
		lines := wrap(repoLine(r, repo), max(20, textWidth-col-4))
		pad := strings.Repeat(" ", max(1, col-visibleLen(name)+2))
		for i, l := range lines {
			if repo.History.Status == HistoryInconclusive {
				l = t.p.warn(l)
			}
			if i == 0 {
				t.printf("  %s%s%s\n", name, pad, l)
			} else {
				t.printf("  %s%s\n", strings.Repeat(" ", col+2), l)
			}
		}
	}
	if inconclusiveRepos(r) > 0 {
		t.field("hint", "fetch the history the window needs: "+unshallowHint(r))
	}
}

// historyReposMarkdown writes the per-repository table of a history report.
func historyReposMarkdown(b *bytes.Buffer, r *Report) {
	repos := historyRepos(r)
	if len(repos) == 0 {
		return
	}
	b.WriteString("## Repositories\n\n| Repository | Status |\n| --- | --- |\n")
	for _, repo := range repos {
		fmt.Fprintf(b, "| %s | %s |\n", mdCell(repo.Path), mdText(repoLine(r, repo)))
	}
	b.WriteString("\n")
	if inconclusiveRepos(r) > 0 {
		fmt.Fprintf(b, "> [!WARNING]\n> Inconclusive: a shallow clone's history starts after the advisory's window opened, so the package cannot be ruled out. Fetch the history the window needs: %s.\n\n", mdText(unshallowHint(r)))
	}
}
