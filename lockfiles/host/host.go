// Package host finds traces of JavaScript packages on a developer machine or
// CI runner, outside any repository: the npx cache, the npm cache index
// (cacache), MCP server launches in AI clients' configs, Yarn Berry's global
// cache and pnpm's store index. MCP servers are usually started with
// "npx -y <package>", so no lockfile ever names them; these traces do.
//
// Each trace source becomes a [lockfiles.Inventory] (Format names the
// source, Path is the evidence file relative to the home directory), so the
// same matcher applies as to lockfiles.
package host

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"slices"
	"strings"
	"syscall"
	"time"

	"github.com/depsweep/depsweep/lockfiles"
)

// Formats of the inventories Scan returns, one per trace source.
const (
	FormatNpxCache  = "npx-cache"               // ~/.npm/_npx/<hash>/package-lock.json (or its package.json _npx.packages)
	FormatCacache   = "npm-cacache"             // ~/.npm/_cacache/index-v5 bucket files: tarballs and packuments fetched
	FormatMCPConfig = lockfiles.FormatMCPConfig // an AI client's MCP server configuration
	FormatYarnCache = "yarn-cache"              // Yarn Berry cache zips (<name>-npm-<version>-<hash>.zip)
	FormatPnpmStore = "pnpm-store"              // pnpm store index: v10 index/<xx>/<hash>-<name>@<version>.json, v3 files/<xx>/<hash>-index.json
	FormatPnpmDlx   = "pnpm-dlx"                // pnpm dlx cache: <cache>/dlx/<hash>/<stamp>/pnpm-lock.yaml
	FormatNpmLog    = "npm-log"                 // npm debug log: the command line (npx, npm exec, npm cache add) and tarball fetches
)

// Where a trace's time comes from (Trace.TimeFrom).
const (
	FromCacheEntry = "npm-cache-entry" // the fetch time cacache recorded for the tarball
	FromFileTime   = "file-mtime"      // the evidence file's modification time
	FromDirTime    = "dir-mtime"       // the npx cache entry directory's modification time
	FromLogName    = "log-file-name"   // the start time in the npm debug log's file name
	FromDlxStamp   = "dlx-dir-name"    // the creation time pnpm writes into the dlx directory's name
)

// Unpinned is [lockfiles.Unpinned], the Resolved value of a package
// launched or requested without an exact version.
const Unpinned = lockfiles.Unpinned

// IsUnpinned reports whether p is an unpinned launch or request
// ([lockfiles.Package.IsUnpinned]).
func IsUnpinned(p *lockfiles.Package) bool { return p.IsUnpinned() }

// A Trace is the packages one evidence file shows.
type Trace struct {
	// Inventory holds the packages; its Path is the evidence file's slash
	// path relative to the home directory and its Format one of the Format
	// constants. Package.Line is set where the file is text.
	Inventory *lockfiles.Inventory
	// Times holds, per package index, when the trace was made (a cacache
	// entry's fetch time, a cache file's modification time); zero when unknown.
	Times []time.Time
	// TimeFrom holds, per package index, where its time came from (one of
	// the From constants); "" when the time is unknown.
	TimeFrom []string
}

// A Result is everything [Read] found under a home directory.
type Result struct {
	Traces []Trace // by source, then path
	Errors []error // one per file that could not be read or parsed
	// Publishers holds the publishers named by the full packuments in npm's
	// cache; empty (never nil) when there were none.
	Publishers *Publishers
}

// Scan reads every trace source under home (the user's home directory) and
// returns the traces in a fixed order (by source, then path) and an error
// per file it could not read or parse; a missing source is not an error.
// Errors name the file relative to home and never quote its content.
func Scan(ctx context.Context, home string) ([]Trace, []error) {
	r := Read(ctx, home)
	return r.Traces, r.Errors
}

