package report

import (
	"bytes"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
)

var update = flag.Bool("update", false, "rewrite the golden files in ../../testdata/reports")

const reportsDir = "../../testdata/reports"

// samples returns the sample reports by case name. It fails the test when
// there are none, so that a broken glob cannot pass silently.
func samples(t *testing.T) map[string]*Report {
	t.Helper()
	paths, err := filepath.Glob(filepath.Join(reportsDir, "*.json"))
	if err != nil {
		t.Fatal(err)
	}
	if len(paths) < 3 {
		t.Fatalf("want at least 3 sample reports in %s, found %d", reportsDir, len(paths))
	}
	out := make(map[string]*Report)
	for _, p := range paths {
		out[strings.TrimSuffix(filepath.Base(p), ".json")] = readSample(t, p)
	}
	return out
}

func readSample(t *testing.T, path string) *Report {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	d := json.NewDecoder(bytes.NewReader(b))
	d.DisallowUnknownFields()
	var r Report
	if err := d.Decode(&r); err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	return &r
}

// golden compares got with testdata/reports/<name>, or rewrites it with -update.
func golden(t *testing.T, name string, got []byte) {
	t.Helper()
	path := filepath.Join(reportsDir, name)
	if *update {
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test ./ioc/report -update to write it)", err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("%s differs from the golden file (-update rewrites it):\n%s", name, firstDiff(string(want), string(got)))
	}
}

// firstDiff shows the first line where want and got differ.
func firstDiff(want, got string) string {
	wl, gl := strings.Split(want, "\n"), strings.Split(got, "\n")
	for i := 0; i < max(len(wl), len(gl)); i++ {
		var w, g string
		if i < len(wl) {
			w = wl[i]
		}
		if i < len(gl) {
			g = gl[i]
		}
		if w != g {
			return "line " + strconv.Itoa(i+1) + ":\n  want " + strconv.Quote(w) + "\n  got  " + strconv.Quote(g)
		}
	}
	return "(no line differs)"
}

// TestRoundTrip reads every sample through Report and encodes it again: the
// bytes must not change, so no field of the contract is lost or renamed.
func TestRoundTrip(t *testing.T) {
	paths, _ := filepath.Glob(filepath.Join(reportsDir, "*.json"))
	if len(paths) == 0 {
		t.Fatal("no sample reports")
	}
	for _, p := range paths {
		r := readSample(t, p)
		got, err := json.MarshalIndent(r, "", "  ")
		if err != nil {
			t.Fatal(err)
		}
		want, _ := os.ReadFile(p)
		if !bytes.Equal(append(got, '\n'), want) {
			t.Errorf("%s: round trip through Report changed it:\n%s", p, firstDiff(string(want), string(got)+"\n"))
		}
	}
}

func renderText(t *testing.T, r *Report, color bool) string {
	t.Helper()
	var b bytes.Buffer
	if err := WriteText(&b, r, TextOptions{Color: color}); err != nil {
		t.Fatal(err)
	}
	return b.String()
}

func TestTextGolden(t *testing.T) {
	for name, r := range samples(t) {
		t.Run(name, func(t *testing.T) {
			out := renderText(t, r, false)
			golden(t, name+".txt", []byte(out))
			if again := renderText(t, r, false); again != out {
				t.Error("WriteText is not deterministic")
			}
		})
	}
}

func TestTextSummaryFirst(t *testing.T) {
	for name, r := range samples(t) {
		out := renderText(t, r, false)
		sum := strings.Index(out, "\nSummary\n")
		if sum < 0 {
			t.Errorf("%s: no summary", name)
			continue
		}
		for _, later := range []string{"\nFindings (", "\nNo findings", "\nErrors (", "\nName collisions"} {
			if i := strings.Index(out, later); i >= 0 && i < sum {
				t.Errorf("%s: %q comes before the summary", name, strings.TrimSpace(later))
			}
		}
		for _, want := range []string{"repos", "lockfiles", "packages", "findings", "errors", "feeds"} {
			if !regexp.MustCompile(`(?m)^  ` + want + ` +\S`).MatchString(out) {
				t.Errorf("%s: summary has no %q line", name, want)
			}
		}
	}
}

