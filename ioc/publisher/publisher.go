// Package publisher is the enrich stage of a scan: it tells who published
// each package version, for the matcher's publisher indicators. Its sources
// are a directory of registry packuments ([LoadPackuments]), the _npmUser
// that installed manifests carry ([Installed]), and the npm registry itself
// through a client with a disk cache and a per-registry pool that follows a
// project's .npmrc ([NewRegistryPool], [ReadNpmrc]). Every source satisfies
// ioc.Publishers; this package does not import ioc, and it is the only part
// of the scan that talks to the network.
package publisher

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"strings"
	"sync"

	"github.com/depsweep/depsweep/lockfiles"
	"github.com/depsweep/depsweep/lockfiles/installed"
)

// A Source tells which registry account published name@version. It has
// the method set of ioc.Publishers, the interface the matcher declares, so
// every Source is one (this package does not import ioc). Implementations
// are safe for concurrent use.
type Source interface {
	// Publisher returns the account that published name@version and where
	// the answer came from, in words for a finding's evidence ("registry
	// metadata", "installed package.json", "registry registry.npmjs.org");
	// ok is false when the source does not know (which is never "clean").
	Publisher(name, version string) (account, from string, ok bool)
	// Prefetch is told the packages about to be asked for, so that a source
	// that fetches them (the online registry) can do so concurrently.
	// Other sources do nothing, and allocate nothing.
	Prefetch(pkgs []lockfiles.Package)
}

// maxPackument caps the size of one packument file read from disk, in bytes.
// The largest packuments of the public registry are a few hundred MB of
// history; a cap keeps a stray file from exhausting memory.
const maxPackument = 512 << 20

// A packument is the part of a registry package document that names the
// publisher and the supplier of each version. Authors and maintainers are
// kept raw: versions mostly repeat them, and [versionsOf] reads each
// distinct one once.
type packument struct {
	Name        string                      `json:"name"`
	Versions    map[string]packumentVersion `json:"versions"`
	Author      json.RawMessage             `json:"author"`      // the latest version's, in full documents
	Maintainers json.RawMessage             `json:"maintainers"` // the package's current maintainers
}

type packumentVersion struct {
	NpmUser     *installed.User `json:"_npmUser"`
	Maintainers json.RawMessage `json:"maintainers"` // a [people]
	Author      json.RawMessage `json:"author"`      // a [person]
}

// publisher returns the account that published the version: _npmUser, or
// the maintainer when the version document lists exactly one.
func (v *packumentVersion) publisher() string {
	if v.NpmUser != nil && v.NpmUser.Name != "" {
		return v.NpmUser.Name
	}
	if m := parsePeople(v.Maintainers); len(m) == 1 {
		return m[0].Name
	}
	return ""
}

// A versionInfo is what a packument says of one version.
type versionInfo struct {
	account  string              // publisher, "" when not known
	supplier *lockfiles.Supplier // nil when not known
}

// versionsOf returns what p says of each version: its publisher (see
// [packumentVersion.publisher]) and its supplier, from the version's
// author and maintainers, else the package's (an author that names no
// one, maintainers that list no one, count as absent). Versions that say
// neither are left out. Versions with the same author and maintainers
// share one Supplier.
func versionsOf(p *packument) map[string]versionInfo {
	out := make(map[string]versionInfo, len(p.Versions))
	topAuthor, topMaint := parsePerson(p.Author), parsePeople(p.Maintainers)
	shared := map[string]*lockfiles.Supplier{}
	var key []byte
	for v, doc := range p.Versions {
		key = append(append(append(key[:0], doc.Author...), 0), doc.Maintainers...)
		sup, seen := shared[string(key)]
		if !seen {
			author, maint := parsePerson(doc.Author), parsePeople(doc.Maintainers)
			if author == (person{}) {
				author = topAuthor
			}
			if len(maint) == 0 {
				maint = topMaint
			}
			sup = supplierOf(author, maint)
			shared[string(key)] = sup
		}
		vi := versionInfo{account: doc.publisher(), supplier: sup}
		if vi.account != "" || vi.supplier != nil {
			out[v] = vi
		}
	}
	return out
}

// packumentMap maps name → version → what the packuments say.
type packumentMap map[string]map[string]versionInfo

