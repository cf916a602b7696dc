// Package gitlog reads the lockfiles a git repository held over its history:
// for one branch, every first-parent commit that added, changed or removed a
// lockfile, with the lockfiles present after it; and the lockfile blobs
// themselves, each distinct blob read and parsed once.
//
// It drives the git binary (git log, git ls-tree, git cat-file --batch)
// rather than reading objects itself. git already handles every storage
// detail correctly: packs and their deltas, multi-pack indexes, alternates,
// bare repositories, worktrees, shallow clones and grafts, and future object
// formats (SHA-256). A hand-written reader would have to follow each of
// these, and a subtle mistake would silently drop history. One long-lived
// git cat-file --batch process streams the blobs, so the cost per blob is a
// pipe round trip, not a process start.
//
// Only read-only plumbing commands run, with core.fsmonitor off; none reads
// the index or the work tree, so a scanned repository's configuration cannot
// make git run a program. git's safe.directory check is kept: a repository
// owned by another user is refused by git, and that refusal is returned.
package gitlog

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path"
	"slices"
	"strings"
	"time"

	"github.com/depsweep/depsweep/lockfiles"
)

// A Repo is a git repository opened for reading. Its methods may be called
// from one goroutine at a time.
type Repo struct {
	dir     string          // the directory given to Open
	bare    bool            // no work tree
	shallow map[string]bool // shallow boundary commits (grafted roots), nil when not shallow
}

// Open opens the repository at dir (a work tree, any directory inside one,
// or a bare repository). It fails when git is not installed or dir is not a
// repository.
func Open(ctx context.Context, dir string) (*Repo, error) {
	out, err := gitOutput(ctx, dir, nil, "rev-parse", "--is-bare-repository", "--git-path", "shallow")
	if err != nil {
		return nil, err
	}
	lines := strings.Split(strings.TrimRight(string(out), "\n"), "\n")
	if len(lines) != 2 {
		return nil, fmt.Errorf("%s: unexpected answer from git rev-parse", dir)
	}
	r := &Repo{dir: dir, bare: lines[0] == "true"}
	shallowFile := lines[1]
	if !isAbs(shallowFile) {
		// git answers relative to the directory it ran in.
		shallowFile = dir + string(os.PathSeparator) + shallowFile
	}
	if b, err := os.ReadFile(shallowFile); err == nil {
		r.shallow = map[string]bool{}
		for l := range strings.Lines(string(b)) {
			if l = strings.TrimSpace(l); l != "" {
				r.shallow[l] = true
			}
		}
	} else if !errors.Is(err, os.ErrNotExist) {
		return nil, fmt.Errorf("%s: reading the shallow file: %w", dir, err)
	}
	return r, nil
}

func isAbs(p string) bool { return strings.HasPrefix(p, "/") || len(p) > 1 && p[1] == ':' }

// Dir returns the directory the repository was opened from.
func (r *Repo) Dir() string { return r.dir }

// Bare reports whether the repository has no work tree.
func (r *Repo) Bare() bool { return r.bare }

// Shallow reports whether the repository is a shallow clone: its history
// stops at boundary commits whose parents it does not hold.
func (r *Repo) Shallow() bool { return len(r.shallow) > 0 }

// A Ref is a branch (or another ref) and the commit it points at.
type Ref struct {
	Name   string // short name: "main", "origin/main", or the name as given to [Repo.Resolve]
	Hash   string // full commit hash
	Remote bool   // a remote-tracking branch (refs/remotes/...)
	Tag    bool   // a tag (refs/tags/...), lightweight or annotated (Hash is then the commit it peels to)
}

// Branches returns the local branches, then the remote-tracking branches
// (symbolic refs such as origin/HEAD left out), each sorted by name. A
// repository with no branch but a commit at HEAD (a detached checkout)
// yields "HEAD". An empty repository yields none.
func (r *Repo) Branches(ctx context.Context) ([]Ref, error) {
	out, err := gitOutput(ctx, r.dir, nil, "for-each-ref",
		"--format=%(refname)%00%(objectname)%00%(objecttype)%00%(symref)", "refs/heads", "refs/remotes")
	if err != nil {
		return nil, err
	}
	var refs []Ref
	for l := range strings.Lines(string(out)) {
		f := strings.Split(strings.TrimRight(l, "\n"), "\x00")
		if len(f) != 4 || f[2] != "commit" || f[3] != "" {
			continue // tags pointing elsewhere, symbolic refs
		}
		name, remote := strings.CutPrefix(f[0], "refs/remotes/")
		name = strings.TrimPrefix(name, "refs/heads/")
		refs = append(refs, Ref{Name: name, Hash: f[1], Remote: remote})
	}
	if len(refs) == 0 {
		if ref, err := r.Resolve(ctx, "HEAD"); err == nil {
			refs = append(refs, ref)
		}
	}
	slices.SortStableFunc(refs, func(a, b Ref) int {
		if a.Remote != b.Remote {
			if b.Remote {
				return -1
			}
			return 1
		}
		return strings.Compare(a.Name, b.Name)
	})
	return refs, nil
}

