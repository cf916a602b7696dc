package main

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/depsweep/depsweep/internal/testcorpus"
	"github.com/depsweep/depsweep/ioc/report"
	"github.com/depsweep/depsweep/lockfiles"
)

// TestTruth is the acceptance test: 'depsweep scan --format json'
// over each fixture case, with the registry metadata (and --installed for
// the npm 6 case, which keeps installed files), reports exactly TRUTH.tsv's
// flag rows, with the right dev, direct and path fields.
func TestTruth(t *testing.T) {
	requireParts(t)
	const fixtures = "../../testdata/fixtures"
	rows := testcorpus.Truth(t)
	cases := map[string][]testcorpus.TruthRow{}
	for _, r := range rows {
		cases[r.Case] = append(cases[r.Case], r)
	}
	dirs, _ := filepath.Glob(filepath.Join(fixtures, "*", "package.json"))
	if len(dirs) == 0 {
		t.Fatal("no fixture cases")
	}
	for _, pj := range dirs {
		name := filepath.Base(filepath.Dir(pj))
		t.Run(name, func(t *testing.T) {
			installed := name == "npm6-direct-nested-lockv1"
			args := []string{"scan", "--format", "json", "--fail-on", "none", "--quiet",
				"--registry-metadata", filepath.Join(fixtures, "registry")}
			if installed {
				args = append(args, "--installed")
			}
			args = append(args, filepath.Join(fixtures, name))
			var stdout, stderr bytes.Buffer
			code := run(context.Background(), args, strings.NewReader(""), &stdout, &stderr)
			if code != 0 {
				t.Fatalf("depsweep %s: exit %d\n%s", strings.Join(args, " "), code, stderr.String())
			}
			var rep report.Report
			if err := json.Unmarshal(stdout.Bytes(), &rep); err != nil {
				t.Fatalf("report is not JSON: %v", err)
			}
			if rep.Summary.Errors != 0 {
				t.Errorf("errors: %+v", rep.Errors)
			}
			got := map[string]report.Finding{}
			for _, f := range rep.Findings {
				key := f.Lockfile + " " + f.Package.Name + "@" + f.Package.Version + " " + f.Indicator.Kind
				if _, dup := got[key]; dup {
					t.Errorf("finding reported twice: %s", key)
				}
				got[key] = f
			}
			want := map[string]testcorpus.TruthRow{}
			for _, r := range cases[name] {
				if r.Expected != "flag" {
					continue
				}
				if strings.HasPrefix(r.File, "node_modules/") && !installed {
					continue
				}
				want[r.File+" "+r.Package+"@"+r.Version+" "+r.Match] = r
			}
			for key, r := range want {
				f, ok := got[key]
				if !ok {
					t.Errorf("missing finding %s (%s)", key, r.Note)
					continue
				}
				checkFinding(t, fixtures, key, r, f)
			}
			for key, f := range got {
				if _, ok := want[key]; !ok {
					t.Errorf("unexpected finding %s (%s: %s)", key, f.Severity, f.Evidence)
				}
			}
		})
	}
}

// checkFinding compares a finding's dev, direct and path fields with the
// row's scope and via columns.
func checkFinding(t *testing.T, fixtures, key string, r testcorpus.TruthRow, f report.Finding) {
	t.Helper()
	if dev := r.Scope == "dev"; f.Package.Dev != dev {
		t.Errorf("%s: dev = %v, want %v (scope %s)", key, f.Package.Dev, dev, r.Scope)
	}
	if len(f.Path) == 0 {
		t.Errorf("%s: empty path", key)
		return
	}
	if last := f.Path[len(f.Path)-1]; !strings.Contains(last, r.Package+"@"+r.Version) {
		t.Errorf("%s: path %q does not end at %s@%s", key, f.Path, r.Package, r.Version)
	}
	kind, arg, _ := strings.Cut(r.Via, ":")
	switch kind {
	case "direct", "alias":
		if !f.Package.Direct || len(f.Path) != 2 {
			t.Errorf("%s: direct %v, path %q; want a direct dependency of the root", key, f.Package.Direct, f.Path)
		}
		if kind == "alias" && f.Package.Alias != arg {
			t.Errorf("%s: alias %q, want %q", key, f.Package.Alias, arg)
		}
	case "transitive":
		if f.Package.Direct || len(f.Path) < 3 || !slices.Contains(f.Path, arg) {
			t.Errorf("%s: direct %v, path %q; want a transitive dependency through %s", key, f.Package.Direct, f.Path, arg)
		}
	case "workspace":
		if !f.Package.Direct || len(f.Path) != 2 {
			t.Errorf("%s: direct %v, path %q; want a direct dependency of workspace %s", key, f.Package.Direct, f.Path, arg)
		}
		m, err := lockfiles.ReadManifest(os.DirFS(filepath.Join(fixtures, r.Case)), arg)
		if err != nil {
			t.Fatalf("%s: %v", key, err)
		}
		if !strings.Contains(f.Path[0], m.Name) && !strings.Contains(f.Path[0], arg) {
			t.Errorf("%s: path starts at %q, want workspace %s (%s)", key, f.Path[0], arg, m.Name)
		}
	default:
		t.Errorf("%s: unknown via %q in TRUTH.tsv", key, r.Via)
	}
}
