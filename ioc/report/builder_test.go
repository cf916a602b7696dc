package report_test

import (
	"bytes"
	"errors"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/depsweep/depsweep/ioc"
	"github.com/depsweep/depsweep/ioc/report"
	"github.com/depsweep/depsweep/lockfiles"
)

var (
	t0  = time.Date(2025, 9, 26, 8, 0, 0, 0, time.UTC)
	adv = &ioc.Advisory{
		ID: "MAL-2025-47604", Title: "Malicious code in postmark-mcp (npm)",
		Published:   time.Date(2025, 9, 25, 0, 0, 0, 0, time.UTC),
		References:  []string{"https://osv.dev/vulnerability/MAL-2025-47604"},
		Severity:    ioc.SeverityCritical,
		Remediation: []string{"remove postmark-mcp", "rotate Postmark server tokens"},
		Exposure:    ioc.Window{From: time.Date(2025, 9, 17, 0, 0, 0, 0, time.UTC), To: time.Date(2025, 9, 25, 0, 0, 0, 0, time.UTC)},
	}
	pkgInd = &ioc.Indicator{Kind: ioc.KindPackage, Ecosystem: "npm", Value: "postmark-mcp", Advisory: adv}
	pubInd = &ioc.Indicator{Kind: ioc.KindPublisher, Ecosystem: "npm", Value: "phanpak", Advisory: adv}
)

// events feeds a small scan's event stream to h: two repos, three
// lockfiles (one broken), a discovery error and three findings, out of order.
func events(t *testing.T, h ioc.Handler) ioc.ScanStats {
	t.Helper()
	must := func(err error) {
		if err != nil {
			t.Fatal(err)
		}
	}
	rh := h.(ioc.RepoHandler)
	must(rh.Repo(&ioc.RepoInfo{Path: "shop", Head: strings.Repeat("a", 40), Branch: "main", Remote: "https://github.com/acme/shop.git"}))
	shop := &lockfiles.Inventory{Path: "shop/pnpm-lock.yaml", Format: "pnpm-9.0", Packages: make([]lockfiles.Package, 12),
		Problems: []lockfiles.Problem{{Line: 40, Msg: "unknown key"}}}
	must(h.Lockfile(&ioc.LockfileResult{Path: "shop/pnpm-lock.yaml", Repo: "shop", Inventory: shop}))
	must(h.Finding(&ioc.Finding{ID: "pub1", Severity: ioc.SeverityLow, Repo: "shop", Lockfile: "shop/pnpm-lock.yaml", Line: 30,
		Package: lockfiles.Package{Name: "postmark-mcp", Version: "1.0.15", Source: lockfiles.SourceRegistry},
		Path:    []string{"shop@1.0.0", "mail-toolkit@2.0.0", "postmark-mcp@1.0.15"}, Indicator: pubInd, Evidence: "published by phanpak"}))
	must(h.Finding(&ioc.Finding{ID: "pkg1", Severity: ioc.SeverityCritical, Repo: "shop", Lockfile: "shop/pnpm-lock.yaml", Line: 20,
		Package: lockfiles.Package{Name: "postmark-mcp", Version: "1.0.16", Dev: true, Integrity: "sha512-AAAA"}, Direct: true,
		Path: []string{"shop@1.0.0", "postmark-mcp@1.0.16"}, Indicator: pkgInd, Evidence: "version 1.0.16"}))
	must(rh.Repo(&ioc.RepoInfo{Path: "api"}))
	must(h.Lockfile(&ioc.LockfileResult{Path: "api/package-lock.json", Repo: "api",
		Err: &lockfiles.ParseError{Path: "api/package-lock.json", Line: 3, Col: 1, Err: errors.New("unexpected end of JSON input")}}))
	must(h.Lockfile(&ioc.LockfileResult{Path: "api/private", Repo: "api",
		Err: &lockfiles.ParseError{Path: "api/private", Err: errors.New("open: permission denied")}}))
	web := &lockfiles.Inventory{Path: "api/web/yarn.lock", Format: "yarn-v1", Packages: make([]lockfiles.Package, 5)}
	must(h.Lockfile(&ioc.LockfileResult{Path: "api/web/yarn.lock", Repo: "api", Inventory: web}))
	must(h.Finding(&ioc.Finding{Severity: ioc.SeverityCritical, Repo: "api", Lockfile: "api/web/yarn.lock", Line: 7,
		Package: lockfiles.Package{Name: "postmark-mcp", Version: "1.0.18", Alias: "pm"}, Indicator: pkgInd}))
	return ioc.ScanStats{PublisherPackages: 17, PublisherKnown: 12}
}

