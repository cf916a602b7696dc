package report_test

import (
	"errors"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/depsweep/depsweep/ioc/report"
)

// hostReport is one machine's 'scan --host' report: a finding in its npx
// cache and an unreadable config.
func hostReport(user, name string, offset time.Duration, version string) *report.Report {
	f := fleetFinding("f"+version, "critical", "~", "~/.npm/_npx/36584b3cdb3b9e8d/package-lock.json", version)
	f.Trace = "npx-cache"
	r := shardReport(offset, nil, f)
	r.Roots = []string{"/home/" + user}
	r.Machine = &report.Machine{Name: name, User: user, Home: "/home/" + user}
	r.Repos = []report.Repo{{Path: "~"}}
	r.Lockfiles = []report.Lockfile{{Path: "~/.npm/_npx/36584b3cdb3b9e8d/package-lock.json", Repo: "~", Format: "npx-cache", Packages: 1}}
	r.Errors = []report.Error{{Path: "~/.cursor/mcp.json", Error: "~/.cursor/mcp.json: not a valid JSON configuration"}}
	report.Normalize(r)
	return r
}

// TestMergeMachines merges the host reports of two laptops whose traces
// sit at the same paths: each machine keeps its own, named by its label,
// and the summary counts each machine.
func TestMergeMachines(t *testing.T) {
	a := hostReport("alice", "laptop-12", 0, "1.0.16")
	b := hostReport("bob", "mac-7", time.Minute, "1.0.16")
	m, err := report.Merge(b, a)
	if err != nil {
		t.Fatalf("Merge: %v", err)
	}
	var got []string
	for _, f := range m.Findings {
		got = append(got, f.Machine+" "+f.Repo+" "+f.Lockfile)
	}
	want := []string{
		"alice@laptop-12 alice@laptop-12:~ alice@laptop-12:~/.npm/_npx/36584b3cdb3b9e8d/package-lock.json",
		"bob@mac-7 bob@mac-7:~ bob@mac-7:~/.npm/_npx/36584b3cdb3b9e8d/package-lock.json",
	}
	if !slices.Equal(got, want) {
		t.Errorf("findings:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	if m.Findings[0].ID == m.Findings[1].ID {
		t.Errorf("both machines' findings have id %s, want one each", m.Findings[0].ID)
	}
	if m.Summary.Findings != 2 || m.Summary.Lockfiles != 2 || m.Summary.Errors != 2 || m.Summary.Repos != 2 {
		t.Errorf("summary = %+v, want 2 findings, lockfiles, errors and repos", m.Summary)
	}
	if m.Errors[0].Error != "alice@laptop-12:~/.cursor/mcp.json: not a valid JSON configuration" {
		t.Errorf("error = %q, want it prefixed with the machine", m.Errors[0].Error)
	}
	if !slices.Equal(m.Roots, []string{"bob@mac-7:/home/bob", "alice@laptop-12:/home/alice"}) {
		t.Errorf("roots = %q", m.Roots)
	}
	var sums []string
	for _, s := range m.Summary.Machines {
		sums = append(sums, s.Machine+" "+s.Name+" "+s.User+" "+s.Started.Format("15:04"))
		if s.Findings != 1 || s.Lockfiles != 1 || s.Errors != 1 || s.BySeverity["critical"] != 1 {
			t.Errorf("%s: summary %+v, want 1 finding (critical), lockfile and error", s.Machine, s)
		}
	}
	if !slices.Equal(sums, []string{"alice@laptop-12 laptop-12 alice 02:00", "bob@mac-7 mac-7 bob 02:01"}) {
		t.Errorf("machines = %q", sums)
	}
	// The inputs are untouched.
	if a.Findings[0].Lockfile != "~/.npm/_npx/36584b3cdb3b9e8d/package-lock.json" || a.Findings[0].Machine != "" {
		t.Errorf("Merge modified its input: %+v", a.Findings[0])
	}
	// One machine's report twice is refused.
	_, err = report.Merge(a, b, hostReport("alice", "laptop-12", 2*time.Minute, "1.0.17"))
	var me *report.MergeError
	if !errors.As(err, &me) || me.Report != 3 || !strings.Contains(err.Error(), "machine alice@laptop-12 is in report 1 too") {
		t.Errorf("Merge(same machine twice) = %v, want report 3's machine in report 1 too", err)
	}
	// Reports of one machine alone are shards, and overlap as before.
	if _, err := report.Merge(a, a); err == nil || !strings.Contains(err.Error(), "overlap") {
		t.Errorf("Merge(a, a) = %v, want an overlap", err)
	}
}

// TestMachinesText: the text and Markdown summaries give a line per machine.
func TestMachinesText(t *testing.T) {
	m, err := report.Merge(hostReport("alice", "laptop-12", 0, "1.0.16"), hostReport("bob", "mac-7", time.Minute, "1.0.16"))
	if err != nil {
		t.Fatal(err)
	}
	var text, md strings.Builder
	if err := report.WriteText(&text, m, report.TextOptions{}); err != nil {
		t.Fatal(err)
	}
	if err := report.WriteMarkdown(&md, m); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{
		"alice@laptop-12: 1 finding (1 critical), 1 trace file, 1 error",
		"bob@mac-7: 1 finding (1 critical), 1 trace file, 1 error",
	} {
		if !strings.Contains(text.String(), want) {
			t.Errorf("text has no line %q:\n%s", want, text.String())
		}
		if !strings.Contains(md.String(), "| Machine | "+want+" |") {
			t.Errorf("Markdown has no row %q", want)
		}
	}
}
