package ioc

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"runtime"
	"runtime/debug"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/rs/zerolog"

	"github.com/depsweep/depsweep/lockfiles"
)

// DefaultMaxFileSize is the lockfile size limit [Scan] applies when
// ScanConfig.MaxFileSize is zero: 256 MiB, well above the largest lockfiles
// seen in monorepos, and low enough that a stray multi-gigabyte file named
// yarn.lock cannot exhaust memory.
const DefaultMaxFileSize = 256 << 20

// A ScanConfig says what [Scan] scans and how.
type ScanConfig struct {
	// Roots are the directories to scan (OS paths). With one root, report
	// paths are relative to it; with several, each path is prefixed with
	// its root as given (slash-separated) so that paths stay unique.
	//
	// A root may also be a regular file: a lockfile, or anything else,
	// which ReadFile reads (an SBOM). Such a file is one input, named by
	// its path as given (slash-separated), in the repository of its directory.
	Roots []string
	// Index holds the indicators to match; it must not be nil.
	Index *Index
	// Publishers returns the publisher source for one project: project is
	// the project directory, projectPath its slash path as reports show it.
	// Nil means no publisher data: publisher indicators cannot match and the
	// coverage says so. It is called from several goroutines at once.
	Publishers func(project fs.FS, projectPath string) Publishers
	// Installed also matches the packages installed under each project's
	// node_modules ([Index.MatchInstalled]), once per project.
	Installed bool
	// Jobs is the number of files parsed and matched at once; zero means
	// runtime.GOMAXPROCS(0).
	Jobs int
	// MaxFileSize is the largest lockfile read, in bytes; a larger file is
	// an error for that file, never a silent skip. Zero means
	// [DefaultMaxFileSize].
	MaxFileSize int64
	// Log receives diagnostics; the zero Logger logs nothing.
	Log zerolog.Logger
	// Skip, when set, is asked about each directory (slash path relative
	// to its root) and skips it and everything below when it returns true.
	Skip func(relDir string) bool
	// Progress, when set, is updated as the scan goes (for a progress line).
	Progress *ScanProgress
	// ReadFile reads a root that is a regular file but not a lockfile (an
	// SBOM, for sbom.ReadBOM) into an inventory matched like a lockfile's;
	// path is the file's slash path as reports show it. Nil makes such a
	// root an error. It is called from several goroutines at once.
	ReadFile func(path string, data []byte) (*lockfiles.Inventory, error)
}

// ScanProgress counts a scan's progress. Scan updates it atomically; read it
// from any goroutine.
type ScanProgress struct {
	Discovered atomic.Int64 // lockfiles found so far
	Done       atomic.Int64 // lockfiles parsed and matched (or failed) so far
	Findings   atomic.Int64 // findings so far
}

// ScanStats sum up a scan.
type ScanStats struct {
	Repos     int // repositories with at least one lockfile
	Lockfiles int // lockfiles found, parsed or not
	Packages  int // packages in the lockfiles that parsed
	Findings  int
	Errors    int // inputs that could not be read or parsed, and directories discovery could not read
	// PublisherPackages is how many packages were checked against
	// publisher indicators; PublisherKnown how many of them had publisher
	// data. Known < Packages means some packages were not covered.
	PublisherPackages int
	PublisherKnown    int
	Duration          time.Duration
}

// RepoInfo describes one repository: a directory holding .git, or the scan
// root when none does.
type RepoInfo struct {
	Path   string // slash path as reports show it ("." for a single root itself)
	Head   string // HEAD commit (hex), "" when not a git checkout or no commit yet
	Branch string // checked-out branch, "" when detached or not a git checkout
	Remote string // URL of the origin remote with credentials removed, "" when none
}

// A RepoHandler is a [Handler] that also wants repository metadata. [Scan]
// calls Repo once per repository, before the first Lockfile event in it, from
// the same goroutine as the other methods.
type RepoHandler interface {
	Repo(r *RepoInfo) error
}

