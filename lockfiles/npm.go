package lockfiles

import (
	"bytes"
	"errors"
	"fmt"
	"io/fs"
	"path"
	"slices"
	"sort"
	"strings"
)

// This file reads npm's lockfiles: package-lock.json, npm-shrinkwrap.json
// (same format) and the hidden lockfile node_modules/.package-lock.json.
//
//   - v1 (npm 5 and 6) nests "dependencies" by install location; each entry
//     lists what it needs under "requires", and an alias is written as
//     `"version": "npm:real-name@1.2.3"`.
//   - v2 (npm 7 and 8) has a flat "packages" object keyed by install path
//     ("node_modules/a/node_modules/b") plus the v1 "dependencies" section
//     for old clients; we read "packages" only.
//   - v3 (npm 9 and later, and the hidden lockfile) has "packages" only.
//
// In "packages", the "" key is the root project, keys without a trailing
// node_modules/<name> segment are project directories (workspaces and the
// targets of file: links), and `"link": true` entries are the symlinks that
// point at them.

// npmEntry is one lockfile entry before it becomes a Package or an Importer.
type npmEntry struct {
	path       string // install path ("node_modules/a/node_modules/b") or directory ("packages/web"); "" for the root
	line       int    // line of the entry's key
	name       string // v2/v3 "name" field; "" when absent
	version    string
	resolved   string
	integrity  string
	link       bool
	dev        bool
	optional   bool
	devOpt     bool
	bundled    bool
	peer       bool
	deps       []npmDep
	workspaces []string // root entry only
}

type npmDep struct {
	name string
	typ  DepType
}

type npmParser struct {
	s           *jsonScanner
	strs        map[string]string // interned names and versions
	name        string            // top-level "name"
	version     string            // top-level "version"
	lockVersion int               // -1 when absent or not an integer
	versionLine int               // line of "lockfileVersion"
	hasPackages bool
	entries     []npmEntry
	byKey       map[string]int // "packages" key → index into entries (the last wins, as in encoding/json)
	buf         []byte
}

func (p *npmParser) intern(b []byte) string {
	if s, ok := p.strs[string(b)]; ok {
		return s
	}
	s := string(b)
	p.strs[s] = s
	return s
}

func (p *npmParser) istr(field string) (string, error) {
	b, err := p.s.strOrNull(field)
	if err != nil {
		return "", err
	}
	return p.intern(b), nil
}

func parseNPM(in Input) (*Inventory, error) {
	p := &npmParser{
		s:           newJSONScanner(in.Path, in.Data),
		lockVersion: -1,
	}
	// A v2/v3 "packages" key starts with "node_modules/ (workspaces and the
	// root add a few): sizing entries and byKey up front saves the copies of
	// append's doubling, which dominated peak memory on large lockfiles.
	// The interned strings (names and versions) are sized the same way, or
	// by the file's size for a v1 lockfile: a fixed large size cost a small
	// lockfile more than the rest of its parse.
	strs := len(in.Data)/256 + 16
	if n := bytes.Count(in.Data, []byte(`"node_modules/`)); n > 0 {
		n += n/8 + 4
		p.entries = make([]npmEntry, 0, n)
		p.byKey = make(map[string]int, n)
		strs = n
	}
	p.strs = make(map[string]string, strs)
	if err := p.read(); err != nil {
		return nil, err
	}
	return p.build(in), nil
}

// npmNewestVersion is the newest package-lock.json lockfileVersion the
// parser knows (npm 7 to 11 write 2 or 3).
const npmNewestVersion = 3

// unknownVersion is the problem recorded on a lockfile whose format
// version the parser does not know: it was read best-effort, so what it
// holds may have been missed.
func unknownVersion(what string) string {
	return what + " is not a format version depsweep knows (a newer client?): read best-effort, entries may be missed"
}

