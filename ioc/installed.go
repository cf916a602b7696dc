package ioc

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"path"
	"strings"
	"sync"

	"github.com/depsweep/depsweep/lockfiles"
)

// A textPattern is one lower-case string the text matcher looks for, and
// the indicators it stands for.
type textPattern struct {
	text string
	kind Kind
	inds []*Indicator
}

// textBuilder collects patterns for a textMatcher.
type textBuilder struct {
	pats  []*textPattern
	byKey map[string]*textPattern
}

func newTextBuilder() *textBuilder { return &textBuilder{byKey: map[string]*textPattern{}} }

func (b *textBuilder) len() int { return len(b.pats) }

func (b *textBuilder) add(text string, ind *Indicator) {
	key := string(ind.Kind) + "\x00" + text
	p := b.byKey[key]
	if p == nil {
		p = &textPattern{text: text, kind: ind.Kind}
		b.byKey[key] = p
		b.pats = append(b.pats, p)
	}
	p.inds = append(p.inds, ind)
}

// A textMatcher finds every pattern in a text in one pass, ASCII
// case-insensitively: an Aho-Corasick automaton compiled into a DFA over
// byte classes (only bytes that occur in some pattern get a class of their
// own), so a step is one table lookup whatever the number of patterns.
type textMatcher struct {
	class  [256]uint8
	nclass int
	delta  []int32   // state*nclass + class → state
	out    [][]int32 // state → patterns ending here (through suffix links too)
	pats   []*textPattern
}

func (b *textBuilder) build() *textMatcher {
	m := &textMatcher{pats: b.pats}
	// Byte classes: 0 is "no pattern has this byte"; upper-case letters
	// share the class of their lower-case form.
	for _, p := range b.pats {
		for i := 0; i < len(p.text); i++ {
			c := p.text[i]
			if m.class[c] == 0 {
				m.nclass++
				m.class[c] = uint8(m.nclass)
			}
		}
	}
	for c := 'A'; c <= 'Z'; c++ {
		m.class[c] = m.class[c+'a'-'A']
	}
	m.nclass++
	// Trie.
	type node struct {
		next map[uint8]int32
		fail int32
		out  []int32
	}
	nodes := []node{{next: map[uint8]int32{}}}
	for pi, p := range b.pats {
		s := int32(0)
		for i := 0; i < len(p.text); i++ {
			c := m.class[p.text[i]]
			t, ok := nodes[s].next[c]
			if !ok {
				t = int32(len(nodes))
				nodes = append(nodes, node{next: map[uint8]int32{}})
				nodes[s].next[c] = t
			}
			s = t
		}
		nodes[s].out = append(nodes[s].out, int32(pi))
	}
	// Breadth-first: suffix links and the full transition table.
	m.delta = make([]int32, len(nodes)*m.nclass)
	m.out = make([][]int32, len(nodes))
	queue := []int32{0}
	for head := 0; head < len(queue); head++ {
		s := queue[head]
		n := &nodes[s]
		if s != 0 {
			n.out = append(n.out, m.out[n.fail]...)
		}
		m.out[s] = n.out
		for c := 0; c < m.nclass; c++ {
			if t, ok := n.next[uint8(c)]; ok && c != 0 {
				if s == 0 {
					nodes[t].fail = 0
				} else {
					nodes[t].fail = m.delta[int(n.fail)*m.nclass+c]
				}
				m.delta[int(s)*m.nclass+c] = t
				queue = append(queue, t)
			} else if s != 0 {
				m.delta[int(s)*m.nclass+c] = m.delta[int(n.fail)*m.nclass+c]
			}
		}
	}
	return m
}

// scan calls fn for every match of a pattern in t that stands on word
// boundaries fit for its kind (see boundaryOK), with the byte offsets of
// the match.
func scanText[T string | []byte](m *textMatcher, t T, fn func(p *textPattern, start, end int)) {
	if m == nil {
		return
	}
	s := int32(0)
	for i := 0; i < len(t); i++ {
		s = m.delta[int(s)*m.nclass+int(m.class[t[i]])]
		for _, pi := range m.out[s] {
			p := m.pats[pi]
			start, end := i+1-len(p.text), i+1
			if boundaryOK(t, p.kind, start, end) {
				fn(p, start, end)
			}
		}
	}
}

