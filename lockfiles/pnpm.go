package lockfiles

import (
	"bytes"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
)

// pnpm-lock.yaml
//
// The formats this parser reads, by lockfileVersion:
//
//   - 5.x: package keys are dependency paths "/name/1.2.3" and
//     "/@scope/name/1.2.3_peer@1+@scope+peer@2"; importers list
//     "name: version" with a separate "specifiers" map.
//   - 5.4-inlineSpecifiers: 5.x keys; importers list
//     "name: {specifier, version}" as nested mappings.
//   - 6.x: keys "/name@1.2.3(peer@1)(@scope/peer@2)".
//   - 7.0: 6.x keys, split into "packages" (resolution) and "snapshots"
//     (dependencies, dev flags).
//   - 9.0: keys without the leading slash; "packages" holds one entry per
//     name@version, "snapshots" one per peer variant with its dependencies;
//     dev is not recorded.
//
// pnpm 11 writes several YAML documents in one file: first the package
// manager's own lockfile (configDependencies, packageManagerDependencies),
// then the project's. Both are read into one Inventory.
//
// One Package is kept per name@version (per dependency path without its peer
// and patch suffix): peer variants of the same package are the same code,
// and findings and SBOMs want one entry per package, not one per variant.
// Edges between variants are merged onto those packages.

// pnpmEntry is one entry of "packages" or "snapshots", read line by line.
type pnpmEntry struct {
	key      string
	line     int
	snapshot bool // from "snapshots"
	name     string
	version  string
	res      pnpmResolution
	dev      int8 // 0: not recorded, 1: dev: true, 2: dev: false
	optional bool
	patched  bool
	skip     bool // a problem was reported; drop the entry
}

type pnpmResolution struct {
	integrity, tarball, typ, repo, commit, directory, path string
	gitHosted                                              bool
	set                                                    bool
}

// pnpmMeta is what the parser accumulates per package over its variants.
type pnpmMeta struct {
	fromPackages bool // Line comes from a "packages" entry
	devTrue      bool // some variant records dev: true
	devOther     bool // some variant records dev: false, or is recorded without dev
	optTrue      bool
	optOther     bool
	patchHash    string
	patched      bool
}

type pnpmDep struct {
	from     int // package index, or importer index when importer is true
	importer bool
	name     string
	ref      string
	typ      DepType
	line     int
}

type pnpmParser struct {
	in  Input
	inv *Inventory

	version    string // lockfileVersion of the current document
	v5         bool   // the current document uses 5.x dependency paths
	major      int
	anyVersion bool
	recordsDev bool

	byKey     map[string]int // base dependency path → package index
	meta      []pnpmMeta
	importers map[string]int
	deps      []pnpmDep // of the current document, resolved at its end
	patches   map[string]string

	entry    pnpmEntry
	inEntry  bool
	firstCol int
	firstLn  int
}

func parsePnpm(in Input) (*Inventory, error) {
	p := &pnpmParser{
		in:        in,
		inv:       &Inventory{Path: in.Path, Format: "pnpm"},
		byKey:     make(map[string]int, len(in.Data)/400),
		importers: map[string]int{".": 0},
		patches:   map[string]string{},
	}
	p.inv.Importers = []Importer{{Path: "."}}
	// Every dependency line is indented six spaces or more: their count
	// bounds the dependencies, which then need no regrowth.
	p.deps = make([]pnpmDep, 0, bytes.Count(in.Data, []byte("\n      "))+1)
	p.inv.Packages = make([]Package, 0, len(in.Data)/400)
	p.meta = make([]pnpmMeta, 0, len(in.Data)/400)
	if err := p.run(); err != nil {
		return nil, err
	}
	return p.inv, nil
}

func (p *pnpmParser) problem(line, col int, msg string) {
	if p.firstLn == 0 {
		p.firstLn, p.firstCol = line, col
	}
	p.inv.Problems = append(p.inv.Problems, Problem{Line: line, Msg: msg})
}

type pnpmFrame struct {
	indent int
	key    string
}

