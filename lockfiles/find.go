package lockfiles

import (
	"context"
	"errors"
	"io/fs"
	"iter"
	"os"
	"path"
	"path/filepath"
	"slices"
	"strings"
	"syscall"
)

// A Found is one lockfile discovered under a root.
type Found struct {
	Path    string // slash path of the lockfile relative to the root
	Project string // slash path of its project directory (where package.json stands) relative to the root
	// Repo is the unit the file belongs to: the slash path of the nearest
	// enclosing directory holding .git, relative to the root; outside any
	// git checkout, the top-most directory holding a package.json, a
	// lockfile or node_modules (its workspaces and nested projects stay
	// with it); "." when the root itself is such a directory, or none
	// encloses the file.
	Repo string
	// Manifest is set when Path is the package.json of a project without
	// a lockfile (see [FindOptions.Manifests]).
	Manifest bool
	// NodeModules is set when Path is a node_modules directory with
	// neither a lockfile nor a package.json beside it (see
	// [FindOptions.NodeModules]); Project is its parent.
	NodeModules bool
	// PackageJSON is the package.json of Project as discovery read it (with
	// [FindOptions.Manifests] or [FindOptions.NodeModules], to learn its
	// workspaces), nil when it did not read or could not parse it. Parsers
	// take it ([Input.Manifest]) rather than reading the file again.
	PackageJSON *Manifest
	// Members are the package.json files of the project's workspace
	// members as discovery read them, by directory relative to Project
	// (nil for one that did not parse); parsers take them ([Input.Members]).
	Members map[string]*Manifest
	// Listings are the directory listings the project's workspace globs
	// read, by slash path relative to Project, when it has members;
	// parsers glob through them ([Input.Listings]).
	Listings map[string][]fs.DirEntry
}

// FindOptions tune discovery.
type FindOptions struct {
	Skip func(relDir string) bool // optional: skip a directory (slash path relative to the root)
	// Manifests also yields the package.json of each project that has no
	// lockfile beside it (nor node_modules/.package-lock.json) and is not a
	// workspace of a project found above it, as a Found with Manifest set.
	// A workspace root's members are not yielded: they belong to it.
	Manifests bool
	// NodeModules also yields each node_modules directory that stands
	// beside neither a lockfile nor a package.json (a deploy image, a
	// Lambda bundle), as a Found with NodeModules set.
	NodeModules bool
}

// A FindError is a path discovery could not read.
type FindError struct {
	Path string // slash path relative to the root
	Err  error
}

func (e *FindError) Error() string { return e.Path + ": " + e.Err.Error() }
func (e *FindError) Unwrap() error { return e.Err }

// Errors a FindError can wrap besides those of the file system.
var (
	ErrSymlink    = errors.New("symbolic link not followed")
	ErrNotRegular = errors.New("not a regular file")
)

// Find walks root and yields each lockfile in lexical path order, and a
// *FindError for each path it could not read; the walk goes on after an
// error. It stops when ctx is done, yielding ctx's error for the directory
// it was about to read.
//
// It yields package-lock.json, npm-shrinkwrap.json (only the shrinkwrap
// when both stand in one directory, as npm reads only that), yarn.lock,
// pnpm-lock.yaml, and node_modules/.package-lock.json when no other
// lockfile stands beside that node_modules. It never descends into .git or
// node_modules, nor into directories opts.Skip names.
//
// Find does not follow symbolic links. A symlink that names a lockfile or a
// directory, or that loops, is yielded as a *FindError wrapping [ErrSymlink]
// that says where it points; other symlinks are ignored. A lockfile name on
// something other than a regular file (a FIFO, a device) is a *FindError
// wrapping [ErrNotRegular].
//
// Order: directory entries are visited in name order, depth first, so a
// directory's subtree comes where its name sorts among its siblings.
func Find(ctx context.Context, root string, opts FindOptions) iter.Seq2[Found, error] {
	return func(yield func(Found, error) bool) {
		if w := newFindWalker(ctx, root, opts, yield); w != nil {
			w.walk(".", ".", false, nil)
		}
	}
}

// newFindWalker checks root and returns a walker of it, or yields the
// error that root is not a readable directory and returns nil.
func newFindWalker(ctx context.Context, root string, opts FindOptions, yield func(Found, error) bool) *findWalker {
	st, err := os.Stat(root)
	if err != nil {
		yield(Found{}, &FindError{Path: ".", Err: errors.Unwrap(err)})
		return nil
	}
	if !st.IsDir() {
		yield(Found{}, &FindError{Path: ".", Err: errors.New("not a directory")})
		return nil
	}
	real, err := filepath.EvalSymlinks(root)
	if err != nil {
		real = root
	}
	if abs, err := filepath.Abs(real); err == nil {
		real = abs
	}
	return &findWalker{ctx: ctx, root: root, realRoot: real, skip: opts.Skip, yield: yield, opts: opts}
}

