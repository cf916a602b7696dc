package lockfiles

import (
	"bytes"
	"encoding/json"
	"errors"
	"io/fs"
	"path"
	"sort"
	"strings"
	"unicode/utf8"
)

// A Manifest is what depsweep reads of a package.json.
type Manifest struct {
	Name                 string            `json:"name"`
	Version              string            `json:"version"`
	Dependencies         map[string]string `json:"dependencies"`
	DevDependencies      map[string]string `json:"devDependencies"`
	OptionalDependencies map[string]string `json:"optionalDependencies"`
	PeerDependencies     map[string]string `json:"peerDependencies"`
	Workspaces           Workspaces        `json:"workspaces"`
}

// Workspaces holds the workspace globs of a package.json, written either as
// an array or as {"packages": [...]}.
type Workspaces []string

// UnmarshalJSON accepts both forms of the workspaces field.
func (w *Workspaces) UnmarshalJSON(b []byte) error {
	var list []string
	if err := json.Unmarshal(b, &list); err == nil {
		*w = list
		return nil
	}
	var obj struct {
		Packages []string `json:"packages"`
	}
	if err := json.Unmarshal(b, &obj); err != nil {
		return errors.New("workspaces is neither an array nor an object with packages")
	}
	*w = obj.Packages
	return nil
}

// maxManifest caps the size of a package.json read for project metadata.
const maxManifest = 4 << 20

// ReadManifest reads dir/package.json from fsys. It returns fs.ErrNotExist
// (wrapped) when there is none.
func ReadManifest(fsys fs.FS, dir string) (*Manifest, error) {
	name := path.Join(dir, "package.json")
	data, err := ReadRegularFS(fsys, name, maxManifest)
	var tl *TooLargeError
	switch {
	case errors.As(err, &tl):
		return nil, &fs.PathError{Op: "read", Path: name, Err: errors.New("too large for a package.json")}
	case err != nil:
		return nil, err
	}
	if m, ok := decodeManifest(data); ok {
		return m, nil
	}
	m, err := decodeManifestStd(data)
	if err != nil {
		return nil, &fs.PathError{Op: "parse", Path: name, Err: err}
	}
	return m, nil
}

// decodeManifestStd decodes a package.json with encoding/json. A
// package.json is its first JSON value (what follows is ignored, as a
// Decoder does). Unmarshal reads a file that is one value and no more
// without the Decoder's copy of it; anything else is left to the
// Decoder, whose result and errors are the ones depsweep has always
// given.
func decodeManifestStd(data []byte) (*Manifest, error) {
	var m Manifest
	if json.Unmarshal(data, &m) == nil {
		return &m, nil
	}
	m = Manifest{}
	if err := json.NewDecoder(bytes.NewReader(data)).Decode(&m); err != nil {
		return nil, err
	}
	return &m, nil
}

// Deps returns the manifest's dependencies of every type as name → type;
// a name listed twice keeps the strongest type (prod over optional over peer over dev).
func (m *Manifest) Deps() map[string]DepType {
	out := make(map[string]DepType, len(m.Dependencies)+len(m.DevDependencies))
	for n := range m.DevDependencies {
		out[n] = DepDev
	}
	for n := range m.PeerDependencies {
		out[n] = DepPeer
	}
	for n := range m.OptionalDependencies {
		out[n] = DepOptional
	}
	for n := range m.Dependencies {
		out[n] = DepProd
	}
	return out
}

// workspaceManifests is [WorkspaceDirs] for the globs, reading each
// member's package.json where WorkspaceDirs looks at its status: the
// members (a regular package.json) with their manifests, nil for one that
// does not parse.
func workspaceManifests(fsys fs.FS, globs []string) map[string]*Manifest {
	out := map[string]*Manifest{}
	for _, d := range workspaceCandidates(fsys, globs) {
		m, err := ReadManifest(fsys, d)
		var pe *fs.PathError
		switch {
		case err == nil:
			out[d] = m
		case errors.As(err, &pe) && pe.Op == "parse", errors.As(err, &pe) && pe.Op == "read":
			out[d] = nil // a regular package.json that does not parse, or is too large
		}
	}
	return out
}

// WorkspaceDirs expands the manifest's workspace globs in fsys (relative to
// the project directory) to the sorted slash paths of the directories that
// hold a package.json. Negated globs ("!pattern") remove matches.
func WorkspaceDirs(fsys fs.FS, m *Manifest) []string { return workspaceDirs(fsys, m.Workspaces, nil) }

// workspaceDirs is [WorkspaceDirs] for the globs. A directory in regular
// (whose package.json discovery opened as a regular file, see
// [Found.Members]) is taken without a second look at its status.
func workspaceDirs(fsys fs.FS, globs []string, regular map[string]*Manifest) []string {
	var out []string
	for _, d := range workspaceCandidates(fsys, globs) {
		if _, ok := regular[d]; ok {
			out = append(out, d)
		} else if st, err := fs.Stat(fsys, path.Join(d, "package.json")); err == nil && st.Mode().IsRegular() {
			out = append(out, d)
		}
	}
	return out
}

