package report_test

import (
	"errors"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/depsweep/depsweep/ioc"
	"github.com/depsweep/depsweep/ioc/history"
	"github.com/depsweep/depsweep/ioc/report"
	"github.com/depsweep/depsweep/lockfiles"
	"github.com/depsweep/depsweep/lockfiles/gitlog"
)

// TestBuilderHistory feeds the Builder the history of one repository, twice
// (a repository given twice), and checks the report: the repository with
// its git metadata and what was walked, the exposure as a finding with its
// commits, the version that did not parse as an error, and each lockfile
// path read listed once with its formats over time.
func TestBuilderHistory(t *testing.T) {
	c := func(hash string, day int) gitlog.Commit {
		return gitlog.Commit{Hash: strings.Repeat(hash, 40), Author: "Bob", Date: time.Date(2025, 9, day, 10, 0, 0, 0, time.UTC)}
	}
	added, last, removed := c("a", 16), c("b", 18), c("c", 20)
	f := ioc.Finding{ID: "f1", Severity: ioc.SeverityCritical, Repo: "shop", Lockfile: "shop/package-lock.json", Line: 9,
		Package: lockfiles.Package{Name: "postmark-mcp", Version: "1.0.16"}, Indicator: pkgInd, Path: []string{"shop@1.0.0", "postmark-mcp@1.0.16"}}
	res := &history.Result{
		Repo: "shop", Shallow: true,
		Branches: []history.Branch{{Name: "main", Also: []string{"origin/main"}, Tip: removed, Steps: 3}},
		Exposures: []history.Exposure{{Finding: f, Branch: "main", Refs: []string{"main"}, FirstSeen: added, LastSeen: last, RemovedIn: &removed,
			Spans:   []history.Span{{From: added, Last: last, To: &removed}},
			Present: ioc.Window{From: added.Date, To: removed.Date}, Window: ioc.Window{From: adv.Exposure.From, To: removed.Date}, Overlaps: true}},
		Errors:    []history.FileError{{Path: "shop/yarn.lock", Blob: "0f", Commit: last.Hash, Err: errors.New("shop/yarn.lock:3: bad entry")}},
		Lockfiles: []history.Lockfile{{Path: "shop/package-lock.json", Formats: []string{"npm-v2", "npm-v3"}, Packages: 7}},
		Match:     ioc.MatchStats{Packages: 7, PublisherKnown: 3},
		Stats:     history.Stats{Branches: 1, Steps: 3, Files: 4, Parsed: 3},
	}
	b := newBuilder()
	for range 2 {
		b.Repo(&ioc.RepoInfo{Path: "shop", Head: strings.Repeat("d", 40), Branch: "main"})
		b.History(res)
	}
	b.Error("gone", errors.New("not a git repository"))
	r := b.Finish(t0, false, report.MatchCoverage(res.Match, nil))

	// "gone" is listed by its error only: errors do not list repositories.
	if len(r.Repos) != 1 || r.Repos[0].Head != strings.Repeat("d", 40) || r.Repos[0].History == nil {
		t.Fatalf("repos = %+v, want shop with its head and history", r.Repos)
	}
	h := r.Repos[0].History
	auditFrom, auditTo := adv.Exposure.From, removed.Date
	wantH := &report.RepoHistory{Status: report.HistoryAffected, Windows: []report.Period{{From: &auditFrom, To: &auditTo}},
		Shallow: true, Versions: 4, Branches: []report.HistoryBranch{
			{Name: "main", Status: report.HistoryAffected, Also: []string{"origin/main"}, Tip: removed.Hash, Commits: 3}}}
	if !reflect.DeepEqual(h, wantH) {
		t.Errorf("history = %+v, want %+v", h, wantH)
	}
	wantLfs := []report.Lockfile{{Path: "shop/package-lock.json", Repo: "shop", Format: "npm-v2,npm-v3", Packages: 7}}
	if !reflect.DeepEqual(r.Lockfiles, wantLfs) {
		t.Errorf("lockfiles = %+v, want %+v", r.Lockfiles, wantLfs)
	}
	if len(r.Findings) != 1 {
		t.Fatalf("%d findings, want 1 (the same exposure twice is one finding)", len(r.Findings))
	}
	got := r.Findings[0]
	if got.ID != "f1" || got.Branch != "main" || got.FirstSeen == nil || got.FirstSeen.Hash != added.Hash ||
		got.LastSeen == nil || got.LastSeen.Hash != last.Hash || got.RemovedIn == nil || got.RemovedIn.Hash != removed.Hash ||
		got.Exposure == nil || got.Exposure.Audit == nil || got.Exposure.Spans != nil || got.Advisory.ID != adv.ID {
		t.Errorf("finding = %+v, want f1 on main with its commits, an audit period and no spans (one period)", got)
	}
	wantErrs := []report.Error{
		{Path: "gone", Error: "not a git repository"},
		{Path: "shop/yarn.lock", Error: "shop/yarn.lock:3: bad entry (in commit bbbbbbbbbbbb)"},
	}
	if !reflect.DeepEqual(r.Errors, wantErrs) {
		t.Errorf("errors = %+v, want %+v", r.Errors, wantErrs)
	}
	if want := (report.Summary{Repos: 1, Lockfiles: 1, Packages: 7, Findings: 1, Errors: 2,
		BySeverity: map[string]int{"critical": 1, "high": 0, "medium": 0, "low": 0, "info": 0},
		Publisher:  report.Coverage{Packages: 7, Known: 3}}); !reflect.DeepEqual(r.Summary, want) {
		t.Errorf("summary = %+v, want %+v", r.Summary, want)
	}
}