// A Subtree is a directory below a root that [Split] left for its caller
// to walk, with what the walk above it learnt (its unit, the workspaces
// declared above it).
type Subtree struct {
	w    *findWalker // shared, read-only: root, options
	rel  string
	repo string
	unit bool
	ws   []wsScope
}

// Path is the subtree's slash path relative to the root.
func (s Subtree) Path() string { return s.rel }

// Find yields what [Find] of the root yields for the subtree, in the same
// order. Subtrees of one Split may be walked at the same time.
func (s Subtree) Find() iter.Seq2[Found, error] {
	return func(yield func(Found, error) bool) {
		w := *s.w
		w.yield, w.split, w.listed, w.held = yield, nil, nil, 0
		w.walk(s.rel, s.repo, s.unit, s.ws)
	}
}

// Split is [Find] for the root directory itself: it yields what Find
// yields for the root's own entries and returns, in name order, the
// subdirectories Find would walk, for the caller to walk (in parallel, on
// a fleet of checkouts) with [Subtree.Find]. Split's yields followed by
// each subtree's are Find's, though not in Find's order. It returns nil
// when the walk stopped (yield returned false, or ctx is done).
func Split(ctx context.Context, root string, opts FindOptions, yield func(Found, error) bool) []Subtree {
	w := newFindWalker(ctx, root, opts, yield)
	if w == nil {
		return nil
	}
	var subs []Subtree
	w.split = func(rel, repo string, unit bool, ws []wsScope) {
		subs = append(subs, Subtree{w: w, rel: rel, repo: repo, unit: unit, ws: ws})
	}
	if !w.walk(".", ".", false, nil) {
		return nil
	}
	return subs
}

// findListDir is listDir (os.ReadDir, on Linux on a descriptor opened
// relative to the parent directory's); tests replace it to simulate
// unreadable directories, which permission bits cannot do when tests run
// as root.
var findListDir = listDir

// heldDirs caps the directory descriptors one walk holds open: one per
// level of the directory it is in, so that each directory, package.json
// and workspace listing below is opened relative to its parent (one path
// element for the kernel to resolve, not the eight or nine from the file
// system root of a path in a fleet checkout). Deeper levels are opened by
// their path.
const heldDirs = 64

type findWalker struct {
	ctx      context.Context
	root     string
	realRoot string
	skip     func(string) bool
	yield    func(Found, error) bool
	opts     FindOptions
	// split, when set, receives the root's subdirectories instead of the
	// walk descending into them (see [Split]).
	split func(rel, repo string, unit bool, ws []wsScope)
	// listed holds the listings of directories a project's workspace globs
	// read (by slash path relative to the root), for the walk to take when
	// it reaches them rather than read them a second time. Each is taken
	// once; the walker that read it is the one that takes it.
	listed map[string][]fs.DirEntry
	held   int // directory descriptors open (see heldDirs)
}

// list lists directory rel, which is name in the directory open as parent
// (parent < 0: none): the listing the workspace globs took, if they read
// it, else a fresh one. fd is a descriptor of rel to open its entries
// relative to, -1 when there is none; the caller closes it with closeDir.
func (w *findWalker) list(parent int, name, rel string) (entries []fs.DirEntry, fd int, err error) {
	dir := filepath.Join(w.root, filepath.FromSlash(rel))
	keep := w.held < heldDirs
	if entries, ok := w.listed[rel]; ok {
		delete(w.listed, rel)
		fd = -1
		if keep && slices.ContainsFunc(entries, fs.DirEntry.IsDir) {
			// A descriptor for the walk below; without one (an error
			// here) each entry is opened by its path instead.
			if d, err := openDir(parent, name, dir); err == nil {
				fd = d
			}
		}
		return entries, fd, nil
	}
	return findListDir(parent, name, dir, keep)
}

// A listingFS is a project directory's file system whose ReadDir, as the
// workspace globs call it, keeps each listing for the walk (see
// findWalker.listed). Listings go through findListDir, as the walk's do.
type listingFS struct {
	fs.FS
	w   *findWalker
	rel string                   // the project directory, relative to the root
	at  int                      // a descriptor of it; -1 for none
	got map[string][]fs.DirEntry // every listing read, by name relative to rel
}

