package lockfiles

import "strings"

// classicPackage turns a classic (yarn 1) entry into a package. ok is false
// when the entry cannot be a package; a problem is then recorded.
func (b *yarnBuilder) classicPackage(e *yarnEntry) (pkg Package, ok bool) {
	keys := b.p.keys[e.keyStart:e.keyEnd]
	name, rng, _ := splitDescriptor(keys[0])
	// "pm@npm:postmark-mcp@1.0.17" installs postmark-mcp under the name pm.
	// An entry may list an alias next to the real name
	// ("x@5.5.2", "y@npm:x@5.5.2"): the first alias is kept.
	alias := ""
	if real, isAlias := yarnAliasTarget(rng); isAlias {
		name, alias = real, name
	}
	for _, k := range keys[1:] {
		if alias != "" {
			break
		}
		n, r, _ := splitDescriptor(k)
		real, isAlias := yarnAliasTarget(r)
		switch {
		case !isAlias || real == n:
		case n != name && real == name:
			alias = n
		case n == name:
			// A "resolutions" override to an alias:
			// `x@^1.5.1, "x@npm:@other/x@1.5.2"` installs @other/x under x.
			name, alias = real, n
		}
	}
	if alias == "" {
		// The same override written without the alias descriptor: the
		// registry tarball URL names the package actually installed.
		if real := yarnTarballName(e.resolved, e.version); real != "" && real != name {
			name, alias = real, name
		}
	}
	if !yarnValidName(name) {
		b.entryProblem(e, "entry key has no valid package name")
		return pkg, false
	}
	pkg = Package{
		Name:      name,
		Version:   e.version,
		Alias:     alias,
		Source:    yarnClassicSource(e.resolved, rng),
		Resolved:  e.resolved,
		Integrity: e.integrity,
	}
	if pkg.Version == "" && pkg.Source.FromRegistry() {
		b.entryProblem(e, "entry has no version")
		return pkg, false
	}
	if pkg.Integrity == "" && pkg.Source != SourceGit {
		// Yarn classic appends the tarball's SHA-1 to the URL; a git URL's
		// fragment is a commit, not a hash of the tarball.
		if i := strings.LastIndexByte(e.resolved, '#'); i >= 0 {
			pkg.Integrity = SHA1HexIntegrity(e.resolved[i+1:])
		}
	}
	return pkg, true
}

// yarnTarballName returns the package name of a registry tarball URL
// (".../<name>/-/<base>-<version>.tgz", the scope possibly escaped as %2f)
// when the file name agrees with it and with version, else "".
func yarnTarballName(resolved, version string) string {
	u, _, _ := strings.Cut(resolved, "#")
	if !strings.HasPrefix(u, "https://") && !strings.HasPrefix(u, "http://") {
		return ""
	}
	dir, file, ok := strings.Cut(u, "/-/")
	if !ok || version == "" || strings.Contains(file, "/") {
		return ""
	}
	dir = strings.ReplaceAll(strings.ReplaceAll(dir, "%2f", "/"), "%2F", "/")
	i := strings.LastIndexByte(dir, '/')
	if i < 0 {
		return ""
	}
	base, name := dir[i+1:], dir[i+1:]
	if j := strings.LastIndexByte(dir[:i], '/'); j >= 0 && strings.HasPrefix(dir[j+1:i], "@") {
		name = dir[j+1:]
	}
	// file must be base + "-" + version + ".tgz" (compared without building it).
	n := len(base)
	if len(file) != n+1+len(version)+4 || !strings.HasPrefix(file, base) || file[n] != '-' ||
		file[n+1:n+1+len(version)] != version || !strings.HasSuffix(file, ".tgz") || !yarnValidName(name) {
		return ""
	}
	return name
}

// yarnAliasTarget returns the real package name of an "npm:name@range"
// alias range.
func yarnAliasTarget(rng string) (string, bool) {
	inner, ok := strings.CutPrefix(rng, "npm:")
	if !ok {
		return "", false
	}
	n, _, ok := splitDescriptor(inner)
	if !ok || n == "" {
		return "", false
	}
	return n, true
}

// yarnClassicSource says where a classic entry's code comes from: from its
// resolved URL, or from its range when there is none (file:, link:).
func yarnClassicSource(resolved, rng string) Source {
	if resolved == "" {
		switch {
		case strings.HasPrefix(rng, "file:"):
			return SourceFile
		case strings.HasPrefix(rng, "link:"), strings.HasPrefix(rng, "portal:"):
			return SourceLink
		case yarnIsGit(rng):
			return SourceGit
		case strings.HasPrefix(rng, "http:"), strings.HasPrefix(rng, "https:"):
			return SourceTarball
		}
		return SourceUnknown
	}
	switch {
	case yarnIsGit(resolved):
		return SourceGit
	case strings.HasPrefix(resolved, "file:"):
		return SourceFile
	case strings.HasPrefix(resolved, "link:"):
		return SourceLink
	case strings.HasPrefix(rng, "http:"), strings.HasPrefix(rng, "https:"):
		// Declared by URL: a tarball, even when the URL has a registry's
		// layout.
		return SourceTarball
	case strings.HasPrefix(resolved, "http:"), strings.HasPrefix(resolved, "https:"):
		// Registries and their mirrors serve tarballs at .../<name>/-/<file>.tgz.
		u := resolved
		if i := strings.IndexByte(u, '#'); i >= 0 {
			u = u[:i]
		}
		if strings.Contains(u, "/-/") {
			return SourceRegistry
		}
		return SourceTarball
	}
	return SourceUnknown
}

// yarnIsGit reports whether a URL or range points at a git repository:
// git protocols, hosted shorthands, ".git" URLs, GitHub's codeload tarballs
// of a commit, and berry's "#commit=" references.
func yarnIsGit(u string) bool {
	for _, pre := range [...]string{"git+", "git:", "git@", "ssh:", "github:", "gitlab:", "bitbucket:"} {
		if strings.HasPrefix(u, pre) {
			return true
		}
	}
	base, frag, _ := strings.Cut(u, "#")
	if strings.HasSuffix(base, ".git") || strings.Contains(u, "://codeload.github.com/") {
		return true
	}
	if strings.HasPrefix(frag, "commit=") || strings.Contains(frag, "&commit=") {
		return true
	}
	// "user/repo" and "user/repo#ref": GitHub shorthand in a range.
	if !strings.Contains(base, ":") && !strings.HasPrefix(base, ".") && !strings.HasPrefix(base, "/") &&
		!strings.HasPrefix(base, "@") && strings.Count(base, "/") == 1 && !strings.ContainsAny(base, " <>=^~*|") {
		return true
	}
	return false
}