// TestTextFindingBlocks checks that every finding block carries what a
// responder needs, taken from the report itself.
func TestTextFindingBlocks(t *testing.T) {
	r := samples(t)["incident"]
	if r == nil {
		t.Fatal("no incident sample")
	}
	out := renderText(t, r, false)
	blocks := findingBlocks(out)
	active, collisions, _ := splitFindings(r.Findings)
	if len(blocks) != len(active) {
		t.Fatalf("got %d finding blocks, want %d", len(blocks), len(active))
	}
	if len(collisions) == 0 {
		t.Fatal("incident sample has no collision")
	}
	for i, f := range active {
		b := blocks[i]
		head := strings.SplitN(b, "\n", 2)[0]
		if n := visibleLen(head); n > textWidth {
			t.Errorf("finding %d (%s) heading is %d columns wide: %q", i, f.ID, n, head)
		}
		if full := f.Advisory.ID + ": " + f.Advisory.Title; !strings.HasPrefix(full, strings.TrimSuffix(strings.TrimSpace(strings.TrimSuffix(strings.TrimPrefix(head, strings.ToUpper(f.Severity)), "  [new]")), " …")) {
			t.Errorf("finding %d (%s) heading %q is not the start of %q", i, f.ID, head, full)
		}
		if strings.Contains(head, "[new]") != (f.Status == "new") {
			t.Errorf("finding %d (%s, status %q) heading %q: [new] mark wrong", i, f.ID, f.Status, head)
		}
		want := []string{
			strings.ToUpper(f.Severity), f.Advisory.ID,
			"repo         " + f.Repo,
			"lockfile     " + f.Lockfile + ":" + strconv.Itoa(f.Line),
			"package      " + f.Package.Name + "@" + f.Package.Version,
			"matched      " + f.Indicator.Kind + " " + f.Indicator.Value,
			f.Evidence,
		}
		if f.Package.Dev {
			want = append(want, "scope        dev")
		} else {
			want = append(want, "scope        prod")
		}
		if f.Package.Alias != "" {
			want = append(want, `installed as "`+f.Package.Alias+`"`)
		}
		if f.Package.Direct {
			want = append(want, "direct dependency")
		} else {
			want = append(want, "pulled in by "+strings.Join(f.Path, " → "))
		}
		for _, w := range want {
			if !strings.Contains(b, w) {
				t.Errorf("finding %d (%s) block lacks %q:\n%s", i, f.ID, w, b)
			}
		}
		// The advisory's details are in the Advisories section, not here.
		if len(f.Remediation) == 0 || len(f.Advisory.References) == 0 || f.Advisory.Exposure == nil {
			t.Fatalf("finding %s has no remediation, references or exposure in the sample", f.ID)
		}
		notWant := append([]string{"remediation  ", "references   ", "exposure     ", "malicious versions installable", "1. " + strings.Fields(f.Remediation[0])[0]}, f.Advisory.References...)
		for _, w := range notWant {
			if strings.Contains(b, w) {
				t.Errorf("finding %d (%s) block repeats the advisory's %q:\n%s", i, f.ID, w, b)
			}
		}
	}
	// Highest severity first.
	last := 5
	for i, b := range blocks {
		rank := severityRank(strings.ToLower(strings.Fields(b)[0]))
		if rank > last {
			t.Errorf("block %d (%s) comes after a lower severity", i, strings.Fields(b)[0])
		}
		last = rank
	}
	for _, f := range collisions {
		sec := out[strings.Index(out, "Name collisions"):]
		if !strings.Contains(sec, f.Package.Name+"@"+f.Package.Version+"  "+f.Lockfile+":"+strconv.Itoa(f.Line)) {
			t.Errorf("collision %s not in the collisions section:\n%s", f.ID, sec)
		}
		for _, b := range blocks {
			if strings.Contains(b, f.ID) {
				t.Errorf("collision %s shown as a finding block", f.ID)
			}
		}
	}
	for _, e := range r.Errors {
		if !strings.Contains(out, "\n  "+e.Error+"\n") {
			t.Errorf("error %q not listed once with its path", e.Error)
		}
	}
	if !strings.Contains(out, "newsletter/package-lock.json: 1 entry skipped\n    line 120: entry has no version: skipped") {
		t.Error("partly read lockfile not listed with its problem")
	}
	if !strings.Contains(strings.Join(strings.Fields(out), " "), "publisher indicators were not checked for 8 packages: they are not in registry-metadata:registry") {
		t.Error("no publisher coverage warning")
	}
}

