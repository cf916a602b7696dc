package report_test

import (
	"bytes"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/depsweep/depsweep/ioc"
	"github.com/depsweep/depsweep/ioc/report"
)

// supplierReport is a report of a scan that wrote SBOMs: the Builder's
// Supplier call sets the coverage.
func supplierReport(c *report.Coverage) *report.Report {
	b := report.NewBuilder(report.Header{Tool: report.Tool{Name: "depsweep", Version: "v0.3.0"}, Started: fleetStart,
		Roots: []string{"fleet"}, Feeds: fleetFeeds})
	if c != nil {
		b.Supplier(*c)
	}
	return b.Finish(fleetStart.Add(time.Minute), false,
		report.ScanCoverage(ioc.ScanStats{PublisherPackages: 5, PublisherKnown: 3}, []string{"registry-metadata:pk"}))
}

// TestSupplierCoverage: the supplier coverage of SBOMs is in the JSON
// summary (and read back), one line of text, one row of Markdown and HTML;
// a report without SBOMs has none of them, and keeps its bytes.
func TestSupplierCoverage(t *testing.T) {
	r := supplierReport(&report.Coverage{Packages: 5, Known: 3, Sources: []string{"registry-metadata:pk"}})
	var js bytes.Buffer
	if err := report.WriteJSON(&js, r); err != nil {
		t.Fatal(err)
	}
	want := regexp.MustCompile(`"publisher_coverage": \{[^}]*\},\s+"supplier_coverage": \{\s+"packages": 5,\s+"known": 3,\s+"sources": \[\s+"registry-metadata:pk"\s+\]\s+\}`)
	if !want.Match(js.Bytes()) {
		t.Errorf("JSON lacks supplier_coverage after publisher_coverage:\n%s", js.String())
	}
	back, err := report.Read(bytes.NewReader(js.Bytes()))
	if err != nil {
		t.Fatal(err)
	}
	if c := back.Summary.Supplier; c == nil || c.Packages != 5 || c.Known != 3 || len(c.Sources) != 1 {
		t.Errorf("read back: supplier coverage = %+v", c)
	}

	var txt, md bytes.Buffer
	if err := report.WriteText(&txt, r, report.TextOptions{}); err != nil {
		t.Fatal(err)
	}
	if err := report.WriteMarkdown(&md, r); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(txt.String(), "\n  supplier     in SBOMs for 3 of 5 packages (registry-metadata:pk)\n") {
		t.Errorf("text lacks the supplier line:\n%s", txt.String())
	}
	if !strings.Contains(md.String(), "\n| Supplier data | in SBOMs for 3 of 5 packages (`registry-metadata:pk`) |\n") {
		t.Errorf("Markdown lacks the supplier row:\n%s", md.String())
	}
	var html bytes.Buffer
	if err := report.WriteHTML(&html, r); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(html.String(), `<tr><th scope="row">Supplier data</th><td>in SBOMs for 3 of 5 packages (registry-metadata:pk)</td></tr>`) {
		t.Errorf("HTML lacks the supplier row")
	}

	// Without publisher data, the text says what would give suppliers.
	none := supplierReport(&report.Coverage{Packages: 5})
	txt.Reset()
	report.WriteText(&txt, none, report.TextOptions{})
	if !strings.Contains(txt.String(), "\n  supplier     in SBOMs for 0 of 5 packages: pass --registry-metadata or --registry\n") {
		t.Errorf("text without publisher data:\n%s", txt.String())
	}

	// No SBOMs: nothing.
	plain := supplierReport(nil)
	js.Reset()
	txt.Reset()
	md.Reset()
	report.WriteJSON(&js, plain)
	report.WriteText(&txt, plain, report.TextOptions{})
	report.WriteMarkdown(&md, plain)
	var plainHTML bytes.Buffer
	report.WriteHTML(&plainHTML, plain)
	for name, out := range map[string]string{"json": js.String(), "text": txt.String(), "markdown": md.String(), "html": plainHTML.String()} {
		if strings.Contains(strings.ToLower(out), "supplier") {
			t.Errorf("%s of a scan without SBOMs mentions suppliers:\n%s", name, out)
		}
	}
}

// TestMergeSupplierCoverage: merging sums the supplier coverage of the
// reports that have one.
func TestMergeSupplierCoverage(t *testing.T) {
	a := shardReport(0, []string{"a"})
	a.Summary.Supplier = &report.Coverage{Packages: 4, Known: 1, Sources: []string{"registry:https://registry.npmjs.org"}}
	b := shardReport(time.Second, []string{"b"})
	b.Summary.Supplier = &report.Coverage{Packages: 6, Known: 6, Sources: []string{"registry-metadata:pk", "registry:https://registry.npmjs.org"}}
	c := shardReport(2*time.Second, []string{"c"}) // wrote no SBOM
	got, err := report.Merge(a, b, c)
	if err != nil {
		t.Fatal(err)
	}
	s := got.Summary.Supplier
	if s == nil || s.Packages != 10 || s.Known != 7 || strings.Join(s.Sources, " ") != "registry:https://registry.npmjs.org registry-metadata:pk" {
		t.Errorf("merged supplier coverage = %+v, want 7 of 10 from both sources", s)
	}
	got, _ = report.Merge(c, shardReport(0, []string{"d"}))
	if got.Summary.Supplier != nil {
		t.Errorf("merge of reports without SBOMs: supplier coverage %+v, want none", got.Summary.Supplier)
	}
}
