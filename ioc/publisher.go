package ioc

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"sort"
	"strings"
	"sync"

	"github.com/depsweep/depsweep/lockfiles"
)

// Publishers tells which registry account published name@version.
// Implementations are safe for concurrent use.
type Publishers interface {
	// Publisher returns the account that published name@version; ok is
	// false when the source does not know (which is never "clean").
	Publisher(name, version string) (account string, ok bool)
}

// maxPackument caps the size of one packument file read from disk, in bytes.
// The largest packuments of the public registry are a few hundred MB of
// history; a cap keeps a stray file from exhausting memory.
const maxPackument = 512 << 20

// A packument is the part of a registry package document that names the
// publisher of each version.
type packument struct {
	Name     string                      `json:"name"`
	Versions map[string]packumentVersion `json:"versions"`
}

type packumentVersion struct {
	NpmUser     *npmUser  `json:"_npmUser"`
	Maintainers []npmUser `json:"maintainers"`
}

type npmUser struct {
	Name string `json:"name"`
}

// UnmarshalJSON accepts both the object form {"name": ...} and npm's old
// string form "name <email>" of a user.
func (u *npmUser) UnmarshalJSON(b []byte) error {
	var s string
	if err := json.Unmarshal(b, &s); err == nil {
		name, _, _ := strings.Cut(s, "<")
		u.Name = strings.TrimSpace(name)
		return nil
	}
	var obj struct {
		Name string `json:"name"`
	}
	if err := json.Unmarshal(b, &obj); err != nil {
		return errors.New("user is neither a string nor an object")
	}
	u.Name = obj.Name
	return nil
}

// publisher returns the account that published the version: _npmUser, or
// the maintainer when the version document lists exactly one.
func (v *packumentVersion) publisher() string {
	if v.NpmUser != nil && v.NpmUser.Name != "" {
		return v.NpmUser.Name
	}
	if len(v.Maintainers) == 1 {
		return v.Maintainers[0].Name
	}
	return ""
}

// publisherMap maps name → version → account.
type publisherMap map[string]map[string]string

func (m publisherMap) Publisher(name, version string) (string, bool) {
	a, ok := m[name][version]
	return a, ok && a != ""
}

func (m publisherMap) publisherFrom(name, version string) (string, string, bool) {
	a, ok := m.Publisher(name, version)
	return a, "registry metadata", ok
}

// add records the publishers of one packument; fallback names it when the
// document has no name.
func (m publisherMap) add(p *packument, fallback string) {
	name := p.Name
	if name == "" {
		name = fallback
	}
	vs := m[name]
	if vs == nil {
		vs = make(map[string]string, len(p.Versions))
		m[name] = vs
	}
	for v, doc := range p.Versions {
		if a := doc.publisher(); a != "" {
			vs[v] = a
		}
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
		return nil, jsonError(name, data, err)
	}
	return &p, nil
}

// jsonError turns a JSON decoding error into "name:line:col: msg", without
// quoting the file's content.
func jsonError(name string, data []byte, err error) error {
	var off int64 = -1
	var syn *json.SyntaxError
	var typ *json.UnmarshalTypeError
	switch {
	case errors.As(err, &syn):
		off = syn.Offset
	case errors.As(err, &typ):
		off = typ.Offset
		err = fmt.Errorf("field %s: unexpected JSON %s", typ.Field, typ.Value)
	}
	if off < 0 {
		return fmt.Errorf("%s: %v", name, err)
	}
	line, col := lineCol(data, int(off))
	msg := err.Error()
	msg = strings.TrimPrefix(msg, "json: ")
	return fmt.Errorf("%s:%d:%d: %s", name, line, col, msg)
}

// lineCol returns the 1-based line and column of byte offset off in data.
func lineCol(data []byte, off int) (line, col int) {
	if off > len(data) {
		off = len(data)
	}
	line, col = 1, 1
	for _, c := range data[:off] {
		if c == '\n' {
			line, col = line+1, 1
		} else {
			col++
		}
	}
	return line, col
}