// Tags returns the tags that name a commit, sorted by name: lightweight
// tags, and annotated tags peeled to the commit they tag (a tag of a tag is
// followed to its commit). Tags of trees or blobs are left out.
func (r *Repo) Tags(ctx context.Context) ([]Ref, error) {
	out, err := gitOutput(ctx, r.dir, nil, "for-each-ref",
		"--format=%(refname)%00%(objectname)%00%(objecttype)%00%(*objectname)%00%(*objecttype)", "refs/tags")
	if err != nil {
		return nil, err
	}
	var refs []Ref
	var nested []int // annotated tags of tags: peeled below
	for l := range strings.Lines(string(out)) {
		f := strings.Split(strings.TrimRight(l, "\n"), "\x00")
		if len(f) != 5 {
			continue
		}
		ref := Ref{Name: strings.TrimPrefix(f[0], "refs/tags/"), Tag: true}
		switch {
		case f[2] == "commit":
			ref.Hash = f[1]
		case f[2] == "tag" && f[4] == "commit":
			ref.Hash = f[3]
		case f[2] == "tag" && f[4] == "tag":
			nested = append(nested, len(refs))
			ref.Hash = f[0]
		default:
			continue
		}
		refs = append(refs, ref)
	}
	for _, i := range nested {
		res, err := r.Resolve(ctx, refs[i].Hash)
		if err != nil {
			refs[i].Hash = ""
			continue
		}
		refs[i].Hash = res.Hash
	}
	refs = slices.DeleteFunc(refs, func(x Ref) bool { return x.Hash == "" })
	slices.SortStableFunc(refs, func(a, b Ref) int { return strings.Compare(a.Name, b.Name) })
	return refs, nil
}

// FirstParents returns the first-parent chain of commit, newest first
// (commit itself first), as far as the repository holds it.
func (r *Repo) FirstParents(ctx context.Context, commit string) ([]string, error) {
	if commit == "" || strings.HasPrefix(commit, "-") {
		return nil, fmt.Errorf("invalid commit name %q", commit)
	}
	out, err := gitOutput(ctx, r.dir, nil, "rev-list", "--first-parent", commit)
	if err != nil {
		return nil, err
	}
	return strings.Fields(string(out)), nil
}

// Resolve resolves a branch, tag or commit name to the commit it names.
func (r *Repo) Resolve(ctx context.Context, name string) (Ref, error) {
	if name == "" || strings.HasPrefix(name, "-") {
		return Ref{}, fmt.Errorf("invalid ref %q", name)
	}
	out, err := gitOutput(ctx, r.dir, nil, "rev-parse", "--verify", "--quiet", name+"^{commit}")
	if err != nil {
		return Ref{}, fmt.Errorf("%s: no commit named %q", r.dir, name)
	}
	return Ref{Name: name, Hash: strings.TrimSpace(string(out))}, nil
}

// A Commit is one commit's identity and metadata.
type Commit struct {
	Hash   string
	Parent string // first parent's hash; "" for a root commit or a shallow boundary
	// Parents lists every parent, first parent first; more than one for a
	// merge commit.
	Parents     []string
	Author      string    // author name
	AuthorEmail string    // author e-mail
	AuthorDate  time.Time // when the change was written
	Date        time.Time // committer date: when the commit was made on the branch
	// Boundary is set for a shallow clone's boundary commit: it has parents
	// the clone does not hold, so what it contains may be older than it.
	Boundary bool
}

// A File is one lockfile in a commit's tree.
type File struct {
	Path string // slash path relative to the repository root
	Blob string // object id of its content
}

// A Step is a commit after which the set of lockfiles (or the content of one
// of them) differs from the commit before it on the first-parent chain.
type Step struct {
	Commit Commit
	Files  []File // the lockfiles present after Commit, sorted by path
	// Renames maps each lockfile path Commit moved to the path it came
	// from (git's rename detection: same content, or similar enough).
	Renames map[string]string
}

