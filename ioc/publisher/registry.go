package publisher

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"net/http"
	"net/url"
	"os"
	"path"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/depsweep/depsweep/lockfiles"
)

// DefaultRegistryURL is the public npm registry.
const DefaultRegistryURL = "https://registry.npmjs.org"

// RegistryOptions configure online publisher lookups.
type RegistryOptions struct {
	// URL is the registry's base URL; "" means [DefaultRegistryURL].
	URL string
	// CacheDir, when not "", keeps every packument fetched as
	// CacheDir/<name>.json (scoped: CacheDir/@scope/name.json), the layout
	// [LoadPackuments] reads. A cached packument is used instead of the
	// network; it is fetched again only when it lacks a version asked for.
	CacheDir string
	// Timeout bounds each request (connect, headers and body); 0 means 30s.
	Timeout time.Duration
	// Concurrency caps the requests in flight; 0 means 8.
	Concurrency int
	// Client sends the requests; nil means a client of its own.
	Client *http.Client
}

// A Registry looks publishers up in an npm registry: GET <URL>/<name>
// (a scoped name as %40scope%2Fname), reading versions[v]._npmUser.name from
// the full packument, and the version's supplier (see [LoadPackuments])
// from the same document. Each name is fetched at most once per Registry (twice
// when a cached copy lacks a version). A failed lookup (network error,
// timeout, 404) answers ok=false and is counted in [Registry.Stats]; it is
// never taken as "not published by anyone suspicious". After 3 transport
// errors in a row (no answer at all) a Registry stops asking, and every
// later lookup that needs the network answers ok=false at once.
//
// A Registry is safe for concurrent use.
type Registry struct {
	base     string // without trailing slash
	host     string
	cacheDir string
	timeout  time.Duration
	client   *http.Client
	sem      chan struct{}

	mu      sync.Mutex
	entries map[string]*regEntry

	requests, cacheHits, notFound, failures atomic.Int64

	// A registry that cannot be reached is given up after
	// maxConsecutiveFailures transport errors in a row, so that an
	// unreachable host (a private registry behind a VPN, say) costs a few
	// timeouts, not one per package.
	consecutive atomic.Int32
	down        atomic.Bool
	warn        func(error) // nil: silent; else told of the first failure and of giving up
	warnFirst   sync.Once
	label       string // appended to the host in warnings (" (from .npmrc)")
}

// maxConsecutiveFailures is the number of transport errors in a row after
// which a Registry stops asking for the rest of its life.
const maxConsecutiveFailures = 3

// RegistryStats count what a Registry did.
type RegistryStats struct {
	Requests  int64 // HTTP requests sent
	CacheHits int64 // packuments read from the cache directory
	NotFound  int64 // names the registry does not have (404)
	Errors    int64 // lookups that failed otherwise (network, timeout, status, bad JSON)
}

// regEntry is the result of loading one name; done is closed when it is set.
type regEntry struct {
	done      chan struct{}
	pubs      map[string]versionInfo // version → publisher and supplier
	err       error
	fromCache bool

	refresh    sync.Once
	refreshed  map[string]versionInfo
	refreshErr error
}

var errNotFound = errors.New("not found in the registry")

// NewRegistry returns a registry client. The URL must be an absolute http
// or https URL.
func NewRegistry(opts RegistryOptions) (*Registry, error) {
	return newRegistry(opts, nil)
}

// newRegistry is NewRegistry with the semaphore that caps requests in
// flight given (shared by the registries of a [RegistryPool]); nil makes
// one of opts.Concurrency slots.
func newRegistry(opts RegistryOptions, sem chan struct{}) (*Registry, error) {
	raw := opts.URL
	if raw == "" {
		raw = DefaultRegistryURL
	}
	u, err := url.Parse(raw)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return nil, fmt.Errorf("registry URL %q: want an absolute http or https URL", raw)
	}
	r := &Registry{
		base:     strings.TrimRight(raw, "/"),
		host:     u.Host,
		cacheDir: opts.CacheDir,
		timeout:  opts.Timeout,
		client:   opts.Client,
		entries:  map[string]*regEntry{},
	}
	if r.timeout <= 0 {
		r.timeout = 30 * time.Second
	}
	r.sem = sem
	if r.sem == nil {
		r.sem = make(chan struct{}, concurrencyOf(opts))
	}
	if r.client == nil {
		r.client = &http.Client{}
	}
	if r.cacheDir != "" {
		if err := os.MkdirAll(r.cacheDir, 0o755); err != nil {
			return nil, fmt.Errorf("registry cache: %v", err)
		}
	}
	return r, nil
}

