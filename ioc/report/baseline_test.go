package report_test

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/depsweep/depsweep/ioc/report"
)

// statuses lists "id:status" for every finding of r, in report order.
func statuses(r *report.Report) []string {
	var out []string
	for _, f := range r.Findings {
		out = append(out, f.ID+":"+f.Status)
	}
	return out
}

// TestCompare is the baseline acceptance test on reports: between two
// nightly runs a planted package was removed (fb) and another added (fd).
func TestCompare(t *testing.T) {
	fa := fleetFinding("fa", "critical", "api", "api/package-lock.json", "1.0.16")
	fb := fleetFinding("fb", "critical", "web", "web/package-lock.json", "1.0.18")
	fc := fleetFinding("fc", "low", "web", "web/package-lock.json", "1.0.15")
	fd := fleetFinding("fd", "critical", "zeta", "zeta/package-lock.json", "1.0.17")
	baseline := shardReport(0, []string{"api", "web", "zeta"}, fa, fb, fc)
	current := shardReport(0, []string{"api", "web", "zeta"}, fa, fc, fd)
	baseJSON := jsonOf(t, baseline)

	got := report.Compare(baseline, current)
	want := report.BaselineSummary{New: 1, Present: 2, Resolved: 1}
	if got != want {
		t.Errorf("Compare = %+v, want %+v", got, want)
	}
	if s := current.Summary.Baseline; s == nil || *s != want {
		t.Errorf("Summary.Baseline = %+v, want %+v", s, want)
	}
	wantStatus := []string{"fa:present", "fb:resolved", "fd:new", "fc:present"}
	if st := statuses(current); !slices.Equal(st, wantStatus) {
		t.Errorf("statuses = %q, want %q", st, wantStatus)
	}
	// The resolved finding is listed but not counted.
	if current.Summary.Findings != 3 || current.Summary.BySeverity["critical"] != 2 || current.Summary.BySeverity["low"] != 1 {
		t.Errorf("summary counts %d findings, by severity %v; want 3, critical 2, low 1", current.Summary.Findings, current.Summary.BySeverity)
	}
	if jsonOf(t, baseline) != baseJSON {
		t.Errorf("Compare modified the baseline")
	}

	// Comparing the compared report again (the next night, nothing
	// changed): fb stays gone and is not resolved twice.
	next := shardReport(0, []string{"api", "web", "zeta"}, fa, fc, fd)
	got = report.Compare(current, next)
	if want := (report.BaselineSummary{Present: 3}); got != want {
		t.Errorf("second Compare = %+v, want %+v", got, want)
	}

	// A report compared with itself has no new finding.
	same := shardReport(0, []string{"api", "web", "zeta"}, fa, fb)
	if got := report.Compare(shardReport(0, []string{"api", "web", "zeta"}, fa, fb), same); got != (report.BaselineSummary{Present: 2}) {
		t.Errorf("Compare with itself = %+v, want 2 present", got)
	}
}

// TestCompareNotScanned: a finding is only resolved where the scan could
// see it is gone.
func TestCompareNotScanned(t *testing.T) {
	fa := fleetFinding("fa", "critical", "api", "api/package-lock.json", "1.0.16")
	fb := fleetFinding("fb", "critical", "web", "web/package-lock.json", "1.0.18")
	fe := fleetFinding("fe", "critical", "gone", "gone/package-lock.json", "1.0.18")
	baseline := shardReport(0, []string{"api", "web", "gone"}, fa, fb, fe)

	tests := []struct {
		name    string
		current *report.Report
		want    report.BaselineSummary
	}{
		// web's lockfile no longer parses: fb may still be there.
		{"unreadable lockfile", shardReport(0, []string{"api", "web!"}), report.BaselineSummary{Resolved: 1, NotScanned: 2}},
		// An unreadable directory above the lockfile.
		{"unreadable directory", func() *report.Report {
			r := shardReport(0, []string{"api", "web"})
			r.Errors = append(r.Errors, report.Error{Path: "web", Error: "web: permission denied"})
			report.Normalize(r)
			return r
		}(), report.BaselineSummary{Resolved: 1, NotScanned: 2}},
		// An interrupted scan resolves nothing.
		{"interrupted", func() *report.Report {
			r := shardReport(0, []string{"api", "web"})
			r.Interrupted = true
			return r
		}(), report.BaselineSummary{NotScanned: 3}},
		// The lockfile is gone but its repository was scanned: resolved.
		{"lockfile removed", func() *report.Report {
			r := shardReport(0, []string{"api", "web", "gone"})
			r.Lockfiles = slices.DeleteFunc(r.Lockfiles, func(l report.Lockfile) bool { return l.Repo == "gone" })
			report.Normalize(r)
			return r
		}(), report.BaselineSummary{Resolved: 3}},
	}
	for _, tt := range tests {
		if got := report.Compare(baseline, tt.current); got != tt.want {
			t.Errorf("%s: Compare = %+v, want %+v", tt.name, got, tt.want)
		}
	}
}

func TestReadFile(t *testing.T) {
	dir := t.TempDir()
	r := shardReport(0, []string{"api"}, fleetFinding("fa", "critical", "api", "api/package-lock.json", "1.0.16"))
	for _, name := range []string{"r.json", "r.jsonl"} {
		f, err := os.Create(filepath.Join(dir, name))
		if err != nil {
			t.Fatal(err)
		}
		if strings.HasSuffix(name, "l") {
			err = report.WriteJSONL(f, r)
		} else {
			err = report.WriteJSON(f, r)
		}
		f.Close()
		if err != nil {
			t.Fatal(err)
		}
		got, err := report.ReadFile(filepath.Join(dir, name))
		if err != nil {
			t.Fatalf("ReadFile(%q): %v", name, err)
		}
		if g, w := jsonOf(t, got), jsonOf(t, r); g != w {
			t.Errorf("ReadFile(%q) =\n%s\nwant\n%s", name, g, w)
		}
	}
	bad := filepath.Join(dir, "bad.json")
	os.WriteFile(bad, []byte("{\n\"schema\": \"depsweep/report/v1\",\n\"findings\": [secret\n"), 0o644)
	_, err := report.ReadFile(bad)
	if err == nil || !strings.HasPrefix(err.Error(), bad+":") || strings.Contains(err.Error(), "secret") {
		t.Errorf("ReadFile(bad) = %v, want an error starting with the file name and not quoting it", err)
	}
	if _, err := report.ReadFile(filepath.Join(dir, "missing.json")); err == nil || !strings.Contains(err.Error(), "missing.json") {
		t.Errorf("ReadFile(missing) = %v, want an error naming the file", err)
	}
}

// TestNormalizeSkipsResolved: a compared report read back (Read normalizes
// it) counts only the findings still there, as Compare did.
func TestNormalizeSkipsResolved(t *testing.T) {
	r := &report.Report{Findings: []report.Finding{
		{ID: "a", Severity: "critical", Status: report.StatusNew},
		{ID: "b", Severity: "critical", Status: report.StatusResolved},
		{ID: "c", Severity: "medium", Status: report.StatusPresent},
	}}
	report.Normalize(r)
	if r.Summary.Findings != 2 || r.Summary.BySeverity["critical"] != 1 || r.Summary.BySeverity["medium"] != 1 {
		t.Errorf("Normalize: findings %d, by severity %v; want 2, critical 1, medium 1", r.Summary.Findings, r.Summary.BySeverity)
	}
	if len(r.Findings) != 3 {
		t.Errorf("Normalize dropped findings: %d listed, want 3", len(r.Findings))
	}
}