// Flush calls h's Flush method, if it has one (`Flush() error`). Handlers
// that buffer (text, SARIF, SBOM) write their output there.
func Flush(h Handler) error {
	if f, ok := h.(interface{ Flush() error }); ok {
		return f.Flush()
	}
	return nil
}

// MultiHandler returns a Handler that passes each event to every handler in
// order, stopping at the first error. It forwards Repo events to those that
// are [RepoHandler]s, and its Flush flushes them all (returning the first error).
func MultiHandler(hs ...Handler) Handler { return multiHandler(hs) }

type multiHandler []Handler

func (m multiHandler) Repo(r *RepoInfo) error {
	for _, h := range m {
		if rh, ok := h.(RepoHandler); ok {
			if err := rh.Repo(r); err != nil {
				return err
			}
		}
	}
	return nil
}

func (m multiHandler) Lockfile(lf *LockfileResult) error {
	for _, h := range m {
		if err := h.Lockfile(lf); err != nil {
			return err
		}
	}
	return nil
}

func (m multiHandler) Finding(f *Finding) error {
	for _, h := range m {
		if err := h.Finding(f); err != nil {
			return err
		}
	}
	return nil
}

func (m multiHandler) Flush() error {
	var first error
	for _, h := range m {
		if err := Flush(h); err != nil && first == nil {
			first = err
		}
	}
	return first
}

// job is one lockfile handed from a walker to a worker.
type job struct {
	found   lockfiles.Found
	root    string // OS path of the root
	prefix  string // slash prefix of report paths for this root ("" for a single root)
	repo    *RepoInfo
	findErr error // a discovery error: no file to read
	file    bool  // the root itself is the input (root is "", found.Path the file's path)
}

// result is what a worker made of a job, handed to the calling goroutine.
type result struct {
	repo     *RepoInfo
	lockfile LockfileResult
	findings []Finding
	extra    []LockfileResult // errors of installed-package scanning
	stats    MatchStats
}

// Scan discovers the lockfiles under cfg.Roots, parses each once, matches
// its packages against cfg.Index and passes the results to h: for each
// lockfile a Lockfile event followed, contiguously, by that file's Finding
// events. Only the calling goroutine calls h. A file that cannot be read or
// parsed, and a directory discovery cannot read, becomes a Lockfile event
// with Err set, and the scan goes on.
//
// Scan does not call [Flush]. It returns ctx.Err() when ctx is cancelled
// (what was scanned until then has been passed to h), and the first error h
// returns, which stops the scan. Memory is bounded by the files in flight
// (about 2×Jobs), never by the number of files.
func Scan(ctx context.Context, cfg ScanConfig, h Handler) (ScanStats, error) {
	start := time.Now()
	var stats ScanStats
	if cfg.Index == nil {
		return stats, errors.New("scan: no indicator index")
	}
	jobs := cfg.Jobs
	if jobs <= 0 {
		jobs = runtime.GOMAXPROCS(0)
	}
	if cfg.MaxFileSize <= 0 {
		cfg.MaxFileSize = DefaultMaxFileSize
	}
	parent := ctx
	ctx, cancel := context.WithCancel(parent)
	defer cancel()

	jobc := make(chan job, jobs)
	resc := make(chan result, jobs)
	var walkers, workers sync.WaitGroup
	roots := dedupeRoots(cfg.Roots)
	for _, r := range roots {
		walkers.Go(func() { walk(ctx, cfg, r, prefixFor(r, len(roots)), jobc) })
	}
	go func() { walkers.Wait(); close(jobc) }()
	var projects sync.Map // project OS path → struct{}: installed packages matched once per project
	for range jobs {
		workers.Go(func() {
			for j := range jobc {
				if ctx.Err() != nil {
					continue // drain: cancelled files are dropped
				}
				resc <- check(cfg, j, &projects)
			}
		})
	}
	go func() { workers.Wait(); close(resc) }()

	seenRepos := make(map[string]bool)
	var herr error
	for r := range resc {
		if herr != nil {
			continue // drain after a handler error
		}
		if err := deliver(h, r, seenRepos, &stats); err != nil {
			herr = err
			cancel()
		}
		if cfg.Progress != nil {
			cfg.Progress.Done.Add(1)
			cfg.Progress.Findings.Add(int64(len(r.findings)))
		}
	}
	stats.Duration = time.Since(start)
	if herr != nil {
		return stats, herr
	}
	// Only the caller's context decides: Scan's own cancel (after a
	// handler error) is not an interruption.
	return stats, parent.Err()
}

