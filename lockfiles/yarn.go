package lockfiles

import (
	"errors"
	"io/fs"
	"net/url"
	"path"
	"slices"
	"strconv"
	"strings"
)

// This file reads yarn.lock, both formats:
//
//   - classic (yarn 1, "# yarn lockfile v1"): a YAML-like format where fields
//     are "key value" (`version "1.2.3"`) and blocks end with a colon;
//   - berry (yarn 2 and later, "__metadata:" with "version: N"): a YAML
//     subset where fields are "key: value".
//
// Both are read by one line-oriented pass over the file that splits it into
// entries (a top-level key line listing descriptors, then fields indented by
// two spaces, block items by four and sub-items by six), without regexps and
// without a YAML library: the files are large, the layout is fixed by the
// writers, and a generic YAML parser would cost several times more and lose
// the line numbers. A malformed entry is skipped and recorded in
// Inventory.Problems; the rest of the file is still read.
//
// Kept strings (names, versions, URLs) are substrings of one copy of the
// file, so an Inventory keeps that copy alive while it is referenced.

// yarnEntry is one top-level entry of a yarn.lock as read, before it is
// turned into a package or an importer.
type yarnEntry struct {
	line, col        int
	keyStart, keyEnd int // its descriptors: yarnParser.keys[keyStart:keyEnd]
	depStart, depEnd int // its dependencies: yarnParser.deps[depStart:depEnd]
	version          string
	resolved         string // classic "resolved" URL
	integrity        string // classic "integrity"
	resolution       string // berry "resolution" locator
	checksum         string // berry "checksum"
	bad              bool   // a problem was recorded: skip the entry
}

// yarnDep is one dependency of an entry as written: name and range.
type yarnDep struct {
	name, rng string
	typ       DepType
}

// yarnProblem is a problem with its column, kept for the error returned when
// a file yields nothing usable.
type yarnProblem struct {
	line, col int
	msg       string
}

// yarnParser holds the state of one pass over a yarn.lock.
type yarnParser struct {
	berry       bool
	metaVersion string // berry __metadata version
	metaLine    int    // line of the __metadata version
	inMeta      bool   // the current top-level entry is __metadata
	sawMeta     bool

	entries  []yarnEntry
	keys     []string
	deps     []yarnDep
	problems []yarnProblem

	cur      *yarnEntry // entry being read; nil outside an entry or after a bad key
	skip     bool       // skip indented lines until the next top-level line (already reported)
	block    string     // current field block ("dependencies", "dependenciesMeta", ...), "" when none
	sub      string     // current item block inside dependenciesMeta ("fsevents"), "" when none
	optional []string   // names marked optional by the current entry's dependenciesMeta
}

// yarnBlock names the field blocks whose items are dependencies, and their type.
var yarnDepBlocks = map[string]DepType{
	"dependencies":         DepProd,
	"optionalDependencies": DepOptional,
}

func parseYarn(in Input) (*Inventory, error) {
	s := string(in.Data) // one copy; every kept string is a substring of it
	s = strings.TrimPrefix(s, "\ufeff")
	p := newYarnParser(s)
	p.read(s)
	inv := &Inventory{Path: in.Path}
	if p.berry {
		inv.Format = "yarn-berry"
		if yarnDigits(p.metaVersion) {
			inv.Format = "yarn-berry-v" + p.metaVersion
			if n, err := strconv.Atoi(p.metaVersion); err != nil || n > yarnBerryNewestVersion {
				p.problems = append(p.problems, yarnProblem{line: p.metaLine, col: 3,
					msg: unknownVersion("__metadata version " + p.metaVersion)})
			}
		} else {
			p.problems = append(p.problems, yarnProblem{line: 1, col: 1, msg: "__metadata has no numeric version"})
		}
	} else {
		inv.Format = "yarn-v1"
	}
	b := yarnBuilder{p: p, inv: inv, project: in}
	b.build()
	for _, pr := range p.problems {
		inv.Problems = append(inv.Problems, Problem{Line: pr.line, Msg: pr.msg})
	}
	if len(inv.Packages) == 0 && b.workspaces == 0 && len(p.problems) > 0 {
		// Nothing usable: a junk file, not an empty lockfile. Name the first
		// problem's position.
		pr := p.problems[0]
		msg := "not a yarn.lock: " + pr.msg
		if p.berry || len(p.entries) > 0 {
			msg = "no usable entry: " + pr.msg
		}
		return nil, &ParseError{Path: in.Path, Line: pr.line, Col: pr.col, Err: errors.New(msg)}
	}
	inv.ComputeScopes()
	return inv, nil
}

