package sbom

import (
	"bytes"
	"cmp"
	"compress/gzip"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	cdx "github.com/CycloneDX/cyclonedx-go"

	"github.com/depsweep/depsweep/feeds"
	"github.com/depsweep/depsweep/ioc"
	"github.com/depsweep/depsweep/ioc/publisher"
	"github.com/depsweep/depsweep/lockfiles"
	lbom "github.com/depsweep/depsweep/lockfiles/bom"
)

// readFinding is what the round trip compares of a finding: the package,
// how it is reached, and what it matched.
type readFinding struct {
	pkg, alias, kind, value, severity, path string
	dev, direct, collision                  bool
}

func readFindings(fs []ioc.Finding) []readFinding {
	var out []readFinding
	for _, f := range fs {
		rf := readFinding{pkg: f.Package.ID(), alias: f.Package.Alias, severity: f.Severity.String(),
			path: strings.Join(f.Path, " > "), dev: f.Package.Dev, direct: f.Direct, collision: f.Collision}
		if f.Indicator != nil {
			rf.kind, rf.value = string(f.Indicator.Kind), f.Indicator.Value
		}
		out = append(out, rf)
	}
	slices.SortFunc(out, func(a, b readFinding) int {
		return cmp.Or(cmp.Compare(a.pkg, b.pkg), cmp.Compare(a.kind, b.kind), cmp.Compare(a.value, b.value),
			cmp.Compare(a.path, b.path), cmp.Compare(a.alias, b.alias))
	})
	// The builder merges the copies of a package installed at several
	// paths into one component; compare distinct findings.
	return slices.Compact(out)
}

// TestReadRoundTrip is the acceptance test of SBOM input: for each fixture,
// the SBOM depsweep writes from its lockfile, read back with lbom.Read and
// matched with the same index and publisher data, gives the same findings
// as the lockfile (package, version, alias, indicator, severity, dev,
// direct and dependency path), in JSON and in XML. The SBOMs are written
// with that publisher data, so their components name publisher and
// supplier; the reader does not read those back (lockfiles.Package has no
// field for them), and must not be upset by them.
func TestReadRoundTrip(t *testing.T) {
	const fixtures = "../testdata/fixtures"
	feed, err := feeds.Default()
	if err != nil {
		t.Fatalf("embedded feed: %v", err)
	}
	inds, err := feeds.Unify(feed)
	if err != nil {
		t.Fatal(err)
	}
	index, err := ioc.NewIndex(inds)
	if err != nil {
		t.Fatalf("NewIndex: %v", err)
	}
	pubs, err := publisher.LoadPackuments(filepath.Join(fixtures, "registry"))
	if err != nil {
		t.Fatal(err)
	}
	entries, err := os.ReadDir(fixtures)
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, e := range entries {
		if !e.IsDir() || e.Name() == "registry" {
			continue
		}
		dir := filepath.Join(fixtures, e.Name())
		files, _ := os.ReadDir(dir)
		for _, f := range files {
			if !lockfiles.IsLockfile(f.Name()) {
				continue
			}
			n++
			name := e.Name() + "/" + f.Name()
			t.Run(name, func(t *testing.T) {
				data, err := os.ReadFile(filepath.Join(dir, f.Name()))
				if err != nil {
					t.Fatal(err)
				}
				inv, err := lockfiles.Parse(lockfiles.Input{Path: name, Data: data, Project: os.DirFS(dir)})
				if err != nil {
					t.Fatalf("%s: %v", name, err)
				}
				found, _ := index.MatchInventory(".", inv, pubs)
				want := readFindings(found)
				if len(want) == 0 {
					t.Fatalf("%s: the lockfile gives no findings; the round trip would prove nothing", name)
				}
				for _, format := range []cdx.BOMFileFormat{cdx.BOMFileFormatJSON, cdx.BOMFileFormatXML} {
					// With publisher data: components carry publisher and
					// supplier, which the reader must take in its stride.
					opts := Options{Format: format, Deterministic: true, Publishers: pubs}
					bom, err := New(inv, nil, opts)
					if err != nil {
						t.Skipf("SBOM builder unavailable in this build: %v", err)
					}
					var buf bytes.Buffer
					if err := Write(&buf, bom, opts); err != nil {
						t.Fatal(err)
					}
					if !bytes.Contains(buf.Bytes(), []byte("supplier")) {
						t.Errorf("%v SBOM names no supplier: the round trip does not cover them", format)
					}
					back, err := lbom.Read(name+".cdx", buf.Bytes())
					if err != nil {
						t.Fatalf("ReadBOM of the %v SBOM: %v", format, err)
					}
					if len(back.Problems) > 0 {
						t.Errorf("%v SBOM read back with problems %v", format, back.Problems)
					}
					got, _ := index.MatchInventory(".", back, pubs)
					if g := readFindings(got); !slices.Equal(g, want) {
						t.Errorf("%v SBOM findings:\n%v\nlockfile findings:\n%v", format, g, want)
					}
				}
			})
		}
	}
	if n == 0 {
		t.Fatalf("no lockfiles in %s", fixtures)
	}
}

// BenchmarkReadBOM reads the SBOMs depsweep writes (JSON and XML) for the
// largest lockfile of the corpus.
func BenchmarkReadBOM(b *testing.B) {
	const name = "medusajs__medusa@f341265/yarn.lock"
	gz, err := os.ReadFile(filepath.Join("../testdata/corpus", name+".gz"))
	if err != nil {
		b.Fatal(err)
	}
	zr, err := gzip.NewReader(bytes.NewReader(gz))
	if err != nil {
		b.Fatal(err)
	}
	data, err := io.ReadAll(zr)
	if err != nil {
		b.Fatal(err)
	}
	inv, err := lockfiles.Parse(lockfiles.Input{Path: name, Data: data})
	if err != nil {
		b.Skipf("lockfile parser unavailable in this build: %v", err)
	}
	for _, format := range []cdx.BOMFileFormat{cdx.BOMFileFormatJSON, cdx.BOMFileFormatXML} {
		opts := Options{Format: format, Deterministic: true}
		bom, err := New(inv, nil, opts)
		if err != nil {
			b.Skipf("SBOM builder unavailable in this build: %v", err)
		}
		var buf bytes.Buffer
		if err := Write(&buf, bom, opts); err != nil {
			b.Fatal(err)
		}
		b.Run(map[cdx.BOMFileFormat]string{cdx.BOMFileFormatJSON: "json", cdx.BOMFileFormatXML: "xml"}[format], func(b *testing.B) {
			b.SetBytes(int64(buf.Len()))
			b.ReportAllocs()
			for b.Loop() {
				back, err := lbom.Read(name, buf.Bytes())
				if err != nil {
					b.Fatal(err)
				}
				if len(back.Packages) == 0 {
					b.Fatal("no packages read")
				}
			}
		})
	}
}