// sectionEnd matches the heading of any section that may follow the
// Advisories section.
var sectionEnd = regexp.MustCompile(`\n\n(Name collisions|Resolved since|Errors \(|Partly read \()`)

// advisoryBlocks returns the advisory blocks of the Advisories section by
// their heading line, and how often each advisory id heads a block.
func advisoryBlocks(t *testing.T, out string) (blocks map[string]string, count map[string]int) {
	t.Helper()
	blocks, count = map[string]string{}, map[string]int{}
	start := strings.Index(out, "\nAdvisories (")
	if start < 0 {
		return blocks, count
	}
	if strings.Count(out, "\nAdvisories (") != 1 {
		t.Errorf("more than one Advisories section:\n%s", out)
	}
	sec := out[start+1:]
	header, sec, _ := strings.Cut(sec, "\n")
	if end := sectionEnd.FindStringIndex(sec); end != nil {
		sec = sec[:end[0]]
	}
	parts := strings.Split(strings.Trim(sec, "\n"), "\n\n")
	if want := fmt.Sprintf("Advisories (%d)", len(parts)); header != want {
		t.Errorf("section header %q, want %q", header, want)
	}
	for _, b := range parts {
		id, _, _ := strings.Cut(strings.SplitN(b, "\n", 2)[0], ":")
		blocks[id] = b
		count[id]++
	}
	return blocks, count
}

// checkAdvisories checks that every advisory of an active finding is in the
// Advisories section exactly once with its details, and that no other is.
func checkAdvisories(t *testing.T, name string, r *Report, out string) {
	t.Helper()
	active, _, _ := splitFindings(r.Findings)
	blocks, count := advisoryBlocks(t, out)
	want := map[string][]Finding{}
	for _, f := range active {
		want[f.Advisory.ID] = append(want[f.Advisory.ID], f)
	}
	for id, n := range count {
		if want[id] == nil {
			t.Errorf("%s: advisory %q in the Advisories section has no finding", name, id)
		} else if n != 1 {
			t.Errorf("%s: advisory %q appears %d times in the Advisories section", name, id, n)
		}
	}
	flat := func(s string) string { return strings.Join(strings.Fields(s), " ") }
	for id, fs := range want {
		b, ok := blocks[id]
		if !ok {
			t.Errorf("%s: advisory %q of %d findings not in the Advisories section:\n%s", name, id, len(fs), out)
			continue
		}
		bf := flat(b)
		by := map[string]int{}
		repos := map[string]bool{}
		for _, f := range fs {
			by[f.Severity]++
			repos[f.Repo] = true
		}
		var sevs []string
		for _, s := range severities {
			if by[s] > 0 {
				sevs = append(sevs, fmt.Sprintf("%d %s", by[s], s))
			}
		}
		a := fs[0].Advisory
		wants := []string{
			flat(a.ID + ": " + a.Title),
			fmt.Sprintf("covers %s in %s: %s", plural(len(fs), "finding", "findings"), plural(len(repos), "repository", "repositories"), strings.Join(sevs, ", ")),
			flat(a.Summary),
		}
		if len(a.Aliases) > 0 {
			wants = append(wants, "aliases "+strings.Join(a.Aliases, ", "))
		}
		if e := a.Exposure; e != nil {
			wants = append(wants, "exposure "+exposure(e))
		}
		for _, ref := range a.References {
			wants = append(wants, ref)
			// Each reference is said once in the whole report, per advisory
			// that lists it.
			if got, holders := strings.Count(out, ref), countRef(active, ref); got != holders {
				t.Errorf("%s: reference %s printed %d times, want %d", name, ref, got, holders)
			}
		}
		for n, step := range fs[0].Remediation {
			wants = append(wants, strconv.Itoa(n+1)+". "+flat(step))
		}
		for _, w := range wants {
			if !strings.Contains(bf, w) {
				t.Errorf("%s: advisory %s block lacks %q:\n%s", name, id, w, b)
			}
		}
	}
}

