package lockfiles

import (
	"net/url"
	"strings"
)

// berryPackage turns a berry (yarn 2+) entry into a package, or reports that
// it is a workspace (isWS, with its path). ok is false when the entry cannot
// be used; a problem is then recorded.
func (b *yarnBuilder) berryPackage(e *yarnEntry) (pkg Package, wsPath string, isWS, ok bool) {
	keys := b.p.keys[e.keyStart:e.keyEnd]
	loc := e.resolution
	if loc == "" {
		loc = keys[0]
	}
	name, ref, found := splitDescriptor(loc)
	if !found || !yarnValidName(name) {
		b.entryProblem(e, "entry has no valid resolution")
		return pkg, "", false, false
	}
	// A virtual locator ("virtual:<hash>#npm:1.2.3") is a copy of the
	// package with its peers bound; the package is the one it wraps.
	if rest, ok := strings.CutPrefix(ref, "virtual:"); ok {
		if i := strings.IndexByte(rest, '#'); i >= 0 {
			ref = rest[i+1:]
		}
	}
	if p, ok := strings.CutPrefix(ref, "workspace:"); ok {
		return Package{Name: name}, p, true, true
	}
	pkg = Package{
		Name:     name,
		Version:  e.version,
		Resolved: e.resolution,
		Checksum: e.checksum,
	}
	if kn, _, _ := splitDescriptor(keys[0]); kn != name && yarnValidName(kn) {
		pkg.Alias = kn // "pm@npm:postmark-mcp@1.0.17" resolves to postmark-mcp
	}
	if inner, ok := strings.CutPrefix(ref, "patch:"); ok {
		// patch:<name>@<url-escaped inner reference>#<patch>::<params>: the
		// code comes from the inner reference, with the patch on top.
		spec := ""
		if i := strings.IndexByte(inner, '#'); i >= 0 {
			inner, spec = inner[:i], inner[i+1:]
		}
		if i := strings.Index(spec, "::"); i >= 0 {
			spec = spec[:i]
		}
		if dec, err := url.PathUnescape(inner); err == nil {
			inner = dec
		}
		_, ref, _ = splitDescriptor(inner)
		if spec == "" {
			spec = "patch"
		}
		pkg.Patch = spec
	}
	pkg.Source = yarnBerrySource(ref)
	if pkg.Version == "" && pkg.Source.FromRegistry() {
		b.entryProblem(e, "entry has no version")
		return pkg, "", false, false
	}
	return pkg, "", false, true
}

// yarnBerrySource says where a berry reference's code comes from.
func yarnBerrySource(ref string) Source {
	switch {
	case strings.HasPrefix(ref, "npm:"):
		return SourceRegistry
	case strings.HasPrefix(ref, "workspace:"):
		return SourceWorkspace
	case strings.HasPrefix(ref, "portal:"), strings.HasPrefix(ref, "link:"):
		return SourceLink
	case strings.HasPrefix(ref, "file:"), strings.HasPrefix(ref, "exec:"):
		return SourceFile
	case yarnIsGit(ref):
		return SourceGit
	case strings.HasPrefix(ref, "http:"), strings.HasPrefix(ref, "https:"):
		return SourceTarball
	}
	return SourceUnknown
}
