package feeds

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/depsweep/depsweep/ioc"
	"github.com/depsweep/depsweep/lockfiles"
)

// glob returns the files matching pattern, failing the test when there are none.
func glob(t testing.TB, pattern string) []string {
	t.Helper()
	files, err := filepath.Glob(pattern)
	if err != nil {
		t.Fatal(err)
	}
	if len(files) == 0 {
		t.Fatalf("no files match %s", pattern)
	}
	return files
}

// wantLine returns the "# want: ..." header of a fixture, with FILE
// replaced by its path.
func wantLine(t *testing.T, path string) string {
	t.Helper()
	fh, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer fh.Close()
	sc := bufio.NewScanner(fh)
	sc.Buffer(nil, 1<<20)
	if !sc.Scan() {
		t.Fatalf("%s: empty fixture", path)
	}
	want, ok := strings.CutPrefix(sc.Text(), "# want: ")
	if !ok {
		t.Fatalf("%s: first line must be \"# want: <error>\"", path)
	}
	return strings.ReplaceAll(want, "FILE", path)
}

func TestParseNativeFull(t *testing.T) {
	ts := func(s string) time.Time {
		v, err := time.Parse(time.RFC3339Nano, s)
		if err != nil {
			t.Fatal(err)
		}
		return v.UTC()
	}
	medium, low := ioc.SeverityMedium, ioc.SeverityLow
	adv1 := &ioc.Advisory{
		ID:          "DEPSWEEP-TEST-0001",
		Aliases:     []string{"MAL-2099-1", "GHSA-xxxx-yyyy-zzzz"},
		Title:       "Test advisory with every indicator kind",
		Summary:     "A multi-line summary.\nSecond line.\n",
		Published:   ts("2025-09-25T00:00:00Z"),
		Modified:    ts("2025-09-26T02:14:45.5Z"),
		References:  []string{"https://example.com/advisory"},
		Severity:    ioc.SeverityHigh,
		Remediation: []string{"Remove the package.", "Rotate secrets."},
		Exposure:    ioc.Window{From: ts("2025-09-17T00:00:00Z"), To: ts("2025-09-25T12:00:00Z")},
	}
	adv2 := &ioc.Advisory{ID: "DEPSWEEP-TEST-0002", Title: "Second advisory, minimal", Severity: ioc.SeverityCritical}
	want := []ioc.Indicator{
		{Kind: ioc.KindPackage, Ecosystem: "npm", Value: "@evil/pkg", Advisory: adv1, Versions: ioc.Versions{
			Exact: []string{"1.0.16", "2.0.0-beta.1+build.5"},
			Ranges: []ioc.Range{
				{Introduced: "0", Fixed: "0.9.0"},
				{Introduced: "3.0.0", LastAffected: "3.1.4"},
				{Introduced: "4.0.0"},
			},
		}},
		{Kind: ioc.KindPackage, Ecosystem: "npm", Value: "JSONStream", Advisory: adv1},
		{Kind: ioc.KindPublisher, Ecosystem: "npm", Value: "evil-publisher", Severity: &medium, Advisory: adv1},
		{Kind: ioc.KindDomain, Value: "cdn.evil.example", Advisory: adv1},
		{Kind: ioc.KindEmail, Value: "Phan@giftshop.club", Advisory: adv1},
		{Kind: ioc.KindURL, Value: "https://evil.example/payload.js?x=1", Advisory: adv1},
		{Kind: ioc.KindHash, Value: "sha512-Z4PhNX7vuL3xVChQ1m2AB9Yg5AULVxXcg/SpIdNs6c5H0NE8XYXysP+DGNKHfuwvY7kxvUdBeoGlODJ6+SfaPg==", Advisory: adv1},
		{Kind: ioc.KindHash, Value: "sha1:da39a3ee5e6b4b0d3255bfef95601890afd80709", Severity: &low, Advisory: adv1},
		{Kind: ioc.KindDomain, Value: "giftshop.club", Advisory: adv2},
	}
	for _, path := range glob(t, "../testdata/feeds/valid/full.v1.*") {
		f, err := Load(path)
		if err != nil {
			t.Fatalf("Load(%q): %v", path, err)
		}
		adv1.Feed, adv2.Feed = path, path
		if got, want := summarize(f.Advisories, f.Indicators), summarize([]*ioc.Advisory{adv1, adv2}, want); got != want {
			t.Errorf("Load(%q) =\n%s\nwant\n%s", path, got, want)
		}
		counts := map[ioc.Kind]int{ioc.KindPackage: 2, ioc.KindPublisher: 1, ioc.KindDomain: 2, ioc.KindEmail: 1, ioc.KindURL: 1, ioc.KindHash: 2}
		if got := f.Counts(); !reflect.DeepEqual(got, counts) {
			t.Errorf("Load(%q).Counts() = %v, want %v", path, got, counts)
		}
	}
}

// summarize renders advisories and indicators as text for comparison, the
// indicators pointing at their advisory by id.
func summarize(advs []*ioc.Advisory, inds []ioc.Indicator) string {
	var b strings.Builder
	for _, a := range advs {
		fmt.Fprintf(&b, "advisory %+v\n", *a)
	}
	for _, ind := range inds {
		sev := "derived"
		if ind.Severity != nil {
			sev = ind.Severity.String()
		}
		adv := "<nil>"
		if ind.Advisory != nil {
			adv = ind.Advisory.ID
		}
		fmt.Fprintf(&b, "%s %s %q exact=%q ranges=%+v severity=%s advisory=%s\n",
			ind.Kind, ind.Ecosystem, ind.Value, ind.Versions.Exact, ind.Versions.Ranges, sev, adv)
	}
	return b.String()
}

