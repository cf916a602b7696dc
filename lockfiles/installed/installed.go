// Package installed reads what a package manager installed in a project's
// node_modules: it walks the package directories (npm's nested layout and
// pnpm's .pnpm store alike) and reads their package.json manifests. Matching
// what it finds against indicators is the job of package ioc; reading the
// publisher recorded in a manifest is the job of package ioc/publisher.
package installed

import (
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"iter"
	"path"
	"sort"
	"strings"

	"github.com/depsweep/depsweep/lockfiles"
)

// MaxManifestSize caps an installed package.json, in bytes.
const MaxManifestSize = 4 << 20

// A Manifest is what depsweep reads of an installed package.json: the
// package's identity and the fields npm's older clients (and some other
// installers) add at install time.
type Manifest struct {
	Name      string `json:"name"`
	Version   string `json:"version"`
	Resolved  string `json:"_resolved"`
	Integrity string `json:"_integrity"`
	NpmUser   *User  `json:"_npmUser"`
}

// A User is an npm account as package documents name it: the object form
// {"name": ...} or npm's old string form "name <email>".
type User struct {
	Name string `json:"name"`
}

// UnmarshalJSON accepts both forms of a user.
func (u *User) UnmarshalJSON(b []byte) error {
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

// Publisher returns the account in _npmUser, "" when the manifest has none.
func (m *Manifest) Publisher() string {
	if m.NpmUser == nil {
		return ""
	}
	return m.NpmUser.Name
}

// ReadManifest reads the package.json name from fsys (see
// [lockfiles.ReadRegularFS]; at most [MaxManifestSize] bytes). It returns the
// manifest and the raw bytes (for content scanning). A missing file is
// fs.ErrNotExist as fsys returns it; other errors name the file as display.
func ReadManifest(fsys fs.FS, name, display string) (*Manifest, []byte, error) {
	data, err := lockfiles.ReadRegularFS(fsys, name, MaxManifestSize)
	var tl *lockfiles.TooLargeError
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return nil, nil, err
	case errors.As(err, &tl):
		return nil, nil, fmt.Errorf("%s: larger than %d MiB, not read", display, MaxManifestSize>>20)
	case err != nil:
		var pe *fs.PathError
		if errors.As(err, &pe) {
			err = pe.Err // the path is stated once, as display
		}
		return nil, nil, fmt.Errorf("%s: %v", display, err)
	}
	var m Manifest
	if err := json.Unmarshal(data, &m); err != nil {
		return nil, nil, lockfiles.JSONError(display, data, err)
	}
	return &m, data, nil
}

// Name returns the package name a node_modules directory holds
// ("node_modules/@s/x" → "@s/x"), which for an alias is the alias.
func Name(dir string) string {
	i := strings.LastIndex(dir, "node_modules/")
	return dir[i+len("node_modules/"):]
}

// maxDepth bounds the nesting Walk follows: real trees are a few levels
// deep; a bound guards against pathological or cyclic layouts.
const maxDepth = 32

// Walk yields the package directories under the node_modules directory nm
// of fsys, nested ones included, in a fixed order: node_modules/x,
// node_modules/@s/x, node_modules/x/node_modules/y and pnpm's
// node_modules/.pnpm/*/node_modules/*. Symlinks are not followed (pnpm's
// top-level links point into .pnpm, npm workspace links point at the
// project's own sources). Directory read errors other than "does not exist"
// are passed to onErr when it is not nil.
func Walk(fsys fs.FS, nm string, onErr func(error)) iter.Seq[string] {
	return func(yield func(string) bool) {
		w := walker{fsys: fsys, onErr: onErr, yield: yield}
		w.walk(nm, 0)
	}
}

type walker struct {
	fsys  fs.FS
	onErr func(error)
	yield func(string) bool
}

func (w *walker) fail(err error) {
	if w.onErr != nil {
		w.onErr(err)
	}
}

// walk visits the packages of one node_modules directory; false stops.
func (w *walker) walk(nm string, depth int) bool {
	if depth > maxDepth {
		return true
	}
	ents, err := fs.ReadDir(w.fsys, nm)
	if err != nil {
		if !errors.Is(err, fs.ErrNotExist) {
			w.fail(err)
		}
		return true
	}
	sort.Slice(ents, func(i, j int) bool { return ents[i].Name() < ents[j].Name() })
	for _, e := range ents {
		name := e.Name()
		if !realDir(e) {
			continue
		}
		switch {
		case name == ".pnpm":
			sub, err := fs.ReadDir(w.fsys, path.Join(nm, name))
			if err != nil {
				w.fail(err)
				continue
			}
			for _, s := range sub {
				if realDir(s) && !w.walk(path.Join(nm, name, s.Name(), "node_modules"), depth+1) {
					return false
				}
			}
		case strings.HasPrefix(name, "."):
			// .bin, .cache, .package-lock.json's siblings: not packages.
		case strings.HasPrefix(name, "@"):
			scoped, err := fs.ReadDir(w.fsys, path.Join(nm, name))
			if err != nil {
				w.fail(err)
				continue
			}
			for _, s := range scoped {
				if realDir(s) && !w.visit(path.Join(nm, name, s.Name()), depth) {
					return false
				}
			}
		default:
			if !w.visit(path.Join(nm, name), depth) {
				return false
			}
		}
	}
	return true
}

// visit yields one package directory, then walks its own node_modules.
func (w *walker) visit(dir string, depth int) bool {
	if !w.yield(dir) {
		return false
	}
	return w.walk(path.Join(dir, "node_modules"), depth+1)
}

// realDir reports whether e is a directory and not a symlink to one.
func realDir(e fs.DirEntry) bool { return e.IsDir() && e.Type()&fs.ModeSymlink == 0 }