// countRef counts the distinct advisories of fs that list ref.
func countRef(fs []Finding, ref string) int {
	ids := map[string]bool{}
	for _, f := range fs {
		if slices.Contains(f.Advisory.References, ref) {
			ids[f.Advisory.ID] = true
		}
	}
	return len(ids)
}

func TestTextAdvisories(t *testing.T) {
	withFindings := 0
	for name, r := range samples(t) {
		out := renderText(t, r, false)
		checkAdvisories(t, name, r, out)
		if active, _, _ := splitFindings(r.Findings); len(active) > 0 {
			withFindings++
		} else if strings.Contains(out, "\nAdvisories (") {
			t.Errorf("%s: Advisories section without findings", name)
		}
	}
	if withFindings < 2 {
		t.Fatalf("only %d samples with findings", withFindings)
	}
}

// multiAdvisory is the incident sample with its findings spread over three
// advisories, each with its own references and remediation, and its name
// collision moved to an advisory that has no other finding.
func multiAdvisory(t *testing.T) *Report {
	t.Helper()
	r := samples(t)["incident"]
	if r == nil {
		t.Fatal("no incident sample")
	}
	second := Advisory{ID: "GHSA-test-0002", Title: "A second advisory whose title is long enough that it cannot fit on the heading line of a finding block at all",
		Summary: "Second\nsummary, over two lines.", References: []string{"https://example.com/second", "https://example.com/shared"}}
	third := Advisory{ID: "DEPSWEEP-TEST-3", Aliases: []string{"CVE-0000-0003"}, Title: "Third", References: []string{"https://example.com/shared"}}
	var n int
	for i := range r.Findings {
		f := &r.Findings[i]
		switch {
		case f.Collision:
			f.Advisory = Advisory{ID: "COLLISION-ONLY", Title: "only a name collision", References: []string{"https://example.com/collision"}}
		case n%3 == 1:
			f.Advisory, f.Remediation = second, []string{"Do the second thing.", "Then the other."}
			n++
		case n%3 == 2:
			f.Advisory, f.Remediation = third, nil
			n++
		default:
			n++
		}
	}
	return r
}

func TestTextAdvisoriesMany(t *testing.T) {
	r := multiAdvisory(t)
	out := renderText(t, r, false)
	checkAdvisories(t, "multi", r, out)
	blocks, count := advisoryBlocks(t, out)
	if len(count) != 3 {
		t.Fatalf("got advisories %v, want 3", count)
	}
	if _, ok := blocks["COLLISION-ONLY"]; ok {
		t.Error("an advisory of name collisions only is in the Advisories section")
	}
	if !strings.Contains(out, "COLLISION-ONLY: ") {
		t.Error("the collision no longer names its advisory")
	}
	// The collision moved to its own advisory: the incident one covers none.
	if b := blocks["MAL-2025-47604"]; strings.Contains(b, "name collision") {
		t.Errorf("advisory counts a collision it does not have:\n%s", b)
	}
	if b := blocks["DEPSWEEP-TEST-3"]; strings.Contains(b, "remediation") {
		t.Errorf("advisory without remediation shows a remediation list:\n%s", b)
	}
	// Advisories come in the order of their most severe finding.
	active, _, _ := splitFindings(r.Findings)
	var order []string
	for _, f := range active {
		if !slices.Contains(order, f.Advisory.ID) {
			order = append(order, f.Advisory.ID)
		}
	}
	last := -1
	for _, id := range order {
		i := strings.Index(out, "\n"+id+":")
		if i < last {
			t.Errorf("advisory %s out of order (want %v)", id, order)
		}
		last = i
	}
}

