package report

import (
	"bytes"
	"encoding/json"
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"unicode/utf8"
)

func TestRepoLines(t *testing.T) {
	r := samples(t)["incident"]
	got := RepoLines(r)
	want := []struct {
		path, remote, branch, sev, scope string
		pkgs                             string
		lockfiles, findings, fresh       int
	}{
		{"notify-service", "https://git.example.com/acme/notify-service.git", "release/2025.09", "critical", "prod", "postmark-mcp@1.0.15,1.0.16", 2, 3, 0},
		{"billing-api", "https://git.example.com/acme/billing-api.git", "main", "critical", "prod", "postmark-mcp@1.0.17", 1, 1, 1},
		{"newsletter", "https://git.example.com/acme/newsletter.git", "main", "critical", "dev", "postmark-mcp@1.0.18", 1, 1, 0},
	}
	if len(got) != len(want) {
		t.Fatalf("RepoLines = %d lines, want %d (the collision-only repo is left out): %+v", len(got), len(want), got)
	}
	for i, w := range want {
		g := got[i]
		s := g.Summary
		if g.Path != w.path || g.Remote != w.remote || g.Branch != w.branch || s.Severity != w.sev ||
			s.Scope != w.scope || strings.Join(s.Packages, " ") != w.pkgs || s.Lockfiles != w.lockfiles ||
			s.Findings != w.findings || s.New != w.fresh {
			t.Errorf("line %d = %+v, want %+v", i, g, w)
		}
	}
}

func TestRepoSummaryJSON(t *testing.T) {
	r := samples(t)["incident"]
	Normalize(r)
	var b bytes.Buffer
	if err := WriteJSON(&b, r); err != nil {
		t.Fatal(err)
	}
	text := b.String()
	back, err := Read(&b)
	if err != nil {
		t.Fatal(err)
	}
	with := 0
	for _, rp := range back.Repos {
		switch rp.Path {
		case "notify-service", "billing-api", "newsletter":
			if rp.Summary == nil || rp.Summary.Severity != "critical" {
				t.Errorf("repo %s summary = %+v, want a critical summary", rp.Path, rp.Summary)
			}
			with++
		default:
			if rp.Summary != nil {
				t.Errorf("repo %s has no finding to act on but a summary %+v", rp.Path, rp.Summary)
			}
		}
	}
	if with != 3 {
		t.Errorf("%d repos with a summary, want 3", with)
	}
	if !strings.Contains(text, `"summary": {`) {
		t.Error(`JSON has no "repos[].summary"`)
	}
}

func TestTextRepoTable(t *testing.T) {
	out := renderText(t, samples(t)["incident"], false)
	i, j := strings.Index(out, "\nAffected repositories (3)\n"), strings.Index(out, "\nFindings (")
	if i < 0 || j < i {
		t.Fatalf("no per-repository table before the findings:\n%s", out)
	}
	rows := strings.Split(strings.TrimSpace(out[i:j]), "\n")[2:]
	want := []string{
		`^  notify-service +CRITICAL +postmark-mcp@1.0.15,1.0.16 +2 +prod +https://git.example.com/acme/notify-service.git +release/2025.09$`,
		`^  billing-api +CRITICAL +postmark-mcp@1.0.17 +1 +prod +https://git.example.com/acme/billing-api.git +main$`,
		`^  newsletter +CRITICAL +postmark-mcp@1.0.18 +1 +dev +https://git.example.com/acme/newsletter.git +main$`,
	}
	if len(rows) != len(want) {
		t.Fatalf("%d rows, want %d:\n%s", len(rows), len(want), strings.Join(rows, "\n"))
	}
	for k, re := range want {
		if !regexp.MustCompile(re).MatchString(rows[k]) {
			t.Errorf("row %d = %q, want %s", k, rows[k], re)
		}
	}
}