// deliver passes one result to h, in the order the Handler contract fixes.
func deliver(h Handler, r result, seenRepos map[string]bool, stats *ScanStats) error {
	if r.repo != nil && !seenRepos[r.repo.Path] {
		seenRepos[r.repo.Path] = true
		stats.Repos++
		if rh, ok := h.(RepoHandler); ok {
			if err := rh.Repo(r.repo); err != nil {
				return err
			}
		}
	}
	lf := &r.lockfile
	if lockfiles.IsLockfile(lf.Path) || lf.SBOM {
		stats.Lockfiles++
	}
	if lf.Err != nil {
		stats.Errors++
	}
	if lf.Inventory != nil {
		stats.Packages += len(lf.Inventory.Packages)
	}
	stats.PublisherPackages += r.stats.Packages
	stats.PublisherKnown += r.stats.PublisherKnown
	lf.Match = r.stats
	if err := h.Lockfile(lf); err != nil {
		return err
	}
	for i := range r.findings {
		stats.Findings++
		if err := h.Finding(&r.findings[i]); err != nil {
			return err
		}
	}
	for i := range r.extra {
		stats.Errors++
		if err := h.Lockfile(&r.extra[i]); err != nil {
			return err
		}
	}
	return nil
}

// dedupeRoots drops roots given twice.
func dedupeRoots(roots []string) []string {
	if len(roots) == 0 {
		return []string{"."}
	}
	seen := make(map[string]bool)
	var out []string
	for _, r := range roots {
		c := filepath.Clean(r)
		if !seen[c] {
			seen[c] = true
			out = append(out, c)
		}
	}
	return out
}

// prefixFor returns the slash prefix of report paths under root: none for a
// single root, else the root as given.
func prefixFor(root string, nroots int) string {
	if nroots <= 1 {
		return ""
	}
	return filepath.ToSlash(root)
}

// joinPrefix joins a root prefix and a slash path relative to the root.
func joinPrefix(prefix, rel string) string {
	if prefix == "" {
		return rel
	}
	return path.Join(prefix, rel)
}

// walk discovers the lockfiles under one root and sends them to jobc. It
// reads each repository's metadata once, when it first meets the repository.
func walk(ctx context.Context, cfg ScanConfig, root, prefix string, jobc chan<- job) {
	repos := make(map[string]*RepoInfo)
	repoFor := func(rel string) *RepoInfo {
		if ri, ok := repos[rel]; ok {
			return ri
		}
		ri, err := ReadRepoInfo(filepath.Join(root, filepath.FromSlash(rel)))
		if err != nil {
			cfg.Log.Warn().Str("repo", joinPrefix(prefix, rel)).Err(err).Msg("cannot read git metadata")
		}
		ri.Path = joinPrefix(prefix, rel)
		repos[rel] = &ri
		return &ri
	}
	send := func(j job) bool {
		select {
		case jobc <- j:
			return true
		case <-ctx.Done():
			return false
		}
	}
	if st, err := os.Stat(root); err == nil && st.Mode().IsRegular() {
		// A file root is one input; its repository is its directory.
		dir := filepath.ToSlash(filepath.Dir(root))
		ri, err := ReadRepoInfo(filepath.Dir(root))
		if err != nil {
			cfg.Log.Warn().Str("repo", dir).Err(err).Msg("cannot read git metadata")
		}
		ri.Path = dir
		if cfg.Progress != nil {
			cfg.Progress.Discovered.Add(1)
		}
		send(job{found: lockfiles.Found{Path: filepath.ToSlash(root), Project: dir, Repo: dir}, repo: &ri, file: true})
		return
	}
	for f, err := range lockfiles.Find(ctx, root, lockfiles.FindOptions{Skip: cfg.Skip}) {
		if ctx.Err() != nil {
			return
		}
		j := job{found: f, root: root, prefix: prefix}
		if err != nil {
			j.findErr = err
			j.repo = repoFor(".")
			var fe *lockfiles.FindError
			if errors.As(err, &fe) {
				j.found.Path = fe.Path
			}
		} else {
			j.repo = repoFor(f.Repo)
		}
		if cfg.Progress != nil {
			cfg.Progress.Discovered.Add(1)
		}
		if !send(j) {
			return
		}
	}
}