// read scans the whole document into p.entries.
func (p *npmParser) read() error {
	s := p.s
	if c := s.peek(); c != '{' {
		if c == 0 || c == '"' || c == '[' || c == 'n' || c == 't' || c == 'f' || c == '-' || ('0' <= c && c <= '9') {
			if err := s.skip(); err != nil {
				return err
			}
			return s.errAtPos(0, "not a package-lock.json: the top-level value is not an object")
		}
		return s.unexpected()
	}
	var legacy *jsonScanner // where "dependencies" starts, read only when there is no "packages"
	_, err := s.object(func(key []byte, line int) error {
		var err error
		switch string(key) {
		case "name":
			p.name, err = s.str("name")
		case "version":
			p.version, err = s.str("version")
		case "lockfileVersion":
			p.lockVersion, err = s.intValue()
			p.versionLine = line
		case "packages":
			p.hasPackages = true
			if p.byKey == nil {
				p.byKey = make(map[string]int, 512)
			}
			err = s.members("packages", p.packageEntry)
		case "dependencies":
			save := *s
			legacy = &save
			err = s.skip()
		default:
			err = s.skip()
		}
		return err
	})
	if err != nil {
		return err
	}
	if err := s.end(); err != nil {
		return err
	}
	if !p.hasPackages && legacy != nil {
		// The document is valid, so re-reading this part cannot fail on
		// syntax; it runs with the position and line saved above.
		legacy.scratch = nil
		p.s = legacy
		defer func() { p.s = s }()
		return p.v1Deps("")
	}
	return nil
}

// packageEntry reads one member of "packages" (v2, v3).
func (p *npmParser) packageEntry(key []byte, line int) error {
	s := p.s
	e := npmEntry{path: string(key), line: line}
	err := s.members("package entry", func(k []byte, _ int) error {
		if done, err := p.sharedField(&e, k); done {
			return err
		}
		var err error
		switch string(k) {
		case "name":
			e.name, err = p.istr("name")
		case "link":
			e.link, err = s.boolish()
		case "devOptional":
			e.devOpt, err = s.boolish()
		case "inBundle":
			e.bundled, err = s.boolish()
		case "peer":
			e.peer, err = s.boolish()
		case "dependencies":
			err = p.depMap(&e.deps, DepProd)
		case "devDependencies":
			err = p.depMap(&e.deps, DepDev)
		case "optionalDependencies":
			err = p.depMap(&e.deps, DepOptional)
		case "peerDependencies":
			err = p.depMap(&e.deps, DepPeer)
		case "workspaces":
			if e.path == "" {
				e.workspaces, err = p.workspaceGlobs()
			} else {
				err = s.skip()
			}
		default:
			err = s.skip()
		}
		return err
	})
	if err != nil {
		return err
	}
	if i, dup := p.byKey[e.path]; dup {
		p.entries[i] = e
		return nil
	}
	p.byKey[e.path] = len(p.entries)
	p.entries = append(p.entries, e)
	return nil
}

// sharedField reads field k of an entry when it is one that v1
// "dependencies" entries and v2/v3 "packages" entries write alike (version,
// resolved, integrity, dev, optional); done is false for any other field,
// which the caller reads. The fields of every entry come first, so that the
// common ones take one short switch.
func (p *npmParser) sharedField(e *npmEntry, k []byte) (done bool, err error) {
	s := p.s
	switch string(k) {
	case "version":
		e.version, err = p.istr("version")
	case "resolved":
		e.resolved, err = s.str("resolved")
	case "integrity":
		e.integrity, err = s.str("integrity")
	case "dev":
		e.dev, err = s.boolish()
	case "optional":
		e.optional, err = s.boolish()
	default:
		return false, nil
	}
	return true, err
}

// depMap reads a name → spec object, keeping the names. Any other value is
// skipped: these maps are not what depsweep matches on, and npm has written
// odd shapes here over the years.
func (p *npmParser) depMap(deps *[]npmDep, typ DepType) error {
	s := p.s
	ok, err := s.object(func(k []byte, _ int) error {
		*deps = append(*deps, npmDep{name: p.intern(k), typ: typ})
		return s.skip()
	})
	if err == nil && !ok {
		err = s.skip()
	}
	return err
}