// A Log is the lockfile history of one branch along its first-parent chain
// (the commits as they landed on the branch; a merge counts as one change,
// compared with the branch before it).
type Log struct {
	Ref Ref
	Tip Commit // the commit the branch points at
	// Steps lists, oldest first, each commit that changed a lockfile. When
	// Start is set, Steps[0] is Start itself with its full lockfile set.
	Steps []Step
	// Start is set when the walk did not reach a root commit: it is the
	// shallow boundary, or the last commit before WalkOptions.Since. What it
	// holds may have been there before it. Nil when the history is complete.
	Start *Commit
	// Cut says why the history is incomplete: "shallow" or "since"; "" when
	// it is complete.
	Cut string
}

// WalkOptions tune [Repo.Log].
type WalkOptions struct {
	// Since limits the walk to commits made after it; the branch state
	// just before it is the starting point. Zero means the whole history.
	Since time.Time
	// Not leaves out the commits reachable from this commit: the walk is
	// then the part of the first-parent chain not in Not's history (a
	// merged branch's own commits, with Not the merge's first parent). The
	// starting point is the tree just before the oldest commit walked, and
	// Cut is "merge". Not and Since do not combine.
	Not string
}

// The pathspecs that select lockfiles; names are checked again with
// [IsLockfilePath], as a git pathspec "*" also matches inside names.
var lockPathspecs = []string{
	":(top)*" + lockfiles.NamePackageLock,
	":(top)*" + lockfiles.NameShrinkwrap,
	":(top)*" + lockfiles.NameYarnLock,
	":(top)*" + lockfiles.NamePnpmLock,
}

// IsLockfilePath reports whether a tracked file is a lockfile the history
// follows: a lockfile name, not inside node_modules except npm's hidden
// lockfile node_modules/.package-lock.json of a project.
func IsLockfilePath(p string) bool {
	if !lockfiles.IsLockfile(p) {
		return false
	}
	dir, base := path.Split(p)
	dir = strings.TrimSuffix(dir, "/")
	if base == lockfiles.NameHiddenLock {
		if path.Base(dir) != "node_modules" {
			return false
		}
		dir = path.Dir(dir)
	}
	for _, c := range strings.Split(dir, "/") {
		if c == "node_modules" {
			return false
		}
	}
	return true
}

// The format of a commit header in git log output: fields separated by NUL,
// each record introduced by \x01 (which git never writes in these fields).
const commitFormat = "--format=%x01%H%x00%P%x00%an%x00%ae%x00%aI%x00%cI"