func TestParseNativeErrors(t *testing.T) {
	files := glob(t, "../testdata/feeds/invalid/*.yaml")
	files = append(files, glob(t, "../testdata/feeds/hostile/*.yaml")...)
	for _, path := range files {
		want := wantLine(t, path)
		_, err := Load(path)
		if err == nil {
			t.Errorf("Load(%q) succeeded, want error %q", path, want)
			continue
		}
		if err.Error() != want {
			t.Errorf("Load(%q) error = %q, want %q", path, err, want)
		}
	}
}

func TestParseNativeErrorTypes(t *testing.T) {
	_, err := Load("../testdata/feeds/hostile/zero-indicators.yaml")
	if !errors.Is(err, ErrNoIndicators) {
		t.Errorf("Load(zero-indicators.yaml) = %v, want ErrNoIndicators", err)
	}
	_, err = Load("../testdata/feeds/invalid/bad-domain.yaml")
	var pe *lockfiles.ParseError
	if !errors.As(err, &pe) || pe.Line != 8 {
		t.Errorf("Load(bad-domain.yaml) = %#v, want a *lockfiles.ParseError at line 8", err)
	}
}

// TestRoundTrip checks that WriteNative writes what ParseNative reads back
// unchanged, for every valid feed and the embedded one.
func TestRoundTrip(t *testing.T) {
	paths := glob(t, "../testdata/feeds/valid/*")
	paths = append(paths, "embedded/postmark-mcp.yaml", "../testdata/osv/MAL-2025-47604.json", "../testdata/feeds/osv/MAL-2099-0100.json")
	for _, path := range paths {
		f, err := Load(path)
		if err != nil {
			t.Fatal(err)
		}
		roundTrip(t, path, f)
	}
}

func roundTrip(t testing.TB, name string, f *Feed) {
	t.Helper()
	var buf bytes.Buffer
	if err := WriteNative(&buf, f); err != nil {
		t.Fatalf("WriteNative(%s): %v", name, err)
	}
	g, err := ParseNative(bytes.NewReader(buf.Bytes()), f.Name)
	if err != nil {
		t.Fatalf("ParseNative(WriteNative(%s)): %v\n%s", name, err, buf.Bytes())
	}
	if got, want := summarize(g.Advisories, g.Indicators), summarize(f.Advisories, f.Indicators); got != want {
		t.Fatalf("ParseNative(WriteNative(%s)) =\n%s\nwant\n%s\nwritten:\n%s", name, got, want, buf.Bytes())
	}
}

func TestNodeCap(t *testing.T) {
	defer func(n int) { MaxNodes = n }(MaxNodes)
	MaxNodes = 100
	var b strings.Builder
	b.WriteString("format: depsweep/feed/v1\nadvisories:\n")
	for range 200 {
		b.WriteString("- x\n")
	}
	_, err := ParseNative(strings.NewReader(b.String()), "big.yaml")
	if err == nil || !strings.Contains(err.Error(), "too large to parse") {
		t.Errorf("ParseNative(402 structural tokens, MaxNodes=100) = %v, want a size error", err)
	}
}

func TestCaps(t *testing.T) {
	defer func(n int64, l int) { MaxFileSize, MaxLineLength = n, l }(MaxFileSize, MaxLineLength)
	feed, err := os.ReadFile("embedded/postmark-mcp.yaml")
	if err != nil {
		t.Fatal(err)
	}
	MaxFileSize = int64(len(feed)) - 1
	if _, err := ParseNative(bytes.NewReader(feed), "f.yaml"); err == nil || err.Error() != fmt.Sprintf("f.yaml: larger than %d bytes", len(feed)-1) {
		t.Errorf("ParseNative(file over MaxFileSize) = %v, want a size error", err)
	}
	MaxFileSize = 64 << 20
	MaxLineLength = 100
	long := 0 // the first line longer than 100 bytes
	for i, l := range strings.Split(string(feed), "\n") {
		if len(l) > 100 {
			long = i + 1
			break
		}
	}
	if long == 0 {
		t.Fatal("embedded feed has no line longer than 100 bytes")
	}
	want := fmt.Sprintf("f.yaml:%d: line longer than 100 bytes", long)
	if _, err := ParseNative(bytes.NewReader(feed), "f.yaml"); err == nil || err.Error() != want {
		t.Errorf("ParseNative(line over MaxLineLength) = %v, want %s", err, want)
	}
}

// TestDocExample checks that the example in the package documentation is
// testdata/feeds/valid/example.v1.yaml, which the other tests parse.
func TestDocExample(t *testing.T) {
	src, err := os.ReadFile("feeds.go")
	if err != nil {
		t.Fatal(err)
	}
	var doc strings.Builder
	for _, l := range strings.Split(string(src), "\n") {
		if s, ok := strings.CutPrefix(l, "//\t"); ok {
			doc.WriteString(s + "\n")
		}
	}
	example, err := os.ReadFile("../testdata/feeds/valid/example.v1.yaml")
	if err != nil {
		t.Fatal(err)
	}
	if doc.String() != string(example) {
		t.Errorf("package doc example =\n%s\nwant testdata/feeds/valid/example.v1.yaml:\n%s", doc.String(), example)
	}
}