// fleetReport is a fleet of n repositories (git checkouts with an origin),
// each with perRepo findings over three lockfiles, from the incident
// sample's findings, plus 200 inputs that could not be read.
func fleetReport(t testing.TB, n, perRepo int) *Report {
	var r Report
	data := mustRead(t, "incident.json")
	if err := json.Unmarshal(data, &r); err != nil {
		t.Fatal(err)
	}
	base, _, _ := splitFindings(r.Findings)
	r.Findings, r.Repos, r.Lockfiles, r.Errors = nil, nil, nil, nil
	for i := range n {
		repo := fmt.Sprintf("team-%02d/service-%03d", i%17, i)
		r.Repos = append(r.Repos, Repo{Path: repo, Head: fmt.Sprintf("%040x", i), Branch: "main",
			Remote: "https://git.example.com/acme/" + strings.ReplaceAll(repo, "/", "-") + ".git"})
		for k := range perRepo {
			f := base[k%len(base)]
			f.Repo = repo
			f.Lockfile = fmt.Sprintf("%s/app-%d/package-lock.json", repo, k%3)
			f.Line = 10 + k
			f.ID = fmt.Sprintf("%016x", i*perRepo+k)
			f.Status = ""
			r.Findings = append(r.Findings, f)
		}
		for k := range 3 {
			r.Lockfiles = append(r.Lockfiles, Lockfile{Path: fmt.Sprintf("%s/app-%d/package-lock.json", repo, k), Repo: repo, Packages: 900})
		}
	}
	for i := range 200 {
		r.Errors = append(r.Errors, Error{Path: fmt.Sprintf("broken-%02d/yarn.lock", i), Error: fmt.Sprintf("broken-%02d/yarn.lock:17:1: unterminated quoted string", i)})
	}
	Normalize(&r)
	return &r
}

func mustRead(t testing.TB, name string) []byte {
	t.Helper()
	var b bytes.Buffer
	r := samples(t.(*testing.T))[strings.TrimSuffix(name, ".json")]
	if err := json.NewEncoder(&b).Encode(r); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// TestMarkdownFleetBudget renders a 300-repository fleet with 3,000
// findings, which in full is over ten times GitHub's limit: the Markdown
// must stay under 65,536 characters, list every repository, say how many
// findings were left out, and keep the advisory's remediation.
func TestMarkdownFleetBudget(t *testing.T) {
	r := fleetReport(t, 300, 10)
	var full bytes.Buffer
	markdownFull(&full, r)
	if full.Len() < 10*65536 {
		t.Fatalf("the full report is only %d bytes: the fleet is too small to test the budget", full.Len())
	}
	out := renderMarkdown(t, r)
	if n := utf8.RuneCountInString(out); n >= 65536 || len(out) > MarkdownBudget {
		t.Fatalf("Markdown is %d characters (%d bytes), want under 65,536 (budget %d bytes)", n, len(out), MarkdownBudget)
	}
	t.Logf("full %d bytes, cut to %d bytes", full.Len(), len(out))
	checkTables(t, out)
	for i := range 300 {
		repo := fmt.Sprintf("| `team-%02d/service-%03d` | `https://git.example.com/acme/team-%02d-service-%03d.git` | `main` |", i%17, i, i%17, i)
		if !strings.Contains(out, repo) {
			t.Errorf("repository %d is not in the per-repository table", i)
			break
		}
	}
	rows := strings.Count(out, "\n| **") // finding rows start with the severity
	m := regexp.MustCompile(`\*\*([0-9]+) more findings: see the JSON report\.\*\*`).FindStringSubmatch(out)
	if m == nil {
		t.Fatalf("no \"N more findings\" line:\n%s", out[len(out)-2000:])
	}
	left, _ := strconv.Atoi(m[1])
	if rows <= 0 || rows+left != len(r.Findings) {
		t.Errorf("%d finding rows + %d left out = %d, want %d findings", rows, left, rows+left, len(r.Findings))
	}
	for _, want := range []string{"<details>\n<summary>team-", "- [ ] Rotate Postmark server tokens", "200 errors: not checked", "more: see the JSON report"} {
		if !strings.Contains(out, want) {
			t.Errorf("cut report lacks %q", want)
		}
	}
	if strings.Count(out, "<details>") != strings.Count(out, "</details>") {
		t.Error("unbalanced <details> blocks")
	}
}

// TestMarkdownNoMailto checks that attacker addresses are code, never text
// that GitHub turns into a mailto: link.
func TestMarkdownNoMailto(t *testing.T) {
	for name, r := range samples(t) {
		out := renderMarkdown(t, r)
		for _, m := range emailRE().FindAllStringIndex(out, -1) {
			if m[0] == 0 || out[m[0]-1] != '`' {
				t.Errorf("%s: address %q outside a code span", name, out[m[0]:m[1]])
			}
		}
	}
	tests := []struct{ in, want string }{
		{"BCC to phan@giftshop.club.", "BCC to `phan@giftshop.club`."},
		{"'phan@giftshop.club'", "'`phan@giftshop.club`'"},
		{"a_b@x.io and c@d.e", "`a_b@x.io` and `c@d.e`"},
		{"@scope/pkg", "@scope/pkg"},
	}
	for _, tt := range tests {
		if got := mdText(tt.in); got != tt.want {
			t.Errorf("mdText(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}