// Publisher implements [Source].
func (m packumentMap) Publisher(name, version string) (string, string, bool) {
	vi := m[name][version]
	return vi.account, "registry metadata", vi.account != ""
}

// Supplier implements [SupplierSource].
func (m packumentMap) Supplier(name, version string) (lockfiles.Supplier, string, bool) {
	vi := m[name][version]
	if vi.supplier == nil {
		return lockfiles.Supplier{}, "", false
	}
	return *vi.supplier, "registry metadata", true
}

// Prefetch implements [Source]: everything is in memory already.
func (m packumentMap) Prefetch([]lockfiles.Package) {}

// add records what one packument says; fallback names it when the
// document has no name.
func (m packumentMap) add(p *packument, fallback string) {
	name := p.Name
	if name == "" {
		name = fallback
	}
	vs := m[name]
	if vs == nil {
		vs = make(map[string]versionInfo, len(p.Versions))
		m[name] = vs
	}
	for v, vi := range versionsOf(p) {
		vs[v] = vi
	}
}

// decodePackument reads one packument, naming the file in errors with the
// line and column of a syntax error.
func decodePackument(name string, r io.Reader) (*packument, error) {
	data, err := io.ReadAll(io.LimitReader(r, maxPackument+1))
	if err != nil {
		return nil, fmt.Errorf("%s: %v", name, err)
	}
	if len(data) > maxPackument {
		return nil, fmt.Errorf("%s: larger than %d MiB, not read", name, maxPackument>>20)
	}
	var p packument
	if err := json.Unmarshal(data, &p); err != nil {
		return nil, lockfiles.JSONError(name, data, err)
	}
	return &p, nil
}

// LoadPackuments reads a directory of registry packuments (the documents
// GET <registry>/<name> returns), as given to --registry-metadata: every
// *.json file under dir, scoped packages as @scope/name.json or
// "@scope%2fname.json". The package name comes from the document's "name"
// (else from the file name); a version's publisher is versions[v]._npmUser.name,
// else its maintainer when it lists exactly one. The source is also a
// [SupplierSource]: a version's supplier comes from its author and
// maintainers, else the document's top-level ones.
//
// It reads every file up front: a malformed file is an error naming it with
// line and column, and a directory without packuments is an error. The
// result is read-only and safe for concurrent use.
func LoadPackuments(dir string) (Source, error) {
	m := packumentMap{}
	n := 0
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() || !d.Type().IsRegular() || !strings.HasSuffix(d.Name(), ".json") {
			return nil
		}
		f, err := os.Open(p)
		if err != nil {
			return err
		}
		defer f.Close()
		pk, err := decodePackument(p, f)
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(dir, p)
		m.add(pk, packumentName(filepath.ToSlash(rel)))
		n++
		return nil
	})
	if err != nil {
		return nil, err
	}
	if n == 0 {
		return nil, fmt.Errorf("%s: no packument files (*.json) found", dir)
	}
	return m, nil
}

// packumentName derives a package name from a packument file's slash path
// relative to the directory: "@scope/name.json" or "@scope%2fname.json" →
// "@scope/name".
func packumentName(rel string) string {
	rel = strings.TrimSuffix(rel, ".json")
	rel = strings.ReplaceAll(rel, "%2f", "/")
	rel = strings.ReplaceAll(rel, "%2F", "/")
	return strings.ReplaceAll(rel, "%40", "@")
}

// Chain returns a source that asks each of ps in turn: the first that
// knows wins. Nil entries are ignored; with none left it returns nil.
func Chain(ps ...Source) Source {
	var c chain
	for _, p := range ps {
		if p != nil {
			c = append(c, p)
		}
	}
	switch len(c) {
	case 0:
		return nil
	case 1:
		return c[0]
	}
	return c
}

type chain []Source

// Publisher implements [Source].
func (c chain) Publisher(name, version string) (string, string, bool) {
	for _, p := range c {
		if a, from, ok := p.Publisher(name, version); ok {
			return a, from, true
		}
	}
	return "", "", false
}

// Supplier implements [SupplierSource]: the first source whose supplier
// lists contacts wins, else the first that knows one (it need not be the
// source that knew the publisher). An installed package.json names its
// author, rarely its maintainers; the registry's documents list them.
func (c chain) Supplier(name, version string) (lockfiles.Supplier, string, bool) {
	var first lockfiles.Supplier
	var firstFrom string
	known := false
	for _, p := range c {
		ss, ok := p.(SupplierSource)
		if !ok {
			continue
		}
		s, from, ok := ss.Supplier(name, version)
		switch {
		case !ok:
		case len(s.Contacts) > 0:
			return s, from, true
		case !known:
			first, firstFrom, known = s, from, true
		}
	}
	return first, firstFrom, known
}

