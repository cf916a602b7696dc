package lockfiles

import (
	"bytes"
	"encoding/json"
	"errors"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"sort"
	"strings"

	"gopkg.in/yaml.v3"
)

// SpecKind says what a dependency spec in a package.json names, as npm's
// npm-package-arg tells them apart.
type SpecKind string

// Spec kinds. A registry spec is a semver range or a dist-tag: which of the
// two is for the caller's range parser to say.
const (
	SpecRegistry  SpecKind = "registry"  // "^1.0.15", "1.x || >=2.5.0", "latest", ""
	SpecWorkspace SpecKind = "workspace" // "workspace:*"
	SpecFile      SpecKind = "file"      // "file:../lib", "./lib", "link:", "portal:"
	SpecGit       SpecKind = "git"       // "git+https://…", "github:user/repo", "user/repo#ref"
	SpecURL       SpecKind = "url"       // "https://example.com/pkg.tgz"
	SpecOther     SpecKind = "other"     // "patch:", "catalog:", "jsr:", other protocols
)

// A DeclaredDep is one dependency a package.json declares.
type DeclaredDep struct {
	Name     string   // real package name: the target of an "npm:" alias, else the key
	Alias    string   // the key it is declared under when aliased ("pm" for "pm": "npm:postmark-mcp@^1"), else ""
	Spec     string   // the spec as written, less an alias's "npm:<name>@" prefix
	Kind     SpecKind // what Spec names
	Type     DepType
	Manifest string // slash path of the declaring package.json, relative to the project directory
	Line     int    // 1-based line of the dependency's key in Manifest; 0 when not found
}

// A Declared is a project without a lockfile: what its package.json and
// its workspaces' package.json files declare.
type Declared struct {
	Name, Version string
	Workspaces    []string // member directories, slash paths relative to the project
	Deps          []DeclaredDep
}

// ReadDeclared reads the package.json in project (the project directory)
// and those of its workspaces (package.json "workspaces" or
// pnpm-workspace.yaml "packages"). A workspace manifest that cannot be read
// is an error: its dependencies would otherwise go unchecked. Errors name
// the file relative to project: a *ParseError (with the line) for a
// malformed manifest, an *fs.PathError for one that cannot be read.
func ReadDeclared(project fs.FS) (*Declared, error) {
	root, data, err := readManifestData(project, "package.json")
	if err != nil {
		return nil, err
	}
	d := &Declared{Name: root.Name, Version: root.Version}
	d.add(root, data, "package.json")
	if globs := pnpmWorkspaceGlobs(project); len(globs) > 0 {
		root.Workspaces = append(root.Workspaces, globs...)
	}
	d.Workspaces = WorkspaceDirs(project, root)
	for _, dir := range d.Workspaces {
		name := path.Join(dir, "package.json")
		m, data, err := readManifestData(project, name)
		if err != nil {
			return nil, err
		}
		d.add(m, data, name)
	}
	return d, nil
}

func readManifestData(project fs.FS, name string) (*Manifest, []byte, error) {
	f, err := project.Open(name)
	if err != nil {
		return nil, nil, err
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return nil, nil, &fs.PathError{Op: "stat", Path: name, Err: err}
	}
	if !st.Mode().IsRegular() {
		return nil, nil, &fs.PathError{Op: "read", Path: name, Err: ErrNotRegular}
	}
	if st.Size() > maxManifest {
		return nil, nil, &fs.PathError{Op: "read", Path: name, Err: errors.New("too large for a package.json")}
	}
	var buf bytes.Buffer
	if _, err := buf.ReadFrom(f); err != nil {
		return nil, nil, &fs.PathError{Op: "read", Path: name, Err: err}
	}
	data := buf.Bytes()
	var m Manifest
	if err := json.Unmarshal(data, &m); err != nil {
		pe := &ParseError{Path: name, Err: err}
		var se *json.SyntaxError
		var te *json.UnmarshalTypeError
		switch {
		case errors.As(err, &se):
			pe.Line = 1 + bytes.Count(data[:min(int(se.Offset), len(data))], []byte{'\n'})
		case errors.As(err, &te):
			pe.Line = 1 + bytes.Count(data[:min(int(te.Offset), len(data))], []byte{'\n'})
		}
		return nil, nil, pe
	}
	return &m, data, nil
}

