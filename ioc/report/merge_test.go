package report_test

import (
	"bytes"
	"errors"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/depsweep/depsweep/ioc/report"
)

var (
	fleetStart = time.Date(2025, 9, 26, 2, 0, 0, 0, time.UTC)
	fleetFeeds = []report.Feed{{Name: "embedded:postmark-mcp", Advisories: 1, Indicators: 2, SHA256: strings.Repeat("ab", 32)}}
)

// fleetFinding is a finding of advisory MAL-2025-47604 in repo/lockfile.
func fleetFinding(id, sev, repo, lockfile, version string) report.Finding {
	return report.Finding{
		ID: id, Severity: sev, Repo: repo, Lockfile: lockfile, Line: 12,
		Package:   report.Package{Name: "postmark-mcp", Version: version},
		Path:      []string{repo + "@1.0.0", "postmark-mcp@" + version},
		Indicator: report.Indicator{Kind: "package", Value: "postmark-mcp"},
		Advisory:  report.Advisory{ID: "MAL-2025-47604", Title: "postmark-mcp BCCs mail", References: []string{}},
		Evidence:  "version " + version,
	}
}

// shardReport is one shard's report: repos given as "path" or "path!"
// (with a lockfile that could not be parsed).
func shardReport(offset time.Duration, repos []string, findings ...report.Finding) *report.Report {
	r := &report.Report{
		Tool:    report.Tool{Name: "depsweep", Version: "v0.3.0"},
		Started: fleetStart.Add(offset), Finished: fleetStart.Add(offset + time.Minute),
		Roots: []string{"fleet"}, Feeds: fleetFeeds, Findings: findings,
	}
	r.Summary.Publisher = report.Coverage{Packages: 10 * len(repos), Known: 5 * len(repos), Sources: []string{"installed"}}
	for _, rp := range repos {
		p, broken := strings.CutSuffix(rp, "!")
		r.Repos = append(r.Repos, report.Repo{Path: p, Head: strings.Repeat("c", 40)})
		l := report.Lockfile{Path: p + "/package-lock.json", Repo: p, Format: "npm-v3", Packages: 10}
		if broken {
			l.Format, l.Packages, l.Error = "", 0, p+"/package-lock.json:3:1: unexpected end of JSON input"
			r.Errors = append(r.Errors, report.Error{Path: l.Path, Error: l.Error})
		}
		r.Lockfiles = append(r.Lockfiles, l)
	}
	report.Normalize(r)
	return r
}

func TestMerge(t *testing.T) {
	fa := fleetFinding("fa", "critical", "acme/api", "acme/api/package-lock.json", "1.0.16")
	fb := fleetFinding("fb", "low", "acme/web", "acme/web/package-lock.json", "1.0.15")
	fc := fleetFinding("fc", "critical", "zeta", "zeta/package-lock.json", "1.0.18")
	shards := []*report.Report{
		shardReport(2*time.Second, []string{"acme/web", "zeta"}, fc, fb),
		shardReport(0, []string{"acme/api", "beta!"}, fa),
		shardReport(time.Second, nil),
	}
	want := shardReport(0, []string{"acme/api", "acme/web", "beta!", "zeta"}, fa, fb, fc)
	want.Finished = fleetStart.Add(2*time.Second + time.Minute)
	want.Summary.Publisher = report.Coverage{Packages: 40, Known: 20, Sources: []string{"installed"}}

	before := bytes.Buffer{}
	report.WriteJSON(&before, shards[0])
	got, err := report.Merge(shards...)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("Merge =\n%s\nwant\n%s", jsonOf(t, got), jsonOf(t, want))
	}
	if after := jsonOf(t, shards[0]); after != before.String() {
		t.Errorf("Merge modified its input")
	}

	// Shards read back from JSONL merge to the same report.
	var read []*report.Report
	for _, s := range shards {
		var buf bytes.Buffer
		if err := report.WriteJSONL(&buf, s); err != nil {
			t.Fatal(err)
		}
		r, err := report.Read(&buf)
		if err != nil {
			t.Fatal(err)
		}
		read = append(read, r)
	}
	got, err = report.Merge(read...)
	if err != nil {
		t.Fatal(err)
	}
	if g, w := jsonOf(t, got), jsonOf(t, want); g != w {
		t.Errorf("Merge of JSONL shards =\n%s\nwant\n%s", g, w)
	}

	// Order of the arguments does not matter.
	got, _ = report.Merge(shards[2], shards[0], shards[1])
	if g, w := jsonOf(t, got), jsonOf(t, want); g != w {
		t.Errorf("Merge in another order =\n%s\nwant\n%s", g, w)
	}
}