func (m *textMatcher) scan(t string, fn func(p *textPattern, start, end int)) { scanText(m, t, fn) }

// boundaryOK checks the characters around a match: a domain must not be
// the tail of a longer label ("notgiftshop.club") nor the head of a longer
// name ("giftshop.club.example"), a dot before it is fine (a subdomain);
// an e-mail address must not continue a longer local part; a URL must
// start at a non-alphanumeric character.
func boundaryOK[T string | []byte](t T, k Kind, start, end int) bool {
	var before byte
	if start > 0 {
		before = t[start-1]
	}
	switch k {
	case KindDomain:
		// "%40" is a URL-encoded "@" (phan%40giftshop.club): a boundary.
		if start > 0 && isLabelChar(before) && !(start >= 3 && t[start-3] == '%' && t[start-2] == '4' && t[start-1] == '0') {
			return false
		}
	case KindEmail:
		if start > 0 && (isLabelChar(before) || before == '.' || before == '+' || before == '%') {
			return false
		}
	case KindURL:
		c := before | 0x20
		if start > 0 && (c >= 'a' && c <= 'z' || before >= '0' && before <= '9') {
			return false
		}
		return true
	}
	if end < len(t) {
		after := t[end]
		if isLabelChar(after) {
			return false
		}
		if after == '.' && end+1 < len(t) && isLabelChar(t[end+1]) {
			return false
		}
	}
	return true
}

// MatchText reports the domain, e-mail and URL indicators found in b, in
// the order of their first occurrence, each once. A domain matches itself
// and its subdomains (also inside an address: "phan@giftshop.club" holds
// the domain giftshop.club), ASCII case-insensitively.
func (x *Index) MatchText(b []byte) []*Indicator {
	var out []*Indicator
	seen := map[*Indicator]bool{}
	scanText(x.text, b, func(p *textPattern, _, _ int) {
		for _, ind := range p.inds {
			if !seen[ind] {
				seen[ind] = true
				out = append(out, ind)
			}
		}
	})
	return out
}

// Limits of installed-file scanning.
const (
	// maxScanBytes is how much of one installed file is searched, in bytes;
	// the rest of a larger file is not read.
	maxScanBytes = 16 << 20
	// sniffBytes is how much of a file is checked for a NUL byte to tell a
	// binary file (skipped) from text (as git does).
	sniffBytes = 8000
)

var scanBufs = sync.Pool{New: func() any { b := make([]byte, 0, 64<<10); return &b }}

// MatchInstalled scans the packages installed under project's node_modules
// (project is the project directory; projectPath is its slash path relative
// to the scan root, used to name files in findings and errors). Each
// installed package.json is matched as a package, from its name, version
// and, where npm wrote them, _resolved, _integrity and _npmUser; the
// package's files (its nested node_modules excepted, they are packages of
// their own) are searched for domain, e-mail and URL indicators. Files over
// 16 MiB are searched in their first 16 MiB only; binary files are skipped;
// symlinks are not followed.
//
// inv, the project's parsed lockfile, may be nil; when it lists the
// installed package, findings carry its dependency path. Findings name the
// installed file in Lockfile, and the line of the first match in Line.
// Unreadable directories and files and malformed manifests are returned
// as errors; the scan goes on. Safe for concurrent use.
func (x *Index) MatchInstalled(repo, projectPath string, project fs.FS, inv *lockfiles.Inventory) ([]Finding, []error) {
	return x.MatchInstalledWith(repo, projectPath, project, inv, nil)
}

// MatchInstalledWith is [Index.MatchInstalled] with publisher data: an
// installed package whose manifest does not name its publisher (npm does
// not copy _npmUser into node_modules) is looked up in pubs, as the
// lockfile's packages are, so that a publisher indicator hits the
// installed copy too. pubs may be nil.
func (x *Index) MatchInstalledWith(repo, projectPath string, project fs.FS, inv *lockfiles.Inventory, pubs Publishers) ([]Finding, []error) {
	return x.matchInstalled(repo, projectPath, project, inv, pubs, nil)
}