func (p *pnpmParser) run() error {
	sc := newYAMLScanner(string(p.in.Data), func(line, col int, msg string) { p.problem(line, col, msg) })
	stack := make([]pnpmFrame, 0, 8)
	firstContent := 0
	var shape yamlShape
	for {
		nprob := len(p.inv.Problems)
		l, ok := sc.next()
		if !ok {
			break
		}
		if firstContent == 0 {
			firstContent = l.Num
		}
		if len(p.inv.Problems) != nprob {
			shape = yamlShape{} // a skipped line: what follows cannot be judged against it
		}
		if col, msg := shape.check(&l); msg != "" {
			return &ParseError{Path: p.in.Path, Line: l.Num, Col: col, Err: errors.New(msg)}
		}
		if l.DocSep {
			p.endDocument()
			stack = stack[:0]
			continue
		}
		top := l.Indent
		if l.Dash >= 0 {
			top = l.Dash
		}
		for len(stack) > 0 && stack[len(stack)-1].indent >= top {
			stack = stack[:len(stack)-1]
		}
		if l.Dash >= 0 {
			stack = append(stack, pnpmFrame{indent: l.Dash, key: "-"})
		}
		if !l.HasKey {
			continue // sequence items and scalar continuations carry nothing we read
		}
		p.line(stack, &l)
		stack = append(stack, pnpmFrame{indent: l.Indent, key: l.Key})
	}
	p.endDocument()
	p.finish()
	if !p.anyVersion && len(p.inv.Packages) == 0 {
		line, col := p.firstLn, p.firstCol
		if line == 0 {
			line, col = max(firstContent, 1), 1
		}
		return &ParseError{Path: p.in.Path, Line: line, Col: col, Err: errors.New("not a pnpm lockfile: no lockfileVersion")}
	}
	return nil
}

// line handles one keyed line; stack holds its ancestors' keys.
func (p *pnpmParser) line(stack []pnpmFrame, l *yamlLine) {
	depth := len(stack)
	if depth == 0 {
		p.endEntry()
		if l.Key == "lockfileVersion" {
			p.setVersion(l)
		}
		return
	}
	section := stack[0].key
	if stack[0].indent != 0 {
		return
	}
	switch section {
	case "packages", "snapshots":
		p.packageLine(stack, l, section == "snapshots")
	case "importers":
		p.importerLine(stack[1:], l)
	case "dependencies", "devDependencies", "optionalDependencies":
		// A single-project lockfile: the root importer's deps at top level.
		p.importerLine(append([]pnpmFrame{{key: "."}}, stack...), l)
	case "patchedDependencies":
		switch {
		case depth == 1 && l.Value != "":
			p.patches[l.Key] = l.Value // 9.0: name@version: hash
		case depth == 2 && (l.Key == "path" || l.Key == "hash") && l.Value != "":
			if l.Key == "path" || p.patches[stack[1].key] == "" {
				p.patches[stack[1].key] = l.Value
			}
		}
	}
}

func (p *pnpmParser) setVersion(l *yamlLine) {
	v := l.Value
	p.version, p.anyVersion = v, true
	p.inv.Format = "pnpm-" + v
	n := 0
	for n < len(v) && v[n] >= '0' && v[n] <= '9' {
		n++
	}
	p.major, _ = strconv.Atoi(v[:n])
	if n == 0 {
		p.problem(l.Num, l.Indent+1, "lockfileVersion is not a number")
		p.major = 9
	}
	p.v5 = p.major < 6
	if n > 0 && !pnpmKnownVersion(v) {
		p.problem(l.Num, l.Indent+1, unknownVersion("lockfileVersion '"+v+"'"))
	}
}

// pnpmKnownVersion reports whether v is a lockfileVersion pnpm has written
// and the parser knows: 5.x (pnpm 5 to 7; 5.4-inlineSpecifiers with
// use-inline-specifiers-lockfile-format), 6.0 and 6.1 (pnpm 8), 7.0 (a pnpm 8
// pre-release format) and 9.0 (pnpm 9 and 10).
func pnpmKnownVersion(v string) bool {
	switch v {
	case "5", "5.0", "5.1", "5.2", "5.3", "5.4", "5.4-inlineSpecifiers", "6.0", "6.1", "7.0", "9.0":
		return true
	}
	return false
}

