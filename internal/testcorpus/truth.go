package testcorpus

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
)

// A TruthRow is one line of testdata/fixtures/TRUTH.tsv: what a fixture
// case's lockfile (or installed package) holds and what a scan must say
// about it.
type TruthRow struct {
	Case     string // the fixture directory under testdata/fixtures
	File     string // the lockfile (or node_modules/... manifest), relative to the case
	Package  string // package name
	Version  string
	Match    string // the indicator kind that matches ("package", "publisher", "domain"), "-" for none
	Expected string // "flag" (a finding) or "clean" (no finding)
	Scope    string // "prod" or "dev"
	Via      string // how it is reached: direct, transitive:PARENT@VERSION, workspace:PATH, alias:NAME
	Note     string
}

// truthColumns is the header of TRUTH.tsv, checked so that a column added
// or moved fails every test that reads it instead of shifting values.
const truthColumns = "case\tfile\tpackage\tversion\tmatch\texpected\tscope\tvia\tnote"

var (
	truthOnce sync.Once
	truthRows []TruthRow
	truthErr  error
)

// Truth returns the rows of testdata/fixtures/TRUTH.tsv in file order,
// read once per test binary. A missing file, an unexpected header, a line
// without nine columns or a file without rows fails tb. Callers must not
// modify the rows. Truth is safe for concurrent use.
func Truth(tb testing.TB) []TruthRow {
	tb.Helper()
	truthOnce.Do(func() { truthRows, truthErr = readTruth() })
	if truthErr != nil {
		tb.Fatal(truthErr)
	}
	return truthRows
}

// TruthCase returns the rows of one fixture case, and fails tb when there
// are none.
func TruthCase(tb testing.TB, name string) []TruthRow {
	tb.Helper()
	var out []TruthRow
	for _, r := range Truth(tb) {
		if r.Case == name {
			out = append(out, r)
		}
	}
	if len(out) == 0 {
		tb.Fatalf("TRUTH.tsv has no rows for %s", name)
	}
	return out
}

// Fixtures returns the testdata/fixtures directory of the module root.
func Fixtures(tb testing.TB) string {
	tb.Helper()
	root, err := moduleRoot()
	if err != nil {
		tb.Fatal(err)
	}
	return filepath.Join(root, "testdata", "fixtures")
}

func readTruth() ([]TruthRow, error) {
	root, err := moduleRoot()
	if err != nil {
		return nil, err
	}
	name := filepath.Join(root, "testdata", "fixtures", "TRUTH.tsv")
	data, err := os.ReadFile(name)
	if err != nil {
		return nil, err
	}
	lines := strings.Split(string(bytes.TrimRight(data, "\n")), "\n")
	if lines[0] != truthColumns {
		return nil, fmt.Errorf("%s:1: header %q, want %q", name, lines[0], truthColumns)
	}
	var rows []TruthRow
	for i, line := range lines[1:] {
		c := strings.Split(line, "\t")
		if len(c) != 9 {
			return nil, fmt.Errorf("%s:%d: %d columns, want 9", name, i+2, len(c))
		}
		rows = append(rows, TruthRow{c[0], c[1], c[2], c[3], c[4], c[5], c[6], c[7], c[8]})
	}
	if len(rows) == 0 {
		return nil, fmt.Errorf("%s: no rows", name)
	}
	return rows, nil
}
