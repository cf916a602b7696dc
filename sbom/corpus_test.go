package sbom

import (
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync/atomic"
	"testing"

	cdx "github.com/CycloneDX/cyclonedx-go"

	"github.com/depsweep/depsweep/internal/testcorpus"
	"github.com/depsweep/depsweep/ioc"
	"github.com/depsweep/depsweep/lockfiles"
	lbom "github.com/depsweep/depsweep/lockfiles/bom"
)

const (
	fixturesDir = "../testdata/fixtures"
	goldenDir   = "../testdata/sbom"
)

// brokenCorpus is the corpus file that is genuinely broken: no SBOM.
var brokenCorpus = testcorpus.BrokenPaths

type lockfile struct {
	Path    string // slash path, the Inventory's Path
	Data    []byte
	Project fs.FS // nil for corpus files
}

// loadCorpus returns every file MANIFEST.tsv lists ([testcorpus.Load]).
func loadCorpus(tb testing.TB) []lockfile {
	tb.Helper()
	files := testcorpus.Load(tb)
	out := make([]lockfile, len(files))
	for i, f := range files {
		out[i] = lockfile{Path: f.Path, Data: f.Data}
	}
	return out
}

// loadFixtures reads the lockfile of every fixture case, with its project
// directory for the manifests.
func loadFixtures(tb testing.TB) []lockfile {
	tb.Helper()
	var out []lockfile
	for _, name := range []string{lockfiles.NamePackageLock, lockfiles.NameYarnLock, lockfiles.NamePnpmLock} {
		m, err := filepath.Glob(filepath.Join(fixturesDir, "*", name))
		if err != nil {
			tb.Fatal(err)
		}
		for _, f := range m {
			data, err := os.ReadFile(f)
			if err != nil {
				tb.Fatal(err)
			}
			dir := filepath.Dir(f)
			out = append(out, lockfile{Path: filepath.Base(dir) + "/" + name, Data: data, Project: os.DirFS(dir)})
		}
	}
	if len(out) < 8 {
		tb.Fatalf("%s: found %d fixture lockfiles, want at least 8", fixturesDir, len(out))
	}
	slices.SortFunc(out, func(a, b lockfile) int { return strings.Compare(a.Path, b.Path) })
	return out
}

// parse parses lf with its project directory.
func parse(lf lockfile) (*lockfiles.Inventory, error) {
	return lockfiles.Parse(lockfiles.Input{Path: lf.Path, Data: lf.Data, Project: lf.Project})
}

