package ioc

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"runtime"
	"runtime/debug"
	"sync"
	"sync/atomic"
	"time"

	"github.com/rs/zerolog"

	"github.com/depsweep/depsweep/lockfiles"
	"github.com/depsweep/depsweep/lockfiles/gitlog"
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
	// A root may also be a regular file: a lockfile, or else an SBOM (read
	// by package lockfiles/bom). Such a file is one input, named by its
	// path as given (slash-separated), in the repository of its directory.
	Roots []string
	// Index holds the indicators to match; it must not be nil.
	Index *Index
	// Publishers returns the publisher source for one project: project is
	// the project directory, projectPath its slash path as reports show it.
	// Nil means no publisher data: publisher indicators cannot match and the
	// coverage says so. It is called from several goroutines at once.
	Publishers func(project fs.FS, projectPath string) Publishers
	// Installed also matches the packages installed under each project's
	// node_modules ([Index.MatchInstalled]), once per project, also where
	// the project has no lockfile and where a node_modules directory has
	// neither a lockfile nor a package.json beside it.
	Installed bool
	// Declared also reads the package.json of each project without a
	// lockfile and matches its declared ranges ([Index.MatchDeclared]).
	Declared bool
	// Jobs is the number of workers, each walking part of the tree and
	// parsing and matching what it finds; zero means runtime.GOMAXPROCS(0).
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
	// Keep, when set, is asked about each input discovery finds (a
	// lockfile, a discovery error, or a root that is a file; slash path
	// relative to its root, after the walk reached its directory) and drops
	// the ones it refuses before they are read, counted or passed to the
	// handler. Sharding uses it ([ShardSkipper.Keep]).
	Keep func(relPath string) bool
	// Progress, when set, is updated as the scan goes (for a progress line).
	Progress *ScanProgress
	// FileType, when set, is the type of every root that is a regular
	// file (depsweep scan --type), instead of what its name or content says.
	FileType lockfiles.FileType
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
	// hideRepo is set when Keep refuses the repository itself (a discovery
	// error is put in the root's repository, which may be another shard's):
	// events name it, but its Repo event is not passed on or counted.
	hideRepo bool
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
// (a few per job; small ones in batches of up to 1,024 packages), never by
// the number of files.
func Scan(ctx context.Context, cfg ScanConfig, h Handler) (ScanStats, error) {
	return scan(ctx, cfg, scanRoots(cfg.Roots), h)
}

// A scanRoot is one root to walk, with the prefix of its report paths.
type scanRoot struct {
	dir    string // OS path
	prefix string // slash prefix of report paths ("" for a single root)
}

// scanRoots returns the roots of cfg.Roots, given twice or not, with their
// prefixes: none for a single root, else the root as given (slash-separated)
// so that paths stay unique. No roots means ".".
func scanRoots(roots []string) []scanRoot {
	rs := dedupeRoots(roots)
	out := make([]scanRoot, len(rs))
	for i, r := range rs {
		out[i] = scanRoot{dir: r, prefix: prefixFor(r, len(rs))}
	}
	return out
}