// Log returns the lockfile history of ref's first-parent chain.
func (r *Repo) Log(ctx context.Context, ref Ref, opts WalkOptions) (*Log, error) {
	tips, err := r.Commits(ctx, []string{ref.Hash})
	if err != nil {
		return nil, err
	}
	lg := &Log{Ref: ref, Tip: tips[ref.Hash]}

	rangeArg := ref.Hash
	if opts.Not != "" {
		if strings.HasPrefix(opts.Not, "-") {
			return nil, fmt.Errorf("invalid commit name %q", opts.Not)
		}
		// The oldest commit of the chain not in Not's history: the walk
		// starts from the tree of its first parent.
		out, err := gitOutput(ctx, r.dir, nil, "rev-list", "--first-parent", "--reverse", ref.Hash, "^"+opts.Not)
		if err != nil {
			return nil, err
		}
		oldest, _, _ := strings.Cut(string(out), "\n")
		if oldest == "" {
			return lg, nil // nothing of ref is outside Not
		}
		cs, err := r.Commits(ctx, []string{oldest})
		if err != nil {
			return nil, err
		}
		if base := cs[oldest].Parent; base != "" {
			if err := r.startAt(ctx, lg, base, "merge"); err != nil {
				return nil, err
			}
			rangeArg = base + ".." + ref.Hash
		}
	} else if !opts.Since.IsZero() {
		out, err := gitOutput(ctx, r.dir, nil, "rev-list", "-1", "--first-parent",
			fmt.Sprintf("--until=%d", opts.Since.Unix()), ref.Hash)
		if err != nil {
			return nil, err
		}
		if base := strings.TrimSpace(string(out)); base != "" {
			if err := r.startAt(ctx, lg, base, "since"); err != nil {
				return nil, err
			}
			rangeArg = base + ".." + ref.Hash
		}
	}

	// -M: a lockfile moved (git mv, or moved and changed in one commit)
	// is one lockfile that changed path, not one removed and one added.
	// Rename detection only runs when a commit both adds and removes a
	// lockfile, so it costs nothing on the usual commit.
	args := append([]string{"log", "--first-parent", "--diff-merges=first-parent", "-z", "--raw",
		"--no-abbrev", "-M", "--no-color", commitFormat, rangeArg, "--"}, lockPathspecs...)
	var changes []change
	err = gitStream(ctx, r.dir, args, func(rd *bufio.Reader) error {
		var err error
		changes, err = r.parseLog(rd)
		return err
	})
	if err != nil {
		return nil, err
	}
	// git log lists newest first; replay oldest first.
	state := map[string]string{}
	if len(lg.Steps) > 0 {
		for _, f := range lg.Steps[0].Files {
			state[f.Path] = f.Blob
		}
	}
	for i := len(changes) - 1; i >= 0; i-- {
		c := changes[i]
		var renames map[string]string
		for _, d := range c.diffs {
			if d.blob == "" {
				delete(state, d.path)
			} else {
				state[d.path] = d.blob
			}
			if d.from != "" && d.blob != "" {
				if renames == nil {
					renames = map[string]string{}
				}
				renames[d.path] = d.from
			}
		}
		lg.Steps = append(lg.Steps, Step{Commit: c.commit, Files: snapshot(state), Renames: renames})
	}
	if lg.Cut == "" && r.Shallow() {
		// The walk reached a shallow boundary when the oldest commit of the
		// chain is one; find it (it may hold no lockfile, then it is not a Step).
		out, err := gitOutput(ctx, r.dir, nil, "rev-list", "--first-parent", "--max-parents=0", ref.Hash)
		if err != nil {
			return nil, err
		}
		for _, h := range strings.Fields(string(out)) {
			if r.shallow[h] {
				cs, err := r.Commits(ctx, []string{h})
				if err != nil {
					return nil, err
				}
				start := cs[h]
				lg.Start, lg.Cut = &start, "shallow"
				break
			}
		}
	}
	return lg, nil
}

func snapshot(state map[string]string) []File {
	files := make([]File, 0, len(state))
	for p, b := range state {
		files = append(files, File{Path: p, Blob: b})
	}
	slices.SortFunc(files, func(a, b File) int { return strings.Compare(a.Path, b.Path) })
	return files
}

type diff struct {
	path string
	blob string // new blob; "" when the file is gone (or no longer a regular file)
	from string // for a rename: the path it moved from (also listed as gone)
}

type change struct {
	commit Commit
	diffs  []diff
}

// parseLog reads git log -z --raw output in commitFormat.
func (r *Repo) parseLog(rd *bufio.Reader) ([]change, error) {
	var out []change
	if _, err := rd.ReadBytes('\x01'); err != nil { // skip to the first record
		if err == io.EOF {
			return nil, nil
		}
		return nil, err
	}
	for {
		rec, err := rd.ReadBytes('\x01')
		last := err == io.EOF
		if err != nil && !last {
			return nil, err
		}
		rec = bytes.TrimSuffix(rec, []byte{'\x01'})
		c, perr := r.parseRecord(rec)
		if perr != nil {
			return nil, perr
		}
		if len(c.diffs) > 0 {
			out = append(out, c)
		}
		if last {
			return out, nil
		}
	}
}

func (r *Repo) parseRecord(rec []byte) (change, error) {
	f := strings.Split(string(rec), "\x00")
	if len(f) < 6 {
		return change{}, errors.New("git log: short commit record")
	}
	c, err := r.commitFromFields(f[:6])
	if err != nil {
		return change{}, err
	}
	ch := change{commit: c}
	rest := f[6:]
	for i := 0; i+1 < len(rest); {
		meta := strings.TrimLeft(rest[i], "\n")
		if meta == "" {
			break
		}
		// ":<old mode> <new mode> <old id> <new id> <status>", then the
		// path, or for a rename or copy (status R<score>, C<score>) the
		// old path and the new one.
		m := strings.Fields(strings.TrimPrefix(meta, ":"))
		if len(m) != 5 || m[4] == "" {
			return change{}, fmt.Errorf("git log: unexpected raw diff line in commit %s", c.Hash)
		}
		status := m[4][0]
		p, from := rest[i+1], ""
		i += 2
		if status == 'R' || status == 'C' {
			if i >= len(rest) {
				return change{}, fmt.Errorf("git log: short rename entry in commit %s", c.Hash)
			}
			from, p = p, rest[i]
			i++
		}
		if status == 'R' && IsLockfilePath(from) {
			ch.diffs = append(ch.diffs, diff{path: from}) // gone from its old path
		}
		if !IsLockfilePath(p) {
			continue
		}
		d := diff{path: p}
		if status != 'D' && regularFile(m[1]) {
			d.blob = m[3]
			if status == 'R' && IsLockfilePath(from) && path.Base(from) == path.Base(p) {
				d.from = from
			}
		}
		ch.diffs = append(ch.diffs, d)
	}
	return ch, nil
}

