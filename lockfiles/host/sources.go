package host

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"io/fs"
	"net/url"
	"os"
	"path"
	"regexp"
	"strings"
	"sync"
	"time"

	"github.com/depsweep/depsweep/lockfiles"
)

// npx reads each npx cache entry: <dir>/<hash>/package-lock.json as npm
// wrote it when installing the launched package, else the hidden lockfile,
// else the specs of package.json's "_npx": {"packages": [...]}.
func (s *scanner) npx(dir string) {
	for _, hash := range sortedNames(s.readDir(dir)) {
		entry := path.Join(dir, hash)
		found := false
		for _, name := range []string{lockfiles.NamePackageLock, "node_modules/" + lockfiles.NameHiddenLock} {
			rel := path.Join(entry, name)
			data, ok := s.readFile(rel)
			if !ok {
				continue
			}
			found = true
			inv, err := lockfiles.Parse(lockfiles.Input{Path: rel, Data: data, Project: os.DirFS(s.abs(entry))})
			if err != nil {
				s.errs = append(s.errs, err)
				break
			}
			inv.Format = FormatNpxCache
			tr := Trace{Inventory: inv, Times: make([]time.Time, len(inv.Packages)), TimeFrom: make([]string, len(inv.Packages))}
			s.dateNpx(&tr, entry)
			s.traces = append(s.traces, tr)
			break
		}
		if found {
			continue
		}
		rel := path.Join(entry, "package.json")
		data, ok := s.readFile(rel)
		if !ok {
			continue
		}
		var m struct {
			Npx struct {
				Packages []string `json:"packages"`
			} `json:"_npx"`
		}
		if err := json.Unmarshal(data, &m); err != nil {
			s.fail(rel, errors.New("not a valid package.json"))
			continue
		}
		var pkgs []lockfiles.Package
		for _, spec := range m.Npx.Packages {
			if p, ok := lockfiles.SpecPackage(spec); ok {
				p.Line = lockfiles.LineOf(data, spec, 0)
				pkgs = append(pkgs, p)
			}
		}
		s.add(rel, FormatNpxCache, pkgs, nil)
		if len(pkgs) > 0 {
			s.dateNpx(&s.traces[len(s.traces)-1], entry)
		}
	}
}

// cacache reads npm's cache index. Each bucket file under
// <cache>/index-v5 holds lines "<sha1 of the JSON>\t<JSON entry>"; an
// entry's key is "make-fetch-happen:request-cache:<URL>" (every HTTP
// response npm kept) or "pacote:tarball:<name>@<version>" (what 'npm cache
// add' stores), its time the fetch time in milliseconds. A tarball URL
// names a version; a packument URL only the package (Version "", Resolved
// the URL), and its content, when it is a full packument, gives publishers.
// Deleted entries (integrity null) are skipped.
func (s *scanner) cacache(cache string) {
	// The buckets are read a chunk at a time by a few goroutines (a cache
	// holds tens of thousands of small files, and reading them is waiting
	// on the disk), then parsed in path order, so the result is the same.
	var buckets []string
	var types []fs.FileMode
	var walk func(rel string, depth int)
	walk = func(rel string, depth int) {
		for _, e := range sortedEntries(s.readDir(rel)) {
			p := path.Join(rel, e.Name())
			if depth < 2 {
				if e.IsDir() {
					walk(p, depth+1)
				}
				continue
			}
			buckets = append(buckets, p)
			types = append(types, e.Type())
		}
	}
	walk(path.Join(cache, "index-v5"), 0)
	const chunk = 512
	for len(buckets) > 0 && s.ctx.Err() == nil {
		n := min(chunk, len(buckets))
		part, partTypes := buckets[:n], types[:n]
		buckets, types = buckets[n:], types[n:]
		data := make([][]byte, n)
		errs := make([]error, n)
		var wg sync.WaitGroup
		next := make(chan int)
		for range min(8, n) {
			wg.Go(func() {
				for i := range next {
					data[i], errs[i] = readRegular(s.abs(part[i]), partTypes[i])
				}
			})
		}
		for i := range part {
			next <- i
		}
		close(next)
		wg.Wait()
		for i, rel := range part {
			if errs[i] != nil {
				if !errors.Is(errs[i], fs.ErrNotExist) { // removed since listed: cacache's own cleanup
					s.fail(rel, errs[i])
				}
				continue
			}
			s.cacacheBucket(cache, rel, data[i])
		}
	}
}

