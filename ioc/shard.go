package ioc

import (
	"context"
	"errors"
	"fmt"
	"hash/fnv"
	"os"
	"path"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
)

// A Shard is one part of a fleet split into N parts, for running N copies
// of a sweep side by side (a Kubernetes Indexed Job, a CI matrix, any batch
// scheduler). I is the zero-based index, 0 ≤ I < N. The zero Shard (N == 0)
// is the whole fleet: it has every repository.
//
// Repositories are assigned by a stable hash of their slash path (as the
// report shows it), so every copy must be given the same fleet layout: the
// same roots, spelled the same way, over the same directory tree. Then the
// N shards cover every repository exactly once, whichever machine runs them.
type Shard struct {
	I, N int
}

// ErrNoJobIndex is returned by [ShardFromEnv] when the index variable is
// unset or empty.
var ErrNoJobIndex = errors.New("JOB_COMPLETION_INDEX is not set")

// ParseShard parses "I/N" (zero-based I, as Kubernetes numbers completion
// indexes): "0/3", "1/3" and "2/3" are the three shards of a fleet. An empty
// I ("/3") takes the index from getenv("JOB_COMPLETION_INDEX"), the variable
// a Kubernetes Indexed Job sets in each pod; getenv may be nil when that
// form is not wanted.
func ParseShard(s string, getenv func(string) string) (Shard, error) {
	is, ns, ok := strings.Cut(s, "/")
	if !ok {
		return Shard{}, fmt.Errorf("shard %q: want I/N, such as 0/4", s)
	}
	n, err := strconv.Atoi(ns)
	if err != nil || n < 1 {
		return Shard{}, fmt.Errorf("shard %q: N must be a whole number of 1 or more", s)
	}
	if is == "" {
		if getenv == nil {
			return Shard{}, fmt.Errorf("shard %q: want I/N, such as 0/4", s)
		}
		is = getenv("JOB_COMPLETION_INDEX")
		if is == "" {
			return Shard{}, fmt.Errorf("shard %q: %w", s, ErrNoJobIndex)
		}
	}
	i, err := strconv.Atoi(is)
	if err != nil || i < 0 || i >= n {
		return Shard{}, fmt.Errorf("shard %q: I must be a whole number from 0 to %d", s, n-1)
	}
	return Shard{I: i, N: n}, nil
}

// String returns "I/N", or "" for the whole fleet.
func (s Shard) String() string {
	if s.N == 0 {
		return ""
	}
	return strconv.Itoa(s.I) + "/" + strconv.Itoa(s.N)
}

// Has reports whether the repository at repoPath (a slash path relative to
// the scan root, "." for the root itself, or prefixed with its root when
// several roots are scanned) belongs to s. The path is cleaned first, so
// "a/b/" and "a/b" agree. The hash is FNV-1a (64 bits) of the cleaned path:
// it is fixed forever, because shards of one run may come from different
// depsweep builds.
func (s Shard) Has(repoPath string) bool {
	if s.N <= 1 {
		return true
	}
	return s.index(repoPath) == s.I
}

// index returns the shard of repoPath among s.N.
func (s Shard) index(repoPath string) int {
	h := fnv.New64a()
	h.Write([]byte(path.Clean(repoPath)))
	return int(h.Sum64() % uint64(s.N))
}

// Roots returns the roots that belong to s when several roots are scanned:
// each directory root is then one unit, keyed by its slash path as given
// (cleaned), which is also the prefix reports give its paths. A root that
// is a regular file is keyed by its directory, the repository [Scan] puts
// it in, so that files of one directory, and the directory itself, stay
// together. Order is kept.
func (s Shard) Roots(roots []string) []string {
	var out []string
	for _, r := range roots {
		key := filepath.Clean(r)
		if st, err := os.Stat(r); err == nil && st.Mode().IsRegular() {
			key = filepath.Dir(key)
		}
		if s.Has(filepath.ToSlash(key)) {
			out = append(out, r)
		}
	}
	return out
}