// scan is [Scan] over the given roots (cfg.Roots is not read).
func scan(ctx context.Context, cfg ScanConfig, roots []scanRoot, h Handler) (ScanStats, error) {
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

	// Workers take tasks: one input, or a subtree of a root to walk. A
	// worker walking a subtree checks what it finds itself, with no hand-off
	// per file (on a fleet of small checkouts the hand-offs cost more than
	// the files), and passes a file to a worker that is idle at that moment
	// (share) so that one large subtree still keeps every worker busy.
	// Results go to this goroutine in batches.
	taskc := make(chan task, jobs)
	share := make(chan job)
	resc := make(chan []result, jobs)
	var walkers, workers, subtrees sync.WaitGroup
	for _, r := range roots {
		walkers.Go(func() { walk(ctx, cfg, r.dir, r.prefix, taskc, &subtrees) })
	}
	idle := make(chan struct{}) // closed when every subtree is done: no more shares
	go func() { walkers.Wait(); close(taskc); subtrees.Wait(); close(idle) }()
	var projects sync.Map // project OS path → struct{}: installed packages matched once per project
	for range jobs {
		workers.Go(func() {
			w := scanWorker{cfg: cfg, ctx: ctx, projects: &projects, share: share, resc: resc}
			for tc := taskc; ; {
				select {
				case t, ok := <-tc:
					if !ok {
						tc = nil // walks over: help the subtrees still being walked
						continue
					}
					if t.sub != nil {
						w.subtree(t.sub)
						subtrees.Done()
					} else {
						w.one(t.job)
					}
				case j := <-share:
					w.one(j)
				case <-idle:
					if tc == nil {
						return
					}
				}
			}
		})
	}
	go func() { workers.Wait(); close(resc) }()

	seenRepos := make(map[string]bool)
	var herr error
	for batch := range resc {
		for _, r := range batch {
			if herr != nil {
				break // drain after a handler error
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
	if lf.IsInput() {
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

// A task is a scan worker's work: one input (job), or a subtree of a root
// to walk and check (sub).
type task struct {
	job job
	sub *subtreeTask
}

// A subtreeTask is a subtree of a root, with the root's discovery state.
type subtreeTask struct {
	tree lockfiles.Subtree
	d    *discovery
}

// A discovery turns what the walk of one root finds into jobs: it applies
// Keep, reads each repository's metadata once (from any goroutine), and
// counts progress.
type discovery struct {
	cfg    ScanConfig
	root   string
	prefix string
	mu     sync.Mutex
	repos  map[string]*repoSlot
}

type repoSlot struct {
	once sync.Once
	ri   RepoInfo
}

// repo returns the metadata of the repository at rel, read once.
func (d *discovery) repo(rel string) *RepoInfo {
	d.mu.Lock()
	s := d.repos[rel]
	if s == nil {
		s = &repoSlot{}
		d.repos[rel] = s
	}
	d.mu.Unlock()
	s.once.Do(func() {
		ri, err := readRepo(filepath.Join(d.root, filepath.FromSlash(rel)))
		if err != nil {
			d.cfg.Log.Warn().Str("repo", joinPrefix(d.prefix, rel)).Err(err).Msg("cannot read git metadata")
		}
		ri.Path = joinPrefix(d.prefix, rel)
		s.ri = ri
	})
	return &s.ri
}

// job makes the job of one thing discovery yielded; false when Keep
// refuses it.
func (d *discovery) job(f lockfiles.Found, err error) (job, bool) {
	j := job{found: f, root: d.root, prefix: d.prefix}
	if err != nil {
		j.findErr = err
		var fe *lockfiles.FindError
		if errors.As(err, &fe) {
			j.found.Path = fe.Path
		}
	}
	if d.cfg.Keep != nil && !d.cfg.Keep(j.found.Path) {
		return j, false
	}
	repoRel := f.Repo
	if err != nil {
		repoRel = "."
	}
	j.repo = d.repo(repoRel)
	j.hideRepo = d.cfg.Keep != nil && !d.cfg.Keep(repoRel)
	if d.cfg.Progress != nil {
		d.cfg.Progress.Discovered.Add(1)
	}
	return j, true
}

// walk discovers the inputs under one root: it sends the root's own as
// jobs and its subdirectories as subtree tasks (counted in subtrees).
func walk(ctx context.Context, cfg ScanConfig, root, prefix string, taskc chan<- task, subtrees *sync.WaitGroup) {
	send := func(t task) bool {
		select {
		case taskc <- t:
			return true
		case <-ctx.Done():
			return false
		}
	}
	if st, err := os.Stat(root); err == nil && st.Mode().IsRegular() {
		// A file root is one input; its repository is its directory.
		dir := filepath.ToSlash(filepath.Dir(root))
		found := lockfiles.Found{Path: filepath.ToSlash(root), Project: dir, Repo: dir}
		if cfg.Keep != nil && !cfg.Keep(found.Path) {
			return
		}
		d := &discovery{cfg: cfg, repos: map[string]*repoSlot{}} // paths as given: no root, no prefix
		if cfg.Progress != nil {
			cfg.Progress.Discovered.Add(1)
		}
		send(task{job: job{found: found, repo: d.repo(dir), file: true}})
		return
	}
	d := &discovery{cfg: cfg, root: root, prefix: prefix, repos: map[string]*repoSlot{}}
	opts := lockfiles.FindOptions{Skip: cfg.Skip, Manifests: cfg.Declared, NodeModules: cfg.Installed || cfg.Declared}
	subs := lockfiles.Split(ctx, root, opts, func(f lockfiles.Found, err error) bool {
		if ctx.Err() != nil {
			return false
		}
		j, ok := d.job(f, err)
		return !ok || send(task{job: j})
	})
	for _, s := range subs {
		subtrees.Add(1)
		if !send(task{sub: &subtreeTask{tree: s, d: d}}) {
			subtrees.Done()
			return
		}
	}
}

// A scanWorker checks inputs and walks subtrees for [scan].
type scanWorker struct {
	cfg      ScanConfig
	ctx      context.Context
	projects *sync.Map
	share    chan job
	resc     chan<- []result
	// buf is the worker's buffer for the files it reads: a file's bytes
	// are garbage once it is parsed (inventories hold copies), and a
	// fleet's lockfiles read into new arrays were most of what a sweep
	// allocated.
	buf []byte
}

// one checks one input and passes its result on.
func (w *scanWorker) one(j job) {
	if w.ctx.Err() != nil {
		return // cancelled files are dropped
	}
	w.resc <- []result{check(w.cfg, j, w.projects, &w.buf)}
}

// keepBuf is the largest file buffer a worker keeps for its next file.
const keepBuf = 16 << 20

// Results of a subtree go on in batches of at most batchFiles inputs or,
// once over batchPackages packages, sooner: a batch of large inventories
// is not held back.
const (
	batchFiles    = 32
	batchPackages = 1024
)

// subtree walks one subtree, checking what it finds itself unless another
// worker is idle right then.
func (w *scanWorker) subtree(t *subtreeTask) {
	var batch []result
	pkgs := 0
	for f, err := range t.tree.Find() {
		if w.ctx.Err() != nil {
			break
		}
		j, ok := t.d.job(f, err)
		if !ok {
			continue
		}
		select {
		case w.share <- j:
			continue
		default:
		}
		r := check(w.cfg, j, w.projects, &w.buf)
		batch = append(batch, r)
		if r.lockfile.Inventory != nil {
			pkgs += len(r.lockfile.Inventory.Packages)
		}
		if len(batch) >= batchFiles || pkgs >= batchPackages {
			w.resc <- batch
			batch, pkgs = nil, 0
		}
	}
	if len(batch) > 0 {
		w.resc <- batch
	}
}

// readRepo reads the git metadata of the repository in dir (see
// [gitlog.ReadMeta]); Path is left for the caller to fill.
func readRepo(dir string) (RepoInfo, error) {
	m, err := gitlog.ReadMeta(dir)
	return RepoInfo{Head: m.Head, Branch: m.Branch, Remote: m.Remote}, err
}

// check reads, parses and matches one lockfile. It never panics: a panic in
// a parser or the matcher becomes the file's error, and the scan goes on.
//
// buf is the caller's buffer for the file's bytes: check reads into it
// and leaves it there for the next call (unless it grew past keepBuf),
// holding on to nothing else of them.
func check(cfg ScanConfig, j job, projects *sync.Map, buf *[]byte) (r result) {
	relPath := joinPrefix(j.prefix, j.found.Path)
	if !j.hideRepo {
		r.repo = j.repo
	}
	r.lockfile = LockfileResult{Path: relPath, Repo: j.repo.Path, Kind: InputOther}
	if lockfiles.IsLockfile(relPath) || lockfiles.IsMCPConfig(relPath) {
		r.lockfile.Kind = InputLockfile // an MCP configuration is listed like a lockfile
	}
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
	if j.file && cfg.Declared && cfg.FileType == "" && path.Base(j.found.Path) == "package.json" {
		j.found.Manifest = true // a package.json named on the command line: its declared ranges
	}
	if j.found.Manifest || j.found.NodeModules {
		checkProject(cfg, j, relPath, projects, &r)
		return r
	}
	data, err := lockfiles.ReadRegularInto(*buf, filepath.Join(j.root, filepath.FromSlash(j.found.Path)), cfg.MaxFileSize, false)
	if err == nil && cap(data) <= keepBuf {
		*buf = data[:0]
	}
	if err != nil {
		r.lockfile.Err = &lockfiles.ParseError{Path: relPath, Err: lockfiles.WithoutPath(err)}
		return r
	}
	projectDir := filepath.Join(j.root, filepath.FromSlash(j.found.Project))
	project := lockfiles.DirFS(projectDir)
	inv, isBOM, err := parseInput(lockfiles.Input{Path: relPath, Data: data, Project: project, Manifest: j.found.PackageJSON, Members: j.found.Members, Listings: j.found.Listings}, j.file, cfg.FileType)
	if isBOM {
		// An SBOM: no project directory, no installed packages.
		project = nil
		r.lockfile.Kind = InputSBOM
	} else if j.file {
		r.lockfile.Kind = InputLockfile // a file named on the command line, read by its content
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
	r.lockfile.Publishers = pubs
	r.findings, r.stats = cfg.Index.MatchInventory(j.repo.Path, inv, pubs)
	if cfg.Installed && project != nil {
		if _, dup := projects.LoadOrStore(projectDir, struct{}{}); !dup {
			inst, errs := cfg.Index.MatchInstalledWith(j.repo.Path, projectPath, project, inv, pubs)
			r.findings = append(r.findings, inst...)
			for _, e := range errs {
				r.extra = append(r.extra, LockfileResult{Path: errorPath(e, projectPath), Repo: j.repo.Path, Err: e, Kind: InputOther})
			}
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
		return &lockfiles.ParseError{Path: joinPrefix(prefix, fe.Path), Err: lockfiles.WithoutPath(fe.Err)}
	}
	return &lockfiles.ParseError{Path: joinPrefix(prefix, "."), Err: lockfiles.WithoutPath(err)}
}