// check reads, parses and matches one lockfile. It never panics: a panic in
// a parser or the matcher becomes the file's error, and the scan goes on.
func check(cfg ScanConfig, j job, projects *sync.Map) (r result) {
	relPath := joinPrefix(j.prefix, j.found.Path)
	r.repo = j.repo
	r.lockfile = LockfileResult{Path: relPath, Repo: j.repo.Path}
	defer func() {
		if p := recover(); p != nil {
			cfg.Log.Error().Str("path", relPath).Str("panic", fmt.Sprint(p)).Str("stack", string(debug.Stack())).Msg("internal error")
			r.lockfile.Inventory, r.findings, r.extra, r.stats = nil, nil, nil, MatchStats{}
			r.lockfile.Err = &lockfiles.ParseError{Path: relPath, Err: fmt.Errorf("internal error: %v", p)}
		}
	}()
	if j.findErr != nil {
		r.lockfile.Err = discoveryError(j.prefix, j.findErr)
		return r
	}
	data, err := readCapped(filepath.Join(j.root, filepath.FromSlash(j.found.Path)), cfg.MaxFileSize)
	if err != nil {
		r.lockfile.Err = &lockfiles.ParseError{Path: relPath, Err: err}
		return r
	}
	projectDir := filepath.Join(j.root, filepath.FromSlash(j.found.Project))
	var project fs.FS = projectFS{dir: projectDir, FS: os.DirFS(projectDir)}
	var inv *lockfiles.Inventory
	switch {
	case !j.file || lockfiles.IsLockfile(relPath):
		inv, err = lockfiles.Parse(lockfiles.Input{Path: relPath, Data: data, Project: project})
	case cfg.ReadFile != nil:
		// An SBOM: no project directory, no installed packages.
		project = nil
		r.lockfile.SBOM = true
		inv, err = cfg.ReadFile(relPath, data)
	default:
		err = &lockfiles.ParseError{Path: relPath, Err: errors.New("not a lockfile")}
	}
	if err != nil {
		r.lockfile.Err = err
		return r
	}
	r.lockfile.Inventory = inv
	projectPath := joinPrefix(j.prefix, j.found.Project)
	var pubs Publishers
	if cfg.Publishers != nil {
		pubs = cfg.Publishers(project, projectPath)
	}
	r.findings, r.stats = cfg.Index.MatchInventory(j.repo.Path, inv, pubs)
	if cfg.Installed && project != nil {
		if _, dup := projects.LoadOrStore(projectDir, struct{}{}); !dup {
			inst, errs := cfg.Index.MatchInstalled(j.repo.Path, projectPath, project, inv)
			r.findings = append(r.findings, inst...)
			for _, e := range errs {
				r.extra = append(r.extra, LockfileResult{Path: errorPath(e, projectPath), Repo: j.repo.Path, Err: e})
			}
		}
	}
	for i := range r.findings {
		if r.findings[i].ID == "" {
			r.findings[i].ID = Fingerprint(&r.findings[i])
		}
	}
	return r
}

// errorPath returns the path an error is about: a ParseError's or a
// PathError's (made relative by the callee), else the project's.
func errorPath(err error, fallback string) string {
	var pe *lockfiles.ParseError
	if errors.As(err, &pe) && pe.Path != "" {
		return pe.Path
	}
	return fallback
}