// workspaceGlobs reads the root's "workspaces": an array of globs or
// {"packages": [...]}.
func (p *npmParser) workspaceGlobs() ([]string, error) {
	s := p.s
	var out []string
	elem := func() error {
		if s.peek() != '"' {
			return s.skip()
		}
		g, err := s.str("workspaces")
		out = append(out, g)
		return err
	}
	switch s.peek() {
	case '[':
		return out, s.array(elem)
	case '{':
		_, err := s.object(func(k []byte, _ int) error {
			if string(k) == "packages" && s.peek() == '[' {
				return s.array(elem)
			}
			return s.skip()
		})
		return out, err
	}
	return nil, s.skip()
}

// v1Deps reads a v1 "dependencies" object whose entries are installed under
// parent (an install path, "" for the root).
func (p *npmParser) v1Deps(parent string) error {
	s := p.s
	return s.members("dependencies", func(key []byte, line int) error {
		name := string(key)
		var e npmEntry
		if parent == "" {
			e.path = "node_modules/" + name
		} else {
			e.path = parent + "/node_modules/" + name
		}
		e.line = line
		idx := len(p.entries)
		p.entries = append(p.entries, npmEntry{}) // placeholder: keeps pre-order; nested entries follow
		err := s.members("dependency entry", func(k []byte, _ int) error {
			if done, err := p.sharedField(&e, k); done {
				return err
			}
			var err error
			switch string(k) {
			case "bundled":
				e.bundled, err = s.boolish()
			case "requires":
				err = p.depMap(&e.deps, DepProd)
			case "dependencies":
				err = p.v1Deps(e.path)
			default:
				err = s.skip()
			}
			return err
		})
		p.entries[idx] = e
		// Entries nested under this one (they follow it) are reached only
		// through it: a dev or optional parent makes them dev or optional
		// even where the entry itself does not say so.
		if e.dev || e.optional {
			for i := idx + 1; i < len(p.entries); i++ {
				p.entries[i].dev = p.entries[i].dev || e.dev
				p.entries[i].optional = p.entries[i].optional || e.optional
			}
		}
		return err
	})
}

// npmInstallName returns the package name an install path ends in
// ("node_modules/@s/a" → "@s/a"), and false when the path is not an install
// location (the root, a workspace or a link target directory).
func npmInstallName(p string) (string, bool) {
	i := strings.LastIndex(p, "node_modules/")
	if i < 0 || (i > 0 && p[i-1] != '/') {
		return "", false
	}
	rest := p[i+len("node_modules/"):]
	if rest == "" {
		return "", false
	}
	if rest[0] == '@' {
		scope, name, ok := strings.Cut(rest, "/")
		if !ok || len(scope) < 2 || name == "" || strings.Contains(name, "/") {
			return "", false
		}
		return rest, true
	}
	if strings.Contains(rest, "/") {
		return "", false
	}
	return rest, true
}

// validNPMName reports whether n can be a package name: "name" or
// "@scope/name", no path tricks, no spaces or control characters. It is
// looser than the registry's rules so that legacy names still pass.
func validNPMName(n string) bool {
	if n == "" || len(n) > 214 {
		return false
	}
	local := n
	if n[0] == '@' {
		scope, rest, ok := strings.Cut(n[1:], "/")
		if !ok || scope == "" || rest == "" || scope[0] == '.' {
			return false
		}
		if !validNameChars(scope) {
			return false
		}
		local = rest
	}
	return local[0] != '.' && validNameChars(local)
}

func validNameChars(s string) bool {
	for i := 0; i < len(s); i++ {
		if c := s[i]; c <= ' ' || c == 0x7f || c == '/' || c == '\\' {
			return false
		}
	}
	return true
}

// ResolvedSource classifies an npm "resolved" string, as package-lock.json
// and installed manifests (_resolved) write it: git for the git forms npm
// accepts (git+…, git:, git@, ssh:, and the github:, gitlab:, bitbucket:
// and gist: shortcuts), file: and link: for local directories, registry for
// an http(s) URL with a registry's tarball layout (<registry>/<name>/-/<file>),
// tarball for any other URL, and unknown for "" and anything else.
func ResolvedSource(resolved string) Source {
	switch {
	case resolved == "":
		return SourceUnknown
	case npmHasPrefix(resolved, "git+", "git:", "git@", "ssh:", "github:", "gitlab:", "bitbucket:", "gist:"):
		return SourceGit
	case strings.HasPrefix(resolved, "file:"):
		return SourceFile
	case strings.HasPrefix(resolved, "link:"):
		return SourceLink
	case npmHasPrefix(resolved, "http://", "https://"):
		// Registries (the public one, mirrors, Verdaccio, Artifactory...)
		// serve tarballs at <registry>/<name>/-/<file>.tgz; any other URL is
		// a plain tarball somebody pointed the dependency at.
		rest := resolved[strings.Index(resolved, "://")+3:]
		if i := strings.IndexByte(rest, '/'); i >= 0 && strings.Contains(rest[i:], "/-/") {
			return SourceRegistry
		}
		return SourceTarball
	}
	return SourceUnknown
}