// readRegular reads the regular file full, whose directory entry has type
// typ: a symlink or other special file is refused before it is opened
// (lockfiles.ErrNotRegular), the rest as [lockfiles.ReadRegular] reads a
// file of a scanned tree (never blocking, at most maxFile bytes).
func readRegular(full string, typ fs.FileMode) ([]byte, error) {
	if !typ.IsRegular() {
		return nil, lockfiles.ErrNotRegular
	}
	return lockfiles.ReadRegular(full, maxFile, false)
}

const (
	cacacheKeyPrefix     = "make-fetch-happen:request-cache:"
	cacacheTarballPrefix = "pacote:tarball:"
)

func (s *scanner) cacacheBucket(cache, rel string, data []byte) {
	var pkgs []lockfiles.Package
	var times []time.Time
	sc := bufio.NewScanner(bytes.NewReader(data))
	sc.Buffer(nil, maxFile)
	for line := 1; sc.Scan(); line++ {
		_, js, ok := bytes.Cut(sc.Bytes(), []byte{'\t'})
		if !ok {
			continue // blank or torn line: cacache itself ignores those
		}
		var e struct {
			Key       string  `json:"key"`
			Integrity *string `json:"integrity"`
			Time      int64   `json:"time"`
		}
		if json.Unmarshal(js, &e) != nil || e.Integrity == nil {
			continue
		}
		var p lockfiles.Package
		if u, ok := strings.CutPrefix(e.Key, cacacheKeyPrefix); ok {
			if p, ok = registryURLPackage(u); !ok {
				continue
			}
		} else if spec, ok := strings.CutPrefix(e.Key, cacacheTarballPrefix); ok {
			if p, ok = lockfiles.SpecPackage(spec); !ok || p.Version == "" {
				continue
			}
		} else {
			continue
		}
		p.Integrity = *e.Integrity
		p.Line = line
		pkgs = append(pkgs, p)
		var t time.Time
		if e.Time > 0 {
			t = time.UnixMilli(e.Time).UTC()
		}
		times = append(times, t)
		if p.Version == "" {
			s.packument(cache, p.Name, *e.Integrity)
		} else {
			s.fetched(p, t)
		}
	}
	s.add(rel, FormatCacache, pkgs, times)
	s.setFrom(len(s.traces)-1, rel, FromCacheEntry)
}

// registryURLPackage reads a registry URL: a tarball
// (<registry>/<name>/-/<base>-<version>.tgz) or a packument
// (<registry>/<name>, scoped names escaped as @scope%2fname).
func registryURLPackage(raw string) (lockfiles.Package, bool) {
	u, err := url.Parse(raw)
	if err != nil || u.Host == "" {
		return lockfiles.Package{}, false
	}
	p := strings.TrimPrefix(u.EscapedPath(), "/")
	if name, file, ok := strings.Cut(p, "/-/"); ok {
		name, err := url.PathUnescape(name)
		if err != nil || !lockfiles.ValidName(name) {
			return lockfiles.Package{}, false
		}
		base := name[strings.LastIndexByte(name, '/')+1:]
		v, ok := strings.CutPrefix(file, base+"-")
		if !ok {
			return lockfiles.Package{}, false
		}
		v, ok = strings.CutSuffix(v, ".tgz")
		if !ok || !lockfiles.IsExactVersion(v) {
			return lockfiles.Package{}, false
		}
		return lockfiles.Package{Name: name, Version: v, Source: lockfiles.SourceRegistry, Resolved: raw}, true
	}
	name, err := url.PathUnescape(p)
	if err != nil || !lockfiles.ValidName(name) {
		return lockfiles.Package{}, false
	}
	return lockfiles.Package{Name: name, Source: lockfiles.SourceRegistry, Resolved: raw}, true
}

