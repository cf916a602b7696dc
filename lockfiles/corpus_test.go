package lockfiles

import (
	"bufio"
	"bytes"
	"compress/gzip"
	"fmt"
	"io"
	"os"
	"path"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"testing"
)

// corpusDir holds real lockfiles from public repositories, gzip'd, with
// MANIFEST.tsv naming the format of each.
const corpusDir = "../testdata/corpus"

type corpusFile struct {
	Path   string // lockfile path, e.g. "npm__cli/package-lock.json"
	Format string // from MANIFEST.tsv: npm-v3, yarn-berry-v10, pnpm-9.0, ...
	Data   []byte
}

// Family returns "npm", "yarn" or "pnpm".
func (c corpusFile) Family() string { return family(c.Path) }

func family(p string) string {
	switch path.Base(p) {
	case NameYarnLock:
		return "yarn"
	case NamePnpmLock:
		return "pnpm"
	}
	return "npm"
}

var (
	corpusOnce  sync.Once
	corpusFiles []corpusFile
	corpusErr   error
)

// loadCorpus reads every file listed in MANIFEST.tsv. A manifest that lists
// nothing, or a listed file that is missing, fails the test.
func loadCorpus(tb testing.TB) []corpusFile {
	tb.Helper()
	corpusOnce.Do(func() { corpusFiles, corpusErr = readCorpus() })
	if corpusErr != nil {
		tb.Fatal(corpusErr)
	}
	return corpusFiles
}

func readCorpus() ([]corpusFile, error) {
	m, err := os.Open(filepath.Join(corpusDir, "MANIFEST.tsv"))
	if err != nil {
		return nil, err
	}
	defer m.Close()
	var out []corpusFile
	sc := bufio.NewScanner(m)
	for first := true; sc.Scan(); first = false {
		if first {
			continue // header
		}
		cols := strings.Split(sc.Text(), "\t")
		if len(cols) < 4 {
			continue
		}
		gz, err := os.ReadFile(filepath.Join(corpusDir, filepath.FromSlash(cols[0])))
		if err != nil {
			return nil, err
		}
		zr, err := gzip.NewReader(bytes.NewReader(gz))
		if err != nil {
			return nil, fmt.Errorf("%s: %v", cols[0], err)
		}
		data, err := io.ReadAll(zr)
		if err != nil {
			return nil, fmt.Errorf("%s: %v", cols[0], err)
		}
		out = append(out, corpusFile{Path: strings.TrimSuffix(cols[0], ".gz"), Format: cols[3], Data: data})
	}
	if err := sc.Err(); err != nil {
		return nil, err
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("%s/MANIFEST.tsv lists no files", corpusDir)
	}
	return out, nil
}

// brokenCorpus lists corpus files that are genuinely broken: Parse must fail
// on them with an error naming the file, line and column.
var brokenCorpus = map[string]bool{
	"Kong__insomnia@0c1afbe/packages/insomnia-prettify/package-lock.json": true,
}

// A diffRule explains a difference between our package set and
// pkg/lockfile's for one name@version: why pkg/lockfile is wrong there (or
// reports what is not a package). Each parser's test file registers its rules
// in init; each rule has a fixture test of its own showing the right answer.
type diffRule struct {
	Name string
	// Explains reports whether the rule explains id being present only in
	// ours (onlyOurs) or only in pkg/lockfile's output.
	Explains func(f corpusFile, inv *Inventory, id string, onlyOurs bool) bool
}

var diffRules []diffRule

func ourIDs(inv *Inventory) []string {
	seen := map[string]bool{}
	var out []string
	for i := range inv.Packages {
		id := inv.Packages[i].ID()
		if !seen[id] {
			seen[id] = true
			out = append(out, id)
		}
	}
	sort.Strings(out)
	return out
}

// setDiff returns what is in a but not in b (both sorted).
func setDiff(a, b []string) []string {
	var out []string
	j := 0
	for _, x := range a {
		for j < len(b) && b[j] < x {
			j++
		}
		if j >= len(b) || b[j] != x {
			out = append(out, x)
		}
	}
	return out
}

// TestCorpusDifferential compares our name@version set with pkg/lockfile's
// on every corpus file and prints the agreement table (go test -v -run
// TestCorpusDifferential ./lockfiles). Every difference must be explained by
// a diffRule.
func TestCorpusDifferential(t *testing.T) {
	files := loadCorpus(t)
	var table strings.Builder
	fmt.Fprintf(&table, "%-95s %-16s %6s %6s  %s\n", "file", "format", "ours", "theirs", "explained difference")
	for _, f := range files {
		inv, err := Parse(Input{Path: f.Path, Data: f.Data})
		if brokenCorpus[f.Path] {
			var pe *ParseError
			if err == nil {
				t.Errorf("%s: parsed a broken file without error", f.Path)
			} else if !asParseError(err, &pe) || pe.Line == 0 || pe.Col == 0 || pe.Path != f.Path {
				t.Errorf("%s: error %q does not name the file, line and column", f.Path, err)
			}
			fmt.Fprintf(&table, "%-95s %-16s %6s %6s  broken file: %v\n", f.Path, f.Format, "error", "-", err)
			continue
		}
		if err != nil {
			t.Errorf("%s: %v", f.Path, err)
			fmt.Fprintf(&table, "%-95s %-16s %6s\n", f.Path, f.Format, "error")
			continue
		}
		theirs, terr := ReferencePackages(f.Path, f.Data)
		ours := ourIDs(inv)
		if terr != nil {
			fmt.Fprintf(&table, "%-95s %-16s %6d %6s  pkg/lockfile failed: %v\n", f.Path, f.Format, len(ours), "error", terr)
			continue
		}
		reasons := map[string]int{}
		explain := func(ids []string, onlyOurs bool) {
			for _, id := range ids {
				found := false
				for _, r := range diffRules {
					if r.Explains(f, inv, id, onlyOurs) {
						reasons[r.Name]++
						found = true
						break
					}
				}
				if !found {
					side := "pkg/lockfile only"
					if onlyOurs {
						side = "ours only"
					}
					t.Errorf("%s: unexplained difference (%s): %s", f.Path, side, id)
					reasons["UNEXPLAINED"]++
				}
			}
		}
		explain(setDiff(ours, theirs), true)
		explain(setDiff(theirs, ours), false)
		var why []string
		for r, n := range reasons {
			why = append(why, fmt.Sprintf("%s ×%d", r, n))
		}
		sort.Strings(why)
		expl := strings.Join(why, "; ")
		if expl == "" {
			expl = "identical"
		}
		fmt.Fprintf(&table, "%-95s %-16s %6d %6d  %s\n", f.Path, f.Format, len(ours), len(theirs), expl)
	}
	t.Logf("agreement with osv-scanner pkg/lockfile v1.9.2:\n%s", table.String())
}