func npmHasPrefix(s string, prefixes ...string) bool {
	for _, p := range prefixes {
		if strings.HasPrefix(s, p) {
			return true
		}
	}
	return false
}

// v1Version interprets a v1 "version" field, which holds the version for
// registry packages but the spec itself for aliases, git, file and URL
// dependencies. It returns the real name for aliases ("" otherwise), the
// version to record, the source, and the locator when the version field is one.
func v1Version(v string) (realName, version string, src Source, locator string) {
	switch {
	case strings.HasPrefix(v, "npm:"):
		spec := v[len("npm:"):]
		at := strings.LastIndexByte(spec, '@')
		if at <= 0 { // "npm:name" or "npm:@scope/name" without a version
			return spec, "", SourceUnknown, ""
		}
		return spec[:at], spec[at+1:], SourceUnknown, ""
	case ResolvedSource(v) == SourceGit:
		// The commit is what a git dependency pins; the URL stays in Resolved.
		_, commit, _ := strings.Cut(v, "#")
		return "", commit, SourceGit, v
	case strings.HasPrefix(v, "file:"):
		return "", "", SourceFile, v
	case npmHasPrefix(v, "http://", "https://"):
		// The dependency was declared by URL: a tarball, even when the URL
		// has a registry's layout.
		return "", "", SourceTarball, v
	}
	return "", v, SourceUnknown, ""
}

// npmWorkspace reports whether dir matches one of the workspace globs.
func npmWorkspace(globs []string, dir string) bool {
	for _, g := range globs {
		g = strings.TrimSuffix(strings.TrimPrefix(g, "./"), "/")
		if pre, ok := strings.CutSuffix(g, "/**"); ok {
			if strings.HasPrefix(dir, pre+"/") {
				return true
			}
			continue
		}
		if ok, _ := path.Match(strings.ReplaceAll(g, "**", "*"), dir); ok {
			return true
		}
	}
	return false
}

// lookup resolves a dependency name the way Node.js does: the nearest
// node_modules/<name> walking up from the dependent's directory from. It
// does not climb above the project directory, nor above the ".." prefix of a
// link target outside the project.
func (p *npmParser) lookup(byPath map[string]int, from, name string) (int, bool) {
	d := from
	for {
		p.buf = p.buf[:0]
		if d != "" {
			p.buf = append(p.buf, d...)
			p.buf = append(p.buf, '/')
		}
		p.buf = append(p.buf, "node_modules/"...)
		p.buf = append(p.buf, name...)
		if i, ok := byPath[string(p.buf)]; ok {
			return i, true
		}
		if d == "" || d == ".." || strings.HasSuffix(d, "/..") {
			return 0, false
		}
		// Step to the parent package: from ".../node_modules/a" or
		// ".../node_modules/@s/a" to "...", else to the parent directory.
		if _, ok := npmInstallName(d); ok {
			d = strings.TrimSuffix(d[:strings.LastIndex(d, "node_modules/")], "/")
			continue
		}
		if d = path.Dir(d); d == "." {
			d = ""
		}
	}
}