// regularFile reports whether a git tree mode is a regular file (not a
// symlink, whose blob is the link target, nor a submodule).
func regularFile(mode string) bool { return mode == "100644" || mode == "100755" }

func (r *Repo) commitFromFields(f []string) (Commit, error) {
	c := Commit{Hash: f[0], Author: f[2], AuthorEmail: f[3]}
	if ps := strings.Fields(f[1]); len(ps) > 0 {
		c.Parent, c.Parents = ps[0], ps
	}
	var err error
	if c.AuthorDate, err = time.Parse(time.RFC3339, f[4]); err != nil {
		return Commit{}, fmt.Errorf("git log: commit %s: bad author date", c.Hash)
	}
	if c.Date, err = time.Parse(time.RFC3339, f[5]); err != nil {
		return Commit{}, fmt.Errorf("git log: commit %s: bad committer date", c.Hash)
	}
	c.Boundary = r.shallow[c.Hash]
	return c, nil
}

// Commits returns the metadata of the named commits, keyed by the names as
// given (full hashes are best).
func (r *Repo) Commits(ctx context.Context, hashes []string) (map[string]Commit, error) {
	out := make(map[string]Commit, len(hashes))
	if len(hashes) == 0 {
		return out, nil
	}
	for _, h := range hashes {
		if h == "" || strings.HasPrefix(h, "-") {
			return nil, fmt.Errorf("invalid commit name %q", h)
		}
	}
	stdin := strings.NewReader(strings.Join(hashes, "\n") + "\n")
	b, err := gitOutput(ctx, r.dir, stdin, "log", "--no-walk=unsorted", "--stdin", "-z", "--no-color", commitFormat)
	if err != nil {
		return nil, err
	}
	recs := bytes.Split(b, []byte{'\x01'})
	if len(recs) != len(hashes)+1 {
		return nil, fmt.Errorf("%s: git log returned %d commits for %d names", r.dir, len(recs)-1, len(hashes))
	}
	for i, rec := range recs[1:] {
		f := strings.Split(strings.TrimRight(string(rec), "\x00\n"), "\x00")
		if len(f) < 6 {
			return nil, errors.New("git log: short commit record")
		}
		c, err := r.commitFromFields(f[:6])
		if err != nil {
			return nil, err
		}
		out[hashes[i]] = c
	}
	return out, nil
}

// Tree returns the lockfiles in commit's tree, sorted by path.
func (r *Repo) Tree(ctx context.Context, commit string) ([]File, error) {
	return r.lsTree(ctx, commit, ".", IsLockfilePath)
}

// lsTree returns the regular files in commit's tree under dir (a slash
// path relative to the repository root, "." for the root) whose path keep
// accepts, sorted by path.
func (r *Repo) lsTree(ctx context.Context, commit, dir string, keep func(p string) bool) ([]File, error) {
	if commit == "" || strings.HasPrefix(commit, "-") {
		return nil, fmt.Errorf("invalid commit name %q", commit)
	}
	args := []string{"ls-tree", "-r", "-z", "--full-tree", commit}
	if dir != "." && dir != "" {
		args = append(args, "--", ":(top,literal)"+dir) // git ls-tree takes no glob pathspec
	}
	var files []File
	err := gitStream(ctx, r.dir, args, func(rd *bufio.Reader) error {
		for {
			ent, err := rd.ReadString(0)
			if err == io.EOF {
				return nil
			}
			if err != nil {
				return err
			}
			// "<mode> SP <type> SP <object> TAB <file>"
			meta, p, ok := strings.Cut(strings.TrimSuffix(ent, "\x00"), "\t")
			m := strings.Fields(meta)
			if !ok || len(m) != 3 {
				return fmt.Errorf("git ls-tree: unexpected entry in commit %s", commit)
			}
			if m[1] == "blob" && regularFile(m[0]) && keep(p) {
				files = append(files, File{Path: p, Blob: m[2]})
			}
		}
	})
	slices.SortFunc(files, func(a, b File) int { return strings.Compare(a.Path, b.Path) })
	return files, err
}

