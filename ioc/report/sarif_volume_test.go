package report

import (
	"bytes"
	"strings"
	"testing"
	"time"

	"github.com/santhosh-tekuri/jsonschema/v6"
)

// TestSARIFVolume renders 30,000 findings: the log must validate against
// the SARIF 2.1.0 schema and hold 25,000 results, the most severe, with a
// notification saying how many were left out and where they are.
func TestSARIFVolume(t *testing.T) {
	r := fleetReport(t, 3000, 10)
	active, _, _ := splitFindings(r.Findings)
	if len(active) != 30000 {
		t.Fatalf("%d findings, want 30,000", len(active))
	}
	var b bytes.Buffer
	start := time.Now()
	if err := WriteSARIFWith(&b, r, SARIFOptions{FullReport: "fleet.json"}); err != nil {
		t.Fatal(err)
	}
	t.Logf("SARIF of 30,000 findings: %d bytes in %v", b.Len(), time.Since(start))
	inst, err := jsonschema.UnmarshalJSON(bytes.NewReader(b.Bytes()))
	if err != nil {
		t.Fatal(err)
	}
	if err := sarifSchema(t).Validate(inst); err != nil {
		t.Fatalf("capped log does not validate: %v", err)
	}
	l := decodeSARIF(t, b.Bytes())
	run := l.Runs[0]
	if len(run.Results) != MaxSARIFResults {
		t.Fatalf("%d results, want %d", len(run.Results), MaxSARIFResults)
	}
	// The kept results are the most severe: the cut is at a severity no
	// higher than any kept one, and every left-out finding ranks no higher.
	last := severityRank(run.Results[0].Properties.Severity)
	for i, res := range run.Results {
		rank := severityRank(res.Properties.Severity)
		if rank > last {
			t.Fatalf("result %d (%s) is more severe than the one before: not sorted", i, res.Properties.Severity)
		}
		last = rank
	}
	for _, f := range active[MaxSARIFResults:] {
		if severityRank(f.Severity) > last {
			t.Fatalf("a %s finding was left out while a less severe one was kept", f.Severity)
		}
	}
	for _, res := range run.Results {
		if run.Tool.Driver.Rules[res.RuleIndex].ID != res.RuleID {
			t.Fatalf("result's ruleIndex %d does not point at its rule %s", res.RuleIndex, res.RuleID)
		}
	}
	n := run.Invocations[0].Notifications
	if len(n) == 0 || n[0].Level != "warning" ||
		!strings.HasPrefix(n[0].Message.Text, "5000 of 30000 results left out") || !strings.Contains(n[0].Message.Text, "fleet.json") {
		t.Errorf("first notification = %+v, want how many were left out and where the full report is", n)
	}
	if d := run.Tool.Driver; d.FullName != "depsweep 0.1.0" {
		t.Errorf("driver.fullName = %q", d.FullName)
	}
	if a := run.AutomationDetails; a == nil || a.ID != "depsweep/scan/20250926T081403Z" {
		t.Errorf("automationDetails = %+v", a)
	}

	// Under the cap, no notification.
	small := decodeSARIF(t, renderSARIF(t, samples(t)["incident"]))
	for _, n := range small.Runs[0].Invocations[0].Notifications {
		if strings.Contains(n.Message.Text, "left out") {
			t.Errorf("notification under the cap: %s", n.Message.Text)
		}
	}
}

// TestSARIFRoots checks a scan over several absolute roots: every location
// is a relative URI against its root's base id.
func TestSARIFRoots(t *testing.T) {
	r := samples(t)["incident"]
	r.Roots = []string{"/srv/fleet-a", "/srv/fleet-a-old", "relative"}
	lockfiles := []string{"/srv/fleet-a/billing-api/package-lock.json", "/srv/fleet-a-old/newsletter/package-lock.json", "relative/x/package-lock.json"}
	for i := range r.Findings {
		r.Findings[i].Lockfile = lockfiles[i%len(lockfiles)]
	}
	r.Errors = []Error{{Path: "/srv/fleet-a-old/legacy/yarn.lock", Error: "unterminated quoted string"}}
	r.Lockfiles = nil
	out := renderSARIF(t, r)
	inst, err := jsonschema.UnmarshalJSON(bytes.NewReader(out))
	if err != nil {
		t.Fatal(err)
	}
	if err := sarifSchema(t).Validate(inst); err != nil {
		t.Fatalf("does not validate: %v", err)
	}
	l := decodeSARIF(t, out)
	run := l.Runs[0]
	want := map[string]string{
		"ROOT1 billing-api/package-lock.json": "", "ROOT2 newsletter/package-lock.json": "",
		"%SRCROOT% relative/x/package-lock.json": "",
	}
	for _, res := range run.Results {
		a := res.Locations[0].PhysicalLocation.ArtifactLocation
		if strings.HasPrefix(a.URI, "file:") || strings.HasPrefix(a.URI, "/") {
			t.Errorf("absolute uri %q", a.URI)
		}
		if _, ok := want[a.URIBaseID+" "+a.URI]; !ok {
			t.Errorf("location %s %s, want one of %v", a.URIBaseID, a.URI, want)
		}
	}
	var errLoc sarifArtifactLocation
	for _, n := range run.Invocations[0].Notifications {
		if len(n.Locations) > 0 && strings.Contains(n.Message.Text, "unterminated") {
			errLoc = n.Locations[0].PhysicalLocation.ArtifactLocation
		}
	}
	if errLoc.URIBaseID != "ROOT2" || errLoc.URI != "legacy/yarn.lock" {
		t.Errorf("error location = %+v, want ROOT2 legacy/yarn.lock", errLoc)
	}
	bases := run.OriginalURIBaseIDs
	if bases["ROOT1"].URI != "file:///srv/fleet-a/" || bases["ROOT2"].URI != "file:///srv/fleet-a-old/" || len(bases) != 2 {
		t.Errorf("originalUriBaseIds = %+v", bases)
	}
}