func (p *pnpmParser) packageLine(stack []pnpmFrame, l *yamlLine, snapshot bool) {
	switch len(stack) {
	case 1:
		p.endEntry()
		p.entry = pnpmEntry{key: l.Key, line: l.Num, snapshot: snapshot}
		p.inEntry = true
		if l.Flow {
			flowPairs(l.Value, func(k, v string) bool { p.entryField(k, v, true, l); return true })
		} else if l.Value != "" {
			p.problem(l.Num, l.Indent+1, "package entry is not a mapping")
			p.entry.skip = true
		}
	case 2:
		if p.inEntry {
			p.entryField(l.Key, l.Value, l.Flow, l)
		}
	case 3:
		if !p.inEntry {
			return
		}
		switch stack[2].key {
		case "resolution":
			p.entry.res.field(l.Key, l.Value)
		case "dependencies", "optionalDependencies":
			p.entryDep(stack[2].key, l.Key, l.Value, l.Num)
		}
	}
}

// entryField handles one field of a package entry.
func (p *pnpmParser) entryField(k, v string, flow bool, l *yamlLine) {
	e := &p.entry
	switch k {
	case "resolution":
		if flow {
			flowPairs(v, func(k, v string) bool { e.res.field(k, v); return true })
		}
		e.res.set = true
	case "name":
		e.name = v
	case "version":
		e.version = v
	case "dev":
		p.recordsDev = true
		switch v {
		case "true":
			e.dev = 1
		case "false":
			e.dev = 2
		}
	case "optional":
		e.optional = v == "true"
	case "patched":
		e.patched = v == "true"
	case "dependencies", "optionalDependencies":
		if flow {
			flowPairs(v, func(dk, dv string) bool { p.entryDep(k, dk, dv, l.Num); return true })
		}
	}
}

func (p *pnpmParser) entryDep(section, name, ref string, line int) {
	typ := DepProd
	if section == "optionalDependencies" {
		typ = DepOptional
	}
	if name == "" || ref == "" {
		return
	}
	// The package index is not known before the entry ends: from = -1 marks
	// "the current entry" and endEntry fills it in.
	p.deps = append(p.deps, pnpmDep{from: -1, name: name, ref: ref, typ: typ, line: line})
}

func (r *pnpmResolution) field(k, v string) {
	r.set = true
	switch k {
	case "integrity":
		r.integrity = v
	case "tarball":
		r.tarball = v
	case "type":
		r.typ = v
	case "repo":
		r.repo = v
	case "commit":
		r.commit = v
	case "directory":
		r.directory = v
	case "path":
		r.path = v
	case "gitHosted":
		r.gitHosted = v == "true"
	}
}

func (p *pnpmParser) importerLine(stack []pnpmFrame, l *yamlLine) {
	p.endEntry()
	// stack[0] is the importer path, stack[1] the dependency section,
	// stack[2] the dependency name.
	if len(stack) == 0 {
		p.importer(l.Key)
		return
	}
	if len(stack) == 1 || len(stack) > 3 {
		return // the importer's sections, or deeper than a dependency's fields
	}
	typ, ok := importerDepType(stack[1].key)
	if !ok {
		return
	}
	var name, ref string
	switch len(stack) {
	case 2:
		name = l.Key
		if l.Flow { // name: {specifier: x, version: y}
			flowPairs(l.Value, func(k, v string) bool {
				if k == "version" {
					ref = v
				}
				return true
			})
		} else { // 5.x: name: version
			ref = l.Value
		}
	case 3:
		if l.Key != "version" {
			return
		}
		name, ref = stack[2].key, l.Value
	}
	if ref == "" {
		return
	}
	p.deps = append(p.deps, pnpmDep{from: p.importer(stack[0].key), importer: true, name: name, ref: ref, typ: typ, line: l.Num})
}

// importerDepType maps an importer's dependency section to a DepType.
// pnpm 11's package-manager document lists the package manager itself and
// its config dependencies: tooling, never shipped with the project, so they
// count as dev.
func importerDepType(section string) (DepType, bool) {
	switch section {
	case "dependencies":
		return DepProd, true
	case "devDependencies", "configDependencies", "packageManagerDependencies":
		return DepDev, true
	case "optionalDependencies":
		return DepOptional, true
	}
	return 0, false
}

func (p *pnpmParser) importer(rel string) int {
	if i, ok := p.importers[rel]; ok {
		return i
	}
	p.inv.Importers = append(p.inv.Importers, Importer{Path: rel})
	i := len(p.inv.Importers) - 1
	p.importers[rel] = i
	return i
}