// yarnBerryNewestVersion is the newest berry __metadata version the parser
// knows (yarn 2 wrote 4, yarn 3 wrote 6, yarn 4 writes 8 and then 10).
const yarnBerryNewestVersion = 10

// newYarnParser returns a parser for s with its slices sized from cheap
// counts (entries are separated by blank lines, dependency items are
// indented by four spaces), which saves most of the regrowth on big files.
func newYarnParser(s string) *yarnParser {
	entries := strings.Count(s, "\n\n") + 1
	items := strings.Count(s, "\n    ")
	return &yarnParser{
		berry:   yarnIsBerry(s),
		entries: make([]yarnEntry, 0, entries),
		keys:    make([]string, 0, entries+entries/2),
		deps:    make([]yarnDep, 0, items),
	}
}

// yarnIsBerry reports whether the first top-level key of the file is
// __metadata, which yarn 2 and later always write first.
func yarnIsBerry(s string) bool {
	for len(s) > 0 {
		line := s
		if i := strings.IndexByte(s, '\n'); i >= 0 {
			line, s = s[:i], s[i+1:]
		} else {
			s = ""
		}
		line = strings.TrimRight(line, "\r")
		if line == "" || line[0] == '#' || line[0] == ' ' {
			continue
		}
		return line == "__metadata:" || line == `"__metadata":`
	}
	return false
}

