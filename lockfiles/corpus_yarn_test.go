package lockfiles

import (
	"strings"
	"testing"

	"github.com/depsweep/depsweep/internal/lockref"
)

// The differences between our yarn.lock package sets and pkg/lockfile's,
// each for a reason checked against the inventory.
func init() {
	diffRules = append(diffRules, diffRule{
		// pkg/lockfile reports each berry workspace entry
		// ("@babel/core@workspace:packages/babel-core", version
		// 0.0.0-use.local) as a package. It is the project itself, which
		// depsweep records as an importer, so a package indicator for its
		// name never fires on the project's own code.
		Name: "yarn berry workspace is an importer",
		Explains: func(f corpusFile, inv *Inventory, id string, onlyOurs bool) bool {
			if onlyOurs || family(f.Path) != "yarn" || !strings.HasPrefix(inv.Format, "yarn-berry") {
				return false
			}
			name, ok := strings.CutSuffix(id, "@0.0.0-use.local")
			if !ok {
				return false
			}
			for _, imp := range inv.Importers {
				if imp.Name == name {
					return true
				}
			}
			return false
		},
	})
}

// TestYarnWorkspaceIsImporter is the fixture of the rule above: a berry
// workspace entry becomes an importer with the workspace's name and path,
// and no package, while pkg/lockfile reports it as name@0.0.0-use.local.
func TestYarnWorkspaceIsImporter(t *testing.T) {
	lock := []byte(`__metadata:
  version: 8
  cacheKey: 10

"app@workspace:.":
  version: 0.0.0-use.local
  resolution: "app@workspace:."
  dependencies:
    lib: "workspace:^"
  languageName: unknown
  linkType: soft

"lib@workspace:^, lib@workspace:packages/lib":
  version: 0.0.0-use.local
  resolution: "lib@workspace:packages/lib"
  languageName: unknown
  linkType: soft
`)
	inv, err := Parse(Input{Path: "yarn.lock", Data: lock})
	if err != nil {
		t.Fatal(err)
	}
	if len(inv.Packages) != 0 {
		t.Errorf("packages = %v, want none", ourIDs(inv))
	}
	var got []string
	for _, imp := range inv.Importers {
		got = append(got, imp.Path+"="+imp.Name)
	}
	if g, want := strings.Join(got, " "), ".=app packages/lib=lib"; g != want {
		t.Errorf("importers = %q, want %q", g, want)
	}
	theirs, err := lockref.Packages("yarn.lock", lock)
	if err != nil {
		t.Fatal(err)
	}
	if g, want := strings.Join(theirs, " "), "app@0.0.0-use.local lib@0.0.0-use.local"; g != want {
		t.Errorf("pkg/lockfile = %q, want %q (the rule explains a difference that no longer exists)", g, want)
	}
}