// checkInventory checks bom against the inventory it was built from: the
// component set equals the packages (name@version) plus the workspaces;
// every package an importer reaches is reachable from the root in the BOM's
// graph; dev packages are excluded and marked; every package with a sha512
// integrity carries that SHA-512 hash.
//
// It returns how many components the root does not reach in the BOM.
func checkInventory(t *testing.T, inv *lockfiles.Inventory, bom *cdx.BOM) (unreached int) {
	t.Helper()
	name := inv.Path
	// Workspaces, and the workspace or link packages that stand for them,
	// are compared by name: their version may come from either side.
	local := func(p *lockfiles.Package) bool {
		return p.Source == lockfiles.SourceWorkspace || p.Source == lockfiles.SourceLink
	}
	want, wantNames := map[string]bool{}, map[string]bool{}
	for i := range inv.Packages {
		if p := &inv.Packages[i]; local(p) {
			wantNames[p.Name] = true
		} else {
			want[p.ID()] = true
		}
	}
	for _, imp := range inv.Importers[1:] {
		wantNames[cmpOr(imp.Name, imp.Path)] = true
	}
	got, gotNames := map[string]bool{}, map[string]bool{fullName(bom.Metadata.Component): true}
	for i := range *bom.Components {
		c := &(*bom.Components)[i]
		got[fullName(c)+"@"+c.Version] = true
		gotNames[fullName(c)] = true
	}
	for id := range want {
		if !got[id] {
			t.Errorf("%s: package %s has no component", name, id)
		}
	}
	for n := range wantNames {
		if !gotNames[n] {
			t.Errorf("%s: workspace or link %s has no component", name, n)
		}
	}
	for id := range got {
		n := id[:strings.LastIndexByte(id, '@')]
		if !want[id] && !wantNames[n] {
			t.Errorf("%s: component %s is no package or workspace of the lockfile", name, id)
		}
	}

	// Reachability from the root, in the BOM.
	adj := map[string][]string{}
	for _, d := range *bom.Dependencies {
		if d.Dependencies != nil {
			adj[d.Ref] = *d.Dependencies
		}
	}
	reach := map[string]bool{bom.Metadata.Component.BOMRef: true}
	queue := []string{bom.Metadata.Component.BOMRef}
	for len(queue) > 0 {
		r := queue[0]
		queue = queue[1:]
		for _, n := range adj[r] {
			if !reach[n] {
				reach[n] = true
				queue = append(queue, n)
			}
		}
	}
	// Per package: reachable in the inventory ⇒ its component is reachable.
	comps := map[string][]*cdx.Component{} // name@version → components
	for i := range *bom.Components {
		c := &(*bom.Components)[i]
		comps[fullName(c)+"@"+c.Version] = append(comps[fullName(c)+"@"+c.Version], c)
	}
	invReach := reachable(inv)
	for i := range inv.Packages {
		p := &inv.Packages[i]
		cs := comps[p.ID()]
		if !invReach[i] {
			continue
		}
		if local(p) {
			continue // may stand for a workspace, which the root depends on
		}
		ok := false
		for _, c := range cs {
			ok = ok || reach[c.BOMRef]
		}
		if !ok {
			t.Errorf("%s: %s is reached from an importer but not from the root in the BOM", name, p.ID())
		}
	}
	for _, c := range *bom.Components {
		if !reach[c.BOMRef] {
			unreached++
		}
	}
	for i := range inv.Packages {
		p := &inv.Packages[i]
		if local(p) {
			continue
		}
		// Copies of a package whose digests disagree are distinct
		// components (purl, purl~2, ...): take the one with p's hashes.
		purl := PURL(p)
		var c *cdx.Component
		for _, cc := range comps[p.ID()] {
			if cc.PackageURL == purl && (c == nil || hasAll(cc, hashesOf(p.Integrity))) {
				c = cc
			}
		}
		if c == nil {
			t.Errorf("%s: no component with purl %s", name, purl)
			continue
		}
		// A merged component is dev only when every copy is.
		if p.Dev && c.Scope != cdx.ScopeExcluded && !anyProdCopy(inv, p) {
			t.Errorf("%s: dev package %s has scope %q", name, p.ID(), c.Scope)
		}
		if c.Scope == cdx.ScopeExcluded && !slices.Equal(props(c, lbom.PropDevelopment), []string{"true"}) {
			t.Errorf("%s: excluded %s lacks %s", name, p.ID(), lbom.PropDevelopment)
		}
		for _, h := range lockfiles.ParseIntegrity(p.Integrity) {
			if h.Algorithm != "sha512" {
				continue
			}
			if c.Hashes == nil || !slices.Contains(*c.Hashes, cdx.Hash{Algorithm: cdx.HashAlgoSHA512, Value: h.Hex()}) {
				t.Errorf("%s: %s lacks its SHA-512 hash", name, p.ID())
			}
		}
		if p.Checksum != "" && c.Hashes != nil {
			for _, h := range *c.Hashes {
				if strings.Contains(p.Checksum, h.Value) {
					t.Errorf("%s: %s: yarn cache checksum presented as a hash", name, p.ID())
				}
			}
		}
	}
	return unreached
}

