package lockfiles

import (
	"fmt"
	"math/rand/v2"
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
		imp, chain, ok := inv.Paths().Chain(i)
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
		if direct := inv.Paths().Direct(i); direct != (len(want[id]) == 1) {
			t.Errorf("Direct(%s) = %v, want %v", id, direct, len(want[id]) == 1)
		}
	}
}

// chainBFS is the reference for [Paths]: one breadth-first walk per
// package, stopped when it reaches the package.
func chainBFS(inv *Inventory, i int) (importer int, chain []int, ok bool) {
	parent := make([]int, len(inv.Packages))
	from := make([]int, len(inv.Packages))
	for k := range parent {
		parent[k] = -2
	}
	var queue []int
	for imp := range inv.Importers {
		for _, d := range inv.Importers[imp].Deps {
			if parent[d.To] == -2 {
				parent[d.To], from[d.To] = -1, imp
				queue = append(queue, d.To)
			}
		}
	}
	for head := 0; head < len(queue) && parent[i] == -2; head++ {
		n := queue[head]
		for _, e := range inv.Edges {
			if e.From == n && parent[e.To] == -2 {
				parent[e.To], from[e.To] = n, from[n]
				queue = append(queue, e.To)
			}
		}
	}
	if parent[i] == -2 {
		return 0, nil, false
	}
	for n := i; n >= 0; n = parent[n] {
		chain = append([]int{n}, chain...)
	}
	return from[i], chain, true
}

// TestPathsAgreeWithBFS checks the one-walk path search against a walk per
// package on random graphs (cycles, several importers, unreachable packages).
func TestPathsAgreeWithBFS(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 4))
	for round := range 200 {
		n := 1 + r.IntN(30)
		inv := &Inventory{}
		for i := range n {
			inv.Packages = append(inv.Packages, Package{Name: fmt.Sprintf("p%d", i), Version: "1.0.0"})
		}
		for k := range 1 + r.IntN(3) {
			imp := Importer{Path: fmt.Sprintf("ws%d", k)}
			for range r.IntN(4) {
				imp.Deps = append(imp.Deps, Dep{To: r.IntN(n)})
			}
			inv.Importers = append(inv.Importers, imp)
		}
		for range r.IntN(2 * n) {
			inv.Edges = append(inv.Edges, Edge{From: r.IntN(n), To: r.IntN(n)})
		}
		paths := inv.Paths()
		for i := range n {
			imp, chain, ok := paths.Chain(i)
			wimp, wchain, wok := chainBFS(inv, i)
			if imp != wimp || !slices.Equal(chain, wchain) || ok != wok {
				t.Fatalf("round %d: Chain(%d) = %d, %v, %v; want %d, %v, %v", round, i, imp, chain, ok, wimp, wchain, wok)
			}
			direct := false
			for _, im := range inv.Importers {
				for _, d := range im.Deps {
					direct = direct || d.To == i
				}
			}
			if paths.Direct(i) != direct {
				t.Fatalf("round %d: Direct(%d) = %v, want %v", round, i, paths.Direct(i), direct)
			}
		}
	}
}
