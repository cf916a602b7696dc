package report

import (
	"cmp"
	"fmt"
	"slices"
	"strconv"
	"strings"
)

// A RepoSummary is what a repository's findings come to, for the reader
// who must decide which team to call first. Only findings to act on count:
// name collisions, findings resolved since a baseline and findings an
// ignore rule suppresses are left out.
type RepoSummary struct {
	Severity   string   `json:"severity"`           // the highest severity of its findings
	Findings   int      `json:"findings"`           // findings to act on
	New        int      `json:"new,omitempty"`      // of those, new since the baseline
	Packages   []string `json:"packages"`           // "name@v1,v2" per package name, sorted by name
	Lockfiles  int      `json:"lockfiles"`          // lockfiles (or evidence files) with a finding
	Scope      string   `json:"scope"`              // "prod", "dev" or "prod+dev"
	Advisories []string `json:"advisories"`         // advisory ids, sorted
	Branches   []string `json:"branches,omitempty"` // history reports: branches the findings were traced on
}

// A RepoLine is one line of the per-repository summary that the text,
// Markdown, HTML and CSV writers open with: a repository with findings, its
// git metadata when known, and its [RepoSummary].
type RepoLine struct {
	Path, Remote, Branch string
	Summary              RepoSummary
}

// RepoLines returns one line per repository with findings to act on, the
// most severe first (then by number of findings, then by path). Findings in
// a repository that r.Repos does not list get a line too, without git
// metadata.
func RepoLines(r *Report) []RepoLine {
	type acc struct {
		line      RepoLine
		pkgs      map[string][]string
		lockfiles map[string]bool
		advs      map[string]bool
		branches  map[string]bool
		dev, prod bool
	}
	meta := make(map[string]Repo, len(r.Repos))
	for _, rp := range r.Repos {
		meta[rp.Path] = rp
	}
	byRepo := map[string]*acc{}
	var order []*acc
	for i := range r.Findings {
		f := &r.Findings[i] // not a copy: a Finding is some 600 bytes
		if f.Status == StatusResolved || f.Collision || f.Suppressed != nil {
			continue
		}
		a := byRepo[f.Repo]
		if a == nil {
			m := meta[f.Repo]
			a = &acc{
				line:      RepoLine{Path: f.Repo, Remote: m.Remote, Branch: m.Branch},
				pkgs:      map[string][]string{},
				lockfiles: map[string]bool{},
				advs:      map[string]bool{},
				branches:  map[string]bool{},
			}
			byRepo[f.Repo] = a
			order = append(order, a)
		}
		s := &a.line.Summary
		s.Findings++
		if f.Status == "new" {
			s.New++
		}
		if s.Severity == "" || severityRank(f.Severity) > severityRank(s.Severity) {
			s.Severity = f.Severity
		}
		if !slices.Contains(a.pkgs[f.Package.Name], f.Package.Version) {
			a.pkgs[f.Package.Name] = append(a.pkgs[f.Package.Name], f.Package.Version)
		}
		a.lockfiles[f.Lockfile] = true
		if f.Advisory.ID != "" {
			a.advs[f.Advisory.ID] = true
		}
		if f.Branch != "" {
			a.branches[f.Branch] = true
		}
		if f.Package.Dev {
			a.dev = true
		} else {
			a.prod = true
		}
	}
	out := make([]RepoLine, 0, len(order))
	for _, a := range order {
		s := &a.line.Summary
		names := sortedKeys(a.pkgs)
		s.Packages = make([]string, 0, len(names))
		for _, n := range names {
			vs := a.pkgs[n]
			slices.SortFunc(vs, compareVersions)
			s.Packages = append(s.Packages, packageVersions(n, vs))
		}
		s.Lockfiles = len(a.lockfiles)
		s.Advisories = sortedKeys(a.advs)
		if len(a.branches) > 0 {
			s.Branches = sortedKeys(a.branches)
		}
		switch {
		case a.dev && a.prod:
			s.Scope = "prod+dev"
		case a.dev:
			s.Scope = "dev"
		default:
			s.Scope = "prod"
		}
		out = append(out, a.line)
	}
	slices.SortStableFunc(out, func(a, b RepoLine) int {
		return cmp.Or(
			cmp.Compare(severityRank(b.Summary.Severity), severityRank(a.Summary.Severity)),
			cmp.Compare(b.Summary.Findings, a.Summary.Findings),
			cmp.Compare(a.Path, b.Path),
		)
	})
	return out
}