// TestTextCollisionCount checks the covers line of an advisory that also
// matched a name collision.
func TestTextCollisionCount(t *testing.T) {
	r := samples(t)["incident"]
	blocks, _ := advisoryBlocks(t, renderText(t, r, false))
	b := strings.Join(strings.Fields(blocks["MAL-2025-47604"]), " ")
	if !strings.Contains(b, "(1 new); 1 name collision, not malicious (listed below)") {
		t.Errorf("covers line does not count the new finding and the collision:\n%s", b)
	}
}

// TestTextRepoLine checks that the repo line is left out only when the scan
// covered the scan root alone.
func TestTextRepoLine(t *testing.T) {
	r := samples(t)["incident"]
	var one []Finding
	for _, f := range r.Findings {
		if !f.Collision {
			f.Repo = "."
			one = append(one, f)
		}
	}
	tests := []struct {
		name     string
		repos    int
		findings []Finding
		want     bool
	}{
		{"scan root only", 1, one, false},
		{"scan root among others", 2, one, true},
		{"one named repo", 1, r.Findings[:1], true},
		{"several repos", r.Summary.Repos, r.Findings, true},
	}
	for _, tt := range tests {
		c := *r
		c.Findings, c.Summary.Repos, c.Repos = tt.findings, tt.repos, nil
		out := renderText(t, &c, false)
		if got := regexp.MustCompile(`(?m)^  repo  `).MatchString(out); got != tt.want {
			t.Errorf("%s: repo line shown = %v, want %v:\n%s", tt.name, got, tt.want, out)
		}
	}
}

func TestTruncate(t *testing.T) {
	tests := []struct {
		in    string
		width int
		want  string
	}{
		{"short", 10, "short"},
		{"exactly ten", 11, "exactly ten"},
		{"cut at a word boundary here", 20, "cut at a word …"},
		{"averyveryverylongwordwithoutspaces", 10, "averyvery…"},
		{"a b", 2, "a…"},
		{"abc", 1, "a"},
		{"ünïcödé wörds ärë cöüntëd äs rünës", 20, "ünïcödé wörds ärë …"},
	}
	for _, tt := range tests {
		got := truncate(tt.in, tt.width)
		if got != tt.want {
			t.Errorf("truncate(%q, %d) = %q, want %q", tt.in, tt.width, got, tt.want)
		}
		if n := visibleLen(got); n > tt.width {
			t.Errorf("truncate(%q, %d) is %d runes", tt.in, tt.width, n)
		}
	}
}

// findingBlocks returns the text of each block in the findings section.
func findingBlocks(out string) []string {
	start := strings.Index(out, "\nFindings (")
	if start < 0 {
		return nil
	}
	sec := out[start+1:]
	sec = sec[strings.Index(sec, "\n")+1:]
	if end := regexp.MustCompile(`\n\n[A-Z][a-z]`).FindStringIndex(sec); end != nil {
		sec = sec[:end[0]]
	}
	return strings.Split(strings.Trim(sec, "\n"), "\n\n")
}

func TestTextNoFindings(t *testing.T) {
	s := samples(t)
	clean := renderText(t, s["clean"], false)
	for _, want := range []string{
		"No findings: checked 1 lockfile (4 packages) in 1 repository against 1 feed (embedded:postmark-mcp: 1 advisory, 4 indicators).",
		"Publisher indicators were not checked for 4 packages.",
	} {
		if !strings.Contains(strings.Join(strings.Fields(clean), " "), want) {
			t.Errorf("clean report lacks %q:\n%s", want, clean)
		}
	}
	if strings.Contains(clean, "incomplete") {
		t.Errorf("clean report without errors says incomplete:\n%s", clean)
	}
	inc := strings.Join(strings.Fields(renderText(t, s["incomplete"], false)), " ")
	for _, want := range []string{
		"No findings: checked 3 lockfiles (38 packages) in 2 repositories against 2 feeds",
		"The result is incomplete: 2 inputs could not be read",
		"the scan was interrupted",
		"mail-worker/pnpm-lock.yaml: 2 entries skipped",
	} {
		if !strings.Contains(inc, want) {
			t.Errorf("incomplete report lacks %q:\n%s", want, inc)
		}
	}
}