// concurrencyOf returns opts.Concurrency, or its default when not set.
func concurrencyOf(opts RegistryOptions) int {
	if opts.Concurrency <= 0 {
		return 8
	}
	return opts.Concurrency
}

// Stats returns the counts so far.
func (r *Registry) Stats() RegistryStats {
	return RegistryStats{
		Requests:  r.requests.Load(),
		CacheHits: r.cacheHits.Load(),
		NotFound:  r.notFound.Load(),
		Errors:    r.failures.Load(),
	}
}

// Publisher implements [Source].
func (r *Registry) Publisher(name, version string) (string, string, bool) {
	vi, ok := r.version(name, version)
	if !ok || vi.account == "" {
		return "", "", false
	}
	return vi.account, "registry " + r.host, true
}

// Supplier implements [SupplierSource], from the same fetch (or cached
// packument) as the publisher: no request of its own.
func (r *Registry) Supplier(name, version string) (lockfiles.Supplier, string, bool) {
	vi, ok := r.version(name, version)
	if !ok || vi.supplier == nil {
		return lockfiles.Supplier{}, "", false
	}
	return *vi.supplier, "registry " + r.host, true
}

// version returns what name's packument says of version, loading it on
// the first ask; ok is false when the packument could not be had or does
// not list the version.
func (r *Registry) version(name, version string) (versionInfo, bool) {
	e := r.entry(name)
	<-e.done
	if e.err != nil {
		return versionInfo{}, false
	}
	if vi, ok := e.pubs[version]; ok {
		return vi, true
	}
	if !e.fromCache {
		return versionInfo{}, false
	}
	// The cached packument predates this version: fetch it once more.
	e.refresh.Do(func() {
		e.refreshed, e.refreshErr = r.fetch(name)
	})
	if e.refreshErr != nil {
		return versionInfo{}, false
	}
	vi, ok := e.refreshed[version]
	return vi, ok
}

// entry returns the entry of name, starting its load if it is the first ask.
func (r *Registry) entry(name string) *regEntry {
	r.mu.Lock()
	e, ok := r.entries[name]
	if !ok {
		e = &regEntry{done: make(chan struct{})}
		r.entries[name] = e
	}
	r.mu.Unlock()
	if !ok {
		e.pubs, e.fromCache, e.err = r.load(name)
		close(e.done)
	}
	return e
}

// Prefetch implements [Source]: it loads the packages' names
// ([Registry.PrefetchNames]).
func (r *Registry) Prefetch(pkgs []lockfiles.Package) { r.PrefetchNames(prefetchNames(pkgs)) }

// PrefetchNames loads names concurrently (up to the concurrency cap), so
// that the lookups that follow are answered from memory.
func (r *Registry) PrefetchNames(names []string) {
	work := make(chan string)
	var wg sync.WaitGroup
	for range cap(r.sem) {
		wg.Go(func() {
			for n := range work {
				<-r.entry(n).done
			}
		})
	}
	for _, n := range names {
		work <- n
	}
	close(work)
	wg.Wait()
}

// load reads name's packument from the cache, else from the registry.
func (r *Registry) load(name string) (pubs map[string]versionInfo, fromCache bool, err error) {
	if err := checkPackageName(name); err != nil {
		r.failures.Add(1)
		return nil, false, err
	}
	if r.cacheDir != "" {
		if f, err := os.Open(r.cachePath(name)); err == nil {
			p, derr := decodePackument(r.cachePath(name), f)
			f.Close()
			if derr == nil {
				r.cacheHits.Add(1)
				return versionsOf(p), true, nil
			}
			// A damaged cache file is fetched again (and overwritten).
		}
	}
	pubs, err = r.fetch(name)
	return pubs, false, err
}

// maxRegistryBody caps a packument downloaded, in bytes.
const maxRegistryBody = maxPackument

