package bom

import (
	"strings"

	"github.com/depsweep/depsweep/lockfiles"
)

// inSPDXEdge maps SPDX relationship types to the direction and type of a
// dependency edge: reverse is set for the "X_OF" forms, where the element
// is the dependency and the related element depends on it.
var inSPDXEdge = map[string]struct {
	reverse bool
	typ     lockfiles.DepType
}{
	"DEPENDS_ON":             {false, lockfiles.DepProd},
	"DEPENDENCY_OF":          {true, lockfiles.DepProd},
	"RUNTIME_DEPENDENCY_OF":  {true, lockfiles.DepProd},
	"PROVIDED_DEPENDENCY_OF": {true, lockfiles.DepProd},
	"DEV_DEPENDENCY_OF":      {true, lockfiles.DepDev},
	"BUILD_DEPENDENCY_OF":    {true, lockfiles.DepDev},
	"TEST_DEPENDENCY_OF":     {true, lockfiles.DepDev},
	"OPTIONAL_DEPENDENCY_OF": {true, lockfiles.DepOptional},
}

// npmPURL returns the package's npm purl from its external references.
func (p *inSPDXPackage) purl() (string, bool) {
	for _, r := range p.ExternalRefs {
		cat := strings.ToUpper(strings.ReplaceAll(r.Category, "_", "-"))
		if cat == "PACKAGE-MANAGER" && strings.EqualFold(r.Type, "purl") {
			return strings.TrimSpace(r.Locator), true
		}
	}
	return "", false
}

// spdxInventory builds the inventory of an SPDX document.
func (doc *inDoc) spdxInventory(path string) *lockfiles.Inventory {
	inv := &lockfiles.Inventory{Path: path, Format: doc.format}
	// The packages the document describes are the projects: importers, as
	// a lockfile's root project. A tool that marks every package described
	// gives no such hint, and then every package is matched.
	described := make(map[string]bool)
	for _, id := range doc.describ {
		described[id] = true
	}
	for _, r := range doc.rels {
		switch {
		case r.Type == "DESCRIBES" && r.From == "SPDXRef-DOCUMENT":
			described[r.To] = true
		case r.Type == "DESCRIBED_BY" && r.To == "SPDXRef-DOCUMENT":
			described[r.From] = true
		}
	}
	nDescribed := 0
	for _, p := range doc.pkgs {
		if described[p.ID] {
			nDescribed++
		}
	}
	if nDescribed == len(doc.pkgs) && len(doc.pkgs) > 1 {
		clear(described)
	}
	refs := make(map[string]inRef, len(doc.pkgs))
	var probs inProblems
	inv.Importers = []lockfiles.Importer{{Path: "."}}
	rootSet := false
	for _, sp := range doc.pkgs {
		purl, hasPURL := sp.purl()
		var p inPURL
		var perr error
		if hasPURL {
			p, perr = inParsePURL(purl)
		}
		if described[sp.ID] {
			imp := lockfiles.Importer{Path: ".", Name: sp.Name, Version: sp.VersionInfo}
			if hasPURL && perr == nil && p.Type == "npm" {
				imp.Name = p.Name
				if p.Version != "" {
					imp.Version = p.Version
				}
			}
			idx := 0
			if rootSet {
				imp.Path = imp.Name
				idx = len(inv.Importers)
				inv.Importers = append(inv.Importers, imp)
			} else {
				inv.Importers[0], rootSet = imp, true
			}
			refs[sp.ID] = inRef{pkg: -1, imp: idx}
			continue
		}
		switch {
		case !hasPURL:
			probs.addOther(sp.line)
			continue
		case perr != nil:
			probs.addBad(sp.line)
			continue
		case p.Type != "npm":
			probs.addOther(sp.line)
			continue
		}
		pkg := lockfiles.Package{Name: p.Name, Version: p.Version, Line: sp.line}
		if strings.EqualFold(sp.Name, p.Name) {
			pkg.Name = sp.Name
		}
		if pkg.Version == "" {
			pkg.Version = sp.VersionInfo
		}
		var fromQ string
		pkg.Source, fromQ = inSourceOf(p.Qualifiers)
		pkg.Resolved = fromQ
		if dl := strings.TrimSpace(sp.DownloadLocation); dl != "" && dl != "NOASSERTION" && dl != "NONE" {
			pkg.Resolved = dl
			if pkg.Source == lockfiles.SourceRegistry && strings.HasPrefix(dl, "git+") {
				pkg.Source = lockfiles.SourceGit
			}
		}
		hs := make([]inHash, 0, len(sp.Checksums))
		for _, c := range sp.Checksums {
			hs = append(hs, inHash{Alg: c.Algorithm, Content: c.Value})
		}
		pkg.Integrity = inIntegrity(hs)
		// npm sbom records the install path there.
		if f := sp.FileName; strings.HasPrefix(f, "node_modules/") || strings.Contains(f, "/node_modules/") {
			pkg.Paths = []string{f}
		}
		if sp.ID != "" {
			if _, dup := refs[sp.ID]; !dup {
				refs[sp.ID] = inRef{pkg: len(inv.Packages), imp: -1}
			}
		}
		inv.Packages = append(inv.Packages, pkg)
	}
	for _, r := range doc.rels {
		e, ok := inSPDXEdge[r.Type]
		if !ok {
			continue
		}
		fromID, toID := r.From, r.To
		if e.reverse {
			fromID, toID = toID, fromID
		}
		from, ok1 := refs[fromID]
		to, ok2 := refs[toID]
		if !ok1 || !ok2 {
			continue
		}
		if to.imp >= 0 && from.pkg >= 0 {
			// npm sbom writes "<root> DEV_DEPENDENCY_OF <dep>" (and
			// OPTIONAL_DEPENDENCY_OF), the reverse of the SPDX meaning; a
			// project is never a dependency of a package, so turn it round.
			from, to = to, from
		}
		if to.pkg < 0 {
			continue
		}
		if from.imp >= 0 {
			imp := &inv.Importers[from.imp]
			imp.Deps = append(imp.Deps, lockfiles.Dep{To: to.pkg, Type: e.typ})
		} else if from.pkg != to.pkg {
			inv.Edges = append(inv.Edges, lockfiles.Edge{From: from.pkg, To: to.pkg, Type: e.typ})
		}
	}
	// SPDX records scope only on the relationships.
	inv.ComputeScopes()
	probs.into(inv, "package")
	return inv
}
