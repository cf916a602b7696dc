package report

import (
	"bytes"
	"regexp"
	"strings"
	"testing"
)

func renderMarkdown(t *testing.T, r *Report) string {
	t.Helper()
	var b bytes.Buffer
	if err := WriteMarkdown(&b, r); err != nil {
		t.Fatal(err)
	}
	return b.String()
}

func TestMarkdownGolden(t *testing.T) {
	for name, r := range samples(t) {
		t.Run(name, func(t *testing.T) {
			out := renderMarkdown(t, r)
			golden(t, name+".md", []byte(out))
			if renderMarkdown(t, r) != out {
				t.Error("WriteMarkdown is not deterministic")
			}
		})
	}
}

// cells splits a GFM table row into its cells, honouring \| escapes.
func cells(row string) []string {
	row = strings.TrimSpace(row)
	row = strings.TrimPrefix(strings.TrimSuffix(row, "|"), "|")
	parts := regexp.MustCompile(`([^\\])\|`).ReplaceAllString(row, "$1\x00")
	return strings.Split(parts, "\x00")
}

func TestMarkdownFindingsTable(t *testing.T) {
	r := samples(t)["incident"]
	out := renderMarkdown(t, r)
	sec := out[strings.Index(out, "## Findings"):]
	var rows []string
	for _, l := range strings.Split(sec, "\n")[2:] {
		if !strings.HasPrefix(l, "|") {
			break
		}
		rows = append(rows, l)
	}
	active, _, _ := splitFindings(r.Findings)
	if len(rows) != len(active)+2 {
		t.Fatalf("findings table has %d rows, want %d:\n%s", len(rows)-2, len(active), sec)
	}
	for i, f := range active {
		c := cells(rows[i+2])
		if len(c) != 6 {
			t.Errorf("row %d has %d cells, want 6: %q", i, len(c), rows[i+2])
			continue
		}
		checks := []struct {
			col  int
			want string
		}{
			{0, f.Severity},
			{1, "`" + f.Package.Name + "@" + f.Package.Version + "`"},
			{2, "`" + f.Repo + "`"},
			{3, "`" + location(f) + "`"},
			{5, f.Indicator.Kind + " `" + f.Indicator.Value + "`"},
		}
		if !f.Package.Direct {
			checks = append(checks, struct {
				col  int
				want string
			}{4, "`" + strings.Join(f.Path, "` → `") + "`"})
		}
		for _, ck := range checks {
			if !strings.Contains(c[ck.col], ck.want) {
				t.Errorf("row %d column %d = %q, want it to hold %q", i, ck.col, c[ck.col], ck.want)
			}
		}
	}
	for _, want := range []string{
		"- [ ] Remove postmark-mcp from the project and reinstall from a clean lockfile.",
		"**Exposure window:** malicious versions installable 2025-09-17 → 2025-09-25: audit activity in that window.",
		"- <https://osv.dev/vulnerability/MAL-2025-47604>",
		"## Name collisions (not malicious)",
		"<details>\n<summary>1 error, 1 lockfile partly read: not checked, the result is incomplete</summary>",
		"- `legacy-portal/yarn.lock:17:1`: unterminated quoted string",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("markdown lacks %q", want)
		}
	}
	if n := strings.Count(out, "- [ ] "); n != 5 {
		t.Errorf("got %d checklist items, want the 5 steps once", n)
	}
}

// TestMarkdownEscaping renders hostile values and checks that none of them
// can break the table or inject HTML.
func TestMarkdownEscaping(t *testing.T) {
	r := samples(t)["incident"]
	f := r.Findings[0]
	f.Repo = "a|b"
	f.Package.Name = "x`y|<img src=x onerror=alert(1)>"
	f.Evidence = "<script>alert(1)</script> | *bold* `code`"
	f.Advisory.Title = "title <b>|</b>"
	r.Findings = []Finding{f}
	r.Errors = []Error{{Path: "p|<q>", Error: "bad <x> | `y`\nnext line"}}
	out := renderMarkdown(t, r)
	for _, bad := range []string{"<img", "<script>", "<b>", "<q>", "<x>", "\nnext line"} {
		if strings.Contains(out, bad) {
			t.Errorf("markdown contains %q unescaped", bad)
		}
	}
	sec := out[strings.Index(out, "## Findings"):]
	row := strings.Split(sec, "\n")[4]
	if c := cells(row); len(c) != 6 {
		t.Errorf("hostile values broke the row into %d cells: %q", len(c), row)
	}
	tests := []struct {
		fn             func(string) string
		name, in, want string
	}{
		{mdText, "mdText", "a|b", `a\|b`},
		{mdText, "mdText", "<b>&", "&lt;b&gt;&amp;"},
		{mdText, "mdText", "`x` *y* _z_ [l](u)", "\\`x\\` \\*y\\* \\_z\\_ \\[l\\](u)"},
		{mdText, "mdText", "a\nb", "a b"},
		{mdCode, "mdCode", "@acme/pkg", "`@acme/pkg`"},
		{mdCode, "mdCode", "a`b", "``a`b``"},
		{mdCode, "mdCode", "`a", "`` `a ``"},
		{mdCode, "mdCode", "a|b", "`a|b`"},
		{mdCell, "mdCell", "a|b", "`a\\|b`"},
		{mdCode, "mdCode", "", "` `"},
		{mdLink, "mdLink", "https://osv.dev/x", "<https://osv.dev/x>"},
		{mdLink, "mdLink", "javascript:alert(1)", "`javascript:alert(1)`"},
		{mdLink, "mdLink", "https://e.com/a>b", "https://e.com/a&gt;b"},
		{mdCell, "mdCell", "a|<b>", `a\|&lt;b&gt;`},
	}
	for _, tt := range tests {
		if got := tt.fn(tt.in); got != tt.want {
			t.Errorf("%s(%q) = %q, want %q", tt.name, tt.in, got, tt.want)
		}
	}
}

func TestMarkdownNoFindings(t *testing.T) {
	s := samples(t)
	clean := renderMarkdown(t, s["clean"])
	if !strings.HasPrefix(clean, "# depsweep report: no findings\n") || !strings.Contains(clean, "## No findings") {
		t.Errorf("clean report:\n%s", clean)
	}
	if strings.Contains(clean, "<details>") || strings.Contains(clean, "incomplete") {
		t.Errorf("clean report without errors has an error section:\n%s", clean)
	}
	inc := renderMarkdown(t, s["incomplete"])
	if !strings.HasPrefix(inc, "# depsweep report: no findings, incomplete\n") {
		t.Errorf("incomplete report title:\n%s", inc)
	}
	for _, want := range []string{"The result is incomplete: 2 inputs could not be read", "- web \\| admin/packages/&lt;ui&gt;/yarn.lock: open: permission denied", "- `web | admin/package-lock.json:1:1`: lockfile is null: want a JSON object"} {
		if !strings.Contains(inc, want) {
			t.Errorf("incomplete report lacks %q:\n%s", want, inc)
		}
	}
}