func TestTextColor(t *testing.T) {
	for name, r := range samples(t) {
		if plain := renderText(t, r, false); strings.Contains(plain, "\x1b") {
			t.Errorf("%s: escape sequence without Color", name)
		}
		color := renderText(t, r, true)
		if !strings.Contains(color, "\x1b[1m") {
			t.Errorf("%s: no bold with Color", name)
		}
		if stripped := regexp.MustCompile("\x1b\\[[0-9;]*m").ReplaceAllString(color, ""); stripped != renderText(t, r, false) {
			t.Errorf("%s: coloured text differs from plain text beyond escapes:\n%s", name, firstDiff(renderText(t, r, false), stripped))
		}
	}
}

// TestTextHostileValues checks that values from lockfiles cannot drive the
// terminal: escapes and bidi overrides are shown, not sent.
func TestTextHostileValues(t *testing.T) {
	r := samples(t)["incident"]
	f := r.Findings[0]
	f.Package.Name = "evil\x1b[2J\x1b]0;pwned\x07"
	f.Evidence = "abc\u202Edcba\r\nforged line"
	f.Repo = "bad\xffrepo"
	r.Findings = []Finding{f}
	for _, color := range []bool{false, true} {
		out := renderText(t, r, color)
		if strings.Contains(out, "\x1b[2J") || strings.Contains(out, "\x07") || strings.Contains(out, "\u202E") || strings.Contains(out, "\r") {
			t.Errorf("hostile value reached the output (color=%v):\n%q", color, out)
		}
		for _, want := range []string{`evil\x1b[2J\x1b]0;pwned\x07@1.0.17`, `abc\u202edcba\x0d\x0aforged line`, "bad\uFFFDrepo"} {
			if !strings.Contains(out, want) {
				t.Errorf("output (color=%v) lacks the escaped form %q", color, want)
			}
		}
	}
}

func TestWrap(t *testing.T) {
	tests := []struct {
		in    string
		width int
		want  []string
	}{
		{"", 10, []string{""}},
		{"a b c", 10, []string{"a b c"}},
		{"aaaa bbbb cccc", 9, []string{"aaaa bbbb", "cccc"}},
		{"x a/very/long/path/that/does/not/fit y", 10, []string{"x", "a/very/long/path/that/does/not/fit", "y"}},
		{"\x1b[1mbold\x1b[0m word", 9, []string{"\x1b[1mbold\x1b[0m word"}},
	}
	for _, tt := range tests {
		if got := wrap(tt.in, tt.width); strings.Join(got, "|") != strings.Join(tt.want, "|") {
			t.Errorf("wrap(%q, %d) = %q, want %q", tt.in, tt.width, got, tt.want)
		}
	}
}

func TestTextWidth(t *testing.T) {
	for name, r := range samples(t) {
		table := false
		for i, l := range strings.Split(renderText(t, r, false), "\n") {
			// The per-repository table keeps one line per repository
			// (greppable), however wide.
			if strings.HasPrefix(l, "Affected repositories (") {
				table = true
			}
			if table = table && l != ""; table {
				continue
			}
			fields := strings.Fields(l)
			// A line may overflow only when one token (a path, a URL) does not fit.
			if n := visibleLen(l); n > textWidth && visibleLen(fields[len(fields)-1]) <= textWidth-labelWidth {
				t.Errorf("%s line %d is %d columns wide: %q", name, i+1, n, l)
			}
		}
	}
}
