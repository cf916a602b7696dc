package report

import (
	"strings"
	"testing"
	"time"
)

func TestParseIgnoreErrors(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"- package: postmark-mcp\n", "ign.yaml:1: an ignore entry needs a reason: say why the finding is accepted"},
		{"- reason: accepted\n", "ign.yaml:1: an ignore entry needs id, advisory or package: without one it would hide every finding"},
		{"- package: a\n  reason: r\n  colour: red\n", `ign.yaml:3: unknown key "colour" (want one of id, advisory, package, repo, path, reason, until)`},
		{"- package: a\n  reason: r\n  until: next week\n", `ign.yaml:3: until "next week" is not a date (YYYY-MM-DD)`},
		{"- package: a\n  reason: r\n  repo: \"[\"\n", `ign.yaml:3: bad glob "["`},
		{"ignores:\n  - package: a\n", `ign.yaml:1: unknown key "ignores" (an ignore file is a list, or a mapping with the key ignore)`},
		{"- package: [a, b]\n  reason: r\n", "ign.yaml:1: package must be a single value"},
		{"ignore: 3\n", "ign.yaml:1: ignore must be a list of entries"},
		{"- just-a-string\n", "ign.yaml:1: an ignore entry must be a mapping (id, advisory, package, repo, path, reason, until)"},
		{"- package: a\n  reason: [\n", "ign.yaml: yaml: line 2: did not find expected node content"},
	} {
		_, err := ParseIgnore([]byte(tc.in), "ign.yaml")
		if err == nil || err.Error() != tc.want {
			t.Errorf("ParseIgnore(%q) error = %v, want %q", tc.in, err, tc.want)
		}
	}
	for _, in := range []string{"", "ignore:\n", "[]\n"} {
		if rules, err := ParseIgnore([]byte(in), "ign.yaml"); err != nil || len(rules) != 0 {
			t.Errorf("ParseIgnore(%q) = %v, %v; want no rules", in, rules, err)
		}
	}
}

func TestSuppress(t *testing.T) {
	const file = `ignore:
  - package: postmark-mcp@1.0.15
    reason: publisher finding on the clean 1.0.15, reviewed
  - advisory: mal-2025-47604
    repo: mcp-playground
    reason: name collision in a sandbox
    until: 2026-12-31
  - id: e9fe3dc9bce5ecc1
    reason: billing-api is being removed
    until: 2026-01-01
  - package: left-pad
    reason: never matches
  - advisory: DEPSWEEP-2025-0001
    path: "notify-service/node_modules/**"
    reason: installed copy, the lockfile finding stands
`
	rules, err := ParseIgnore([]byte(file), ".depsweep.yaml")
	if err != nil {
		t.Fatal(err)
	}
	rep, err := ReadFile("../../testdata/reports/incident.json")
	if err != nil {
		t.Fatal(err)
	}
	before := rep.Summary.Findings
	Suppress(rep, rules, time.Date(2026, 12, 4, 15, 0, 0, 0, time.UTC))

	got := map[string]string{}
	for _, f := range rep.Findings {
		if f.Suppressed != nil {
			got[f.ID] = f.Suppressed.Source
		}
	}
	want := map[string]string{
		"dd2da6a3d9359c74": ".depsweep.yaml:2",  // package@version
		"7d10faf26d2dc7c3": ".depsweep.yaml:4",  // alias, case-insensitive, repo glob
		"2168e04bae15a4e4": ".depsweep.yaml:13", // advisory by id, path/**
	}
	if len(got) != len(want) {
		t.Errorf("suppressed %v, want %v", got, want)
	}
	for id, src := range want {
		if got[id] != src {
			t.Errorf("finding %s suppressed by %q, want %q", id, got[id], src)
		}
	}
	if rep.Summary.Suppressed != 3 || rep.Summary.Findings != before-3 {
		t.Errorf("summary findings %d suppressed %d, want %d and 3", rep.Summary.Findings, rep.Summary.Suppressed, before-3)
	}
	if n := rep.Summary.BySeverity["medium"] + rep.Summary.BySeverity["info"] + rep.Summary.BySeverity["high"]; n != 0 {
		t.Errorf("by_severity still counts %d suppressed findings", n)
	}
	s := rep.Suppressions
	if s == nil || s.Rules != 5 || len(s.Expired) != 1 || s.Expired[0].Source != ".depsweep.yaml:8" ||
		len(s.Unused) != 1 || s.Unused[0].Source != ".depsweep.yaml:11" {
		t.Fatalf("suppressions = %+v", s)
	}
	// The expired rule does not suppress; the day it ends it still does.
	rep2, _ := ReadFile("../../testdata/reports/incident.json")
	Suppress(rep2, rules, time.Date(2026, 1, 1, 23, 59, 0, 0, time.UTC))
	for _, f := range rep2.Findings {
		if f.ID == "e9fe3dc9bce5ecc1" && (f.Suppressed == nil || f.Suppressed.Until != "2026-01-01") {
			t.Errorf("on its until day the rule must still apply: %+v", f.Suppressed)
		}
	}
	var b strings.Builder
	if err := WriteJSON(&b, rep); err != nil {
		t.Fatal(err)
	}
	back, err := Read(strings.NewReader(b.String()))
	if err != nil || back.Summary.Suppressed != 3 || back.Suppressions == nil {
		t.Errorf("JSON round trip lost the suppressions: %v %+v", err, back.Summary)
	}
}

// TestSuppressedInWriters checks that the csv and html writers and the
// per-repository summaries show a suppressed finding as such.
func TestSuppressedInWriters(t *testing.T) {
	rules, err := ParseIgnore([]byte("- package: postmark-mcp@1.0.15\n  reason: reviewed\n"), ".depsweep.yaml")
	if err != nil {
		t.Fatal(err)
	}
	rep, err := ReadFile("../../testdata/reports/incident.json")
	if err != nil {
		t.Fatal(err)
	}
	Suppress(rep, rules, time.Date(2026, 12, 4, 15, 0, 0, 0, time.UTC))
	var sup *Finding
	for i := range rep.Findings {
		if rep.Findings[i].Suppressed != nil {
			sup = &rep.Findings[i]
		}
	}
	if sup == nil {
		t.Fatal("the rule suppressed nothing")
	}
	var c, h strings.Builder
	if err := WriteCSV(&c, rep); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(c.String(), "reviewed (.depsweep.yaml:1)") {
		t.Errorf("csv: no suppressed cell for %s:\n%s", sup.ID, c.String())
	}
	if err := WriteHTML(&h, rep); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(h.String(), "(suppressed: reviewed (.depsweep.yaml:1))") {
		t.Errorf("html: finding %s not marked suppressed", sup.ID)
	}
	for _, l := range RepoLines(rep) {
		if l.Path != sup.Repo {
			continue
		}
		for _, p := range l.Summary.Packages {
			if p == sup.Package.Name+"@"+sup.Package.Version {
				t.Errorf("repo %s summary counts the suppressed %s", l.Path, p)
			}
		}
	}
}
