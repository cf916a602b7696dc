package report

import (
	"bytes"
	"encoding/json"
	"os"
	"strings"
	"testing"

	"github.com/santhosh-tekuri/jsonschema/v6"
)

func renderSARIF(t *testing.T, r *Report) []byte {
	t.Helper()
	var b bytes.Buffer
	if err := WriteSARIF(&b, r); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

func TestSARIFGolden(t *testing.T) {
	for name, r := range samples(t) {
		t.Run(name, func(t *testing.T) {
			out := renderSARIF(t, r)
			golden(t, name+".sarif", out)
			if !bytes.Equal(renderSARIF(t, r), out) {
				t.Error("WriteSARIF is not deterministic")
			}
		})
	}
}

// decodeSARIF reads a log back into the writer's own structs.
func decodeSARIF(t *testing.T, b []byte) *sarifLog {
	t.Helper()
	d := json.NewDecoder(bytes.NewReader(b))
	d.DisallowUnknownFields()
	var l sarifLog
	if err := d.Decode(&l); err != nil {
		t.Fatal(err)
	}
	return &l
}

// TestSARIFGitHub checks what GitHub code scanning needs of each result,
// against the findings of the incident sample.
func TestSARIFGitHub(t *testing.T) {
	r := samples(t)["incident"]
	l := decodeSARIF(t, renderSARIF(t, r))
	if l.Version != "2.1.0" || l.Schema == "" || len(l.Runs) != 1 {
		t.Fatalf("version %q, $schema %q, %d runs; want 2.1.0, a schema, 1 run", l.Version, l.Schema, len(l.Runs))
	}
	run := l.Runs[0]
	if d := run.Tool.Driver; d.Name != "depsweep" || d.Version != "0.1.0" || d.InformationURI == "" {
		t.Errorf("driver = %+v", d)
	}
	if len(run.Results) != len(r.Findings) {
		t.Fatalf("%d results, want %d", len(run.Results), len(r.Findings))
	}
	wantRules := []string{"MAL-2025-47604/domain", "MAL-2025-47604/package", "MAL-2025-47604/package-collision", "MAL-2025-47604/publisher"}
	var gotRules []string
	for _, rule := range run.Tool.Driver.Rules {
		gotRules = append(gotRules, rule.ID)
		wantHelp := "- [ ] Rotate Postmark server tokens"
		if strings.HasSuffix(rule.ID, "-collision") {
			wantHelp = "Check that its source is yours."
		}
		if rule.ShortDescription.Text == "" || rule.FullDescription.Text == "" || rule.Help.Text == "" || !strings.Contains(rule.Help.Markdown, wantHelp) {
			t.Errorf("rule %s lacks a description or help with remediation: %+v", rule.ID, rule)
		}
		if strings.Join(rule.Properties.Tags, ",") != "security,malicious-package,supply-chain" {
			t.Errorf("rule %s tags = %q", rule.ID, rule.Properties.Tags)
		}
	}
	if strings.Join(gotRules, " ") != strings.Join(wantRules, " ") {
		t.Errorf("rules = %q, want %q", gotRules, wantRules)
	}
	sev := map[string]string{}
	for _, rule := range run.Tool.Driver.Rules {
		sev[rule.ID] = rule.Properties.SecuritySeverity + "/" + rule.DefaultConfiguration.Level
	}
	for id, want := range map[string]string{
		"MAL-2025-47604/package":           "9.5/error",
		"MAL-2025-47604/domain":            "8.0/error",
		"MAL-2025-47604/publisher":         "5.5/warning",
		"MAL-2025-47604/package-collision": "0.0/note",
	} {
		if sev[id] != want {
			t.Errorf("rule %s severity/level = %q, want %q", id, sev[id], want)
		}
	}

	byID := map[string]Finding{}
	for _, f := range r.Findings {
		byID[f.ID] = f
	}
	for _, res := range run.Results {
		f, ok := byID[res.PartialFingerprints[fingerprintKey]]
		if !ok {
			t.Errorf("result %q has no finding id fingerprint", res.Message.Text)
			continue
		}
		if run.Tool.Driver.Rules[res.RuleIndex].ID != res.RuleID {
			t.Errorf("result %s: ruleIndex %d points at %s, not %s", f.ID, res.RuleIndex, run.Tool.Driver.Rules[res.RuleIndex].ID, res.RuleID)
		}
		want := map[string]string{"critical": "error", "high": "error", "medium": "warning", "low": "note", "info": "note"}[f.Severity]
		if f.Collision {
			want = "note"
		}
		if res.Level != want {
			t.Errorf("result %s level = %q, want %q", f.ID, res.Level, want)
		}
		if len(res.Locations) != 1 {
			t.Fatalf("result %s has %d locations", f.ID, len(res.Locations))
		}
		loc := res.Locations[0].PhysicalLocation
		if loc.ArtifactLocation.URI != f.Lockfile || loc.ArtifactLocation.URIBaseID != "%SRCROOT%" || loc.Region == nil || loc.Region.StartLine != f.Line {
			t.Errorf("result %s location = %+v %+v, want %s:%d under %%SRCROOT%%", f.ID, loc.ArtifactLocation, loc.Region, f.Lockfile, f.Line)
		}
		for _, w := range []string{f.Package.Name + "@" + f.Package.Version, f.Evidence} {
			if !strings.Contains(res.Message.Text, w) {
				t.Errorf("result %s message %q lacks %q", f.ID, res.Message.Text, w)
			}
		}
		p := res.Properties
		if p.Repo != f.Repo || p.Dev != f.Package.Dev || p.Direct != f.Package.Direct || strings.Join(p.DependencyPath, " ") != strings.Join(f.Path, " ") {
			t.Errorf("result %s properties = %+v", f.ID, p)
		}
	}
	inv := run.Invocations[0]
	if inv.ExecutionSuccessful {
		t.Error("executionSuccessful with an error in the report")
	}
	var notes []string
	for _, n := range inv.Notifications {
		notes = append(notes, n.Level+" "+n.Message.Text)
	}
	wantNotes := []string{
		"error legacy-portal/yarn.lock:17:1: unterminated quoted string",
		"warning newsletter/package-lock.json: entry skipped, not checked: entry has no version: skipped",
	}
	if strings.Join(notes, "\n") != strings.Join(wantNotes, "\n") {
		t.Errorf("notifications:\n%s\nwant:\n%s", strings.Join(notes, "\n"), strings.Join(wantNotes, "\n"))
	}

	clean := decodeSARIF(t, renderSARIF(t, samples(t)["clean"]))
	if c := clean.Runs[0]; !c.Invocations[0].ExecutionSuccessful || c.Results == nil || len(c.Results) != 0 {
		t.Errorf("clean report: executionSuccessful %v, results %v; want true and []", c.Invocations[0].ExecutionSuccessful, c.Results)
	}
}

func TestSARIFLineUnknown(t *testing.T) {
	r := samples(t)["incident"]
	r.Findings = r.Findings[:1]
	r.Findings[0].Line = 0
	l := decodeSARIF(t, renderSARIF(t, r))
	if reg := l.Runs[0].Results[0].Locations[0].PhysicalLocation.Region; reg == nil || reg.StartLine != 1 {
		t.Errorf("unknown line: region %+v, want startLine 1", reg)
	}
}

func TestArtifactLocation(t *testing.T) {
	tests := []struct{ in, uri, base string }{
		{"billing-api/package-lock.json", "billing-api/package-lock.json", "%SRCROOT%"},
		{"package-lock.json", "package-lock.json", "%SRCROOT%"},
		{`apps\web\yarn.lock`, "apps/web/yarn.lock", "%SRCROOT%"},
		{"web | admin/packages/<ui>/yarn.lock", "web%20%7C%20admin/packages/%3Cui%3E/yarn.lock", "%SRCROOT%"},
		{"@scope/pkg/package-lock.json", "@scope/pkg/package-lock.json", "%SRCROOT%"},
		{"a:b/yarn.lock", "./a:b/yarn.lock", "%SRCROOT%"},
		{"caf%C3%A9/#1/yarn.lock", "caf%25C3%25A9/%231/yarn.lock", "%SRCROOT%"},
		{"/srv/checkouts/x/yarn.lock", "file:///srv/checkouts/x/yarn.lock", ""},
		{"C:/src/x/yarn.lock", "file:///C:/src/x/yarn.lock", ""},
	}
	for _, tt := range tests {
		got := artifactLocation(tt.in)
		if got.URI != tt.uri || got.URIBaseID != tt.base {
			t.Errorf("artifactLocation(%q) = %q base %q, want %q base %q", tt.in, got.URI, got.URIBaseID, tt.uri, tt.base)
		}
	}
}

func TestRuleName(t *testing.T) {
	tests := []struct{ in, want string }{
		{"MAL-2025-47604/package", "MAL202547604Package"},
		{"MAL-2025-47604/package-collision", "MAL202547604PackageCollision"},
		{"GHSA-abcd-efgh/domain", "GHSAAbcdEfghDomain"},
	}
	for _, tt := range tests {
		if got := ruleName(tt.in); got != tt.want {
			t.Errorf("ruleName(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

// sarifSchema compiles the official SARIF 2.1.0 JSON schema, kept in
// testdata so that the test needs no network. Formats (uri,
// uri-reference, date-time) are asserted, not just annotated.
func sarifSchema(t *testing.T) *jsonschema.Schema {
	t.Helper()
	f, err := os.Open("../../testdata/sarif/sarif-schema-2.1.0.json")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	doc, err := jsonschema.UnmarshalJSON(f)
	if err != nil {
		t.Fatal(err)
	}
	c := jsonschema.NewCompiler()
	c.AssertFormat()
	const url = "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json"
	if err := c.AddResource(url, doc); err != nil {
		t.Fatal(err)
	}
	sch, err := c.Compile(url)
	if err != nil {
		t.Fatal(err)
	}
	return sch
}

func TestSARIFSchema(t *testing.T) {
	sch := sarifSchema(t)
	validate := func(b []byte) error {
		inst, err := jsonschema.UnmarshalJSON(bytes.NewReader(b))
		if err != nil {
			return err
		}
		return sch.Validate(inst)
	}
	for name, r := range samples(t) {
		if err := validate(renderSARIF(t, r)); err != nil {
			t.Errorf("%s: SARIF does not validate against the 2.1.0 schema: %v", name, err)
		}
	}

	// The validator must catch what GitHub would reject, or the test above
	// proves nothing.
	good := string(renderSARIF(t, samples(t)["incident"]))
	for _, bad := range []struct{ from, to string }{
		{`"level": "error"`, `"level": "critical"`},
		{`"startLine": 45`, `"startLine": 0`},
		{`"version": "2.1.0"`, `"version": "2.0.0"`},
		{`"informationUri": "https://github.com/depsweep/depsweep"`, `"informationUri": "not a uri"`},
		{`"startTimeUtc": "2025-09-26T08:14:03Z"`, `"startTimeUtc": "yesterday"`},
	} {
		mutated := strings.Replace(good, bad.from, bad.to, 1)
		if mutated == good {
			t.Fatalf("mutation %q not applied: the golden changed", bad.from)
		}
		if err := validate([]byte(mutated)); err == nil {
			t.Errorf("schema accepted %s", bad.to)
		}
	}
}