// discoveryError turns a discovery error into one that names the path as
// reports show it, without the OS path of the root.
func discoveryError(prefix string, err error) error {
	var fe *lockfiles.FindError
	if errors.As(err, &fe) {
		return &lockfiles.ParseError{Path: joinPrefix(prefix, fe.Path), Err: unwrapPathError(fe.Err)}
	}
	return &lockfiles.ParseError{Path: joinPrefix(prefix, "."), Err: unwrapPathError(err)}
}

// unwrapPathError drops the OS path an *fs.PathError carries: reports name
// the file by its path relative to the scan root instead.
func unwrapPathError(err error) error {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return fmt.Errorf("%s: %w", pe.Op, pe.Err)
	}
	return err
}

// openRegular opens a file of a scanned tree for reading, and fails unless
// it is a regular file (or, with dirOK, a directory). It never blocks on a
// FIFO, and with follow false it does not follow a symbolic link in the last
// path element: the tree may have changed since discovery looked at it.
func openRegular(name string, follow, dirOK bool) (*os.File, fs.FileInfo, error) {
	flags := os.O_RDONLY | openNonblock
	if !follow {
		flags |= openNoFollow
	}
	f, err := os.OpenFile(name, flags, 0)
	if err != nil {
		if errors.Is(err, syscall.ELOOP) && !follow {
			return nil, nil, &fs.PathError{Op: "open", Path: name, Err: lockfiles.ErrSymlink}
		}
		return nil, nil, err
	}
	st, err := f.Stat()
	if err != nil {
		f.Close()
		return nil, nil, err
	}
	if !st.Mode().IsRegular() && !(dirOK && st.IsDir()) {
		f.Close()
		return nil, nil, &fs.PathError{Op: "open", Path: name, Err: lockfiles.ErrNotRegular}
	}
	return f, st, nil
}

// A projectFS is os.DirFS(dir) whose Open goes through [openRegular], so
// that a FIFO named package.json cannot block the parser that reads it.
type projectFS struct {
	dir string
	fs.FS
}

// Open implements fs.FS.
func (p projectFS) Open(name string) (fs.File, error) {
	if !fs.ValidPath(name) {
		return nil, &fs.PathError{Op: "open", Path: name, Err: fs.ErrInvalid}
	}
	f, st, err := openRegular(filepath.Join(p.dir, filepath.FromSlash(name)), true, true)
	if err != nil {
		var pe *fs.PathError
		if errors.As(err, &pe) {
			pe.Path = name // like os.DirFS: the name as given, not the OS path
		}
		return nil, err
	}
	return statFile{f, st}, nil
}

// A statFile is an open file whose Stat answers from the status taken when
// it was opened (one fstat per file, not one per Stat call).
type statFile struct {
	*os.File
	st fs.FileInfo
}

// Stat implements fs.File.
func (f statFile) Stat() (fs.FileInfo, error) { return f.st, nil }

// Stat implements fs.StatFS (a stat never blocks).
func (p projectFS) Stat(name string) (fs.FileInfo, error) { return fs.Stat(p.FS, name) }

// ReadDir implements fs.ReadDirFS.
func (p projectFS) ReadDir(name string) ([]fs.DirEntry, error) { return fs.ReadDir(p.FS, name) }

// ReadFile implements fs.ReadFileFS through Open (os.DirFS's own would block on a FIFO).
func (p projectFS) ReadFile(name string) ([]byte, error) {
	f, err := p.Open(name)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	sf := f.(statFile)
	return readAllSized(sf.File, sf.st.Size())
}

// readCapped reads a regular file of at most max bytes.
func readCapped(name string, max int64) ([]byte, error) {
	f, st, err := openRegular(name, false, false)
	if err != nil {
		return nil, unwrapPathError(err)
	}
	defer f.Close()
	if st.Size() > max {
		return nil, fmt.Errorf("file is %d bytes, over the %d-byte limit", st.Size(), max)
	}
	// Read through a limit too: the file may grow between Stat and Read.
	// The buffer is sized from Stat, so a file read whole takes one read
	// and one more that sees its end.
	data, err := readAllSized(io.LimitReader(f, max+1), st.Size())
	if err != nil {
		return nil, unwrapPathError(err)
	}
	if int64(len(data)) > max {
		return nil, fmt.Errorf("file is over the %d-byte limit", max)
	}
	return data, nil
}