// Prefetch implements [Source]: it passes the packages on to every source.
func (c chain) Prefetch(pkgs []lockfiles.Package) {
	for _, p := range c {
		p.Prefetch(pkgs)
	}
}

// prefetchNames returns the names of pkgs that a registry may know, once
// each, in order.
func prefetchNames(pkgs []lockfiles.Package) []string {
	names := make([]string, 0, len(pkgs))
	seen := make(map[string]bool, len(pkgs))
	for i := range pkgs {
		p := &pkgs[i]
		if (p.Source.FromRegistry() || p.Source == lockfiles.SourceTarball) && !seen[p.Name] {
			seen[p.Name] = true
			names = append(names, p.Name)
		}
	}
	return names
}

// Installed returns a source that reads _npmUser from the
// installed manifests under project's node_modules (npm's older clients and
// some installers copy it there). It walks node_modules on first use, reads
// a manifest only when its name is asked for, caches what it read, and
// skips manifests over 4 MiB. Unreadable manifests count as unknown. Safe
// for concurrent use.
func Installed(project fs.FS) Source {
	if project == nil {
		return nil
	}
	return &installedPublishers{fsys: project}
}

type installedPublishers struct {
	fsys fs.FS

	once  sync.Once
	dirs  map[string][]string // package name (from the directory) → package dirs
	mu    sync.Mutex
	cache map[string]map[string]versionInfo // name → version → what its manifest says, for names read
}

// Prefetch implements [Source]: manifests are read when asked for.
func (ip *installedPublishers) Prefetch([]lockfiles.Package) {}

// Publisher implements [Source].
func (ip *installedPublishers) Publisher(name, version string) (string, string, bool) {
	vi := ip.lookup(name)[version]
	return vi.account, "installed package.json", vi.account != ""
}

// Supplier implements [SupplierSource]: the author and maintainers of the
// installed package.json (a manifest as published carries its author; the
// maintainers are there when the installer copied them in).
func (ip *installedPublishers) Supplier(name, version string) (lockfiles.Supplier, string, bool) {
	vi := ip.lookup(name)[version]
	if vi.supplier == nil {
		return lockfiles.Supplier{}, "", false
	}
	return *vi.supplier, "installed package.json", true
}

// supplierFields are the fields of a manifest that name its supplier.
type supplierFields struct {
	Author      person `json:"author"`
	Maintainers people `json:"maintainers"`
}

// lookup returns what the installed manifests of name say, by version,
// reading them on the first ask.
func (ip *installedPublishers) lookup(name string) map[string]versionInfo {
	ip.once.Do(func() {
		ip.dirs = map[string][]string{}
		ip.cache = map[string]map[string]versionInfo{}
		for dir := range installed.Walk(ip.fsys, "node_modules", nil) {
			n := installed.Name(dir)
			ip.dirs[n] = append(ip.dirs[n], dir)
		}
	})
	ip.mu.Lock()
	vs, done := ip.cache[name]
	ip.mu.Unlock()
	if done {
		return vs
	}
	vs = map[string]versionInfo{}
	// Directories are named after the alias for aliased installs, so
	// those are not found here; lockfiles carry the real name.
	for _, dir := range ip.dirs[name] {
		m, raw, err := installed.ReadManifest(ip.fsys, path.Join(dir, "package.json"), "")
		if err != nil || m.Name != name {
			continue
		}
		vi := versionInfo{account: m.Publisher()}
		var sf supplierFields
		if json.Unmarshal(raw, &sf) == nil {
			vi.supplier = supplierOf(sf.Author, sf.Maintainers)
		}
		if vi.account != "" || vi.supplier != nil {
			vs[m.Version] = vi
		}
	}
	ip.mu.Lock()
	ip.cache[name] = vs
	ip.mu.Unlock()
	return vs
}

// innerErr strips the fs.PathError wrapper (whose path is relative to some
// fs.FS) so that the caller can name the file itself.
func innerErr(err error) error {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return pe.Err
	}
	return err
}
