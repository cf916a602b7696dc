package sbom

import (
	"bytes"
	"os"
	"path/filepath"
	"strconv"
	"testing"

	cdx "github.com/CycloneDX/cyclonedx-go"

	"github.com/depsweep/depsweep/internal/testcorpus"
	"github.com/depsweep/depsweep/lockfiles"
)

// goldenCase is one golden BOM: an inventory (hand-built, or a fixture's
// lockfile parsed) and how it is written.
type goldenCase struct {
	name    string // file name under testdata/sbom
	fixture string // fixture case; "" for the hand-built inventory
	opts    Options
}

var goldenCases = []goldenCase{
	{"hand.cdx.json", "", Options{Format: cdx.BOMFileFormatJSON}},
	{"hand.cdx.xml", "", Options{Format: cdx.BOMFileFormatXML}},
	{"hand-1.7.cdx.json", "", Options{Format: cdx.BOMFileFormatJSON, SpecVersion: cdx.SpecVersion1_7}},
	{"npm11-alias-scoped-lockv3.cdx.json", "npm11-alias-scoped-lockv3", Options{Format: cdx.BOMFileFormatJSON}},
	{"npm8-workspaces-lockv2.cdx.json", "npm8-workspaces-lockv2", Options{Format: cdx.BOMFileFormatJSON}},
	{"npm8-workspaces-lockv2.cdx.xml", "npm8-workspaces-lockv2", Options{Format: cdx.BOMFileFormatXML}},
}

// TestGolden writes each golden case twice in deterministic mode, checks
// that the two runs are byte-identical, and compares them with the golden
// file (go test ./sbom -update rewrites them).
func TestGolden(t *testing.T) {
	rows := testcorpus.Truth(t)
	var fixtures map[string]lockfile
	for _, gc := range goldenCases {
		t.Run(gc.name, func(t *testing.T) {
			var inv *lockfiles.Inventory
			if gc.fixture == "" {
				inv = handInventory()
			} else {
				if fixtures == nil {
					fixtures = map[string]lockfile{}
					for _, f := range loadFixtures(t) {
						fixtures[filepath.Dir(f.Path)] = f
					}
				}
				f, ok := fixtures[gc.fixture]
				if !ok {
					t.Fatalf("no fixture %s", gc.fixture)
				}
				var err error
				inv, err = parse(f)
				if err != nil {
					t.Fatal(err)
				}
			}
			findings := truthFindings(t, inv, rows)
			if gc.fixture == "" {
				findings = handFindings(inv)
			}
			opts := gc.opts
			opts.Deterministic, opts.Time, opts.ToolVersion = true, fixedTime, "test"
			run := func() []byte {
				bom, err := New(inv, findings, opts)
				if err != nil {
					t.Fatal(err)
				}
				var b bytes.Buffer
				if err := Write(&b, bom, opts); err != nil {
					t.Fatal(err)
				}
				return b.Bytes()
			}
			got := run()
			if again := run(); !bytes.Equal(got, again) {
				t.Fatalf("two deterministic runs differ")
			}
			name := filepath.Join(goldenDir, gc.name)
			if *update {
				if err := os.MkdirAll(goldenDir, 0o755); err != nil {
					t.Fatal(err)
				}
				if err := os.WriteFile(name, got, 0o644); err != nil {
					t.Fatal(err)
				}
				return
			}
			want, err := os.ReadFile(name)
			if err != nil {
				t.Fatalf("%v (run go test ./sbom -update to create it)", err)
			}
			if !bytes.Equal(got, want) {
				t.Errorf("%s differs from the golden file (run go test ./sbom -update and review the diff):\n%s", name, firstDiff(got, want))
			}
		})
	}
}

// firstDiff shows the first differing line of two texts.
func firstDiff(got, want []byte) string {
	g, w := bytes.Split(got, []byte("\n")), bytes.Split(want, []byte("\n"))
	for i := 0; i < len(g) || i < len(w); i++ {
		var a, b []byte
		if i < len(g) {
			a = g[i]
		}
		if i < len(w) {
			b = w[i]
		}
		if !bytes.Equal(a, b) {
			return "line " + itoa(i+1) + ":\n  got:  " + string(a) + "\n  want: " + string(b)
		}
	}
	return ""
}

func itoa(n int) string { return strconv.Itoa(n) }
