package lockfiles

import (
	"slices"
	"testing"
)

// TestInferRootDeps: a yarn.lock read without its package.json still gives
// every package a dependency chain, from the packages nothing requires.
func TestInferRootDeps(t *testing.T) {
	const lock = `# yarn lockfile v1


mail-toolkit@^2.0.0:
  version "2.0.0"
  resolved "http://127.0.0.1:4873/mail-toolkit/-/mail-toolkit-2.0.0.tgz"
  dependencies:
    postmark-mcp "1.0.15"

postmark-mcp@1.0.15:
  version "1.0.15"
  resolved "http://127.0.0.1:4873/postmark-mcp/-/postmark-mcp-1.0.15.tgz"

postmark-mcp@^1.0.16:
  version "1.0.16"
  resolved "http://127.0.0.1:4873/postmark-mcp/-/postmark-mcp-1.0.16.tgz"
`
	inv, err := Parse(Input{Path: "yarn.lock", Data: []byte(lock)})
	if err != nil {
		t.Fatal(err)
	}
	want := map[string][]string{
		"mail-toolkit@2.0.0":  {"mail-toolkit@2.0.0"},
		"postmark-mcp@1.0.15": {"mail-toolkit@2.0.0", "postmark-mcp@1.0.15"},
		"postmark-mcp@1.0.16": {"postmark-mcp@1.0.16"},
	}
	if len(inv.Packages) != len(want) || len(inv.Importers) != 1 {
		t.Fatalf("%d packages, %d importers; want %d packages under the one root", len(inv.Packages), len(inv.Importers), len(want))
	}
	for i := range inv.Packages {
		id := inv.Packages[i].ID()
		imp, chain, ok := inv.Chain(i)
		if !ok {
			t.Errorf("Chain(%s): no chain", id)
			continue
		}
		var got []string
		for _, c := range chain {
			got = append(got, inv.Packages[c].ID())
		}
		if imp != 0 || !slices.Equal(got, want[id]) {
			t.Errorf("Chain(%s) = importer %d, %v; want importer 0, %v", id, imp, got, want[id])
		}
		if direct := inv.Direct(i); direct != (len(want[id]) == 1) {
			t.Errorf("Direct(%s) = %v, want %v", id, direct, len(want[id]) == 1)
		}
	}
}