// Read is [Scan], plus the publisher data the home's caches hold.
func Read(ctx context.Context, home string) *Result {
	s := &scanner{ctx: ctx, home: home, fetchedAt: map[string]time.Time{}, pubs: newPublishers()}
	for _, dir := range npmCacheDirs {
		// The cache index first: it dates the npx entries' tarballs.
		before := s.traces
		s.traces = nil
		s.cacache(path.Join(dir, "_cacache"))
		cached := s.traces
		s.traces = before
		s.npx(path.Join(dir, "_npx"))
		s.traces = append(s.traces, cached...)
		s.npmLogs(path.Join(dir, "_logs"))
	}
	s.mcpConfigs()
	for _, dir := range yarnCacheDirs {
		s.yarnCache(dir)
	}
	for _, dir := range pnpmStoreDirs {
		s.pnpmStore(dir)
	}
	for _, dir := range pnpmCacheDirs {
		s.pnpmDlx(path.Join(dir, "dlx"))
	}
	return &Result{Traces: s.traces, Errors: s.errs, Publishers: s.pubs}
}

// Where the package managers keep their caches, relative to the home
// directory, on Linux, macOS and Windows.
var (
	npmCacheDirs  = []string{".npm", "AppData/Local/npm-cache"}
	yarnCacheDirs = []string{".yarn/berry/cache", "Library/Caches/Yarn/berry/cache", "AppData/Local/Yarn/Berry/cache", ".cache/yarn/berry/cache"}
	pnpmStoreDirs = []string{".local/share/pnpm/store", "Library/pnpm/store", "AppData/Local/pnpm/store", ".pnpm-store"}
	pnpmCacheDirs = []string{".cache/pnpm", "Library/Caches/pnpm", "AppData/Local/pnpm-cache"}
)

type scanner struct {
	ctx    context.Context
	home   string
	traces []Trace
	errs   []error
	// fetchedAt maps a tarball URL, and "name@version", to the latest time
	// npm's cache recorded fetching it.
	fetchedAt map[string]time.Time
	pubs      *Publishers
	packs     map[string]bool // packument contents already read, by integrity
}

func (s *scanner) abs(rel string) string { return filepath.Join(s.home, filepath.FromSlash(rel)) }

func (s *scanner) fail(rel string, err error) {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		err = pe.Err // the path is stated once, relative to home
	}
	s.errs = append(s.errs, fmt.Errorf("%s: %w", rel, err))
}

// readDir lists a directory relative to home; a missing one is empty.
func (s *scanner) readDir(rel string) []os.DirEntry {
	if s.ctx.Err() != nil {
		return nil
	}
	ents, err := os.ReadDir(s.abs(rel))
	if err != nil {
		if !errors.Is(err, fs.ErrNotExist) && !errors.Is(err, syscall.ENOTDIR) {
			s.fail(rel, err)
		}
		return nil
	}
	return ents
}

// readFile reads a regular file relative to home; ok is false when it is
// missing (silently) or unreadable (recorded).
func (s *scanner) readFile(rel string) ([]byte, bool) {
	b, err := lockfiles.ReadRegular(s.abs(rel), maxFile, false)
	if err != nil {
		if !errors.Is(err, fs.ErrNotExist) && !errors.Is(err, syscall.ENOTDIR) {
			s.fail(rel, err)
		}
		return nil, false
	}
	return b, true
}

// maxFile is the largest evidence file read, in bytes.
const maxFile = 64 << 20

func (s *scanner) add(rel, format string, pkgs []lockfiles.Package, times []time.Time) {
	if len(pkgs) == 0 {
		return
	}
	inv := &lockfiles.Inventory{Path: rel, Format: format, Packages: pkgs}
	root := inv.Root()
	for i := range pkgs {
		root.Deps = append(root.Deps, lockfiles.Dep{To: i})
	}
	if times == nil {
		times = make([]time.Time, len(pkgs))
	}
	s.traces = append(s.traces, Trace{Inventory: inv, Times: times, TimeFrom: make([]string, len(pkgs))})
}

func sortedNames(ents []os.DirEntry) []string {
	names := make([]string, 0, len(ents))
	for _, e := range ents {
		names = append(names, e.Name())
	}
	slices.Sort(names)
	return names
}

func sortedEntries(ents []os.DirEntry) []os.DirEntry {
	slices.SortFunc(ents, func(a, b os.DirEntry) int { return strings.Compare(a.Name(), b.Name()) })
	return ents
}