// A ShardSkipper splits the repositories under one scan root among shards.
// The units are the top-level repositories: directories holding .git (or,
// outside git checkouts, a package.json, a lockfile or node_modules, as
// [lockfiles.Find] decides) that no other repository below the root encloses. A repository nested in
// another (a submodule, a vendored checkout) goes with the one enclosing
// it, so that skipping a repository's directory never loses another shard's
// work. Lockfiles in no repository, and everything when the root itself
// holds .git, form the unit ".".
//
// Use [ShardSkipper.Skip] as the scan's directory filter and
// [ShardSkipper.Keep] as its input filter (ScanConfig.Skip and Keep, as
// [ScanShard] does). Both are safe for concurrent use; Keep must be asked
// about a path only after the walk reached it, as discovery does.
type ShardSkipper struct {
	s      Shard
	root   string
	next   func(string) bool
	isRepo bool // the root itself holds .git: one unit

	mu   sync.Mutex
	tops map[string]bool // top-level repositories of s met so far
}

// Skipper returns the ShardSkipper of s for the scan root at OS path root.
// next, when not nil, is the directory filter it wraps (such as --exclude):
// a directory either skips is skipped.
func (s Shard) Skipper(root string, next func(relDir string) bool) *ShardSkipper {
	k := &ShardSkipper{s: s, root: root, next: next, tops: make(map[string]bool)}
	k.isRepo = hasGit(root) || hasProject(root)
	return k
}

// Skip reports whether the walk must skip directory relDir (a slash path
// relative to the root): a top-level repository of another shard, or one
// that next skips.
func (k *ShardSkipper) Skip(relDir string) bool {
	if k.next != nil && k.next(relDir) {
		return true
	}
	if k.s.N <= 1 || k.isRepo {
		return false
	}
	if k.underTop(relDir) {
		return false // nested: goes with its top-level repository
	}
	if dir := filepath.Join(k.root, filepath.FromSlash(relDir)); !hasGit(dir) && !hasProject(dir) {
		return false
	}
	if !k.s.Has(relDir) {
		return true
	}
	k.mu.Lock()
	k.tops[path.Clean(relDir)] = true
	k.mu.Unlock()
	return false
}

// Keep reports whether an event about relPath (a lockfile, an error, a
// repository; slash path relative to the root) belongs to the shard.
func (k *ShardSkipper) Keep(relPath string) bool {
	if k.s.N <= 1 {
		return true
	}
	if !k.isRepo && k.underTop(relPath) {
		return true
	}
	return k.s.Has(".")
}

// underTop reports whether p is a top-level repository of the shard met so
// far, or below one.
func (k *ShardSkipper) underTop(p string) bool {
	k.mu.Lock()
	defer k.mu.Unlock()
	if len(k.tops) == 0 {
		return false
	}
	for p = path.Clean(p); p != "." && p != "/"; p = path.Dir(p) {
		if k.tops[p] {
			return true
		}
	}
	return false
}

// hasGit reports whether dir holds .git (a directory, or the file that
// worktrees and submodules have), as discovery decides what a repository is.
func hasGit(dir string) bool {
	_, err := os.Lstat(filepath.Join(dir, ".git"))
	return err == nil
}

// ScanShard is [Scan] restricted to shard s of the fleet under cfg.Roots:
// with one root, the top-level repositories below it are split (see
// [ShardSkipper], which becomes the scan's Skip and Keep); with several,
// the roots are (see [Shard.Roots]). Report paths are the unsharded scan's,
// so the N shards' events together are exactly those of one unsharded scan;
// what another shard owns is dropped before it is read or counted. The zero
// Shard scans everything.
func ScanShard(ctx context.Context, cfg ScanConfig, s Shard, h Handler) (ScanStats, error) {
	roots := s.restrict(scanRoots(cfg.Roots), &cfg)
	if len(roots) == 0 {
		// Scan with no roots would scan ".": there is nothing to do.
		return ScanStats{}, ctx.Err()
	}
	return scan(ctx, cfg, roots, h)
}

// restrict returns the part of roots that belongs to s, and sets cfg's Skip
// and Keep to leave out what another shard owns below a single root. Each
// root keeps the prefix the unsharded scan gives it, however few of them
// are this shard's.
func (s Shard) restrict(roots []scanRoot, cfg *ScanConfig) []scanRoot {
	if s.N <= 1 {
		return roots
	}
	if len(roots) > 1 {
		mine := roots[:0:0]
		for _, r := range roots {
			if len(s.Roots([]string{r.dir})) == 1 {
				mine = append(mine, r)
			}
		}
		return mine
	}
	k := s.Skipper(roots[0].dir, cfg.Skip)
	cfg.Skip = k.Skip
	if next := cfg.Keep; next != nil {
		cfg.Keep = func(p string) bool { return next(p) && k.Keep(p) }
	} else {
		cfg.Keep = k.Keep
	}
	return roots
}