// ReadDir implements fs.ReadDirFS.
func (l listingFS) ReadDir(name string) ([]fs.DirEntry, error) {
	if !fs.ValidPath(name) {
		return nil, &fs.PathError{Op: "readdir", Path: name, Err: fs.ErrInvalid}
	}
	rel := l.rel
	if name != "." {
		rel = joinRel(l.rel, name)
	}
	entries, _, err := findListDir(l.at, filepath.FromSlash(name), filepath.Join(l.w.root, filepath.FromSlash(rel)), false)
	if err != nil {
		return nil, err
	}
	if l.w.listed == nil {
		l.w.listed = map[string][]fs.DirEntry{}
	}
	l.w.listed[rel] = entries
	l.got[name] = entries
	return entries, nil
}

// A listedFS is a project directory's file system whose ReadDir returns
// the listings discovery read (see [Found.Listings]) for the directories
// they cover, and reads the others.
type listedFS struct {
	fs.FS
	listings map[string][]fs.DirEntry // by name relative to the directory
}

// ReadDir implements fs.ReadDirFS.
func (l listedFS) ReadDir(name string) ([]fs.DirEntry, error) {
	if entries, ok := l.listings[name]; ok {
		return entries, nil
	}
	return fs.ReadDir(l.FS, name)
}

// Stat implements fs.StatFS.
func (l listedFS) Stat(name string) (fs.FileInfo, error) { return fs.Stat(l.FS, name) }

func joinRel(dir, name string) string {
	if dir == "." {
		return name
	}
	return dir + "/" + name
}

func (w *findWalker) fail(rel string, err error) bool {
	return w.yield(Found{}, &FindError{Path: rel, Err: err})
}

// walk visits directory rel (a slash path relative to the root) whose
// unit is repo; unit says whether that unit is already fixed (a .git
// directory, or a project directory above). ws are the workspace scopes
// of the projects above. It returns false when the walk must stop.
func (w *findWalker) walk(rel, repo string, unit bool, ws []wsScope) bool {
	return w.walkAt(-1, rel, rel, repo, unit, ws)
}

// walkAt is walk for rel, which is name in the directory open as parent
// (parent < 0: none).
func (w *findWalker) walkAt(parent int, name, rel, repo string, unit bool, ws []wsScope) bool {
	if err := w.ctx.Err(); err != nil {
		w.fail(rel, err)
		return false
	}
	entries, fd, err := w.list(parent, name, rel)
	if fd >= 0 {
		w.held++
		defer func() { closeDir(fd); w.held-- }()
	}
	if err != nil {
		var pe *fs.PathError
		if errors.As(err, &pe) {
			err = pe.Err // the path is already in the FindError
		}
		return w.fail(rel, err)
	}
	hasLock, shrinkwrap, hasManifest, hasNM, hasPnpmWS := false, false, false, false, false
	for _, e := range entries {
		switch e.Name() {
		case ".git":
			repo, unit = rel, true // a directory, or a file in worktrees and submodules
		case "package.json":
			hasManifest = e.Type().IsRegular()
		case pnpmWorkspaceFile:
			hasPnpmWS = true
		case "node_modules":
			hasNM = e.IsDir()
		case NameShrinkwrap:
			shrinkwrap = shrinkwrap || e.Type().IsRegular()
			hasLock = true
		default:
			hasLock = hasLock || isLockName(e.Name())
		}
	}
	if !unit && (hasManifest || hasLock || hasNM) {
		// Outside git checkouts the top-most project directory is the
		// unit (a bundle holding only node_modules counts as one).
		repo, unit = rel, true
	}
	var pkg *Manifest
	var members map[string]*Manifest
	var listings map[string][]fs.DirEntry
	if hasManifest && (w.opts.Manifests || w.opts.NodeModules) {
		// A member's package.json was read with its workspace's scope.
		known, member := inWorkspace(ws, rel)
		var s wsScope
		s, pkg, listings = w.workspaceScope(rel, fd, hasPnpmWS, known)
		if len(s) > 0 {
			ws = append(ws[:len(ws):len(ws)], s)
			members = s.members(rel)
		}
		if w.opts.Manifests && !hasLock && !member && !(hasNM && w.hasHidden(rel)) {
			if !w.yield(Found{Path: joinRel(rel, "package.json"), Project: rel, Repo: repo, Manifest: true, PackageJSON: pkg}, nil) {
				return false
			}
		}
	}
	for _, e := range entries {
		name, typ := e.Name(), e.Type()
		if name == ".git" || (typ.IsRegular() && !isLockName(name) && name != ".mcp.json" && name != "mcp.json") {
			continue // most entries: nothing to walk, yield or report
		}
		p := joinRel(rel, name)
		ok := true
		switch {
		case typ&fs.ModeSymlink != 0:
			ok = w.symlink(p, name)
		case typ.IsDir() && isLockName(name):
			// A directory under a lockfile's name is reported, not
			// walked: it stands where a lockfile should be, and
			// saying nothing would read as "no lockfile here".
			ok = w.fail(p, ErrNotRegular)
		case typ.IsDir():
			switch {
			case w.skip != nil && w.skip(p):
			case name == "node_modules":
				if !hasLock {
					ok = w.hidden(p, rel, repo, pkg, members, listings)
				}
				if ok && w.opts.NodeModules && !hasLock && !hasManifest && !w.hasHidden(rel) {
					ok = w.yield(Found{Path: p, Project: rel, Repo: repo, NodeModules: true}, nil)
				}
			case w.split != nil && rel == ".":
				w.split(p, repo, unit, ws)
			default:
				ok = w.walkAt(fd, name, p, repo, unit, ws)
			}
		case typ.IsRegular() && IsMCPConfig(p):
			ok = w.yield(Found{Path: p, Project: mcpProject(p), Repo: repo}, nil)
		case isLockName(name):
			switch {
			case !typ.IsRegular():
				ok = w.fail(p, ErrNotRegular)
			case name == NamePackageLock && shrinkwrap:
				// npm reads npm-shrinkwrap.json and ignores package-lock.json.
			default:
				ok = w.yield(Found{Path: p, Project: rel, Repo: repo, PackageJSON: pkg, Members: members, Listings: listings}, nil)
			}
		}
		if !ok {
			return false
		}
	}
	return true
}

