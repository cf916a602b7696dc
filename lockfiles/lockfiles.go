// Package lockfiles discovers and parses JavaScript lockfiles (npm
// package-lock.json v1/v2/v3, npm-shrinkwrap.json, the hidden
// node_modules/.package-lock.json, yarn.lock classic and berry, and
// pnpm-lock.yaml 5.x to 9.x) into an [Inventory]: every resolved package with
// its real name, alias, source, resolved URL, integrity, scope flags, install
// paths and the line where its entry starts, plus the dependency edges and the
// importers (root project and workspaces) they hang from.
//
// It is also where every input is read safely ([ReadRegular]); SBOM inputs
// are read by the subpackage bom, installed packages by installed, machine
// traces by host and git history and metadata by gitlog. depsweep reads
// JavaScript inputs only; osv-scanner's pkg/lockfile, the oracle of the
// differential tests, lives in test support (internal/lockref).
package lockfiles

import (
	"fmt"
	"io/fs"
	"path"
)

// Source says where a package's code comes from. Matching depends on it: a
// package indicator only hits packages that come from a registry (or whose
// origin the lockfile does not record).
type Source string

// The sources a lockfile can record.
const (
	SourceUnknown   Source = ""          // the lockfile does not say (old npm v1 entries, bare pnpm keys)
	SourceRegistry  Source = "registry"  // the npm registry or a mirror of it
	SourceTarball   Source = "tarball"   // a tarball URL that is not a registry download
	SourceGit       Source = "git"       // a git repository (git+https:, github:, git+ssh:, ...)
	SourceFile      Source = "file"      // a local directory or tarball (file:)
	SourceLink      Source = "link"      // a symlinked directory (link:, portal:, npm "link": true)
	SourceWorkspace Source = "workspace" // a workspace of the same project
	SourceRuntime   Source = "runtime"   // a runtime installed by the package manager (pnpm's node@runtime:)
)

// FromRegistry reports whether s is a registry source or unknown, the two
// cases where a package indicator applies.
func (s Source) FromRegistry() bool { return s == SourceRegistry || s == SourceUnknown }

// A Package is one resolved package pinned by a lockfile.
type Package struct {
	Name    string // real name, "@scope/name" for scoped packages; never the alias
	Version string // exact version; for git and file sources whatever the lockfile pins ("" when none)
	Alias   string // the name it is installed under when aliased ("pm" for pm@npm:postmark-mcp@1.0.17), else ""

	Source   Source // where the code comes from
	Resolved string // resolved URL or locator as written in the lockfile, "" when absent
	// Integrity is the npm Subresource Integrity string as written in the
	// lockfile ("sha512-<base64>", possibly several space-separated), or a
	// "sha1-<base64>" built from yarn classic's "#<sha1 hex>" URL fragment;
	// "" when absent. Parse it with [ParseIntegrity].
	Integrity string
	// Checksum is yarn berry's own cache checksum ("10c0/<hex>"): a hash of
	// Yarn's zip archive, NOT of the npm tarball. Never present it as an npm hash.
	Checksum string
	Patch    string // the patch applied on top (yarn patch: / pnpm patchedDependencies), "" when none

	Dev      bool // only needed by devDependencies (every path from an importer passes a dev edge)
	Optional bool // only needed through optionalDependencies
	Peer     bool // recorded as a peer dependency
	Bundled  bool // shipped inside its parent's tarball (npm inBundle / bundleDependencies)

	Paths []string // npm install paths ("node_modules/a/node_modules/b"); nil for yarn and pnpm
	Line  int      // 1-based line where the package's entry starts in the lockfile; 0 when unknown
}

// ID returns "name@version", the package's identity for matching and SBOMs.
func (p *Package) ID() string { return p.Name + "@" + p.Version }

// Unpinned is the Resolved value of a package launched or requested without
// an exact version ("npx -y postmark-mcp", "postmark-mcp@latest",
// "postmark-mcp@^1"), as machine traces (package lockfiles/host) record it:
// its Version is "", and what runs is whatever the registry serves as
// latest at launch time.
const Unpinned = "unpinned"

// IsUnpinned reports whether p is an unpinned launch or request.
func (p *Package) IsUnpinned() bool { return p.Version == "" && p.Resolved == Unpinned }

// DepType says how a dependency is declared.
type DepType uint8

// Dependency types.
const (
	DepProd     DepType = iota // dependencies
	DepDev                     // devDependencies (only meaningful from an importer)
	DepOptional                // optionalDependencies
	DepPeer                    // peerDependencies
)

func (t DepType) String() string {
	switch t {
	case DepDev:
		return "dev"
	case DepOptional:
		return "optional"
	case DepPeer:
		return "peer"
	}
	return "prod"
}

// A Dep is a dependency of an importer on a package.
type Dep struct {
	To   int // index into Inventory.Packages
	Type DepType
}

// An Edge says that package From depends on package To (indexes into Inventory.Packages).
type Edge struct {
	From, To int
	Type     DepType
}

// An Importer is a project the lockfile installs dependencies for: the root
// project (always Importers[0]) and each workspace.
type Importer struct {
	Path    string // slash path of the project directory relative to the lockfile's project directory; "." for the root
	Name    string // from its package.json, or the lockfile; "" when unknown
	Version string // from its package.json, or the lockfile; "" when unknown
	Deps    []Dep  // its direct dependencies
}

// A Problem is an entry a parser could not understand and skipped; the rest
// of the file was still read. Reports list problems so that a partly read
// file is never mistaken for a clean one.
type Problem struct {
	Line int
	Msg  string
}