// matchInstalled is [Index.MatchInstalledWith] that also counts, in stats
// (when not nil), the installed packages that publisher data could cover.
func (x *Index) matchInstalled(repo, projectPath string, project fs.FS, inv *lockfiles.Inventory, pubs Publishers, stats *MatchStats) ([]Finding, []error) {
	if project == nil {
		return nil, nil
	}
	var errs []error
	rel := func(p string) string {
		if projectPath == "" || projectPath == "." {
			return p
		}
		return path.Join(projectPath, p)
	}
	addErr := func(err error) {
		var pe *fs.PathError
		if errors.As(err, &pe) {
			err = fmt.Errorf("%s: %v", rel(pe.Path), pe.Err)
		}
		errs = append(errs, err)
	}
	byPath, byID := inventoryIndex(inv)
	var paths *pathFinder
	if inv != nil {
		paths = newPathFinder(inv)
	}
	bufp := scanBufs.Get().(*[]byte)
	defer scanBufs.Put(bufp)
	projectPubs := publisherLookup(pubs)

	var out []Finding
	var hits []hit
	for dir := range walkNodeModules(project, "node_modules", addErr) {
		manifest := path.Join(dir, "package.json")
		m, raw, err := readInstalledManifest(project, manifest, rel(manifest))
		if errors.Is(err, fs.ErrNotExist) {
			continue // not a package (an empty or half-removed directory)
		}
		if err != nil {
			errs = append(errs, err)
			continue
		}
		if m.Name == "" || m.Version == "" {
			continue // a package.json that is not an installed package's (a fixture, a template)
		}
		p := lockfiles.Package{
			Name:      m.Name,
			Version:   m.Version,
			Source:    sourceOfResolved(m.Resolved),
			Resolved:  m.Resolved,
			Integrity: m.Integrity,
			Paths:     []string{dir},
		}
		if n := installedName(dir); n != m.Name {
			p.Alias = n
		}
		pubs := projectPubs
		if m.NpmUser != nil && m.NpmUser.Name != "" {
			acct := m.NpmUser.Name
			pubs = func(string, string) (string, string, bool) { return acct, "installed package.json", true }
		}
		var depPath []string
		direct := false
		if inv != nil {
			k, ok := byPath[dir]
			if !ok {
				k, ok = byID[p.ID()]
			}
			if ok {
				depPath, direct = paths.path(k)
				lp := &inv.Packages[k]
				if p.Source == lockfiles.SourceUnknown {
					p.Source = lp.Source
				}
				p.Dev, p.Optional, p.Peer, p.Bundled = lp.Dev, lp.Optional, lp.Peer, lp.Bundled
			}
		}
		if depPath == nil {
			depPath = []string{p.ID()}
		}
		file := rel(manifest)
		if stats != nil && fromRegistry(&p) {
			stats.Packages++
		}
		hits = x.matchPackage(&p, x.npm, pubs, stats, hits[:0])
		for k := range hits {
			out = append(out, newFinding(repo, file, 0, &p, &hits[k], depPath, direct))
		}
		if x.text == nil {
			continue
		}
		// The manifest itself (install scripts live there) and every other file.
		out = x.contentFindings(out, repo, file, raw, &p, depPath, direct)
		err = fs.WalkDir(project, dir, func(f string, d fs.DirEntry, err error) error {
			if err != nil {
				addErr(err)
				return nil
			}
			if d.IsDir() {
				if f != dir && d.Name() == "node_modules" {
					return fs.SkipDir
				}
				return nil
			}
			if !d.Type().IsRegular() || f == manifest {
				return nil
			}
			b, binary, err := readText(project, f, (*bufp)[:0])
			*bufp = b[:0]
			if err != nil {
				addErr(err)
				return nil
			}
			if binary {
				return nil
			}
			out = x.contentFindings(out, repo, rel(f), b, &p, depPath, direct)
			return nil
		})
		if err != nil {
			addErr(err)
		}
	}
	yc, yerrs := x.matchYarnCache(repo, project, inv, projectPubs, rel, bufp, stats)
	out, errs = append(out, yc...), append(errs, yerrs...)
	return sortFindings(out), errs
}