func yarnDigits(s string) bool {
	if s == "" || len(s) > 4 {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

// problem records a problem and marks the current entry bad, so that the
// rest of it is skipped.
func (p *yarnParser) problem(line, col int, msg string) {
	p.problems = append(p.problems, yarnProblem{line: line, col: col, msg: msg})
	if p.cur != nil {
		p.cur.bad = true
	}
}

// read splits s into entries.
func (p *yarnParser) read(s string) {
	lineNo := 0
	for len(s) > 0 {
		lineNo++
		line := s
		if i := strings.IndexByte(s, '\n'); i >= 0 {
			line, s = s[:i], s[i+1:]
		} else {
			s = ""
		}
		if n := len(line); n > 0 && line[n-1] == '\r' {
			line = line[:n-1]
		}
		indent := 0
		for indent < len(line) && line[indent] == ' ' {
			indent++
		}
		if indent == len(line) || line[indent] == '#' {
			continue // blank or comment
		}
		if line[indent] == '\t' {
			p.problem(lineNo, indent+1, "tab in indentation")
			continue
		}
		body := strings.TrimRight(line[indent:], " ")
		if indent == 0 {
			p.finish()
			p.skip = false
			p.startEntry(lineNo, body)
			continue
		}
		if p.cur == nil && !p.inMeta {
			if !p.skip {
				p.problem(lineNo, indent+1, "indented line outside an entry")
				p.skip = true
			}
			continue
		}
		if p.cur != nil && p.cur.bad {
			continue
		}
		switch {
		case indent == 2:
			p.field(lineNo, indent, body)
		case indent == 4:
			p.item(lineNo, indent, body)
		case indent >= 6 && indent%2 == 0:
			p.subItem(lineNo, indent, body)
		default:
			p.problem(lineNo, indent+1, "unexpected indentation")
		}
	}
	p.finish()
}

// startEntry reads a top-level key line: one or more descriptors separated
// by commas, each possibly quoted, then a colon.
func (p *yarnParser) startEntry(lineNo int, body string) {
	p.cur, p.block, p.sub, p.inMeta = nil, "", "", false
	if !strings.HasSuffix(body, ":") {
		p.problem(lineNo, 1, "entry key does not end with a colon")
		p.skip = true // its fields were reported with it
		return
	}
	if body == "__metadata:" || body == `"__metadata":` {
		p.inMeta, p.sawMeta = true, true
		return
	}
	p.entries = append(p.entries, yarnEntry{line: lineNo, col: 1, keyStart: len(p.keys), depStart: len(p.deps)})
	p.cur = &p.entries[len(p.entries)-1]
	rest := body[:len(body)-1]
	for col := 1; ; {
		for len(rest) > 0 && rest[0] == ' ' {
			rest, col = rest[1:], col+1
		}
		if rest == "" {
			break
		}
		var item string
		if rest[0] == '"' {
			v, n, ok := yarnUnquote(rest)
			if !ok {
				p.problem(lineNo, col, "unterminated quoted string in entry key")
				return
			}
			item, rest, col = v, rest[n:], col+n
			for len(rest) > 0 && rest[0] == ' ' {
				rest, col = rest[1:], col+1
			}
			if rest != "" && rest[0] != ',' {
				p.problem(lineNo, col, "unexpected text after quoted descriptor")
				return
			}
		} else {
			n := strings.IndexByte(rest, ',')
			if n < 0 {
				n = len(rest)
			}
			item, rest, col = strings.TrimRight(rest[:n], " "), rest[n:], col+n
		}
		if rest != "" { // at a comma
			rest, col = rest[1:], col+1
		}
		// A quoted berry key holds all descriptors in one string: "a@x, a@y".
		for item != "" {
			d := item
			if i := strings.Index(item, ", "); i >= 0 {
				d, item = item[:i], item[i+2:]
			} else {
				item = ""
			}
			if d = strings.TrimSpace(d); d != "" {
				p.keys = append(p.keys, d)
			}
		}
	}
	p.cur.keyEnd = len(p.keys)
	if p.cur.keyEnd == p.cur.keyStart {
		p.problem(lineNo, 1, "entry key lists no descriptor")
	}
}

// finish closes the current entry: it applies dependenciesMeta's optional
// marks to the entry's dependencies.
func (p *yarnParser) finish() {
	if e := p.cur; e != nil {
		e.keyEnd, e.depEnd = len(p.keys), len(p.deps)
		if len(p.optional) <= 8 {
			for _, name := range p.optional {
				for i := e.depStart; i < e.depEnd; i++ {
					if p.deps[i].name == name {
						p.deps[i].typ = DepOptional
					}
				}
			}
		} else {
			// A set keeps a hostile entry with many marks from going quadratic.
			opt := make(map[string]bool, len(p.optional))
			for _, name := range p.optional {
				opt[name] = true
			}
			for i := e.depStart; i < e.depEnd; i++ {
				if opt[p.deps[i].name] {
					p.deps[i].typ = DepOptional
				}
			}
		}
	}
	p.cur, p.block, p.sub, p.optional = nil, "", "", p.optional[:0]
}

// field reads a line indented by two spaces: a field of the current entry
// or of __metadata, or the start of a block.
func (p *yarnParser) field(lineNo, indent int, body string) {
	key, val, isBlock, ok := p.splitField(lineNo, indent, body)
	if !ok {
		return
	}
	p.sub = ""
	if isBlock {
		p.block = key
		return
	}
	p.block = ""
	if p.inMeta {
		if key == "version" {
			p.metaVersion, p.metaLine = val, lineNo
		}
		return
	}
	e := p.cur
	switch key {
	case "version":
		e.version = val
	case "resolved":
		e.resolved = val
	case "integrity":
		e.integrity = val
	case "resolution":
		e.resolution = val
	case "checksum":
		e.checksum = val
	}
}

// item reads a line indented by four spaces: an item of the current block.
func (p *yarnParser) item(lineNo, indent int, body string) {
	if p.block == "" {
		p.problem(lineNo, indent+1, "indented line outside a block")
		return
	}
	key, val, isBlock, ok := p.splitField(lineNo, indent, body)
	if !ok {
		return
	}
	p.sub = ""
	if isBlock {
		p.sub = key
		return
	}
	if p.inMeta {
		return
	}
	if typ, ok := yarnDepBlocks[p.block]; ok {
		p.deps = append(p.deps, yarnDep{name: key, rng: val, typ: typ})
	}
}

// subItem reads a line indented by six or more spaces: an item of a block
// inside a block (dependenciesMeta's "fsevents:\n optional: true").
func (p *yarnParser) subItem(lineNo, indent int, body string) {
	if p.sub == "" {
		p.problem(lineNo, indent+1, "indented line outside a block")
		return
	}
	if p.block != "dependenciesMeta" || p.inMeta || indent != 6 {
		return
	}
	key, val, _, ok := p.splitField(lineNo, indent, body)
	if !ok {
		return
	}
	if key == "optional" && val == "true" {
		// Keys of dependenciesMeta are a name or "name@range".
		name := p.sub
		if n, _, ok := splitDescriptor(name); ok {
			name = n
		}
		p.optional = append(p.optional, name)
	}
}

// splitField splits a field line (body, after indent spaces) into key and
// value. Classic writes `key "value"` or `key value`, berry `key: value`;
// either may quote the key. isBlock is true for `key:` with no value. A
// malformed line is recorded as a problem at its column, and ok is false.
func (p *yarnParser) splitField(lineNo, indent int, body string) (key, val string, isBlock, ok bool) {
	i := 0
	if body[0] == '"' {
		k, n, ok := yarnUnquote(body)
		if !ok {
			return p.badField(lineNo, indent+1, "unterminated quoted string")
		}
		key, i = k, n
	} else {
		for i < len(body) && body[i] != ' ' && body[i] != ':' {
			i++
		}
		key = body[:i]
	}
	if key == "" {
		return p.badField(lineNo, indent+1, "empty key")
	}
	colon := false
	if i < len(body) && body[i] == ':' {
		colon = true
		i++
	}
	for i < len(body) && body[i] == ' ' {
		i++
	}
	if i == len(body) {
		return key, "", colon, true
	}
	rest := body[i:]
	if rest[0] != '"' {
		return key, rest, false, true
	}
	v, n, ok := yarnUnquote(rest)
	if !ok {
		return p.badField(lineNo, indent+i+1, "unterminated quoted string")
	}
	if n != len(rest) {
		return p.badField(lineNo, indent+i+n+1, "unexpected text after quoted value")
	}
	return key, v, false, true
}

// badField records a malformed field line at line:col and returns
// splitField's results for it.
func (p *yarnParser) badField(line, col int, msg string) (key, val string, isBlock, ok bool) {
	p.problem(line, col, msg)
	return "", "", false, false
}

// yarnUnquote reads the double-quoted string at the start of s and returns
// its value and the number of bytes it took, quotes included. Both yarn
// formats quote with JSON escapes; a string with an escape Go does not know
// is malformed.
func yarnUnquote(s string) (val string, n int, ok bool) {
	val, n, badEscape := unquoteDouble(s)
	if n == 0 || badEscape {
		return "", 0, false
	}
	return val, n, true
}

// splitDescriptor splits "name@range" (a yarn descriptor or locator
// "name@reference", a pnpm dependency path "name@1.2.3") at the "@" that
// ends the name; a scoped name's leading "@" is part of the name. ok is false
// when there is no such "@".
func splitDescriptor(d string) (name, rng string, ok bool) {
	start := 0
	if strings.HasPrefix(d, "@") {
		start = 1
	}
	i := strings.IndexByte(d[start:], '@')
	if i < 0 {
		return d, "", false
	}
	i += start
	return d[:i], d[i+1:], true
}

// yarnValidName reports whether n can be an npm package name: non-empty,
// no whitespace or control characters, and "@scope/name" when scoped.
func yarnValidName(n string) bool {
	if n == "" || len(n) > 214 {
		return false
	}
	for i := 0; i < len(n); i++ {
		if c := n[i]; c <= ' ' || c == 0x7f || c == '"' {
			return false
		}
	}
	if n[0] == '@' {
		slash := strings.IndexByte(n, '/')
		return slash > 1 && slash < len(n)-1
	}
	return true
}

// yarnNone marks an entry that became neither a package nor an importer.
const yarnNone = -1

// yarnBuilder turns the entries read by yarnParser into an Inventory:
// packages, importers, then edges resolved through the descriptor index.
type yarnBuilder struct {
	p       *yarnParser
	inv     *Inventory
	project Input

	// target says what each entry became: a package index (>= 0), yarnNone,
	// or importer k encoded as -2-k.
	target     []int32
	workspaces int // berry workspace entries turned into importers
	unresolved int // dependencies that matched no entry (for tests)
}

func (b *yarnBuilder) build() {
	p, inv := b.p, b.inv
	b.target = make([]int32, len(p.entries))
	inv.Packages = make([]Package, 0, len(p.entries))
	type workspace struct {
		path, name string
		entry      int
	}
	var wss []workspace
	for i := range p.entries {
		e := &p.entries[i]
		b.target[i] = yarnNone
		if e.bad || e.keyEnd <= e.keyStart {
			continue
		}
		var pkg Package
		var ok bool
		if p.berry {
			var ws string
			var isWS bool
			pkg, ws, isWS, ok = b.berryPackage(e)
			if ok && isWS {
				wss = append(wss, workspace{path: ws, name: pkg.Name, entry: i})
				continue
			}
		} else {
			pkg, ok = b.classicPackage(e)
		}
		if !ok {
			continue
		}
		pkg.Line = e.line
		b.target[i] = int32(len(inv.Packages))
		inv.Packages = append(inv.Packages, pkg)
	}

	// Importers: the root first, then workspaces by path.
	inv.Importers = []Importer{{Path: "."}}
	if p.berry {
		slices.SortStableFunc(wss, func(a, c workspace) int {
			if a.path == "." || c.path == "." {
				return yarnBool(c.path == ".") - yarnBool(a.path == ".")
			}
			return strings.Compare(a.path, c.path)
		})
		for _, ws := range wss {
			k := len(inv.Importers)
			if ws.path == "." && inv.Importers[0].Name == "" {
				k = 0
			} else {
				inv.Importers = append(inv.Importers, Importer{Path: ws.path})
			}
			inv.Importers[k].Name = ws.name
			b.target[ws.entry] = int32(-2 - k)
			b.workspaces++
		}
	}

	idx := b.descriptorIndex()
	var patched [][2]int32 // patch entry → the entry it patches
	if p.berry {
		patched = b.linkPatches(idx)
	}
	var buf []byte
	var byName map[string]int32
	lookup := func(name, rng string) int32 {
		buf = append(append(append(buf[:0], name...), '@'), rng...)
		if i, ok := idx[string(buf)]; ok {
			return i
		}
		// Berry v4 to v6 write dependency ranges without the npm: protocol
		// that the entry keys carry ("ms: ^2.1.3" for "ms@npm:^2.1.3").
		if p.berry && !strings.HasPrefix(rng, "npm:") {
			buf = append(append(append(append(buf[:0], name...), '@'), "npm:"...), rng...)
			if i, ok := idx[string(buf)]; ok {
				return i
			}
		}
		// Berry records a descriptor rewritten by the root manifest's
		// resolutions or a catalog ("catalog:") under its new range only; the
		// dependency keeps the range as declared. Fall back to the name when
		// a single entry carries it.
		if p.berry {
			if byName == nil {
				byName = b.nameIndex()
			}
			if i, ok := byName[name]; ok && i >= 0 {
				return i
			}
		}
		return yarnNone
	}

	var manifests map[string]*Manifest // berry workspace path → manifest
	if p.berry && b.project.Project != nil {
		manifests = make(map[string]*Manifest, len(inv.Importers))
		for k := range inv.Importers {
			imp := &inv.Importers[k]
			if m := b.readManifest(imp.Path); m != nil {
				manifests[imp.Path] = m
				imp.Version = m.Version
				if imp.Name == "" {
					imp.Name = m.Name
				}
			}
		}
	}

	for i := range p.entries {
		t := b.target[i]
		if t == yarnNone {
			continue
		}
		e := &p.entries[i]
		var m *Manifest
		if t <= -2 {
			m = manifests[inv.Importers[-2-t].Path]
		}
		for _, d := range p.deps[e.depStart:e.depEnd] {
			to := lookup(d.name, d.rng)
			if to == yarnNone {
				b.unresolved++
				continue
			}
			tp := b.target[to]
			if tp < 0 {
				continue // a workspace (an importer of its own) or a skipped entry
			}
			if t >= 0 {
				inv.Edges = append(inv.Edges, Edge{From: int(t), To: int(tp), Type: d.typ})
				continue
			}
			// Berry merges a workspace's dev and prod dependencies: the
			// manifest says which is which.
			typ := d.typ
			if m != nil {
				if mt, ok := yarnManifestType(m, d.name); ok && !(mt == DepProd && typ == DepOptional) {
					typ = mt
				}
			}
			imp := &inv.Importers[-2-t]
			imp.Deps = append(imp.Deps, Dep{To: int(tp), Type: typ})
		}
	}
	for _, pe := range patched {
		if from, to := b.target[pe[0]], b.target[pe[1]]; from >= 0 && to >= 0 {
			inv.Edges = append(inv.Edges, Edge{From: int(from), To: int(to), Type: DepProd})
		}
	}
	if !p.berry && b.project.Project != nil {
		b.classicImporters(lookup)
	}
	slices.SortStableFunc(p.problems, func(a, c yarnProblem) int { return a.line - c.line })
}

func yarnBool(v bool) int {
	if v {
		return 1
	}
	return 0
}

// descriptorIndex maps every descriptor of every entry to the entry. Berry
// keys of patch: and portal:/link: entries end with "::locator=..." that the
// dependency ranges leave out, so the index holds them without it as well.
func (b *yarnBuilder) descriptorIndex() map[string]int32 {
	p := b.p
	idx := make(map[string]int32, len(p.keys)+len(p.keys)/8)
	for i := range p.entries {
		e := &p.entries[i]
		if b.target[i] == yarnNone {
			continue
		}
		for _, k := range p.keys[e.keyStart:e.keyEnd] {
			idx[k] = int32(i)
		}
	}
	if p.berry {
		for i := range p.entries {
			e := &p.entries[i]
			if b.target[i] == yarnNone {
				continue
			}
			for _, k := range p.keys[e.keyStart:e.keyEnd] {
				if j := strings.Index(k, "::"); j >= 0 {
					if _, dup := idx[k[:j]]; !dup {
						idx[k[:j]] = int32(i)
					}
				}
			}
		}
	}
	return idx
}

// linkPatches returns, for each patch: entry, the entry whose code it
// patches, and points the descriptors of Yarn's builtin compatibility
// patches (fsevents, resolve, typescript) at the patch entry: a dependency
// on "typescript@npm:^5" installs the patched copy, and the lockfile keeps
// the unpatched one only as its source. An edge from the patch entry to its
// source keeps both reachable.
func (b *yarnBuilder) linkPatches(idx map[string]int32) [][2]int32 {
	p := b.p
	var out [][2]int32
	type redirect struct {
		desc  string
		entry int32
	}
	var redirects []redirect
	for i := range p.entries {
		e := &p.entries[i]
		if b.target[i] < 0 {
			continue
		}
		linked := false
		for _, k := range p.keys[e.keyStart:e.keyEnd] {
			name, rng, _ := splitDescriptor(k)
			inner, ok := strings.CutPrefix(rng, "patch:")
			if !ok {
				continue
			}
			spec := ""
			if j := strings.IndexByte(inner, '#'); j >= 0 {
				inner, spec = inner[:j], inner[j+1:]
			}
			if dec, err := url.PathUnescape(inner); err == nil {
				inner = dec
			}
			to, ok := idx[inner]
			if !ok {
				if n, r, _ := splitDescriptor(inner); n == name && !strings.HasPrefix(r, "npm:") {
					to, ok = idx[n+"@npm:"+r]
				}
			}
			if !ok || to == int32(i) {
				continue
			}
			if !linked {
				out = append(out, [2]int32{int32(i), to})
				linked = true
			}
			if strings.Contains(spec, "builtin<") {
				redirects = append(redirects, redirect{inner, int32(i)})
			}
		}
	}
	for _, r := range redirects {
		idx[r.desc] = r.entry
	}
	return out
}

// nameIndex maps each name that the keys of usable entries use to the
// entry, or to yarnNone when several entries use it.
func (b *yarnBuilder) nameIndex() map[string]int32 {
	p := b.p
	out := make(map[string]int32, len(p.entries))
	for i := range p.entries {
		e := &p.entries[i]
		if b.target[i] == yarnNone {
			continue
		}
		for _, k := range p.keys[e.keyStart:e.keyEnd] {
			n, _, _ := splitDescriptor(k)
			if j, seen := out[n]; !seen {
				out[n] = int32(i)
			} else if j != int32(i) {
				out[n] = yarnNone
			}
		}
	}
	return out
}

// entryProblem records a problem at the start of entry e, which is then
// skipped.
func (b *yarnBuilder) entryProblem(e *yarnEntry, msg string) {
	b.p.problems = append(b.p.problems, yarnProblem{line: e.line, col: e.col, msg: msg})
}

// readManifest reads dir/package.json from the project, recording a problem
// when it exists but cannot be read. It returns nil when there is none.
func (b *yarnBuilder) readManifest(dir string) *Manifest {
	m, err := b.project.manifest(dir)
	if err != nil {
		if !errors.Is(err, fs.ErrNotExist) {
			b.p.problems = append(b.p.problems, yarnProblem{msg: path.Join(dir, "package.json") + ": unreadable manifest, dependency types unknown"})
		}
		return nil
	}
	return m
}

// yarnManifestType returns how a manifest declares name, the strongest
// declaration winning (prod over optional over dev over peer: a package
// listed as peer and dev is installed as a dev dependency).
func yarnManifestType(m *Manifest, name string) (DepType, bool) {
	if _, ok := m.Dependencies[name]; ok {
		return DepProd, true
	}
	if _, ok := m.OptionalDependencies[name]; ok {
		return DepOptional, true
	}
	if _, ok := m.DevDependencies[name]; ok {
		return DepDev, true
	}
	if _, ok := m.PeerDependencies[name]; ok {
		return DepPeer, true
	}
	return DepProd, false
}

// classicImporters builds the importers of a classic lockfile, which
// records none: the root project and each workspace from the manifests,
// their declared dependencies mapped to entries by descriptor.
func (b *yarnBuilder) classicImporters(lookup func(name, rng string) int32) {
	inv := b.inv
	root := b.readManifest(".")
	if root == nil {
		return
	}
	add := func(k int, m *Manifest) {
		imp := &inv.Importers[k]
		imp.Name, imp.Version = m.Name, m.Version
		seen := map[string]bool{}
		for _, group := range []struct {
			deps map[string]string
			typ  DepType
		}{{m.Dependencies, DepProd}, {m.OptionalDependencies, DepOptional}, {m.DevDependencies, DepDev}} {
			for name, rng := range group.deps {
				if seen[name] {
					continue
				}
				seen[name] = true
				if to := lookup(name, rng); to != yarnNone && b.target[to] >= 0 {
					imp.Deps = append(imp.Deps, Dep{To: int(b.target[to]), Type: group.typ})
				}
			}
		}
		slices.SortFunc(imp.Deps, func(a, c Dep) int { return a.To - c.To })
	}
	add(0, root)
	for _, dir := range b.project.workspaceDirs(root) {
		if dir == "." {
			continue
		}
		if m := b.readManifest(dir); m != nil {
			inv.Importers = append(inv.Importers, Importer{Path: dir})
			add(len(inv.Importers)-1, m)
		}
	}
}