// fetch GETs name's packument, writes it to the cache and returns its
// publishers.
func (r *Registry) fetch(name string) (map[string]versionInfo, error) {
	if r.down.Load() {
		r.failures.Add(1)
		return nil, errRegistryDown
	}
	r.sem <- struct{}{}
	defer func() { <-r.sem }()
	if r.down.Load() { // given up while this lookup waited for a slot
		r.failures.Add(1)
		return nil, errRegistryDown
	}
	ctx, cancel := context.WithTimeout(context.Background(), r.timeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, r.base+"/"+escapePackageName(name), nil)
	if err != nil {
		r.failures.Add(1)
		return nil, err
	}
	// The full document: the abbreviated one (application/vnd.npm.install-v1+json)
	// leaves _npmUser, author and maintainers out.
	req.Header.Set("Accept", "application/json")
	r.requests.Add(1)
	resp, err := r.client.Do(req)
	if err != nil {
		r.failures.Add(1)
		err = fmt.Errorf("registry %s%s: %s: %v", r.host, r.label, name, err)
		r.failed(err)
		if r.consecutive.Add(1) >= maxConsecutiveFailures && !r.down.Swap(true) && r.warn != nil {
			r.warn(fmt.Errorf("registry %s%s: %d requests in a row failed; not asked again, its packages' publishers are unknown",
				r.host, r.label, maxConsecutiveFailures))
		}
		return nil, err
	}
	r.consecutive.Store(0)
	defer resp.Body.Close()
	switch {
	case resp.StatusCode == http.StatusNotFound:
		r.notFound.Add(1)
		return nil, errNotFound
	case resp.StatusCode != http.StatusOK:
		r.failures.Add(1)
		err := fmt.Errorf("registry %s%s: %s: %s", r.host, r.label, name, resp.Status)
		r.failed(err)
		return nil, err
	}
	var body io.Reader = io.LimitReader(resp.Body, maxRegistryBody)
	var tmp *os.File
	if r.cacheDir != "" {
		dst := r.cachePath(name)
		if err := os.MkdirAll(filepath.Dir(dst), 0o755); err == nil {
			tmp, _ = os.CreateTemp(filepath.Dir(dst), ".fetch-*")
		}
		if tmp != nil {
			defer func() {
				tmp.Close()
				os.Remove(tmp.Name()) // no-op after a successful rename
			}()
			body = io.TeeReader(body, tmp)
		}
	}
	var p packument
	if err := json.NewDecoder(body).Decode(&p); err != nil {
		r.failures.Add(1)
		return nil, fmt.Errorf("registry %s: %s: bad packument: %v", r.host, name, err)
	}
	if tmp != nil {
		// Copy what the decoder did not consume, so the cache holds the whole document.
		if _, err := io.Copy(io.Discard, body); err == nil && tmp.Close() == nil {
			os.Rename(tmp.Name(), r.cachePath(name))
		}
	}
	return versionsOf(&p), nil
}

// failed passes the first failure of r to its warn callback.
func (r *Registry) failed(err error) {
	if r.warn != nil {
		r.warnFirst.Do(func() { r.warn(err) })
	}
}

var errRegistryDown = errors.New("registry given up after repeated failures")

func (r *Registry) cachePath(name string) string {
	return filepath.Join(r.cacheDir, filepath.FromSlash(name)+".json")
}

// escapePackageName escapes a package name for a registry URL: "@scope/name"
// → "%40scope%2Fname".
func escapePackageName(name string) string {
	if scope, rest, ok := strings.Cut(name, "/"); ok && strings.HasPrefix(scope, "@") {
		return "%40" + url.PathEscape(scope[1:]) + "%2F" + url.PathEscape(rest)
	}
	return url.PathEscape(name)
}

// checkPackageName accepts npm package names ("name", "@scope/name") whose
// characters are safe in a URL path and a file name.
func checkPackageName(name string) error {
	parts := strings.Split(name, "/")
	switch {
	case len(parts) == 2 && strings.HasPrefix(parts[0], "@"):
		parts[0] = parts[0][1:]
	case len(parts) != 1:
		return fmt.Errorf("%q is not a package name", name)
	}
	for _, p := range parts {
		if p == "" || p == "." || p == ".." {
			return fmt.Errorf("%q is not a package name", name)
		}
		for i := 0; i < len(p); i++ {
			c := p[i]
			if !(nameChar(c) || c == '.' || c == '~' || c == '!' || c == '*' || c == '\'' || c == '(' || c == ')') {
				return fmt.Errorf("%q is not a package name", name)
			}
		}
	}
	return nil
}

// A RegistryPool holds one [Registry] per registry URL: the default one
// (the URL of its options) and those that scanned projects' .npmrc files
// name, each created on first use. They share one cap on requests in
// flight, one timeout and one HTTP client, and each caches its packuments
// in its own subdirectory of CacheDir (see [RegistryCacheDir]), so that
// two registries never mix their documents.
//
// With a pool, a scanned repository's .npmrc decides where the lookups
// for its packages go: the pool sends requests to any http or https host
// such a file names (other URLs are ignored, with a warning). Lookups are
// anonymous: no credential from a .npmrc is read, so a registry that
// requires one answers with an error, counted as unknown publishers.
//
// A RegistryPool is safe for concurrent use.
type RegistryPool struct {
	opts   RegistryOptions
	sem    chan struct{}
	def    *Registry
	defURL string // normalised
	warn   func(error)

	mu     sync.Mutex
	regs   map[string]*poolEntry // normalised URL → registry named by a .npmrc
	warned map[string]bool       // warnings already given
}

