package report

import (
	"bytes"
	"reflect"
	"strings"
	"testing"
)

// TestNoLockfileRoundTrip: projects without a lockfile and declared
// findings survive JSON and JSONL round trips and show in text and
// Markdown.
func TestNoLockfileRoundTrip(t *testing.T) {
	rep := &Report{Tool: Tool{Name: "depsweep", Version: "test"}, Roots: []string{"fleet"},
		Findings: []Finding{{ID: "1df9c4b243defd55", Severity: "high", Repo: "lib", Lockfile: "lib/package.json", Line: 6,
			Package: Package{Name: "postmark-mcp", Direct: true}, Path: []string{"mail-lib@1.0.0", "postmark-mcp@^1.0.15"},
			Indicator: Indicator{Kind: "package", Value: "postmark-mcp"}, Advisory: Advisory{ID: "MAL-1", Title: "t"},
			Evidence: "no lockfile: declared range", Declared: "^1.0.15"}},
		NoLockfile: []NoLockfileProject{{Path: "lib/package.json", Repo: "lib", Manifests: 1, Dependencies: 2, Unknown: []string{"ms@beta"}}},
	}
	Normalize(rep)
	for _, write := range []func(*bytes.Buffer, *Report) error{
		func(b *bytes.Buffer, r *Report) error { return WriteJSON(b, r) },
		func(b *bytes.Buffer, r *Report) error { return WriteJSONL(b, r) },
	} {
		var b bytes.Buffer
		if err := write(&b, rep); err != nil {
			t.Fatal(err)
		}
		back, err := Read(&b)
		if err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(back.NoLockfile, rep.NoLockfile) || back.Findings[0].Declared != "^1.0.15" {
			t.Errorf("round trip lost data: %+v, %+v", back.NoLockfile, back.Findings)
		}
	}
	var text, md bytes.Buffer
	if err := WriteText(&text, rep, TextOptions{}); err != nil {
		t.Fatal(err)
	}
	if err := WriteMarkdown(&md, rep); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"Projects without a lockfile (1)", "lib/package.json: 2 dependencies in 1 package.json; versions unknown (dist-tags, URLs, git):", `declared     "^1.0.15" in a project without a lockfile`} {
		if !strings.Contains(text.String(), want) {
			t.Errorf("text report lacks %q:\n%s", want, text.String())
		}
	}
	for _, want := range []string{"## Projects without a lockfile", "`lib/package.json`: 2 dependencies", "postmark-mcp@^1.0.15"} {
		if !strings.Contains(md.String(), want) {
			t.Errorf("Markdown report lacks %q:\n%s", want, md.String())
		}
	}
}
