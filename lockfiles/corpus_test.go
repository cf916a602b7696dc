package lockfiles

import (
	"fmt"
	"path"
	"sort"
	"strings"
	"testing"

	"github.com/depsweep/depsweep/internal/lockref"
	"github.com/depsweep/depsweep/internal/testcorpus"
)

// A corpusFile is one real lockfile of testdata/corpus.
type corpusFile = testcorpus.File

// loadCorpus reads every file of the corpus manifest ([testcorpus.Load]).
func loadCorpus(tb testing.TB) []corpusFile {
	tb.Helper()
	return testcorpus.Load(tb)
}

// family returns "npm", "yarn" or "pnpm" for a lockfile path.
func family(p string) string {
	switch path.Base(p) {
	case NameYarnLock:
		return "yarn"
	case NamePnpmLock:
		return "pnpm"
	}
	return "npm"
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
		if f.Broken() {
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
		theirs, terr := lockref.Packages(f.Path, f.Data)
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