// A poolEntry is a registry of the pool, created once.
type poolEntry struct {
	once sync.Once
	reg  *Registry
	err  error
}

// NewRegistryPool returns a pool whose default registry is opts.URL
// ("" means [DefaultRegistryURL]); opts.CacheDir, when not "", is the root
// of the per-registry caches. warn, when not nil, receives each problem
// with a project's .npmrc (once per distinct message), a
// *lockfiles.ParseError naming the file by its project path, and, for each
// registry, its first failed request and the moment it is given up (after
// 3 transport errors in a row it is not asked again: its packages'
// publishers are unknown). warn may be called from several goroutines at once.
func NewRegistryPool(opts RegistryOptions, warn func(error)) (*RegistryPool, error) {
	raw := opts.URL
	if raw == "" {
		raw = DefaultRegistryURL
	}
	u, err := NormalizeRegistryURL(raw)
	if err != nil {
		return nil, fmt.Errorf("registry URL: %v", err)
	}
	if opts.Client == nil {
		opts.Client = &http.Client{}
	}
	p := &RegistryPool{
		opts:   opts,
		sem:    make(chan struct{}, concurrencyOf(opts)),
		defURL: u,
		warn:   warn,
		regs:   map[string]*poolEntry{},
		warned: map[string]bool{},
	}
	p.def, err = p.newRegistry(raw, u)
	if err != nil {
		return nil, err
	}
	return p, nil
}

// newRegistry makes the pool's registry for the normalised URL u, raw
// being the URL as given.
func (p *RegistryPool) newRegistry(raw, u string) (*Registry, error) {
	o := p.opts
	o.URL = raw
	if o.CacheDir != "" {
		o.CacheDir = RegistryCacheDir(o.CacheDir, u)
	}
	r, err := newRegistry(o, p.sem)
	if err != nil {
		return nil, err
	}
	r.warn = p.warn
	if u != p.defURL {
		r.label = " (from .npmrc)"
	}
	return r, nil
}

// RegistryCacheDir returns the cache directory of the registry at rawURL
// under root: root/<host>-<first 16 hex digits of the SHA-256 of the
// normalised URL>, e.g. root/registry.npmjs.org-3c8b3a0d5c6e1f2a. The host
// keeps it readable, the hash keeps two registries on one host (or two
// spellings of a port) apart. An unusable URL hashes as given.
func RegistryCacheDir(root, rawURL string) string {
	u, err := NormalizeRegistryURL(rawURL)
	if err != nil {
		u = rawURL
	}
	sum := sha256.Sum256([]byte(u))
	host := u
	if _, rest, ok := strings.Cut(u, "://"); ok {
		host, _, _ = strings.Cut(rest, "/")
	}
	// Only characters that are safe in a file name on every system.
	safe := []byte(host)
	for i, c := range safe {
		if !nameChar(c) && c != '.' {
			safe[i] = '_'
		}
	}
	return filepath.Join(root, string(safe)+"-"+hex.EncodeToString(sum[:8]))
}

// Default returns the default registry.
func (p *RegistryPool) Default() *Registry { return p.def }

// registry returns the pool's registry for the normalised URL u, creating
// it on first use; nil when it cannot be created (its cache directory).
func (p *RegistryPool) registry(u string) *Registry {
	if u == p.defURL {
		return p.def
	}
	p.mu.Lock()
	e := p.regs[u]
	if e == nil {
		e = &poolEntry{}
		p.regs[u] = e
	}
	p.mu.Unlock()
	e.once.Do(func() {
		reg, err := p.newRegistry(u, u)
		// Under the lock: Sources and Stats read reg without going through once.
		p.mu.Lock()
		e.reg, e.err = reg, err
		p.mu.Unlock()
		if err != nil {
			p.warnOnce(err)
		}
	})
	return e.reg
}

// warnOnce passes err to the warn callback unless its message was given before.
func (p *RegistryPool) warnOnce(err error) {
	if p.warn == nil {
		return
	}
	p.mu.Lock()
	seen := p.warned[err.Error()]
	p.warned[err.Error()] = true
	p.mu.Unlock()
	if !seen {
		p.warn(err)
	}
}