// splitKey returns a dependency path's base (without peer and patch
// suffixes, normalised so that the same package has the same base in every
// section), and the name and version it encodes ("" when it encodes none).
func (p *pnpmParser) splitKey(key string) (base, name, version string) {
	if p.v5 {
		// "/name/1.2.3_peer@1", "/@scope/name/1.2.3", "github.com/a/b/sha_patch".
		j := strings.LastIndexByte(key, '/')
		if j < 0 {
			return key, "", ""
		}
		ver := key[j+1:]
		if u := strings.IndexByte(ver, '_'); u >= 0 {
			ver = ver[:u]
			base = key[:j+1] + ver
		} else {
			base = key
		}
		name, version = pnpmV5NameVersion(key)
		return base, name, version
	}
	// "/name@1.2.3(peer@1)" (6.x, 7.0) or "name@1.2.3(peer@1)" (9.0).
	k := strings.TrimPrefix(key, "/")
	if i := strings.IndexByte(k, '('); i > 0 {
		k = k[:i]
	}
	if name, version, ok := splitDescriptor(k); ok {
		return k, name, version
	}
	return k, "", ""
}

// keyBase is [pnpmParser.splitKey]'s base alone: the key that byKey
// holds. Dependency references are resolved with it, without reading name
// and version (which would make the probe strings escape to the heap).
func (p *pnpmParser) keyBase(key string) string {
	if p.v5 {
		j := strings.LastIndexByte(key, '/')
		if j < 0 {
			return key
		}
		if u := strings.IndexByte(key[j+1:], '_'); u >= 0 {
			return key[:j+1+u]
		}
		return key
	}
	k := strings.TrimPrefix(key, "/")
	if i := strings.IndexByte(k, '('); i > 0 {
		k = k[:i]
	}
	return k
}

// pnpmV5NameVersion reads a pnpm 5.x dependency path as pnpm's own
// dependency-path parser does: "/name/1.2.3", "/@scope/name/1.2.3", or the
// same after a registry host instead of the leading slash
// ("registry.example.com/foo/1.1.0", "127.0.0.1+4873/@foo/bar/1.1.0"), each
// with an optional "_peers" suffix. The version must be a semantic version;
// other paths (git hosts, tarball URLs) encode no name and version.
func pnpmV5NameVersion(key string) (name, version string) {
	rest := key
	if strings.HasPrefix(rest, "/") {
		rest = rest[1:]
	} else {
		_, after, ok := strings.Cut(rest, "/") // the registry host
		if !ok {
			return "", ""
		}
		rest = after
	}
	n := strings.IndexByte(rest, '/')
	if n < 0 {
		return "", ""
	}
	if rest[0] == '@' {
		m := strings.IndexByte(rest[n+1:], '/')
		if m < 0 {
			return "", ""
		}
		n += 1 + m
	}
	name, version = rest[:n], rest[n+1:]
	if u := strings.IndexByte(version, '_'); u >= 0 {
		version = version[:u]
	}
	if !isSemver(version) {
		return "", ""
	}
	return name, version
}

// isSemver reports whether v is a semantic version as node-semver's valid()
// accepts it (a leading "v" or "=" allowed): MAJOR.MINOR.PATCH with optional
// "-prerelease" and "+build" parts.
func isSemver(v string) bool {
	v = strings.TrimLeft(v, "v=")
	core, build, hasBuild := strings.Cut(v, "+")
	if hasBuild && !SemverIdents(build, false) {
		return false
	}
	core, pre, hasPre := strings.Cut(core, "-")
	if hasPre && !SemverIdents(pre, true) {
		return false
	}
	for i := 0; i < 3; i++ {
		n := core
		if j := strings.IndexByte(core, '.'); j >= 0 && i < 2 {
			n, core = core[:j], core[j+1:]
		} else if i < 2 {
			return false
		}
		if n == "" || (len(n) > 1 && n[0] == '0') || strings.Trim(n, "0123456789") != "" {
			return false
		}
	}
	return true
}

// SemverIdents reports whether s is a dot-separated list of non-empty
// [0-9A-Za-z-] identifiers, as a semantic version's prerelease (pre) or
// build part holds; prerelease numeric identifiers have no leading zeros.
func SemverIdents(s string, pre bool) bool {
	if s == "" {
		return false
	}
	for id := range strings.SplitSeq(s, ".") {
		if id == "" {
			return false
		}
		numeric := true
		for i := 0; i < len(id); i++ {
			c := id[i]
			switch {
			case c >= '0' && c <= '9':
			case c >= 'a' && c <= 'z', c >= 'A' && c <= 'Z', c == '-':
				numeric = false
			default:
				return false
			}
		}
		if pre && numeric && len(id) > 1 && id[0] == '0' {
			return false
		}
	}
	return true
}

