package ioc

import (
	"bytes"
	"fmt"
	"math/rand/v2"
	"path"
	"runtime"
	"strings"
	"testing"

	"github.com/depsweep/depsweep/internal/cputime"

	"github.com/depsweep/depsweep/internal/lockref"
	"github.com/depsweep/depsweep/internal/testcorpus"
	"github.com/depsweep/depsweep/ioc/publisher"
	"github.com/depsweep/depsweep/lockfiles"
)

// loadCorpusInventories parses every lockfile listed in the corpus manifest
// (except the one known to be broken). Files our parsers cannot read yet
// are read with the reference parser instead (names and versions, with a
// registry URL made up from them), and counted in fallback.
func loadCorpusInventories(tb testing.TB) (invs []*lockfiles.Inventory, fallback int) {
	tb.Helper()
	for _, f := range testcorpus.Load(tb) {
		inv, err := lockfiles.Parse(lockfiles.Input{Path: f.Path, Data: f.Data})
		if err != nil {
			ids, rerr := lockref.Packages(f.Path, f.Data)
			if rerr != nil {
				continue // the broken corpus file
			}
			fallback++
			inv = &lockfiles.Inventory{Path: f.Path}
			for _, id := range ids {
				at := strings.LastIndexByte(id, '@')
				if at <= 0 {
					continue
				}
				name, ver := id[:at], id[at+1:]
				inv.Packages = append(inv.Packages, lockfiles.Package{Name: name, Version: ver, Source: lockfiles.SourceRegistry,
					Resolved: "https://registry.npmjs.org/" + name + "/-/" + path.Base(name) + "-" + ver + ".tgz"})
			}
		}
		invs = append(invs, inv)
	}
	if len(invs) == 0 {
		tb.Fatal("corpus: no lockfile read")
	}
	return invs, fallback
}

// syntheticOSV returns n package indicators shaped like the OpenSSF
// malicious-packages npm records: mostly random typosquat names with
// "every version" or a few exact versions, some ranges; about one in a
// thousand names a package of the corpus with a few exact versions, like a
// hijacked release (so name hits and version checks happen).
func syntheticOSV(n int, real []string) []Indicator {
	r := rand.New(rand.NewPCG(1, 2))
	letters := "abcdefghijklmnopqrstuvwxyz-"
	ver := func() string { return fmt.Sprintf("%d.%d.%d", r.IntN(5), r.IntN(20), r.IntN(30)) }
	out := make([]Indicator, 0, n)
	for i := range n {
		adv := &Advisory{ID: fmt.Sprintf("MAL-2025-%d", 100000+i), Severity: SeverityCritical}
		var name string
		if i%1000 == 0 && len(real) > 0 {
			name = real[r.IntN(len(real))]
		} else {
			b := make([]byte, 6+r.IntN(10))
			for k := range b {
				b[k] = letters[r.IntN(len(letters)-1)]
			}
			name = string(b)
			if r.IntN(5) == 0 {
				name = "@" + name[:3] + "/" + name[3:]
			}
		}
		var vs Versions
		kind := r.IntN(4)
		if i%1000 == 0 && len(real) > 0 {
			// A real package in a malicious feed is a hijacked release:
			// exact versions, never "every version".
			kind = 1
		}
		switch kind {
		case 0: // every version
		case 1:
			for range 1 + r.IntN(4) {
				vs.Exact = append(vs.Exact, ver())
			}
		case 2:
			vs.Ranges = []Range{{Introduced: "0"}}
			for range r.IntN(3) {
				vs.Exact = append(vs.Exact, ver())
			}
		default:
			vs.Ranges = []Range{{Introduced: ver(), Fixed: fmt.Sprintf("%d.0.0", 5+r.IntN(3))}}
		}
		out = append(out, Indicator{Kind: KindPackage, Ecosystem: "npm", Value: name, Versions: vs, Advisory: adv})
	}
	return out
}

// BenchmarkMatch matches every package of the corpus against the
// postmark-mcp indicators and against ~200,000 OSV-like records; ns/pkg
// is the cost per package, which must not grow with the feed.
func BenchmarkMatch(b *testing.B) {
	invs, fallback := loadCorpusInventories(b)
	pkgs := 0
	var names []string
	for _, inv := range invs {
		pkgs += len(inv.Packages)
		for _, p := range inv.Packages {
			names = append(names, p.Name)
		}
	}
	b.Logf("corpus: %d lockfiles, %d packages (%d read with the reference parser)", len(invs), pkgs, fallback)
	big := append(syntheticOSV(200_000, names), postmarkIndicators()...)
	for _, bc := range []struct {
		name string
		inds []Indicator
	}{{"postmark", postmarkIndicators()}, {"osv200k", big}} {
		x, err := NewIndex(bc.inds)
		if err != nil {
			b.Fatal(err)
		}
		pubs, err := publisher.LoadPackuments("../testdata/fixtures/registry")
		if err != nil {
			b.Fatal(err)
		}
		b.Run(bc.name, func(b *testing.B) {
			b.ReportAllocs()
			runtime.GC()
			cpu0 := cputime.Process()
			for b.Loop() {
				for _, inv := range invs {
					x.MatchInventory("r", inv, pubs)
				}
			}
			b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/float64(pkgs), "ns/pkg")
			// CPU time of the process (GC included) per package: steadier
			// than wall time on a shared machine.
			b.ReportMetric(float64((cputime.Process()-cpu0).Nanoseconds())/float64(b.N)/float64(pkgs), "cpu-ns/pkg")
		})
	}
}

// BenchmarkNewIndex measures compiling ~200,000 OSV-like records.
func BenchmarkNewIndex(b *testing.B) {
	inds := syntheticOSV(200_000, nil)
	for b.Loop() {
		if _, err := NewIndex(inds); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkMatchText measures the multi-pattern search over a 1 MiB text.
func BenchmarkMatchText(b *testing.B) {
	x := postmarkIndex(b)
	text := bytes.Repeat([]byte("module.exports = function (a, b) { return fetch('https://example.com/' + a); };\n"), 1<<20/80)
	b.SetBytes(int64(len(text)))
	for b.Loop() {
		x.MatchText(text)
	}
}