func TestMergeRootShared(t *testing.T) {
	a := shardReport(0, []string{".", "a"})
	b := shardReport(0, []string{"b"})
	b.Repos = append(b.Repos, report.Repo{Path: "."})
	b.Lockfiles = append(b.Lockfiles, report.Lockfile{Path: "loose/yarn.lock", Repo: ".", Format: "yarn-v1", Packages: 3})
	report.Normalize(b)
	got, err := report.Merge(a, b)
	if err != nil {
		t.Fatalf("Merge with the root in two shards: %v", err)
	}
	if got.Summary.Repos != 3 || got.Summary.Lockfiles != 4 {
		t.Errorf("Merge: %d repos, %d lockfiles; want 3, 4", got.Summary.Repos, got.Summary.Lockfiles)
	}
}

func TestMergeRefuses(t *testing.T) {
	base := func() *report.Report { return shardReport(0, []string{"a"}) }
	other := func(edit func(*report.Report)) *report.Report {
		r := shardReport(0, []string{"b"})
		edit(r)
		return r
	}
	tests := []struct {
		name  string
		other *report.Report
		msg   string
	}{
		{"tool version", other(func(r *report.Report) { r.Tool.Version = "v0.2.9" }), "written by depsweep v0.2.9, not depsweep v0.3.0"},
		{"feed", other(func(r *report.Report) {
			r.Feeds = []report.Feed{{Name: "embedded:postmark-mcp", SHA256: strings.Repeat("cd", 32)}}
		}), "feeds [sha256:cdcd"},
		{"extra feed", other(func(r *report.Report) {
			r.Feeds = append(slices.Clone(r.Feeds), report.Feed{Name: "x.json", SHA256: "00"})
		}), "feeds"},
		{"no summary", other(func(r *report.Report) { r.Tool = report.Tool{}; r.Interrupted = true }), "an unknown tool"},
		{"schema", other(func(r *report.Report) { r.Schema = "depsweep/report/v2" }), "schema"},
		{"overlap", shardReport(0, []string{"a"}), `repository "a" is in report 1 too`},
		{"compared", other(func(r *report.Report) { r.Summary.Baseline = &report.BaselineSummary{} }), "already compared with a baseline"},
	}
	for _, tt := range tests {
		_, err := report.Merge(base(), tt.other)
		var me *report.MergeError
		if !errors.As(err, &me) || me.Report != 2 || !strings.Contains(err.Error(), tt.msg) {
			t.Errorf("%s: Merge = %v, want a *MergeError for report 2 containing %q", tt.name, err, tt.msg)
		}
	}
	// The same lockfile under two repository names is an overlap too.
	a := base()
	b := shardReport(0, []string{"b"})
	b.Lockfiles[0].Path = "a/package-lock.json"
	if _, err := report.Merge(a, b); err == nil || !strings.Contains(err.Error(), `lockfile "a/package-lock.json"`) {
		t.Errorf("Merge of overlapping lockfiles = %v, want an overlap error", err)
	}
	if _, err := report.Merge(); err == nil {
		t.Errorf("Merge() = nil error, want one")
	}
}

func jsonOf(t *testing.T, r *report.Report) string {
	t.Helper()
	var buf bytes.Buffer
	if err := report.WriteJSON(&buf, r); err != nil {
		t.Fatal(err)
	}
	return buf.String()
}