// build turns the entries into an Inventory.
func (p *npmParser) build(in Input) *Inventory {
	inv := &Inventory{}
	ver := p.lockVersion
	if ver < 0 {
		ver = 1
		if p.hasPackages {
			ver = 3
		}
	}
	inv.Format = fmt.Sprintf("npm-v%d", ver)
	if ver > npmNewestVersion || ver < 1 {
		inv.Problems = append(inv.Problems, Problem{Line: p.versionLine, Msg: unknownVersion(fmt.Sprintf("lockfileVersion %d", ver))})
	}

	root := Importer{Path: ".", Name: p.name, Version: p.version}
	var rootEntry *npmEntry
	if i, ok := p.byKey[""]; ok && p.hasPackages {
		rootEntry = &p.entries[i]
		if rootEntry.name != "" {
			root.Name = rootEntry.name
		}
		if rootEntry.version != "" {
			root.Version = rootEntry.version
		}
	}
	var manifest *Manifest
	if in.Project != nil {
		m, err := in.manifest(".")
		switch {
		case err == nil:
			manifest = m
			if m.Name != "" {
				root.Name = m.Name
			}
			if m.Version != "" {
				root.Version = m.Version
			}
		case !errors.Is(err, fs.ErrNotExist):
			inv.Problems = append(inv.Problems, Problem{Msg: "package.json of the project could not be read; root name and dependencies taken from the lockfile"})
		}
	}
	var globs []string
	switch {
	case rootEntry != nil:
		globs = rootEntry.workspaces
	case manifest != nil:
		globs = manifest.Workspaces
	}

	// Packages and project directories.
	byPath := make(map[string]int, len(p.entries))
	pkgEntry := make([]int32, 0, len(p.entries)) // package index → entry index
	type dirEntry struct{ imp, entry int }
	var dirs []dirEntry
	inv.Importers = append(inv.Importers, root)
	inv.Packages = make([]Package, 0, len(p.entries))
	for ei := range p.entries {
		e := &p.entries[ei]
		if p.hasPackages && e.path == "" {
			continue
		}
		keyName, install := npmInstallName(e.path)
		if !install {
			if p.hasPackages {
				dirs = append(dirs, dirEntry{len(inv.Importers), ei})
				inv.Importers = append(inv.Importers, Importer{Path: e.path, Name: e.name, Version: e.version})
			} else {
				inv.Problems = append(inv.Problems, Problem{Line: e.line, Msg: "skipped a dependency entry with an invalid name"})
			}
			continue
		}
		pkg := Package{
			Name:      keyName,
			Version:   e.version,
			Resolved:  e.resolved,
			Integrity: e.integrity,
			Dev:       e.dev,
			Optional:  e.optional || e.devOpt, // devOptional: optional, and dev only on some paths, so not dev
			Peer:      e.peer,
			Bundled:   e.bundled,
			Paths:     []string{e.path},
			Line:      e.line,
		}
		if e.name != "" && e.name != keyName {
			pkg.Name, pkg.Alias = e.name, keyName
		}
		switch {
		case !p.hasPackages:
			realName, version, src, locator := v1Version(e.version)
			if realName != "" {
				pkg.Name, pkg.Alias = realName, keyName
			}
			pkg.Version = version
			if src == SourceUnknown {
				src = ResolvedSource(e.resolved)
			}
			pkg.Source = src
			if pkg.Resolved == "" {
				pkg.Resolved = locator
			}
		case e.link:
			pkg.Source = SourceLink
			if npmWorkspace(globs, e.resolved) {
				pkg.Source = SourceWorkspace
			}
			if ti, ok := p.byKey[e.resolved]; ok {
				t := &p.entries[ti]
				pkg.Version = t.version
				if t.name != "" && t.name != keyName {
					pkg.Name, pkg.Alias = t.name, keyName
				}
				// npm records a link's scope on its target's entry
				// ("deps/etag": {"dev": true}), not on node_modules/<name>.
				pkg.Dev = pkg.Dev || t.dev
				pkg.Optional = pkg.Optional || t.optional || t.devOpt
			}
		default:
			pkg.Source = ResolvedSource(e.resolved)
		}
		switch {
		case !validNPMName(pkg.Name):
			inv.Problems = append(inv.Problems, Problem{Line: e.line, Msg: "skipped a package entry with an invalid name"})
			continue
		case pkg.Version == "" && pkg.Source.FromRegistry():
			inv.Problems = append(inv.Problems, Problem{Line: e.line, Msg: "skipped a package entry with no version"})
			continue
		}
		byPath[e.path] = len(inv.Packages)
		inv.Packages = append(inv.Packages, pkg)
		pkgEntry = append(pkgEntry, int32(ei))
	}

	// Package → package edges.
	required := make([]bool, len(inv.Packages))
	for pi, ei := range pkgEntry {
		e := &p.entries[ei]
		from, deps := e.path, e.deps
		if e.link && p.hasPackages {
			// A link has no dependencies of its own: they are its target's,
			// resolved from the target directory. A dependent never needs
			// the target's devDependencies.
			deps = nil
			if ti, ok := p.byKey[e.resolved]; ok {
				from = e.resolved
				for _, d := range p.entries[ti].deps {
					if d.typ != DepDev {
						deps = append(deps, d)
					}
				}
			}
		}
		for _, d := range deps {
			to, ok := p.lookup(byPath, from, d.name)
			if !ok || to == pi {
				continue
			}
			inv.Edges = append(inv.Edges, Edge{From: pi, To: to, Type: d.typ})
			required[to] = true
		}
	}

	// Importer dependencies.
	r := &inv.Importers[0]
	switch {
	case rootEntry != nil:
		r.Deps = p.importerDeps(byPath, "", rootEntry.deps)
	case manifest != nil:
		var deps []npmDep
		m := manifest.Deps()
		for n, t := range m {
			deps = append(deps, npmDep{n, t})
		}
		sort.Slice(deps, func(i, j int) bool { return deps[i].name < deps[j].name })
		r.Deps = p.importerDeps(byPath, "", deps)
	default:
		// Neither the lockfile (v1, hidden lockfile) nor a package.json says
		// what the root depends on: take the top-level packages that no
		// other package requires.
		for i := range inv.Packages {
			pk := &inv.Packages[i]
			if required[i] || strings.Count(pk.Paths[0], "node_modules/") != 1 || !strings.HasPrefix(pk.Paths[0], "node_modules/") {
				continue
			}
			t := DepProd
			switch {
			case pk.Dev:
				t = DepDev
			case pk.Optional:
				t = DepOptional
			}
			r.Deps = append(r.Deps, Dep{To: i, Type: t})
		}
	}
	linkName := map[string]string{} // link target → the name it is linked under
	for _, ei := range pkgEntry {
		if e := &p.entries[ei]; e.link {
			if name, ok := npmInstallName(e.path); ok && linkName[e.resolved] == "" {
				linkName[e.resolved] = name
			}
		}
	}
	for _, d := range dirs {
		e := &p.entries[d.entry]
		imp := &inv.Importers[d.imp]
		if imp.Name == "" {
			// npm omits "name" when it equals the directory name; the link
			// that points here is installed under the package's name.
			imp.Name = linkName[e.path]
		}
		imp.Deps = p.importerDeps(byPath, e.path, e.deps)
	}
	// A link that the root declares only as a devDependency and that no
	// package or other project requires is dev, whatever its target says.
	if p.hasPackages {
		for _, d := range inv.Importers[0].Deps {
			pk := &inv.Packages[d.To]
			if d.Type != DepDev || required[d.To] || pk.Source != SourceLink || pk.Dev {
				continue
			}
			other := false
			for _, imp := range inv.Importers[1:] {
				other = other || slices.ContainsFunc(imp.Deps, func(x Dep) bool { return x.To == d.To })
			}
			pk.Dev = !other
		}
	}
	return inv
}

// importerDeps resolves a project's declared dependencies. A name declared
// under several types keeps the strongest (prod, optional, peer, dev), as
// npm installs it once.
func (p *npmParser) importerDeps(byPath map[string]int, dir string, deps []npmDep) []Dep {
	rank := func(t DepType) int {
		switch t {
		case DepProd:
			return 3
		case DepOptional:
			return 2
		case DepPeer:
			return 1
		}
		return 0
	}
	var out []Dep
next:
	for _, d := range deps {
		to, ok := p.lookup(byPath, dir, d.name)
		if !ok {
			continue
		}
		for k := range out {
			if out[k].To == to {
				if rank(d.typ) > rank(out[k].Type) {
					out[k].Type = d.typ
				}
				continue next
			}
		}
		out = append(out, Dep{To: to, Type: d.typ})
	}
	return out
}
