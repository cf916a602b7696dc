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