// packageVersions is "name@v1,v2", or the name alone when no version is known.
func packageVersions(name string, versions []string) string {
	vs := slices.DeleteFunc(slices.Clone(versions), func(v string) bool { return v == "" })
	if len(vs) == 0 {
		return name
	}
	return name + "@" + strings.Join(vs, ",")
}

// compareVersions orders versions by their numeric dot-separated parts
// where they have them ("1.0.9" before "1.0.10"), and as strings otherwise.
func compareVersions(a, b string) int {
	ap, bp := strings.Split(a, "."), strings.Split(b, ".")
	for i := 0; i < min(len(ap), len(bp)); i++ {
		x, xok := atoi(ap[i])
		y, yok := atoi(bp[i])
		if xok && yok {
			if c := cmp.Compare(x, y); c != 0 {
				return c
			}
			continue
		}
		if c := cmp.Compare(ap[i], bp[i]); c != 0 {
			return c
		}
	}
	return cmp.Or(cmp.Compare(len(ap), len(bp)), cmp.Compare(a, b))
}

func atoi(s string) (int, bool) {
	if s == "" || len(s) > 9 {
		return 0, false
	}
	n := 0
	for _, c := range s {
		if c < '0' || c > '9' {
			return 0, false
		}
		n = n*10 + int(c-'0')
	}
	return n, true
}

func sortedKeys[V any](m map[string]V) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	slices.Sort(out)
	return out
}

// summarizeRepos sets the Summary of every repository of r that has
// findings to act on, and clears it on the others.
func summarizeRepos(r *Report) {
	lines := RepoLines(r)
	by := make(map[string]*RepoSummary, len(lines))
	for i := range lines {
		by[lines[i].Path] = &lines[i].Summary
	}
	for i := range r.Repos {
		r.Repos[i].Summary = by[r.Repos[i].Path]
	}
}

// repoTable writes the per-repository summary of the text report: a header
// and one line per affected repository, so that a grep for a repository
// finds all it needs on one line (the only lines of the report that may run
// past textWidth).
func (t *textWriter) repoTable(r *Report) {
	lines := RepoLines(r)
	if len(lines) == 0 {
		return
	}
	t.printf("\n%s\n", t.p.bold(fmt.Sprintf("Affected repositories (%d)", len(lines))))
	rows := [][]string{{"REPO", "WORST", "PACKAGES", "LOCKFILES", "SCOPE", "REMOTE", "BRANCH"}}
	for _, l := range lines {
		s := l.Summary
		rows = append(rows, []string{
			clean(l.Path), strings.ToUpper(clean(s.Severity)), strings.Join(cleanAll(s.Packages), " "),
			strconv.Itoa(s.Lockfiles), s.Scope, cmp.Or(clean(l.Remote), "-"), cmp.Or(clean(l.Branch), "-"),
		})
	}
	width := make([]int, len(rows[0]))
	for _, row := range rows {
		for i, c := range row {
			// A very long cell (a long package list) does not widen the
			// column for every row.
			width[i] = max(width[i], min(visibleLen(c), 64))
		}
	}
	for j, row := range rows {
		var b strings.Builder
		b.WriteString("  ")
		for i, c := range row {
			if i == len(row)-1 {
				b.WriteString(c)
				break
			}
			cell := c
			if j > 0 && i == 1 {
				cell = t.p.sev(strings.ToLower(c), c)
			}
			b.WriteString(cell + strings.Repeat(" ", max(1, width[i]-visibleLen(c)+2)))
		}
		t.printf("%s\n", strings.TrimRight(b.String(), " "))
	}
}