// workspaceCandidates expands workspace globs in fsys to the sorted slash
// paths they name, negated globs ("!pattern") removing matches; whether
// each holds a package.json is for the caller to see.
func workspaceCandidates(fsys fs.FS, globs []string) []string {
	set := map[string]bool{}
	for _, g := range globs {
		neg := strings.HasPrefix(g, "!")
		g = path.Clean(strings.TrimSuffix(strings.TrimPrefix(strings.TrimPrefix(g, "!"), "./"), "/"))
		g = strings.ReplaceAll(g, "**", "*") // fs.Glob has no "**"; one level covers the usual layouts
		dirs, err := fs.Glob(fsys, g)
		if err != nil {
			continue
		}
		for _, d := range dirs {
			if neg {
				delete(set, d)
				continue
			}
			set[d] = true
		}
	}
	out := make([]string, 0, len(set))
	for d := range set {
		out = append(out, d)
	}
	sort.Strings(out)
	return out
}

// manifestKeys are the package.json members a Manifest holds, in the
// order of decodeManifest's bits.
var manifestKeys = [...]string{"name", "version", "dependencies", "devDependencies", "optionalDependencies", "peerDependencies", "workspaces"}

// errManifestSlow stops decodeManifest where encoding/json must decide.
var errManifestSlow = errors.New("left to encoding/json")

// decodeManifest decodes a package.json that is one object and nothing
// more, with the jsonScanner, into what encoding/json's Unmarshal gives
// for it, without reflection or a map per member object. ok is false for
// anything it does not decode exactly as encoding/json does, which is
// left to encoding/json: a document it cannot read (a syntax error, a
// byte order mark, data after the object), a member of a Manifest field
// that is null or not of the field's type, a key written twice or
// matching a field's name only case-insensitively (encoding/json takes
// it), a kept string that is not valid UTF-8 (encoding/json replaces the
// bytes).
// FuzzDecodeManifest compares the two.
func decodeManifest(data []byte) (m *Manifest, ok bool) {
	s := jsonScanner{data: data, line: 1}
	if s.peek() != '{' {
		return nil, false
	}
	m = &Manifest{}
	// The fields, in manifestKeys' order.
	strs := [...]*string{&m.Name, &m.Version}
	deps := [...]*map[string]string{&m.Dependencies, &m.DevDependencies, &m.OptionalDependencies, &m.PeerDependencies}
	var seen uint
	isObj, err := s.object(func(key []byte, _ int) error {
		k := -1
		for i, name := range manifestKeys {
			if string(key) == name {
				k = i
				break
			}
			if bytes.EqualFold(key, []byte(name)) {
				return errManifestSlow
			}
		}
		if k < 0 {
			return s.skip()
		}
		if seen&(1<<k) != 0 {
			return errManifestSlow
		}
		seen |= 1 << k
		var err error
		switch {
		case k < len(strs):
			*strs[k], err = s.manifestString()
		case k < len(strs)+len(deps):
			*deps[k-len(strs)], err = s.manifestDeps()
		default:
			m.Workspaces, err = s.manifestWorkspaces()
		}
		return err
	})
	if err != nil || !isObj || s.end() != nil {
		return nil, false
	}
	return m, true
}

// manifestString reads a string member's value.
func (s *jsonScanner) manifestString() (string, error) {
	if s.peek() != '"' {
		return "", errManifestSlow
	}
	b, err := s.strBytes()
	if err == nil && !utf8.Valid(b) {
		err = errManifestSlow
	}
	return string(b), err
}

// manifestDeps reads an object of strings (a dependencies member).
func (s *jsonScanner) manifestDeps() (map[string]string, error) {
	if s.peek() != '{' {
		return nil, errManifestSlow
	}
	deps := map[string]string{}
	_, err := s.object(func(key []byte, _ int) error {
		if !utf8.Valid(key) {
			return errManifestSlow
		}
		name := string(key) // an escaped key is in the scanner's scratch, which the value reuses
		v, err := s.manifestString()
		deps[name] = v
		return err
	})
	return deps, err
}

// manifestWorkspaces reads workspaces: an array of strings, or an object
// whose packages member is one (its other members, such as yarn's
// nohoist, are skipped).
func (s *jsonScanner) manifestWorkspaces() (Workspaces, error) {
	list := func() (Workspaces, error) {
		w := Workspaces{}
		err := s.array(func() error {
			v, err := s.manifestString()
			w = append(w, v)
			return err
		})
		return w, err
	}
	switch s.peek() {
	case '[':
		return list()
	case '{':
		var w Workspaces
		_, err := s.object(func(key []byte, _ int) error {
			switch {
			case string(key) == "packages" && w == nil && s.peek() == '[':
				var err error
				w, err = list() // never nil
				return err
			case bytes.EqualFold(key, []byte("packages")):
				return errManifestSlow // twice, not an array, or another case
			}
			return s.skip()
		})
		return w, err
	}
	return nil, errManifestSlow
}