// LoadPackuments reads a directory of registry packuments (the documents
// GET <registry>/<name> returns), as given to --registry-metadata: every
// *.json file under dir, scoped packages as @scope/name.json or
// "@scope%2fname.json". The package name comes from the document's "name"
// (else from the file name); a version's publisher is versions[v]._npmUser.name,
// else its maintainer when it lists exactly one.
//
// It reads every file up front: a malformed file is an error naming it with
// line and column, and a directory without packuments is an error. The
// result is read-only and safe for concurrent use.
func LoadPackuments(dir string) (Publishers, error) {
	m := publisherMap{}
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

// ChainPublishers returns a source that asks each of ps in turn: the first
// that knows wins. Nil entries are ignored; with none left it returns nil.
func ChainPublishers(ps ...Publishers) Publishers {
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

type chain []Publishers

func (c chain) Publisher(name, version string) (string, bool) {
	for _, p := range c {
		if a, ok := p.Publisher(name, version); ok {
			return a, true
		}
	}
	return "", false
}

func (c chain) publisherFrom(name, version string) (string, string, bool) {
	for _, p := range c {
		if a, from, ok := publisherLookup(p)(name, version); ok {
			return a, from, true
		}
	}
	return "", "", false
}

// prefetch passes a prefetch request on to the sources that can use one.
func (c chain) prefetch(names []string) {
	for _, p := range c {
		if pf, ok := p.(prefetcher); ok {
			pf.prefetch(names)
		}
	}
}

// A prefetcher is a Publishers source that is faster when told up front
// which names will be asked for (the online registry fetches them
// concurrently).
type prefetcher interface {
	prefetch(names []string)
}

// maxManifestSize caps an installed package.json, in bytes.
const maxManifestSize = 4 << 20

// An installedManifest is what the matcher reads of an installed package.json.
type installedManifest struct {
	Name      string   `json:"name"`
	Version   string   `json:"version"`
	Resolved  string   `json:"_resolved"`
	Integrity string   `json:"_integrity"`
	NpmUser   *npmUser `json:"_npmUser"`
}

// readInstalledManifest reads a package.json from fsys. It returns the
// manifest and the raw bytes (for content scanning). Errors name the file
// as display.
func readInstalledManifest(fsys fs.FS, name, display string) (*installedManifest, []byte, error) {
	data, err := lockfiles.ReadRegularFS(fsys, name, maxManifestSize)
	var tl *lockfiles.TooLargeError
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return nil, nil, err
	case errors.As(err, &tl):
		return nil, nil, fmt.Errorf("%s: larger than %d MiB, not read", display, maxManifestSize>>20)
	case err != nil:
		return nil, nil, fmt.Errorf("%s: %v", display, innerErr(err))
	}
	var m installedManifest
	if err := json.Unmarshal(data, &m); err != nil {
		return nil, nil, jsonError(display, data, err)
	}
	return &m, data, nil
}

// InstalledPublishers returns a source that reads _npmUser from the
// installed manifests under project's node_modules (npm's older clients and
// some installers copy it there). It walks node_modules on first use, reads
// a manifest only when its name is asked for, caches what it read, and
// skips manifests over 4 MiB. Unreadable manifests count as unknown. Safe
// for concurrent use.
func InstalledPublishers(project fs.FS) Publishers {
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
	cache map[string]map[string]string // name → version → account, for names read
}

func (ip *installedPublishers) publisherFrom(name, version string) (string, string, bool) {
	a, ok := ip.Publisher(name, version)
	return a, "installed package.json", ok
}

// Publisher implements [Publishers].
func (ip *installedPublishers) Publisher(name, version string) (string, bool) {
	ip.once.Do(func() {
		ip.dirs = map[string][]string{}
		ip.cache = map[string]map[string]string{}
		for dir := range walkNodeModules(ip.fsys, "node_modules", nil) {
			n := installedName(dir)
			ip.dirs[n] = append(ip.dirs[n], dir)
		}
	})
	ip.mu.Lock()
	vs, done := ip.cache[name]
	ip.mu.Unlock()
	if !done {
		vs = map[string]string{}
		// Directories are named after the alias for aliased installs, so
		// those are not found here; lockfiles carry the real name.
		for _, dir := range ip.dirs[name] {
			m, _, err := readInstalledManifest(ip.fsys, path.Join(dir, "package.json"), "")
			if err != nil || m.Name != name || m.NpmUser == nil || m.NpmUser.Name == "" {
				continue
			}
			vs[m.Version] = m.NpmUser.Name
		}
		ip.mu.Lock()
		ip.cache[name] = vs
		ip.mu.Unlock()
	}
	a, ok := vs[version]
	return a, ok
}

// installedName returns the package name a node_modules directory holds
// ("node_modules/@s/x" → "@s/x"), which for an alias is the alias.
func installedName(dir string) string {
	i := strings.LastIndex(dir, "node_modules/")
	return dir[i+len("node_modules/"):]
}

// walkNodeModules yields the package directories under a node_modules
// directory, nested ones included: node_modules/x, node_modules/@s/x,
// node_modules/x/node_modules/y and pnpm's node_modules/.pnpm/*/node_modules/*.
// Symlinks are not followed (pnpm's top-level links point into .pnpm, npm
// workspace links point at the project's own sources). Directory read
// errors other than "does not exist" are passed to onErr when it is not nil.
func walkNodeModules(fsys fs.FS, nm string, onErr func(error)) func(yield func(string) bool) {
	return func(yield func(string) bool) {
		var walk func(nm string, depth int) bool
		walk = func(nm string, depth int) bool {
			// Real trees are a few levels deep; a bound guards against
			// pathological or cyclic layouts.
			if depth > 32 {
				return true
			}
			ents, err := fs.ReadDir(fsys, nm)
			if err != nil {
				if onErr != nil && !errors.Is(err, fs.ErrNotExist) {
					onErr(err)
				}
				return true
			}
			sort.Slice(ents, func(i, j int) bool { return ents[i].Name() < ents[j].Name() })
			for _, e := range ents {
				name := e.Name()
				if !e.IsDir() || e.Type()&fs.ModeSymlink != 0 {
					continue
				}
				switch {
				case name == ".pnpm":
					sub, err := fs.ReadDir(fsys, path.Join(nm, name))
					if err != nil {
						if onErr != nil {
							onErr(err)
						}
						continue
					}
					for _, s := range sub {
						if s.IsDir() && s.Type()&fs.ModeSymlink == 0 {
							if !walk(path.Join(nm, name, s.Name(), "node_modules"), depth+1) {
								return false
							}
						}
					}
				case strings.HasPrefix(name, "."):
					// .bin, .cache, .package-lock.json's siblings: not packages.
				case strings.HasPrefix(name, "@"):
					scoped, err := fs.ReadDir(fsys, path.Join(nm, name))
					if err != nil {
						if onErr != nil {
							onErr(err)
						}
						continue
					}
					for _, s := range scoped {
						if s.IsDir() && s.Type()&fs.ModeSymlink == 0 {
							if !visit(fsys, path.Join(nm, name, s.Name()), depth, walk, yield) {
								return false
							}
						}
					}
				default:
					if !visit(fsys, path.Join(nm, name), depth, walk, yield) {
						return false
					}
				}
			}
			return true
		}
		walk(nm, 0)
	}
}

func visit(fsys fs.FS, dir string, depth int, walk func(string, int) bool, yield func(string) bool) bool {
	if !yield(dir) {
		return false
	}
	return walk(path.Join(dir, "node_modules"), depth+1)
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