// Publishers returns the publisher source of one project (what
// ioc.ScanConfig.Publishers asks for): it reads project's .npmrc and asks,
// for each package, the registry that file names for it (its scope's,
// else the project's), or the default registry when it names none. When a
// named registry does not know a package, the answer is unknown: the
// default registry is not asked, since a package of the same name there
// may be another package (dependency confusion). A nil project (an SBOM)
// uses the default registry. Problems with the .npmrc go to the warn
// callback, named projectPath/.npmrc; the project then uses what is usable
// of the file.
func (p *RegistryPool) Publishers(project fs.FS, projectPath string) Source {
	if project == nil {
		return p.def
	}
	rc, err := ReadNpmrc(project)
	if err != nil {
		p.warnOnce(inProject(projectPath, err))
	}
	for _, e := range rc.Problems {
		p.warnOnce(inProject(projectPath, e))
	}
	if rc.empty() {
		return p.def
	}
	return &npmrcPublishers{pool: p, rc: rc}
}

// inProject renames the .npmrc of a *lockfiles.ParseError after the
// project's path.
func inProject(projectPath string, err error) error {
	var pe *lockfiles.ParseError
	if !errors.As(err, &pe) {
		return err
	}
	cp := *pe
	cp.Path = path.Join(projectPath, pe.Path)
	return &cp
}

// Sources describes the registries used so far, for the report's publisher
// coverage: "registry:URL" for the default one (as given), then
// "registry:URL (from .npmrc)" for each one a .npmrc named that was
// created, sorted. Call it after the scan.
func (p *RegistryPool) Sources() []string {
	raw := p.opts.URL
	if raw == "" {
		raw = DefaultRegistryURL
	}
	out := []string{"registry:" + raw}
	p.mu.Lock()
	var extra []string
	for u, e := range p.regs {
		if e.reg != nil {
			extra = append(extra, "registry:"+u+" (from .npmrc)")
		}
	}
	p.mu.Unlock()
	sort.Strings(extra)
	return append(out, extra...)
}

// Stats returns the counts of every registry of the pool, summed.
func (p *RegistryPool) Stats() RegistryStats {
	s := p.def.Stats()
	p.mu.Lock()
	defer p.mu.Unlock()
	for _, e := range p.regs {
		if e.reg != nil {
			t := e.reg.Stats()
			s.Requests += t.Requests
			s.CacheHits += t.CacheHits
			s.NotFound += t.NotFound
			s.Errors += t.Errors
		}
	}
	return s
}

// npmrcPublishers is the source of a project whose .npmrc names registries.
type npmrcPublishers struct {
	pool *RegistryPool
	rc   Npmrc
}

// registryFor returns the registry of name and whether a .npmrc chose a
// registry other than the default; nil when that registry is unusable.
func (np *npmrcPublishers) registryFor(name string) (*Registry, bool) {
	u := np.rc.RegistryFor(name)
	if u == "" || u == np.pool.defURL {
		return np.pool.def, false
	}
	return np.pool.registry(u), true
}

// Publisher implements [Source].
func (np *npmrcPublishers) Publisher(name, version string) (string, string, bool) {
	r, named := np.registryFor(name)
	if r == nil {
		return "", "", false
	}
	a, from, ok := r.Publisher(name, version)
	if ok && named {
		from += ", from .npmrc"
	}
	return a, from, ok
}

// Supplier implements [SupplierSource], from the registry Publisher asks.
func (np *npmrcPublishers) Supplier(name, version string) (lockfiles.Supplier, string, bool) {
	r, named := np.registryFor(name)
	if r == nil {
		return lockfiles.Supplier{}, "", false
	}
	s, from, ok := r.Supplier(name, version)
	if ok && named {
		from += ", from .npmrc"
	}
	return s, from, ok
}

// Prefetch implements [Source]: it loads the packages' names from their
// registries.
func (np *npmrcPublishers) Prefetch(pkgs []lockfiles.Package) { np.PrefetchNames(prefetchNames(pkgs)) }

// PrefetchNames loads names from their registries.
func (np *npmrcPublishers) PrefetchNames(names []string) {
	groups := map[*Registry][]string{}
	var order []*Registry
	for _, n := range names {
		r, _ := np.registryFor(n)
		if r == nil {
			continue
		}
		if _, ok := groups[r]; !ok {
			order = append(order, r)
		}
		groups[r] = append(groups[r], n)
	}
	for _, r := range order {
		r.PrefetchNames(groups[r])
	}
}

// nameChar reports whether c may appear in a host label or a package name
// as is: a letter, a digit, "-" or "_".
func nameChar(c byte) bool {
	return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-' || c == '_'
}