// readAllSized is io.ReadAll with a first buffer of size+1 bytes (a file's
// size from Stat): no regrowth when the size is right, the same result when
// it is not.
func readAllSized(r io.Reader, size int64) ([]byte, error) {
	if size < 0 || size > 1<<30 {
		size = 0
	}
	b := make([]byte, 0, size+1)
	for {
		n, err := r.Read(b[len(b):cap(b)])
		b = b[:len(b)+n]
		if err != nil {
			if err == io.EOF {
				err = nil
			}
			return b, err
		}
		if len(b) == cap(b) {
			b = append(b, 0)[:len(b)] // grow as append does
		}
	}
}

// Fingerprint returns a stable id for a finding: the first 16 hex digits of
// the sha256 of its repo, lockfile, package name, version, alias, indicator
// kind and value, and advisory id. Line numbers are left out so that an
// unrelated edit of the lockfile does not change the id.
func Fingerprint(f *Finding) string {
	h := sha256.New()
	adv := ""
	kind, value := "", ""
	if f.Indicator != nil {
		kind, value = string(f.Indicator.Kind), f.Indicator.Value
		if f.Indicator.Advisory != nil {
			adv = f.Indicator.Advisory.ID
		}
	}
	for _, s := range []string{f.Repo, f.Lockfile, f.Package.Name, f.Package.Version, f.Package.Alias, kind, value, adv} {
		io.WriteString(h, s)
		h.Write([]byte{0})
	}
	return hex.EncodeToString(h.Sum(nil))[:16]
}

// ReadRepoInfo reads the git metadata of the repository in dir from its .git
// files, without running git: HEAD commit, branch and the origin remote URL
// (credentials removed). A .git file ("gitdir: ...", as in worktrees and
// submodules) is followed. A directory without .git gives a zero RepoInfo and
// no error. Path is left empty for the caller to fill.
func ReadRepoInfo(dir string) (RepoInfo, error) {
	var ri RepoInfo
	gitDir, err := findGitDir(dir)
	if err != nil || gitDir == "" {
		return ri, err
	}
	// A linked worktree keeps HEAD in its own git dir and refs, packed-refs
	// and config in the common dir named by the "commondir" file.
	common := gitDir
	if b, err := readSmall(filepath.Join(gitDir, "commondir")); err == nil {
		c := strings.TrimSpace(string(b))
		if !filepath.IsAbs(c) {
			c = filepath.Join(gitDir, c)
		}
		common = c
	}
	head, err := readSmall(filepath.Join(gitDir, "HEAD"))
	if err != nil {
		return ri, fmt.Errorf("cannot read HEAD: %v", errors.Unwrap(err))
	}
	h := strings.TrimSpace(string(head))
	if ref, ok := strings.CutPrefix(h, "ref:"); ok {
		ref = strings.TrimSpace(ref)
		ri.Branch = strings.TrimPrefix(ref, "refs/heads/")
		ri.Head = resolveRef(gitDir, common, ref)
	} else if isHex(h) {
		ri.Head = h
	}
	if b, err := readSmall(filepath.Join(common, "config")); err == nil {
		ri.Remote = StripCredentials(originURL(string(b)))
	}
	return ri, nil
}

// findGitDir returns the git directory of the repository in dir: dir/.git,
// or where a .git file points; "" when there is none.
func findGitDir(dir string) (string, error) {
	dotgit := filepath.Join(dir, ".git")
	st, err := os.Stat(dotgit)
	if err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			return "", nil
		}
		return "", unwrapPathError(err)
	}
	if st.IsDir() {
		return dotgit, nil
	}
	b, err := readSmall(dotgit)
	if err != nil {
		return "", err
	}
	line, _, _ := strings.Cut(string(b), "\n")
	target, ok := strings.CutPrefix(strings.TrimSpace(line), "gitdir:")
	if !ok {
		return "", errors.New(".git file has no gitdir line")
	}
	target = strings.TrimSpace(target)
	if !filepath.IsAbs(target) {
		target = filepath.Join(dir, target)
	}
	return target, nil
}