func collect(t *testing.T) *report.Report {
	t.Helper()
	b := newBuilder()
	stats := events(t, b)
	return b.Finish(t0.Add(time.Second), false, report.ScanCoverage(stats, []string{"registry-metadata:reg"}))
}

func newBuilder() *report.Builder {
	return report.NewBuilder(report.Header{Tool: report.Tool{Name: "depsweep", Version: "v1.2.3"}, Started: t0,
		Roots: []string{"fleet"}, Feeds: []report.Feed{{Name: "embedded:postmark-mcp", Advisories: 1, Indicators: 4, SHA256: "ab"}}})
}

func TestBuilder(t *testing.T) {
	r := collect(t)
	if r.Schema != report.Schema {
		t.Errorf("Schema = %q, want %q", r.Schema, report.Schema)
	}
	wantSummary := report.Summary{Repos: 2, Lockfiles: 3, Packages: 17, Findings: 3, Errors: 2,
		BySeverity: map[string]int{"critical": 2, "high": 0, "medium": 0, "low": 1, "info": 0},
		Publisher:  report.Coverage{Packages: 17, Known: 12, Sources: []string{"registry-metadata:reg"}}}
	if !reflect.DeepEqual(r.Summary, wantSummary) {
		t.Errorf("Summary = %+v, want %+v", r.Summary, wantSummary)
	}
	var order []string
	for _, f := range r.Findings {
		order = append(order, f.Severity+" "+f.Lockfile+" "+f.Package.Version)
	}
	wantOrder := []string{"critical api/web/yarn.lock 1.0.18", "critical shop/pnpm-lock.yaml 1.0.16", "low shop/pnpm-lock.yaml 1.0.15"}
	if !reflect.DeepEqual(order, wantOrder) {
		t.Errorf("finding order = %q, want %q", order, wantOrder)
	}
	if r.Findings[0].ID == "" {
		t.Errorf("finding without matcher id got no fingerprint")
	}
	f := r.Findings[1]
	if !f.Package.Dev || !f.Package.Direct || f.Advisory.Published == nil || f.Advisory.Exposure == nil || f.Advisory.Exposure.To == nil ||
		len(f.Remediation) != 2 || f.Indicator != (report.Indicator{Kind: "package", Value: "postmark-mcp"}) {
		t.Errorf("converted finding = %+v, want dev, direct, published, exposure, remediation, package indicator", f)
	}
	var lfs []string
	for _, l := range r.Lockfiles {
		lfs = append(lfs, l.Path+"|"+l.Format+"|"+l.Error)
	}
	wantLfs := []string{"api/package-lock.json||api/package-lock.json:3:1: unexpected end of JSON input", "api/web/yarn.lock|yarn-v1|", "shop/pnpm-lock.yaml|pnpm-9.0|"}
	if !reflect.DeepEqual(lfs, wantLfs) {
		t.Errorf("lockfiles = %q, want %q", lfs, wantLfs)
	}
	if len(r.Errors) != 2 || r.Errors[0].Path != "api/package-lock.json" || r.Errors[1].Path != "api/private" {
		t.Errorf("errors = %+v, want api/package-lock.json then api/private", r.Errors)
	}
	if len(r.Repos) != 2 || r.Repos[1].Path != "shop" || r.Repos[1].Branch != "main" {
		t.Errorf("repos = %+v, want api, shop (with git metadata)", r.Repos)
	}
	if n := r.CountAtOrAbove(ioc.SeverityHigh); n != 2 {
		t.Errorf("CountAtOrAbove(high) = %d, want 2", n)
	}
}

func TestBuilderEmptyListsEncodeAsArrays(t *testing.T) {
	r := report.NewBuilder(report.Header{Started: t0}).Finish(t0, true, report.Coverage{})
	var buf bytes.Buffer
	if err := report.WriteJSON(&buf, r); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{`"findings": []`, `"errors": []`, `"lockfiles": []`, `"interrupted": true`, `"info": 0`} {
		if !strings.Contains(buf.String(), want) {
			t.Errorf("empty report JSON lacks %s:\n%s", want, buf.String())
		}
	}
}