// anyProdCopy reports whether another entry with p's purl and patch and
// agreeing digests is not dev (then the merged component is required).
func anyProdCopy(inv *lockfiles.Inventory, p *lockfiles.Package) bool {
	for i := range inv.Packages {
		q := &inv.Packages[i]
		if !q.Dev && q.Name == p.Name && q.Version == p.Version && PURL(q) == PURL(p) && q.Patch == p.Patch &&
			!conflict(hashesOf(q.Integrity), hashesOf(p.Integrity)) {
			return true
		}
	}
	return false
}

// reachable marks the packages some importer reaches through the edges.
func reachable(inv *lockfiles.Inventory) []bool {
	seen := make([]bool, len(inv.Packages))
	adj := make([][]int, len(inv.Packages))
	for _, e := range inv.Edges {
		adj[e.From] = append(adj[e.From], e.To)
	}
	var queue []int
	for _, imp := range inv.Importers {
		for _, d := range imp.Deps {
			if !seen[d.To] {
				seen[d.To] = true
				queue = append(queue, d.To)
			}
		}
	}
	for len(queue) > 0 {
		n := queue[0]
		queue = queue[1:]
		for _, m := range adj[n] {
			if !seen[m] {
				seen[m] = true
				queue = append(queue, m)
			}
		}
	}
	return seen
}

// TestCorpus builds the SBOM of every corpus lockfile in spec 1.6 and 1.7,
// validates JSON and XML against the official schemas, and checks the NTIA
// minimum elements, the references and the fidelity to the inventory.
func TestCorpus(t *testing.T) {
	if testing.Short() {
		t.Skip("corpus: skipped in -short mode")
	}
	files := loadCorpus(t)
	skipNoXSD(t)
	// One parallel subtest per file (validation dominates; the XML
	// validator serializes itself), in a group that waits for them all.
	var built, unreached atomic.Int64
	t.Run("files", func(t *testing.T) {
		for _, f := range files {
			t.Run(f.Path, func(t *testing.T) {
				t.Parallel()
				inv, err := parse(f)
				switch {
				case brokenCorpus[f.Path]:
					if err == nil {
						t.Errorf("%s: the broken corpus file parsed", f.Path)
					}
					return
				case err != nil:
					t.Errorf("%s: %v", f.Path, err)
					return
				}
				for _, v := range specs {
					bom, err := New(inv, nil, Options{SpecVersion: v, Deterministic: true, ToolVersion: "test"})
					if err != nil {
						t.Errorf("%s: %v", f.Path, err)
						continue
					}
					validate(t, f.Path, bom, v)
					if v == cdx.SpecVersion1_6 {
						checkNTIA(t, f.Path, bom)
						checkRefs(t, f.Path, bom)
						unreached.Add(int64(checkInventory(t, inv, bom)))
					}
				}
				built.Add(1)
			})
		}
	})
	t.Logf("corpus: %d of %d files built and validated (1.6 and 1.7, JSON%s); %d components the root does not reach (orphan lockfile entries)",
		built.Load(), len(files), map[bool]string{true: " and XML", false: " only"}[xsdErr == nil], unreached.Load())
	if want := len(files) - len(brokenCorpus); int(built.Load()) != want {
		t.Errorf("corpus: built %d SBOMs, want one per parsable file (%d)", built.Load(), want)
	}
}

// truthFindings makes, for a fixture, the findings TRUTH.tsv says its
// lockfile must produce (package and publisher matches), as the scan would.
func truthFindings(t *testing.T, inv *lockfiles.Inventory, rows []testcorpus.TruthRow) []ioc.Finding {
	adv := malAdvisory()
	var out []ioc.Finding
	for _, r := range rows {
		if r.Case+"/"+r.File != inv.Path || r.Expected != "flag" {
			continue
		}
		idx := slices.IndexFunc(inv.Packages, func(p lockfiles.Package) bool { return p.Name == r.Package && p.Version == r.Version })
		if idx < 0 {
			t.Errorf("%s: TRUTH.tsv package %s@%s not in the inventory", inv.Path, r.Package, r.Version)
			continue
		}
		ind := &ioc.Indicator{Kind: ioc.Kind(r.Match), Ecosystem: "npm", Value: r.Package, Advisory: adv}
		sev := ioc.SeverityCritical
		if r.Match == "publisher" {
			ind.Value, sev = "phanpak", ioc.SeverityMedium
		}
		out = append(out, ioc.Finding{ID: r.Match + ":" + r.Package + "@" + r.Version, Severity: sev,
			Lockfile: inv.Path, Package: inv.Packages[idx], Indicator: ind, Evidence: "from TRUTH.tsv"})
	}
	return out
}

