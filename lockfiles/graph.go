package lockfiles

import "slices"

// adjacency returns, for each package, the indexes of the edges leaving it
// (edges in inv.Edges order).
func (inv *Inventory) adjacency() [][]int32 {
	out := make([][]int32, len(inv.Packages))
	for i, e := range inv.Edges {
		if e.From >= 0 && e.From < len(out) && e.To >= 0 && e.To < len(out) {
			out[e.From] = append(out[e.From], int32(i))
		}
	}
	return out
}

// Paths answers the shortest dependency chain of every package of an
// inventory from one breadth-first walk of its graph, O(packages + edges).
// When several importers reach a package at the same depth the earlier
// importer wins (the root first), and among edges the earlier edge.
type Paths struct {
	inv    *Inventory
	parent []int32 // -1: a direct dependency of importer from[i]; unreached: not reached
	from   []int32
}

const unreached = -2

// Paths walks the dependency graph once; ask the result about any package.
// It does not see later changes to the inventory.
func (inv *Inventory) Paths() *Paths {
	n := len(inv.Packages)
	pf := &Paths{inv: inv, parent: make([]int32, n), from: make([]int32, n)}
	for k := range pf.parent {
		pf.parent[k] = unreached
	}
	queue := make([]int32, 0, n)
	for imp := range inv.Importers {
		for _, d := range inv.Importers[imp].Deps {
			if d.To >= 0 && d.To < n && pf.parent[d.To] == unreached {
				pf.parent[d.To], pf.from[d.To] = -1, int32(imp)
				queue = append(queue, int32(d.To))
			}
		}
	}
	// Adjacency in edge order, as a compressed sparse row.
	start := make([]int32, n+1)
	for _, e := range inv.Edges {
		if e.From >= 0 && e.From < n && e.To >= 0 && e.To < n {
			start[e.From+1]++
		}
	}
	for i := range n {
		start[i+1] += start[i]
	}
	adj := make([]int32, start[n])
	fill := slices.Clone(start[:n])
	for _, e := range inv.Edges {
		if e.From >= 0 && e.From < n && e.To >= 0 && e.To < n {
			adj[fill[e.From]] = int32(e.To)
			fill[e.From]++
		}
	}
	for head := 0; head < len(queue); head++ {
		u := queue[head]
		for _, v := range adj[start[u]:start[u+1]] {
			if pf.parent[v] == unreached {
				pf.parent[v], pf.from[v] = u, pf.from[u]
				queue = append(queue, v)
			}
		}
	}
	return pf
}

// Chain returns the shortest dependency chain from an importer to package
// i: the importer's index into Importers, and the package indexes from that
// importer's direct dependency down to i itself. ok is false when no
// importer reaches i (an orphan entry).
func (p *Paths) Chain(i int) (importer int, chain []int, ok bool) {
	if i < 0 || i >= len(p.parent) || p.parent[i] == unreached {
		return 0, nil, false
	}
	for n := int32(i); n >= 0; n = p.parent[n] {
		chain = append(chain, int(n))
	}
	slices.Reverse(chain)
	return int(p.from[i]), chain, true
}

// Direct reports whether package i is a direct dependency of some importer.
func (p *Paths) Direct(i int) bool {
	return i >= 0 && i < len(p.parent) && p.parent[i] == -1
}

// ComputeScopes sets Dev and Optional on every package reachable from an
// importer, from the graph, for formats that do not record scope (yarn,
// pnpm 9). Every importer (root and workspaces) counts as a root, as package
// managers install every workspace.
//
// A package is Dev when every path to it from an importer starts with a
// devDependency; Optional when every path to it passes through an
// optionalDependency. Packages no importer reaches keep the flags they have.
func (inv *Inventory) ComputeScopes() {
	adj := inv.adjacency()
	// walk marks what the importers reach through edges that keep() allows.
	walk := func(keepRoot func(DepType) bool, keep func(DepType) bool) []bool {
		seen := make([]bool, len(inv.Packages))
		queue := make([]int32, 0, len(inv.Packages))
		for _, imp := range inv.Importers {
			for _, d := range imp.Deps {
				if d.To >= 0 && d.To < len(seen) && !seen[d.To] && keepRoot(d.Type) {
					seen[d.To] = true
					queue = append(queue, int32(d.To))
				}
			}
		}
		for head := 0; head < len(queue); head++ {
			for _, ei := range adj[queue[head]] {
				e := inv.Edges[ei]
				if !seen[e.To] && keep(e.Type) {
					seen[e.To] = true
					queue = append(queue, int32(e.To))
				}
			}
		}
		return seen
	}
	all := func(DepType) bool { return true }
	reached := walk(all, all)
	prod := walk(func(t DepType) bool { return t != DepDev }, all)
	notOpt := func(t DepType) bool { return t != DepOptional }
	required := walk(notOpt, notOpt)
	for i := range inv.Packages {
		if !reached[i] {
			continue
		}
		inv.Packages[i].Dev = !prod[i]
		inv.Packages[i].Optional = !required[i]
	}
}

// inferRootDeps gives the root importer, when no importer has any
// dependency (a lockfile read without its package.json), the packages no
// other package depends on. Every entry of a lockfile is installed for some
// importer, so a package nothing requires is a direct dependency of one;
// without manifests the root stands for all of them. Their type is unknown
// and taken as prod: scope is then not computed as dev for anything.
func (inv *Inventory) inferRootDeps() {
	for _, imp := range inv.Importers {
		if len(imp.Deps) > 0 {
			return
		}
	}
	required := make([]bool, len(inv.Packages))
	for _, e := range inv.Edges {
		if e.To >= 0 && e.To < len(required) && e.From != e.To {
			required[e.To] = true
		}
	}
	root := inv.Root()
	for i, req := range required {
		if !req {
			root.Deps = append(root.Deps, Dep{To: i, Type: DepProd})
		}
	}
}