// patchSuffix returns the patch hash in a dependency path, "" when none.
func patchSuffix(key string) string {
	const marker = "patch_hash="
	i := strings.Index(key, marker)
	if i < 0 {
		return ""
	}
	h := key[i+len(marker):]
	if j := strings.IndexAny(h, ")_("); j >= 0 {
		h = h[:j]
	}
	return h
}

// endEntry turns the current packages/snapshots entry into a package.
func (p *pnpmParser) endEntry() {
	if !p.inEntry {
		return
	}
	p.inEntry = false
	e := &p.entry
	pending := len(p.deps)
	for pending > 0 && p.deps[pending-1].from == -1 {
		pending--
	}
	own := p.deps[pending:]
	if e.skip {
		p.deps = p.deps[:pending]
		return
	}
	base, name, version := p.splitKey(e.key)
	if e.name != "" {
		name = e.name
	}
	src, resolved := pnpmSource(version, &e.res)
	if e.version != "" && !strings.Contains(e.version, ":") {
		version = e.version
	}
	switch {
	case src == SourceRuntime:
		version = strings.TrimPrefix(version, "runtime:")
	case src == SourceGit && strings.Contains(version, "://"):
		if e.res.commit != "" {
			version = e.res.commit
		} else {
			version = version[strings.LastIndexByte(version, '/')+1:]
		}
	}
	if name == "" || (version == "" && src.FromRegistry()) || !validPackageName(name) {
		p.problem(e.line, 3, "cannot read a package name and version from this entry")
		p.deps = p.deps[:pending]
		return
	}
	idx, ok := p.byKey[base]
	if !ok {
		idx = len(p.inv.Packages)
		p.byKey[base] = idx
		p.inv.Packages = append(p.inv.Packages, Package{Name: name, Version: version, Line: e.line})
		p.meta = append(p.meta, pnpmMeta{})
	}
	pkg, m := &p.inv.Packages[idx], &p.meta[idx]
	if !e.snapshot && !m.fromPackages {
		m.fromPackages = true
		pkg.Line = e.line
	}
	if pkg.Source == SourceUnknown && src != SourceUnknown {
		pkg.Source, pkg.Resolved = src, resolved
		if e.res.integrity != "" {
			pkg.Integrity = e.res.integrity
		}
	}
	// Dev and optional as recorded: 5.x and 6.x record them in packages,
	// 7.0 in snapshots (its packages entries carry no dev field).
	if p.major < 7 || e.snapshot {
		switch e.dev {
		case 1:
			m.devTrue = true
		default:
			m.devOther = true
		}
		if e.optional {
			m.optTrue = true
		} else {
			m.optOther = true
		}
	} else if e.optional {
		m.optTrue = true
	}
	if h := patchSuffix(e.key); h != "" {
		m.patchHash = h
	}
	if e.patched {
		m.patched = true
	}
	for i := range own {
		own[i].from = idx
	}
}

// validPackageName rejects names that cannot be npm package names; it is
// deliberately loose (old packages have capitals and odd characters) but
// keeps out keys that are not dependency paths at all.
func validPackageName(n string) bool {
	if n == "" || len(n) > 214 || strings.ContainsAny(n, " \t()") {
		return false
	}
	if n[0] == '@' {
		scope, rest, ok := strings.Cut(n[1:], "/")
		return ok && scope != "" && rest != "" && !strings.Contains(rest, "/")
	}
	return !strings.Contains(n, "/")
}

// pnpmSource derives a package's source and resolved locator from the
// version part of its key and its resolution.
func pnpmSource(version string, r *pnpmResolution) (Source, string) {
	switch {
	case strings.HasPrefix(version, "runtime:") || r.typ == "variations":
		return SourceRuntime, version
	case r.typ == "git":
		loc := r.repo
		if r.commit != "" {
			loc += "#" + r.commit
		}
		return SourceGit, loc
	case r.typ == "directory" || r.directory != "":
		return SourceFile, "file:" + r.directory
	case r.tarball != "":
		t := r.tarball
		switch {
		case r.gitHosted || strings.HasPrefix(t, "https://codeload.github.com/") ||
			strings.HasPrefix(t, "https://gitlab.com/") || strings.HasPrefix(t, "https://bitbucket.org/"):
			return SourceGit, t
		case strings.HasPrefix(t, "file:"):
			return SourceFile, t
		case strings.Contains(t, "/-/"):
			return SourceRegistry, t
		}
		return SourceTarball, t
	case r.integrity != "":
		return SourceRegistry, ""
	case strings.HasPrefix(version, "file:"):
		return SourceFile, version
	case strings.HasPrefix(version, "link:"):
		return SourceLink, version
	case strings.HasPrefix(version, "http:") || strings.HasPrefix(version, "https:"):
		return SourceTarball, version
	case strings.HasPrefix(version, "git"):
		return SourceGit, version
	}
	return SourceUnknown, ""
}