func TestJSONRoundTrip(t *testing.T) {
	r := collect(t)
	var buf bytes.Buffer
	if err := report.WriteJSON(&buf, r); err != nil {
		t.Fatal(err)
	}
	first := buf.String()
	back, err := report.Read(strings.NewReader(first))
	if err != nil {
		t.Fatalf("Read(JSON): %v", err)
	}
	if !reflect.DeepEqual(back, r) {
		t.Errorf("Read(WriteJSON(r)) differs from r:\n got %+v\nwant %+v", back, r)
	}
	buf.Reset()
	report.WriteJSON(&buf, back)
	if buf.String() != first {
		t.Errorf("JSON is not stable across a round trip")
	}
}

// TestJSONLStream checks that the streaming writer, given to a Builder fed
// the scan's events as they come, reads back as the same report the
// Builder finished.
func TestJSONLStream(t *testing.T) {
	var buf bytes.Buffer
	jl := report.NewJSONLWriter(&buf)
	b := newBuilder()
	b.Stream(jl)
	stats := events(t, b)
	want := b.Finish(t0.Add(time.Second), false, report.ScanCoverage(stats, []string{"registry-metadata:reg"}))
	if !reflect.DeepEqual(want, collect(t)) {
		t.Errorf("a Builder with a stream builds another report than one without")
	}
	if err := jl.WriteSummary(want); err != nil {
		t.Fatal(err)
	}
	types := map[string]int{}
	for _, line := range strings.Split(strings.TrimSpace(buf.String()), "\n") {
		var ok bool
		for _, ty := range []string{"lockfile", "finding", "error", "summary"} {
			if strings.HasPrefix(line, `{"type":"`+ty+`"`) {
				types[ty]++
				ok = true
			}
		}
		if !ok {
			t.Errorf("line does not start with a known type: %s", line)
		}
	}
	if !reflect.DeepEqual(types, map[string]int{"lockfile": 3, "finding": 3, "error": 2, "summary": 1}) {
		t.Errorf("line types = %v, want 3 lockfile, 3 finding, 2 error, 1 summary", types)
	}
	got, err := report.Read(&buf)
	if err != nil {
		t.Fatalf("Read(JSONL): %v", err)
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("Read(JSONL stream) differs from the built report:\n got %+v\nwant %+v", got, want)
	}

	// WriteJSONL of the finished report reads back the same too.
	buf.Reset()
	if err := report.WriteJSONL(&buf, want); err != nil {
		t.Fatal(err)
	}
	got, err = report.Read(&buf)
	if err != nil || !reflect.DeepEqual(got, want) {
		t.Errorf("Read(WriteJSONL(r)) = %+v, %v; want r", got, err)
	}
}

func TestJSONLCutShortIsInterrupted(t *testing.T) {
	var buf bytes.Buffer
	b := newBuilder()
	b.Stream(report.NewJSONLWriter(&buf))
	events(t, b) // no summary line: the scan was killed
	got, err := report.Read(&buf)
	if err != nil {
		t.Fatalf("Read: %v", err)
	}
	if !got.Interrupted || got.Summary.Findings != 3 || got.Summary.Errors != 2 {
		t.Errorf("cut-short stream = interrupted %v, %d findings, %d errors; want interrupted, 3, 2",
			got.Interrupted, got.Summary.Findings, got.Summary.Errors)
	}
}

func TestReadErrors(t *testing.T) {
	tests := []struct{ in, want string }{
		{"", "empty report"},
		{"[1,2]", "line 1: not a depsweep report"},
		{`{"schema": "other/v9"}`, `unsupported report schema "other/v9"`},
		{`{"tool": {}}`, "no schema field"},
		{"{\n\"schema\": \"depsweep/report/v1\",\n\"findings\": 7}", "line 3: invalid JSON"},
		{"{\"type\":\"finding\",\"line\":\"x\"}\n", "line 1: invalid finding line"},
		{"{\"type\":\"lockfile\",\"path\":\"a\"}\n{\"type\":\"summary\",\"schema\":\"nope\"}\n", `line 2: unsupported report schema "nope"`},
		{"{\"type\":\"lockfile\"}\n{oops\n", "line 2: invalid JSON"},
	}
	for _, tt := range tests {
		_, err := report.Read(strings.NewReader(tt.in))
		if err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("Read(%q) error = %v, want it to contain %q", tt.in, err, tt.want)
		}
	}
}
