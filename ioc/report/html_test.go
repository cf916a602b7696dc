package report

import (
	"bytes"
	"regexp"
	"strings"
	"testing"
)

func renderHTML(t *testing.T, r *Report) string {
	t.Helper()
	var b bytes.Buffer
	if err := WriteHTML(&b, r); err != nil {
		t.Fatal(err)
	}
	return b.String()
}

func TestHTMLGolden(t *testing.T) {
	for name, r := range samples(t) {
		t.Run(name, func(t *testing.T) {
			out := renderHTML(t, r)
			golden(t, name+".html", []byte(out))
			if renderHTML(t, r) != out {
				t.Error("WriteHTML is not deterministic")
			}
			if n := strings.Count(out, "data-finding-id="); n != len(r.Findings) {
				t.Errorf("%d elements with data-finding-id, want %d", n, len(r.Findings))
			}
		})
	}
}

// TestHTMLSelfContained checks that nothing in the page can load from
// elsewhere: no src or href but http(s) reference links, a CSP that
// forbids any fetch.
func TestHTMLSelfContained(t *testing.T) {
	out := renderHTML(t, samples(t)["incident"])
	if !strings.Contains(out, `content="default-src 'none';`) {
		t.Error("no Content-Security-Policy forbidding fetches")
	}
	if m := regexp.MustCompile(`(?i)\s(src|srcset|action|xlink:href)=`).FindString(out); m != "" {
		t.Errorf("page has a %s attribute", m)
	}
	for _, m := range regexp.MustCompile(`href="([^"]*)"`).FindAllStringSubmatch(out, -1) {
		if !strings.HasPrefix(m[1], "https://") && !strings.HasPrefix(m[1], "http://") {
			t.Errorf("link to %q", m[1])
		}
	}
	if strings.Contains(out, "@import") || strings.Contains(out, "url(") {
		t.Error("CSS loads a resource")
	}
}

// TestHTMLEscaping: hostile values from lockfiles and feeds stay text.
func TestHTMLEscaping(t *testing.T) {
	r := samples(t)["incident"]
	f := r.Findings[0]
	f.Package.Name = `x"><script>alert(1)</script>`
	f.Evidence = `<img src=x onerror=alert(1)>`
	f.Repo = `a' onmouseover='alert(1)`
	f.ID = `"><b>`
	f.Advisory.References = []string{"javascript:alert(1)", "https://osv.dev/x"}
	r.Findings = []Finding{f}
	out := renderHTML(t, r)
	for _, bad := range []string{"<script>alert", "<img src=x", "' onmouseover='", `"><b>`, `href="javascript:`} {
		if strings.Contains(out, bad) {
			t.Errorf("HTML contains %q unescaped", bad)
		}
	}
	if !strings.Contains(out, `<a href="https://osv.dev/x"`) {
		t.Error("http reference is not a link")
	}
}