// yarnCache reads Yarn Berry cache file names as Yarn 3 and 4 write them:
// <ident slug>-npm-<version>-<checksum>-<cache key>.zip, where the slug of
// @scope/name is @scope-name, the checksum is 10 hex digits and the cache
// key is short in the global cache ("10c0" for Yarn 4, "8" for Yarn 3) and
// 10 hex digits in a project's .yarn/cache. A scope holding a dash cannot
// be told from the name by the file name alone; the first dash after "@"
// is taken.
func (s *scanner) yarnCache(dir string) {
	for _, name := range sortedNames(s.readDir(dir)) {
		p, ok := yarnCacheName(name)
		if !ok {
			continue
		}
		var t time.Time
		if st, err := os.Lstat(s.abs(path.Join(dir, name))); err == nil {
			t = st.ModTime().UTC()
		}
		// One inventory per zip: the zip is the evidence file.
		s.add(path.Join(dir, name), FormatYarnCache, []lockfiles.Package{p}, []time.Time{t})
		s.setFrom(len(s.traces)-1, path.Join(dir, name), FromFileTime)
	}
}

var (
	yarnHash     = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`^[0-9a-f]{8,}$`) })
	yarnCacheKey = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`^([0-9a-f]{8,}|[0-9]+(c[0-9]+)?)$`) })
)

func yarnCacheName(file string) (lockfiles.Package, bool) {
	base, ok := strings.CutSuffix(file, ".zip")
	if !ok {
		return lockfiles.Package{}, false
	}
	name, rest, ok := strings.Cut(base, "-npm-")
	if !ok {
		return lockfiles.Package{}, false
	}
	// Read from the right: the cache key, then the checksum, follow the version.
	parts := strings.Split(rest, "-")
	if len(parts) < 3 || !yarnCacheKey().MatchString(parts[len(parts)-1]) || !yarnHash().MatchString(parts[len(parts)-2]) {
		return lockfiles.Package{}, false
	}
	version := strings.Join(parts[:len(parts)-2], "-")
	if !lockfiles.IsExactVersion(version) {
		return lockfiles.Package{}, false
	}
	if strings.HasPrefix(name, "@") {
		i := strings.IndexByte(name, '-')
		if i < 0 {
			return lockfiles.Package{}, false
		}
		name = name[:i] + "/" + name[i+1:]
	}
	if !lockfiles.ValidName(name) {
		return lockfiles.Package{}, false
	}
	return lockfiles.Package{Name: name, Version: version, Source: lockfiles.SourceRegistry}, true
}

// pnpmStore reads pnpm 10's store index: <store>/v10/index/<xx>/<hash>-<name>@<version>.json,
// with "/" in scoped names written "+". The stores of pnpm 7 to 9 (v3)
// name index files by hash alone: see pnpmStoreV3.
func (s *scanner) pnpmStore(store string) {
	for _, v := range sortedNames(s.readDir(store)) {
		if v == "v3" {
			s.pnpmStoreV3(path.Join(store, v))
			continue
		}
		if !strings.HasPrefix(v, "v") {
			continue
		}
		index := path.Join(store, v, "index")
		for _, xx := range sortedNames(s.readDir(index)) {
			sub := path.Join(index, xx)
			for _, name := range sortedNames(s.readDir(sub)) {
				p, ok := pnpmIndexName(name)
				if !ok {
					continue
				}
				var t time.Time
				if st, err := os.Lstat(s.abs(path.Join(sub, name))); err == nil {
					t = st.ModTime().UTC()
				}
				s.add(path.Join(sub, name), FormatPnpmStore, []lockfiles.Package{p}, []time.Time{t})
				s.setFrom(len(s.traces)-1, path.Join(sub, name), FromFileTime)
			}
		}
	}
}

var pnpmIndexRE = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`^[0-9a-f]{8,}-(.+)@([^@]+)\.json$`) })

func pnpmIndexName(file string) (lockfiles.Package, bool) {
	m := pnpmIndexRE().FindStringSubmatch(file)
	if m == nil {
		return lockfiles.Package{}, false
	}
	name := strings.Replace(m[1], "+", "/", 1)
	if !lockfiles.ValidName(name) || !lockfiles.IsExactVersion(m[2]) {
		return lockfiles.Package{}, false
	}
	return lockfiles.Package{Name: name, Version: m[2], Source: lockfiles.SourceRegistry}, true
}