// resolveRef returns the commit a ref points to: a loose ref file in the
// git dir or the common dir, else packed-refs; "" when it does not exist
// yet (a branch with no commit).
func resolveRef(gitDir, common, ref string) string {
	for range 5 { // a symbolic ref may point to another; bound the chain
		var val string
		for _, d := range []string{gitDir, common} {
			if b, err := readSmall(filepath.Join(d, filepath.FromSlash(ref))); err == nil {
				val = strings.TrimSpace(string(b))
				break
			}
		}
		if val == "" {
			return packedRef(common, ref)
		}
		next, ok := strings.CutPrefix(val, "ref:")
		if !ok {
			if isHex(val) {
				return val
			}
			return ""
		}
		ref = strings.TrimSpace(next)
	}
	return ""
}

// packedRef looks ref up in common/packed-refs.
func packedRef(common, ref string) string {
	b, err := readSmall(filepath.Join(common, "packed-refs"))
	if err != nil {
		return ""
	}
	for line := range strings.Lines(string(b)) {
		line = strings.TrimSpace(line)
		if line == "" || line[0] == '#' || line[0] == '^' {
			continue
		}
		hash, name, ok := strings.Cut(line, " ")
		if ok && name == ref && isHex(hash) {
			return hash
		}
	}
	return ""
}

// originURL returns the url of [remote "origin"] in a git config file.
func originURL(config string) string {
	inOrigin := false
	for line := range strings.Lines(config) {
		line = strings.TrimSpace(line)
		if line == "" || line[0] == '#' || line[0] == ';' {
			continue
		}
		if line[0] == '[' {
			sec := strings.TrimSuffix(strings.TrimPrefix(line, "["), "]")
			name, sub, _ := strings.Cut(sec, " ")
			inOrigin = strings.EqualFold(name, "remote") && strings.Trim(strings.TrimSpace(sub), `"`) == "origin"
			continue
		}
		if !inOrigin {
			continue
		}
		k, v, ok := strings.Cut(line, "=")
		if ok && strings.EqualFold(strings.TrimSpace(k), "url") {
			v = strings.TrimSpace(v)
			if len(v) >= 2 && v[0] == '"' && v[len(v)-1] == '"' {
				v = v[1 : len(v)-1]
			}
			return v
		}
	}
	return ""
}

// StripCredentials removes a password, and for http(s) URLs any user name
// (often a token), from a remote URL. scp-like addresses ("git@host:org/repo")
// carry no secret and are returned as they are.
func StripCredentials(u string) string {
	scheme, rest, ok := strings.Cut(u, "://")
	if !ok {
		return u
	}
	hostEnd := strings.IndexAny(rest, "/?#")
	if hostEnd < 0 {
		hostEnd = len(rest)
	}
	authority := rest[:hostEnd]
	at := strings.LastIndex(authority, "@")
	if at < 0 {
		return u
	}
	user := authority[:at]
	host := authority[at+1:]
	s := strings.ToLower(scheme)
	if s == "http" || s == "https" {
		return scheme + "://" + host + rest[hostEnd:]
	}
	if name, _, hasPass := strings.Cut(user, ":"); hasPass {
		return scheme + "://" + name + "@" + host + rest[hostEnd:]
	}
	return u
}

// readSmall reads a small metadata file (at most 1 MiB).
func readSmall(name string) ([]byte, error) {
	f, _, err := openRegular(name, true, false)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	return io.ReadAll(io.LimitReader(f, 1<<20))
}

// isHex reports whether s is a full object id (sha1 or sha256, hex).
func isHex(s string) bool {
	if len(s) != 40 && len(s) != 64 {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !('0' <= c && c <= '9' || 'a' <= c && c <= 'f') {
			return false
		}
	}
	return true
}
