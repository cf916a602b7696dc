package lockfiles

import (
	"errors"
	"flag"
	"testing"
)

// update rewrites the want sections of the parser goldens
// (testdata/lockfiles/*/*.txtar): go test ./lockfiles -update.
var update = flag.Bool("update", false, "rewrite golden files")

func asParseError(err error, pe **ParseError) bool { return errors.As(err, pe) }

// checkInvariants is the property every parser keeps on every input it
// accepts: each package has a non-empty name, and a version or a
// non-registry source; edges and importer deps point at packages.
func checkInvariants(t testing.TB, inv *Inventory) {
	t.Helper()
	if len(inv.Importers) == 0 {
		t.Fatalf("%s: no importers", inv.Path)
	}
	for i, p := range inv.Packages {
		if p.Name == "" {
			t.Fatalf("%s: package %d has an empty name (line %d)", inv.Path, i, p.Line)
		}
		if p.Version == "" && p.Source.FromRegistry() {
			t.Fatalf("%s: registry package %q has no version (line %d)", inv.Path, p.Name, p.Line)
		}
	}
	n := len(inv.Packages)
	for _, e := range inv.Edges {
		if e.From < 0 || e.From >= n || e.To < 0 || e.To >= n {
			t.Fatalf("%s: edge %v out of range", inv.Path, e)
		}
	}
	for _, imp := range inv.Importers {
		for _, d := range imp.Deps {
			if d.To < 0 || d.To >= n {
				t.Fatalf("%s: importer %q dep %v out of range", inv.Path, imp.Path, d)
			}
		}
	}
}

// fuzzSeeds adds the corpus files of one family plus the degenerate inputs
// every parser must survive.
func fuzzSeeds(f *testing.F, fam string) {
	for _, s := range []string{"", "null", "[]", "{}", "\x00", "\xef\xbb\xbf"} {
		f.Add([]byte(s))
	}
	n := 0
	for _, c := range loadCorpus(f) {
		if family(c.Path) == fam && len(c.Data) < 48<<10 { // big seeds slow every mutation down without adding shapes
			f.Add(c.Data)
			n++
		}
	}
	if n == 0 {
		f.Fatalf("no %s seeds in the corpus", fam)
	}
}