// hidden yields nm/.package-lock.json, the lockfile npm keeps inside
// node_modules, for project directory project.
func (w *findWalker) hidden(nm, project, repo string, pkg *Manifest, members map[string]*Manifest, listings map[string][]fs.DirEntry) bool {
	p := nm + "/" + NameHiddenLock
	st, err := os.Lstat(filepath.Join(w.root, filepath.FromSlash(p)))
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return true
	case err != nil:
		return w.fail(p, errors.Unwrap(err))
	case st.Mode()&fs.ModeSymlink != 0:
		return w.symlink(p, NameHiddenLock)
	case !st.Mode().IsRegular():
		return w.fail(p, ErrNotRegular)
	}
	return w.yield(Found{Path: p, Project: project, Repo: repo, PackageJSON: pkg, Members: members, Listings: listings}, nil)
}

// symlink reports the symlink at p when it matters: it names a lockfile,
// points at a directory, or cannot be resolved because it loops.
func (w *findWalker) symlink(p, name string) bool {
	full := filepath.Join(w.root, filepath.FromSlash(p))
	lock := IsLockfile(name)
	st, err := os.Stat(full)
	switch {
	case errors.Is(err, syscall.ELOOP):
		return w.fail(p, &symlinkError{"it is part of a symlink loop"})
	case err != nil:
		if lock {
			return w.fail(p, &symlinkError{"its target does not exist or cannot be read"})
		}
		return true
	case !lock && !st.IsDir():
		return true
	}
	where := "outside the root"
	if w.inside(full) {
		where = "inside the root"
	}
	what := "a file"
	if st.IsDir() {
		what = "a directory"
	}
	return w.fail(p, &symlinkError{"it points to " + what + " " + where})
}

// inside reports whether the fully resolved target of full is within the root.
func (w *findWalker) inside(full string) bool {
	target, err := filepath.EvalSymlinks(full)
	if err != nil {
		return false
	}
	if target, err = filepath.Abs(target); err != nil {
		return false
	}
	rel, err := filepath.Rel(w.realRoot, target)
	if err != nil {
		return false
	}
	rel = filepath.ToSlash(rel)
	return rel != ".." && !strings.HasPrefix(rel, "../") && !path.IsAbs(rel)
}

// symlinkError is ErrSymlink with the reason.
type symlinkError struct{ why string }

func (e *symlinkError) Error() string        { return ErrSymlink.Error() + ": " + e.why }
func (e *symlinkError) Is(target error) bool { return target == ErrSymlink }

// isLockName reports whether name is a lockfile name discovery looks for
// in a project directory.
func isLockName(name string) bool {
	return name != NameHiddenLock && IsLockfile(name)
}
