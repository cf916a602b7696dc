package ioc

import (
	"os"
	"path"
	"path/filepath"
	"strings"
	"testing"

	"github.com/depsweep/depsweep/internal/testcorpus"
	"github.com/depsweep/depsweep/ioc/publisher"
	"github.com/depsweep/depsweep/lockfiles"
)

const fixturesDir = "../testdata/fixtures"

// TestTruth parses each fixture's lockfile, matches it against the
// postmark-mcp indicators with the fixture packuments as publisher data
// (and scans node_modules where the fixture has it), and checks that the
// findings are exactly TRUTH.tsv's flag rows and touch none of its clean
// rows.
func TestTruth(t *testing.T) {
	rows := testcorpus.Truth(t)
	x := postmarkIndex(t)
	pubs, err := publisher.LoadPackuments(filepath.Join(fixturesDir, "registry"))
	if err != nil {
		t.Fatal(err)
	}
	byCase := map[string][]testcorpus.TruthRow{}
	var cases []string
	for _, r := range rows {
		if byCase[r.Case] == nil {
			cases = append(cases, r.Case)
		}
		byCase[r.Case] = append(byCase[r.Case], r)
	}
	for _, name := range cases {
		t.Run(name, func(t *testing.T) {
			dir := filepath.Join(fixturesDir, name)
			var lock string
			for _, r := range byCase[name] {
				if !strings.HasPrefix(r.File, "node_modules/") {
					lock = r.File
				}
			}
			data, err := os.ReadFile(filepath.Join(dir, lock))
			if err != nil {
				t.Fatal(err)
			}
			project := os.DirFS(dir)
			inv, err := lockfiles.Parse(lockfiles.Input{Path: lock, Data: data, Project: project})
			if err != nil {
				t.Fatal(err)
			}
			got, _ := x.MatchInventory(".", inv, pubs)
			if _, err := os.Stat(filepath.Join(dir, "node_modules")); err == nil {
				inst, errs := x.MatchInstalled(".", ".", project, inv)
				for _, err := range errs {
					t.Errorf("MatchInstalled: %v", err)
				}
				got = append(got, inst...)
			}
			type key struct{ file, pkg, version, kind string }
			found := map[key]Finding{}
			for _, f := range got {
				if f.Collision {
					t.Errorf("unexpected collision finding %s in %s", short(f), f.Lockfile)
					continue
				}
				found[key{f.Lockfile, f.Package.Name, f.Package.Version, string(f.Indicator.Kind)}] = f
			}
			wantFlag := map[key]bool{}
			for _, r := range byCase[name] {
				switch r.Expected {
				case "flag":
					k := key{r.File, r.Package, r.Version, r.Match}
					wantFlag[k] = true
					f, ok := found[k]
					if !ok {
						t.Errorf("missing finding: %s %s@%s %s (%s)", r.File, r.Package, r.Version, r.Match, r.Note)
						continue
					}
					checkTruthFinding(t, r, f)
				case "clean":
					for k, f := range found {
						if k.pkg == r.Package && k.version == r.Version && (r.Match == "-" || r.Match == k.kind) && k.file == r.File {
							t.Errorf("clean row flagged: %s %s@%s %s: %s", r.File, r.Package, r.Version, k.kind, f.Evidence)
						}
					}
				default:
					t.Fatalf("TRUTH.tsv: unknown expectation %q", r.Expected)
				}
			}
			for k, f := range found {
				if !wantFlag[k] {
					t.Errorf("finding not in TRUTH.tsv: %s %s@%s %s: %s", k.file, k.pkg, k.version, k.kind, f.Evidence)
				}
			}
		})
	}
}

// checkTruthFinding checks the severity, scope and path of a flagged finding.
func checkTruthFinding(t *testing.T, r testcorpus.TruthRow, f Finding) {
	t.Helper()
	wantSev := map[string]Severity{"package": SeverityCritical, "publisher": SeverityMedium, "domain": SeverityHigh}[r.Match]
	if f.Severity != wantSev {
		t.Errorf("%s %s@%s %s: severity %s, want %s", r.File, r.Package, r.Version, r.Match, f.Severity, wantSev)
	}
	if dev := r.Scope == "dev"; f.Package.Dev != dev {
		t.Errorf("%s %s@%s %s: Dev = %v, want scope %s", r.File, r.Package, r.Version, r.Match, f.Package.Dev, r.Scope)
	}
	last := r.Package + "@" + r.Version
	if len(f.Path) == 0 || f.Path[len(f.Path)-1] != last {
		t.Errorf("%s %s: path %q does not end at %s", r.File, last, f.Path, last)
	}
	via, arg, _ := strings.Cut(r.Via, ":")
	switch via {
	case "direct":
		if !f.Direct || len(f.Path) != 2 {
			t.Errorf("%s %s: Direct %v path %q, want a direct dependency", r.File, last, f.Direct, f.Path)
		}
	case "transitive":
		if f.Direct || len(f.Path) < 3 || f.Path[len(f.Path)-2] != arg {
			t.Errorf("%s %s: Direct %v path %q, want a dependency of %s", r.File, last, f.Direct, f.Path, arg)
		}
	case "alias":
		if f.Package.Alias != arg || !strings.Contains(f.Evidence, "alias "+arg) {
			t.Errorf("%s %s: alias %q evidence %q, want alias %s", r.File, last, f.Package.Alias, f.Evidence, arg)
		}
	case "workspace":
		// The path starts at the workspace that depends on it.
		if len(f.Path) != 2 || !strings.Contains(f.Path[0], path.Base(arg)) {
			t.Errorf("%s %s: path %q, want it to start at workspace %s", r.File, last, f.Path, arg)
		}
	}
}