// TestBuilderTrace feeds the Builder host traces: the evidence file is a
// lockfile of the "~" repository, a finding carries its trace source and
// time, and errors get the "~/" prefix on both path and message.
func TestBuilderTrace(t *testing.T) {
	seen := time.Date(2025, 9, 18, 7, 30, 0, 0, time.FixedZone("CEST", 2*3600))
	inv := &lockfiles.Inventory{Path: "~/.npm/_npx/1a2b/package-lock.json", Format: "npx-cache", Packages: []lockfiles.Package{
		{Name: "mail-toolkit", Version: "3.0.0", Line: 4},
		{Name: "postmark-mcp", Version: "1.0.16", Line: 9},
	}}
	fs := []ioc.Finding{{ID: "t1", Severity: ioc.SeverityCritical, Repo: "~", Lockfile: inv.Path, Line: 9, Package: inv.Packages[1], Indicator: pkgInd}}
	b := newBuilder()
	b.Trace("~", inv, []time.Time{{}, seen}, nil, fs)
	e1 := b.TraceError("~", &lockfiles.ParseError{Path: ".npm/_cacache/index-v5/ab/cd", Line: 2, Err: errors.New("bad entry")})
	e2 := b.TraceError("~", errors.New(".claude.json: permission denied"))
	r := b.Finish(t0, false, report.Coverage{})

	if len(r.Repos) != 1 || r.Repos[0].Path != "~" {
		t.Errorf("repos = %+v, want ~ only", r.Repos)
	}
	wantLfs := []report.Lockfile{{Path: inv.Path, Repo: "~", Format: "npx-cache", Packages: 2}}
	if !reflect.DeepEqual(r.Lockfiles, wantLfs) {
		t.Errorf("lockfiles = %+v, want %+v", r.Lockfiles, wantLfs)
	}
	if len(r.Findings) != 1 || r.Findings[0].Trace != "npx-cache" || r.Findings[0].SeenAt == nil ||
		!r.Findings[0].SeenAt.Equal(seen) || r.Findings[0].SeenAt.Location() != time.UTC {
		t.Errorf("findings = %+v, want one npx-cache finding seen at %v (UTC)", r.Findings, seen)
	}
	wantErrs := []report.Error{
		{Path: "~/.claude.json", Error: "~/.claude.json: permission denied"},
		{Path: "~/.npm/_cacache/index-v5/ab/cd", Error: "~/.npm/_cacache/index-v5/ab/cd:2: bad entry"},
	}
	if !reflect.DeepEqual(r.Errors, wantErrs) || e1 != wantErrs[1] || e2 != wantErrs[0] {
		t.Errorf("errors = %+v (returned %+v, %+v), want %+v", r.Errors, e1, e2, wantErrs)
	}
}