// readText reads up to maxScanBytes of a file into buf, unless its first
// sniffBytes hold a NUL byte: then it is binary, and the rest is not read.
func readText(fsys fs.FS, name string, buf []byte) (b []byte, binary bool, err error) {
	f, err := fsys.Open(name)
	if err != nil {
		return buf, false, err
	}
	defer f.Close()
	w := bytes.NewBuffer(buf)
	if _, err := w.ReadFrom(io.LimitReader(f, sniffBytes)); err != nil {
		return w.Bytes(), false, &fs.PathError{Op: "read", Path: name, Err: err}
	}
	if bytes.IndexByte(w.Bytes(), 0) >= 0 {
		return w.Bytes(), true, nil
	}
	if _, err := w.ReadFrom(io.LimitReader(f, maxScanBytes-sniffBytes)); err != nil {
		return w.Bytes(), false, &fs.PathError{Op: "read", Path: name, Err: err}
	}
	return w.Bytes(), false, nil
}

// contentFindings appends a finding per indicator found in the content b
// of an installed file (the first occurrence gives the line).
func (x *Index) contentFindings(out []Finding, repo, file string, b []byte, p *lockfiles.Package, depPath []string, direct bool) []Finding {
	var hits []hit
	seen := map[*Indicator]bool{}
	scanText(x.text, b, func(pat *textPattern, start, end int) {
		for _, ind := range pat.inds {
			if seen[ind] {
				continue
			}
			seen[ind] = true
			line := 1 + bytes.Count(b[:start], []byte{'\n'})
			h := hit{ind: ind, line: line}
			switch pat.kind {
			case KindDomain:
				h.host = pat.text
				h.evidence = fmt.Sprintf("%s:%d mentions the domain %s (or a subdomain)", file, line, pat.text)
			case KindEmail:
				h.evidence = fmt.Sprintf("%s:%d mentions the address %s", file, line, pat.text)
			default:
				h.evidence = fmt.Sprintf("%s:%d mentions the URL %s", file, line, ind.Value)
			}
			hits = append(hits, h)
		}
	})
	if len(hits) == 0 {
		return out
	}
	hits = foldUnderDomains(hits, 0)
	for k := range hits {
		out = append(out, newFinding(repo, file, 0, p, &hits[k], depPath, direct))
	}
	return out
}

// inventoryIndex maps install paths and name@version to package indexes.
func inventoryIndex(inv *lockfiles.Inventory) (byPath, byID map[string]int) {
	byPath, byID = map[string]int{}, map[string]int{}
	if inv == nil {
		return
	}
	for i := range inv.Packages {
		p := &inv.Packages[i]
		for _, ip := range p.Paths {
			if _, ok := byPath[ip]; !ok {
				byPath[ip] = i
			}
		}
		if _, ok := byID[p.ID()]; !ok {
			byID[p.ID()] = i
		}
	}
	return byPath, byID
}

// sourceOfResolved guesses a package's source from an installed manifest's
// _resolved: a git or file locator, a registry tarball (".../-/name-1.0.0.tgz"),
// another tarball URL, or unknown when npm did not write it.
func sourceOfResolved(r string) lockfiles.Source {
	switch {
	case r == "":
		return lockfiles.SourceUnknown
	case strings.HasPrefix(r, "git+"), strings.HasPrefix(r, "git:"), strings.HasPrefix(r, "github:"),
		strings.HasPrefix(r, "ssh:"):
		return lockfiles.SourceGit
	case strings.HasPrefix(r, "file:"):
		return lockfiles.SourceFile
	case strings.HasPrefix(r, "link:"):
		return lockfiles.SourceLink
	case strings.HasPrefix(r, "http://"), strings.HasPrefix(r, "https://"):
		if strings.Contains(r, "/-/") && strings.HasSuffix(r, ".tgz") {
			return lockfiles.SourceRegistry
		}
		return lockfiles.SourceTarball
	}
	return lockfiles.SourceUnknown
}