// TestFixtures builds the SBOM of every fixture case with the findings
// TRUTH.tsv lists, validates it, and checks it against the inventory and
// TRUTH.tsv: every package reachable from the root, the scope of each listed
// package, and each finding a vulnerability on the right component.
func TestFixtures(t *testing.T) {
	rows := testcorpus.Truth(t)
	skipNoXSD(t)
	built := 0
	for _, f := range loadFixtures(t) {
		inv, err := parse(f)
		if err != nil {
			t.Errorf("%v", err)
			continue
		}
		built++
		findings := truthFindings(t, inv, rows)
		for _, v := range specs {
			bom, err := New(inv, findings, Options{SpecVersion: v, Deterministic: true, ToolVersion: "test"})
			if err != nil {
				t.Fatalf("%s: %v", f.Path, err)
			}
			validate(t, f.Path, bom, v)
			if v != cdx.SpecVersion1_6 {
				continue
			}
			checkNTIA(t, f.Path, bom)
			checkRefs(t, f.Path, bom)
			if n := checkInventory(t, inv, bom); n > 0 {
				t.Errorf("%s: %d components not connected to the root", f.Path, n)
			}
			vulns := 0
			if bom.Vulnerabilities != nil {
				vulns = len(*bom.Vulnerabilities)
			}
			if vulns != len(findings) {
				t.Errorf("%s: %d vulnerabilities, want %d", f.Path, vulns, len(findings))
			}
			comps := byRef(bom)
			for i := 0; i < vulns; i++ {
				vu := (*bom.Vulnerabilities)[i]
				c := comps[(*vu.Affects)[0].Ref]
				var fid string
				for _, p := range *vu.Properties {
					if p.Name == lbom.PropFindingID {
						fid = p.Value
					}
				}
				_, want, _ := strings.Cut(fid, ":") // truthFindings ids are "<kind>:<name>@<version>"
				if c == nil || fullName(c)+"@"+c.Version != want {
					t.Errorf("%s: vulnerability %s affects %v, want %s", f.Path, vu.BOMRef, c, want)
				}
			}
			for _, r := range rows {
				if r.Case+"/"+r.File != f.Path || (r.Scope != "dev" && r.Scope != "prod") {
					continue
				}
				for _, c := range comps {
					if fullName(c) != r.Package || c.Version != r.Version {
						continue
					}
					if (c.Scope == cdx.ScopeExcluded) != (r.Scope == "dev") {
						t.Errorf("%s: %s@%s scope %q, TRUTH.tsv says %s", f.Path, r.Package, r.Version, c.Scope, r.Scope)
					}
				}
			}
		}
	}
	t.Logf("fixtures: %d built", built)
	if built == 0 {
		t.Fatal("fixtures: no SBOM built")
	}
}

// fullName is the npm name of a component: "@scope/name" or "name".
func fullName(c *cdx.Component) string {
	if c.Group != "" {
		return c.Group + "/" + c.Name
	}
	return c.Name
}

func cmpOr(a, b string) string {
	if a != "" {
		return a
	}
	return b
}

// hasAll reports whether c carries every hash in hs.
func hasAll(c *cdx.Component, hs []cdx.Hash) bool {
	for _, h := range hs {
		if c.Hashes == nil || !slices.Contains(*c.Hashes, h) {
			return false
		}
	}
	return true
}