// add appends the dependencies of one manifest, sorted by type then name.
func (d *Declared) add(m *Manifest, data []byte, name string) {
	lines := keyLines(data)
	for _, sec := range []struct {
		deps map[string]string
		t    DepType
	}{{m.Dependencies, DepProd}, {m.DevDependencies, DepDev}, {m.OptionalDependencies, DepOptional}, {m.PeerDependencies, DepPeer}} {
		keys := make([]string, 0, len(sec.deps))
		for k := range sec.deps {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		for _, k := range keys {
			dep := DeclaredDep{Name: k, Spec: sec.deps[k], Type: sec.t, Manifest: name, Line: lines[k]}
			if target, ok := strings.CutPrefix(dep.Spec, "npm:"); ok {
				// "npm:name@range", "npm:@scope/name@range", "npm:name".
				at := strings.LastIndexByte(target, '@')
				if at <= 0 {
					dep.Name, dep.Spec = target, ""
				} else {
					dep.Name, dep.Spec = target[:at], target[at+1:]
				}
				dep.Alias = k
			}
			dep.Kind = SpecKindOf(dep.Spec)
			d.Deps = append(d.Deps, dep)
		}
	}
}

// keyLines maps each JSON object key of data ("name": …) to the line of its
// first occurrence; good enough to point a reader at a dependency.
func keyLines(data []byte) map[string]int {
	out := map[string]int{}
	line := 1
	for i := 0; i < len(data); i++ {
		switch data[i] {
		case '\n':
			line++
		case '"':
			j := i + 1
			for j < len(data) && data[j] != '"' && data[j] != '\n' {
				if data[j] == '\\' {
					j++
				}
				j++
			}
			if j >= len(data) || data[j] != '"' {
				continue
			}
			k := j + 1
			for k < len(data) && (data[k] == ' ' || data[k] == '\t') {
				k++
			}
			if k < len(data) && data[k] == ':' {
				key := string(data[i+1 : j])
				if _, ok := out[key]; !ok {
					out[key] = line
				}
			}
			i = j
		}
	}
	return out
}

// SpecKindOf classifies a dependency spec as npm-package-arg does.
func SpecKindOf(spec string) SpecKind {
	s := strings.TrimSpace(spec)
	lower := strings.ToLower(s)
	switch {
	case strings.HasPrefix(lower, "workspace:"):
		return SpecWorkspace
	case strings.HasPrefix(lower, "file:"), strings.HasPrefix(lower, "link:"), strings.HasPrefix(lower, "portal:"),
		strings.HasPrefix(s, "./"), strings.HasPrefix(s, "../"), strings.HasPrefix(s, "/"), strings.HasPrefix(s, "~/"),
		s == "." || s == "..":
		return SpecFile
	case strings.HasPrefix(lower, "git+"), strings.HasPrefix(lower, "git:"), strings.HasPrefix(lower, "git@"),
		strings.HasPrefix(lower, "github:"), strings.HasPrefix(lower, "gitlab:"), strings.HasPrefix(lower, "bitbucket:"),
		strings.HasPrefix(lower, "gist:"), strings.HasSuffix(lower, ".git"):
		return SpecGit
	case strings.HasPrefix(lower, "http://"), strings.HasPrefix(lower, "https://"):
		return SpecURL
	case strings.Contains(s, ":"):
		return SpecOther
	case strings.Contains(s, "/") && !strings.HasPrefix(s, "@"):
		// "user/repo" or "user/repo#ref": GitHub shorthand.
		return SpecGit
	}
	return SpecRegistry
}

// pnpmWorkspaceFile is where pnpm lists a workspace's packages.
const pnpmWorkspaceFile = "pnpm-workspace.yaml"

// pnpmWorkspaceGlobs reads the "packages" globs of pnpm-workspace.yaml in
// project; nil when there is none or it cannot be read.
func pnpmWorkspaceGlobs(project fs.FS) []string {
	b, err := fs.ReadFile(project, pnpmWorkspaceFile)
	if err != nil || len(b) > maxManifest {
		return nil
	}
	var doc struct {
		Packages []string `yaml:"packages"`
	}
	if yaml.Unmarshal(b, &doc) != nil {
		return nil
	}
	return doc.Packages
}

// A wsScope is the set of workspace member directories (slash paths
// relative to the walk's root) of a project met higher up the walk, each
// with its package.json (nil when it could not be parsed).
type wsScope map[string]*Manifest

// inWorkspace reports whether rel is a member of a workspace above it, and
// returns the member's package.json as the scope read it.
func inWorkspace(ws []wsScope, rel string) (*Manifest, bool) {
	for _, s := range ws {
		if m, ok := s[rel]; ok {
			return m, true
		}
	}
	return nil, false
}

// workspaceScope reads the package.json in rel (unless known already holds
// it) and returns it with the workspace members it declares (with
// pnpm-workspace.yaml's packages when hasPnpmWS says the directory holds
// one) and their package.json files, and, when it has members, the
// listings the globs read (by path relative to rel); nil, nil, nil when it
// cannot be read. at is a descriptor of rel (-1: none) to read them
// relative to.
func (w *findWalker) workspaceScope(rel string, at int, hasPnpmWS bool, known *Manifest) (wsScope, *Manifest, map[string][]fs.DirEntry) {
	fsys := listingFS{FS: DirFS(filepath.Join(w.root, filepath.FromSlash(rel))), w: w, rel: rel, at: at, got: map[string][]fs.DirEntry{}}
	m := known
	if m == nil {
		var err error
		if m, err = ReadManifest(fsys, "."); err != nil {
			return nil, nil, nil
		}
	}
	globs := m.Workspaces
	if hasPnpmWS {
		globs = append(globs[:len(globs):len(globs)], pnpmWorkspaceGlobs(fsys)...)
	}
	if len(globs) == 0 {
		return nil, m, nil
	}
	s := wsScope{}
	for d, dm := range workspaceManifests(fsys, globs) {
		s[joinRel(rel, d)] = dm
	}
	if len(s) == 0 {
		return s, m, nil
	}
	return s, m, fsys.got
}

// members returns the members of scope s, a project's in rel, keyed by
// their path relative to the project (as [Input.Members] wants them).
func (s wsScope) members(rel string) map[string]*Manifest {
	if len(s) == 0 {
		return nil
	}
	out := make(map[string]*Manifest, len(s))
	for p, m := range s {
		if rel != "." {
			p = strings.TrimPrefix(p, rel+"/")
		}
		out[p] = m
	}
	return out
}

// hasHidden reports whether rel/node_modules/.package-lock.json is a regular file.
func (w *findWalker) hasHidden(rel string) bool {
	st, err := os.Lstat(filepath.Join(w.root, filepath.FromSlash(rel), "node_modules", NameHiddenLock))
	return err == nil && st.Mode().IsRegular()
}