// An Inventory is one parsed lockfile.
type Inventory struct {
	Path      string     // slash path of the lockfile relative to the scan root
	Format    string     // "npm-v1", "npm-v2", "npm-v3", "yarn-v1", "yarn-berry-v8", "pnpm-5.4", "pnpm-9.0", ...
	Importers []Importer // Importers[0] is the root project
	Packages  []Package
	Edges     []Edge    // package → package dependencies
	Problems  []Problem // entries skipped; empty for a fully understood file
}

// Root returns the root project.
func (inv *Inventory) Root() *Importer {
	if len(inv.Importers) == 0 {
		inv.Importers = []Importer{{Path: "."}}
	}
	return &inv.Importers[0]
}

// An Input is one lockfile to parse.
type Input struct {
	// Path is the lockfile's slash path relative to the scan root; it names
	// the file in the Inventory and in errors.
	Path string
	// Data is the file's content.
	Data []byte
	// Project is the project directory: the one holding package.json, which
	// is the lockfile's directory or, for node_modules/.package-lock.json,
	// the parent of node_modules. Parsers read the root and workspace
	// manifests from it (names, versions, workspace dependencies that yarn
	// classic does not record). Nil when there is none: then importers only
	// carry what the lockfile says.
	Project fs.FS
	// Manifest, when set, is the project's package.json as the caller
	// already read it (see [Found.PackageJSON]); parsers take it rather
	// than reading Project's package.json again. They do not modify it.
	Manifest *Manifest
	// Members, when set, are package.json files of workspace members the
	// caller already read, by directory relative to Project (see
	// [Found.Members]); a nil entry is read again, for its error.
	Members map[string]*Manifest
	// Listings, when set, are listings of Project's directories the caller
	// already read, by slash path relative to Project (see
	// [Found.Listings]); parsers expand workspace globs through them.
	Listings map[string][]fs.DirEntry
}

// workspaceDirs is [WorkspaceDirs] for root in the project, through the
// listings in.Listings holds, taking the members in.Members holds as
// holding a regular package.json.
func (in Input) workspaceDirs(root *Manifest) []string {
	if in.Project == nil {
		return nil
	}
	var fsys fs.FS = in.Project
	if len(in.Listings) > 0 {
		fsys = listedFS{FS: fsys, listings: in.Listings}
	}
	return workspaceDirs(fsys, root.Workspaces, in.Members)
}

// manifest returns the package.json of dir within the project: in.Manifest
// for the project directory itself and in.Members for a member when they
// hold it, else what [ReadManifest] reads from Project (fs.ErrNotExist when there is no Project).
func (in Input) manifest(dir string) (*Manifest, error) {
	if dir = path.Clean(dir); dir == "." && in.Manifest != nil {
		return in.Manifest, nil
	}
	if m := in.Members[dir]; m != nil {
		return m, nil
	}
	if in.Project == nil {
		return nil, &fs.PathError{Op: "open", Path: path.Join(dir, "package.json"), Err: fs.ErrNotExist}
	}
	return ReadManifest(in.Project, dir)
}

// A ParseError is an error at a position in a file.
type ParseError struct {
	Path      string // file, as in Input.Path
	Line, Col int    // 1-based; 0 when unknown
	Err       error
}

func (e *ParseError) Error() string {
	switch {
	case e.Line > 0 && e.Col > 0:
		return fmt.Sprintf("%s:%d:%d: %v", e.Path, e.Line, e.Col, e.Err)
	case e.Line > 0:
		return fmt.Sprintf("%s:%d: %v", e.Path, e.Line, e.Err)
	}
	return fmt.Sprintf("%s: %v", e.Path, e.Err)
}

func (e *ParseError) Unwrap() error { return e.Err }

// Lockfile names that Parse understands.
const (
	NamePackageLock = "package-lock.json"
	NameShrinkwrap  = "npm-shrinkwrap.json"
	NameHiddenLock  = ".package-lock.json" // inside node_modules
	NameYarnLock    = "yarn.lock"
	NamePnpmLock    = "pnpm-lock.yaml"
)

// parsers maps each lockfile name to its parser: the one table that
// [Parse], [IsLockfile] and discovery ([Find]) go by. A new lockfile format
// is a file of its own with its parse function, and a line here.
var parsers = map[string]func(Input) (*Inventory, error){
	NamePackageLock: parseNPM,
	NameShrinkwrap:  parseNPM,
	NameHiddenLock:  parseNPM, // found inside node_modules only
	NameYarnLock:    parseYarn,
	NamePnpmLock:    parsePnpm,
}

// IsLockfile reports whether a file name is a JavaScript lockfile name Parse understands.
func IsLockfile(name string) bool {
	_, ok := parsers[path.Base(name)]
	return ok
}

// Parse parses one lockfile, choosing the parser by its file name (and, for
// yarn.lock, its content). A parser never panics: a panic is recovered and
// returned as an error naming the file. The returned Inventory has Path set,
// scopes computed and at least one importer.
func Parse(in Input) (inv *Inventory, err error) {
	defer func() {
		if r := recover(); r != nil {
			inv, err = nil, &ParseError{Path: in.Path, Err: fmt.Errorf("internal error: parser panicked: %v", r)}
		}
	}()
	parse, ok := parsers[path.Base(in.Path)]
	if !ok {
		return nil, &ParseError{Path: in.Path, Err: fmt.Errorf("not a JavaScript lockfile name")}
	}
	inv, err = parse(in)
	if err != nil {
		return nil, err
	}
	inv.Path = in.Path
	inv.Root()
	// A file read without its manifests (yarn classic records no importer
	// dependencies) would leave every package without a dependency chain.
	inv.inferRootDeps()
	return inv, nil
}