// resolveRef finds the package a dependency reference points at: a version
// ("1.2.3(peer@1)"), a full dependency path (aliases: "/name@1.2.3",
// "name@1.2.3"), or a file:/git locator. It returns -1 when none matches.
func (p *pnpmParser) resolveRef(name, ref string) int {
	if p.v5 {
		cand := ref
		if ref[0] != '/' && !strings.ContainsAny(ref, "/:") {
			cand = "/" + name + "/" + ref
		}
		base := p.keyBase(cand)
		if i, ok := p.byKey[base]; ok {
			return i
		}
		return -1
	}
	if ref[0] != '/' {
		base := p.keyBase(name + "@" + ref)
		if i, ok := p.byKey[base]; ok {
			return i
		}
	}
	base := p.keyBase(ref)
	if i, ok := p.byKey[base]; ok {
		return i
	}
	return -1
}

// endDocument resolves the current document's dependency references.
func (p *pnpmParser) endDocument() {
	p.endEntry()
	for _, d := range p.deps {
		if strings.HasPrefix(d.ref, "link:") {
			continue // a workspace project: an importer of its own, not a package
		}
		to := p.resolveRef(d.name, d.ref)
		if to < 0 {
			p.problem(d.line, 1, fmt.Sprintf("dependency %q is not in packages", d.name))
			continue
		}
		if pk := &p.inv.Packages[to]; pk.Alias == "" && pk.Name != d.name {
			pk.Alias = d.name
		}
		if d.importer {
			imp := &p.inv.Importers[d.from]
			imp.Deps = append(imp.Deps, Dep{To: to, Type: d.typ})
		} else if d.from >= 0 && d.from != to {
			p.inv.Edges = append(p.inv.Edges, Edge{From: d.from, To: to, Type: d.typ})
		}
	}
	p.deps = p.deps[:0]
	p.version, p.v5, p.major = "", false, 0
}

// finish merges variants, applies patches and scopes, and reads the
// importers' manifests.
func (p *pnpmParser) finish() {
	inv := p.inv
	// Edges: one per (from, to); a prod edge beats an optional one.
	slices.SortFunc(inv.Edges, func(a, b Edge) int {
		if a.From != b.From {
			return a.From - b.From
		}
		if a.To != b.To {
			return a.To - b.To
		}
		return int(a.Type) - int(b.Type)
	})
	inv.Edges = slices.CompactFunc(inv.Edges, func(a, b Edge) bool { return a.From == b.From && a.To == b.To })
	for i := range inv.Importers {
		deps := inv.Importers[i].Deps
		slices.SortStableFunc(deps, func(a, b Dep) int { return a.To - b.To })
		inv.Importers[i].Deps = slices.CompactFunc(deps, func(a, b Dep) bool { return a.To == b.To })
	}
	for i := range inv.Packages {
		pk, m := &inv.Packages[i], &p.meta[i]
		if patch, ok := p.patches[pk.Name+"@"+pk.Version]; ok {
			pk.Patch = patch
		} else if patch, ok := p.patches[pk.Name]; ok && (m.patched || m.patchHash != "") {
			pk.Patch = patch
		} else if m.patchHash != "" {
			pk.Patch = m.patchHash
		}
		pk.Optional = m.optTrue && !m.optOther
		if p.recordsDev {
			pk.Dev = m.devTrue && !m.devOther
		}
	}
	if !p.recordsDev {
		inv.ComputeScopes()
	}
	slices.SortStableFunc(inv.Problems, func(a, b Problem) int { return a.Line - b.Line })
	if p.in.Project != nil {
		for i := range inv.Importers {
			imp := &inv.Importers[i]
			if m, err := p.in.manifest(imp.Path); err == nil {
				imp.Name, imp.Version = m.Name, m.Version
			}
		}
	}
}
