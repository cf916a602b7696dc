package ioc

import (
	"bufio"
	"os"
	"strings"
	"testing"
)

// TestNPMRange checks the range matcher against the answers of npm's own
// semver package, recorded by testdata/script-gen/npm-ranges.sh from
// node-semver's range test tables and the forms package.json files use.
// Rows in loose mode (semver's {loose: true}, which npm does not use for
// package.json ranges) are skipped.
func TestNPMRange(t *testing.T) {
	f, err := os.Open("../testdata/ranges/npm-ranges.tsv")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	rows, failed := 0, 0
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		cols := strings.Split(sc.Text(), "\t")
		if len(cols) != 5 {
			t.Fatalf("bad row %q", sc.Text())
		}
		rng, ver, loose, want := cols[0], cols[1], cols[2] == "true", cols[3] == "true"
		if loose {
			continue
		}
		rows++
		r, ok := ParseNPMRange(rng)
		got := ok && r.Admits(ver)
		if got != want {
			failed++
			t.Errorf("%s: range %q admits %q = %v, npm says %v", cols[4], rng, ver, got, want)
		}
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	if rows < 1000 {
		t.Fatalf("only %d rows read from the npm range table", rows)
	}
}

// FuzzNPMRange: parsing never panics, and a range npm reads admits a
// version the same way twice (no state).
func FuzzNPMRange(f *testing.F) {
	for _, s := range []string{"^1.0.15", "1.x || >=2.5.0", "1.0 - 1.1", "*", "", "latest", ">= 1.2.3-rc.1 <2", "~> 1"} {
		f.Add(s, "1.0.16")
	}
	f.Fuzz(func(t *testing.T, rng, ver string) {
		r, ok := ParseNPMRange(rng)
		if !ok {
			return
		}
		if r.Admits(ver) != r.Admits(ver) {
			t.Fatal("Admits is not deterministic")
		}
		_ = r.overlaps(&compiledRange{everything: true})
	})
}

// TestRangeOverlapsOSV: a declared range is a finding against an OSV
// range when some version npm would pick lies in both.
func TestRangeOverlapsOSV(t *testing.T) {
	fixed := Range{Introduced: "1.0.16", Fixed: "1.0.19"}
	last := Range{Introduced: "1.0.16", LastAffected: "1.0.18"}
	for _, c := range []struct {
		rng  string
		osv  Range
		want bool
	}{
		{"^1.0.15", fixed, true},
		{"1.0.15", fixed, false},
		{"<1.0.16", fixed, false},
		{">1.0.15 <1.0.16", fixed, false}, // only 1.0.16 prereleases, which npm does not pick
		{">=1.0.18", last, true},
		{">1.0.18", last, false},
		{"~1.0.19", fixed, false},
		{"1.x || >=2.5.0", fixed, true},
		{"1.0.17 - 2", fixed, true},
		{"*", Range{}, true},
		{"^2.0.0", Range{Introduced: "0"}, true},
	} {
		r, ok := ParseNPMRange(c.rng)
		if !ok {
			t.Fatalf("ParseNPMRange(%q) failed", c.rng)
		}
		cr, err := compileRange(c.osv)
		if err != nil {
			t.Fatal(err)
		}
		if got := r.overlaps(&cr); got != c.want {
			t.Errorf("%q overlaps %s = %v, want %v", c.rng, cr.String(), got, c.want)
		}
	}
}