// gitCmd builds a git command in dir with a clean environment: variables a
// caller's own git (a hook, a CI job) may have set would point git at
// another repository.
func gitCmd(ctx context.Context, dir string, args ...string) *exec.Cmd {
	full := append([]string{"-C", dir, "-c", "core.fsmonitor=false", "--no-pager"}, args...)
	cmd := exec.CommandContext(ctx, "git", full...)
	env := make([]string, 0, len(os.Environ())+2)
	for _, kv := range os.Environ() {
		k, _, _ := strings.Cut(kv, "=")
		switch k {
		case "GIT_DIR", "GIT_WORK_TREE", "GIT_INDEX_FILE", "GIT_COMMON_DIR", "GIT_PREFIX",
			"GIT_NAMESPACE", "GIT_CEILING_DIRECTORIES", "GIT_OBJECT_DIRECTORY":
			continue
		}
		env = append(env, kv)
	}
	cmd.Env = append(env, "GIT_TERMINAL_PROMPT=0", "GIT_OPTIONAL_LOCKS=0", "LC_ALL=C")
	return cmd
}

// gitOutput runs git and returns its standard output; a failure carries
// git's own first line of complaint.
func gitOutput(ctx context.Context, dir string, stdin io.Reader, args ...string) ([]byte, error) {
	cmd := gitCmd(ctx, dir, args...)
	cmd.Stdin = stdin
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		return nil, gitError(ctx, dir, args[0], err, stderr.Bytes())
	}
	return out, nil
}

// gitStream runs git and hands its standard output to read as it comes.
func gitStream(ctx context.Context, dir string, args []string, read func(*bufio.Reader) error) error {
	cmd := gitCmd(ctx, dir, args...)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.StdoutPipe()
	if err != nil {
		return err
	}
	if err := cmd.Start(); err != nil {
		return gitError(ctx, dir, args[0], err, nil)
	}
	rerr := read(bufio.NewReaderSize(out, 64<<10))
	if rerr != nil {
		io.Copy(io.Discard, out) // let git finish writing before Wait
	}
	werr := cmd.Wait()
	if werr != nil {
		return gitError(ctx, dir, args[0], werr, stderr.Bytes())
	}
	if rerr != nil {
		return fmt.Errorf("%s: %w", dir, rerr)
	}
	return nil
}

func gitError(ctx context.Context, dir, sub string, err error, stderr []byte) error {
	if ctx.Err() != nil {
		return ctx.Err()
	}
	if errors.Is(err, exec.ErrNotFound) {
		return fmt.Errorf("git is not installed (history needs the git binary): %w", err)
	}
	msg := strings.TrimSpace(string(stderr))
	if i := strings.IndexByte(msg, '\n'); i >= 0 {
		msg = msg[:i]
	}
	if msg == "" {
		msg = err.Error()
	}
	return fmt.Errorf("%s: git %s: %s", dir, sub, strings.TrimPrefix(msg, "fatal: "))
}

// Manifests returns the package.json files in commit's tree under dir (a
// slash path relative to the repository root, "." for the root), outside
// node_modules, sorted by path: what a lockfile's parser reads for the
// names of its project and workspaces.
func (r *Repo) Manifests(ctx context.Context, commit, dir string) ([]File, error) {
	return r.lsTree(ctx, commit, dir, func(p string) bool {
		return path.Base(p) == "package.json" && !slices.Contains(strings.Split(p, "/"), "node_modules")
	})
}

// startAt makes commit base the start of lg, a walk cut at it for reason
// cut ("merge", "since"): base's lockfiles are the walk's first step.
func (r *Repo) startAt(ctx context.Context, lg *Log, base, cut string) error {
	cs, err := r.Commits(ctx, []string{base})
	if err != nil {
		return err
	}
	start := cs[base]
	files, err := r.Tree(ctx, base)
	if err != nil {
		return err
	}
	lg.Start, lg.Cut = &start, cut
	lg.Steps = append(lg.Steps, Step{Commit: start, Files: files})
	return nil
}
