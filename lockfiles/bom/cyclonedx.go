package bom

import (
	"strings"

	"github.com/depsweep/depsweep/lockfiles"
)

// cdxInventory builds the inventory of a CycloneDX document.
func (doc *inDoc) cdxInventory(path string) *lockfiles.Inventory {
	inv := &lockfiles.Inventory{Path: path, Format: doc.format}
	refs := make(map[string]inRef, len(doc.comps)+1)
	root := lockfiles.Importer{Path: "."}
	if c := doc.root; c != nil {
		root.Name, root.Version = c.fullName(), c.Version
		if p, err := inParsePURL(c.PURL); err == nil && p.Type == "npm" {
			root.Name, root.Version = inCaseOf(c, p.Name), p.Version
		}
		if c.Ref != "" {
			refs[c.Ref] = inRef{pkg: -1, imp: 0}
		}
	}
	inv.Importers = append(inv.Importers, root)
	var probs inProblems
	inv.Packages = make([]lockfiles.Package, 0, len(doc.comps))
	for _, c := range doc.comps {
		if c.PURL == "" {
			probs.addOther(c.line)
			continue
		}
		p, err := inParsePURL(c.PURL)
		if err != nil {
			probs.addBad(c.line)
			continue
		}
		if p.Type != "npm" {
			probs.addOther(c.line)
			continue
		}
		ref := inRef{pkg: -1, imp: -1}
		if src, _ := c.prop(PropSource); src == string(lockfiles.SourceWorkspace) {
			// A workspace depsweep wrote: an importer, as in the lockfile.
			wp, _ := c.prop(PropPath)
			if wp == "" {
				wp = c.Name
			}
			ref.imp = len(inv.Importers)
			inv.Importers = append(inv.Importers, lockfiles.Importer{Path: wp, Name: inCaseOf(c, p.Name), Version: p.Version})
		} else {
			ref.pkg = len(inv.Packages)
			inv.Packages = append(inv.Packages, c.pkg(p))
		}
		if _, dup := refs[c.Ref]; c.Ref != "" && !dup {
			refs[c.Ref] = ref
		}
	}
	for _, d := range doc.deps {
		from, ok := refs[d.Ref]
		if !ok {
			continue
		}
		for _, t := range d.DependsOn {
			to, ok := refs[t]
			if !ok || to.pkg < 0 {
				continue // a dependency on something not matched, or on a workspace (installed by the root)
			}
			p := &inv.Packages[to.pkg]
			typ := lockfiles.DepProd
			switch {
			case p.Dev && from.imp >= 0:
				typ = lockfiles.DepDev
			case p.Optional:
				typ = lockfiles.DepOptional
			}
			if from.imp >= 0 {
				imp := &inv.Importers[from.imp]
				imp.Deps = append(imp.Deps, lockfiles.Dep{To: to.pkg, Type: typ})
			} else if from.pkg != to.pkg {
				inv.Edges = append(inv.Edges, lockfiles.Edge{From: from.pkg, To: to.pkg, Type: typ})
			}
		}
	}
	probs.into(inv, "component")
	return inv
}

// inCaseOf returns the component's own spelling of the purl's name when
// they differ only in case: purls lower-case npm names, but a few old
// packages (JSONStream) have upper-case letters.
func inCaseOf(c *inComp, purlName string) string {
	if n := c.fullName(); n != purlName && strings.EqualFold(n, purlName) {
		return n
	}
	return purlName
}

// pkg makes the Package of an npm component.
func (c *inComp) pkg(p inPURL) lockfiles.Package {
	pkg := lockfiles.Package{
		Name:      inCaseOf(c, p.Name),
		Version:   p.Version,
		Integrity: inIntegrity(c.Hashes),
		Line:      c.line,
	}
	if pkg.Version == "" {
		pkg.Version = c.Version
	}
	var fromQ string
	pkg.Source, fromQ = inSourceOf(p.Qualifiers)
	if s, ok := c.prop(PropSource); ok {
		if src, known := inSources[s]; known {
			pkg.Source = src
		}
	}
	for _, e := range c.ExtRefs {
		if e.Type == "distribution" && e.URL != "" {
			pkg.Resolved = e.URL
			break
		}
	}
	if pkg.Resolved == "" {
		if r, ok := c.prop(PropResolved); ok {
			pkg.Resolved = r
		} else {
			pkg.Resolved = fromQ
		}
	}
	pkg.Alias, _ = c.prop(PropAlias)
	pkg.Patch, _ = c.prop(PropPatch)
	pkg.Checksum, _ = c.prop(PropYarnChecksum)
	pkg.Dev = strings.EqualFold(c.Scope, "excluded") || c.propTrue(PropDevelopment)
	pkg.Optional = strings.EqualFold(c.Scope, "optional")
	pkg.Peer = c.propTrue(PropPeer)
	pkg.Bundled = c.propTrue(PropBundled)
	for _, pr := range c.Props {
		if pr.Name == PropPath && pr.Value != "" {
			pkg.Paths = append(pkg.Paths, strings.TrimSpace(pr.Value))
		}
	}
	return pkg
}
