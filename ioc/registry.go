package ioc

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"time"
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
// the full packument. Each name is fetched at most once per Registry (twice
// when a cached copy lacks a version). A failed lookup (network error,
// timeout, 404) answers ok=false and is counted in [Registry.Stats]; it is
// never taken as "not published by anyone suspicious".
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
}

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
	pubs      map[string]string // version → account
	err       error
	fromCache bool

	refresh    sync.Once
	refreshed  map[string]string
	refreshErr error
}

var errNotFound = errors.New("not found in the registry")

// NewRegistry returns a registry client. The URL must be an absolute http
// or https URL.
func NewRegistry(opts RegistryOptions) (*Registry, error) {
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
	n := opts.Concurrency
	if n <= 0 {
		n = 8
	}
	r.sem = make(chan struct{}, n)
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

// Stats returns the counts so far.
func (r *Registry) Stats() RegistryStats {
	return RegistryStats{
		Requests:  r.requests.Load(),
		CacheHits: r.cacheHits.Load(),
		NotFound:  r.notFound.Load(),
		Errors:    r.failures.Load(),
	}
}

// Publisher implements [Publishers].
func (r *Registry) Publisher(name, version string) (string, bool) {
	a, _, ok := r.publisherFrom(name, version)
	return a, ok
}

func (r *Registry) publisherFrom(name, version string) (string, string, bool) {
	e := r.entry(name)
	<-e.done
	if e.err != nil {
		return "", "", false
	}
	if a, ok := e.pubs[version]; ok {
		return a, "registry " + r.host, true
	}
	if !e.fromCache {
		return "", "", false
	}
	// The cached packument predates this version: fetch it once more.
	e.refresh.Do(func() {
		e.refreshed, e.refreshErr = r.fetch(name)
	})
	if e.refreshErr != nil {
		return "", "", false
	}
	a, ok := e.refreshed[version]
	return a, "registry " + r.host, ok
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

// prefetch loads names concurrently (up to the concurrency cap), so that
// the lookups that follow are answered from memory.
func (r *Registry) prefetch(names []string) {
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
func (r *Registry) load(name string) (pubs map[string]string, fromCache bool, err error) {
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
				return publishersOf(p), true, nil
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
func (r *Registry) fetch(name string) (map[string]string, error) {
	r.sem <- struct{}{}
	defer func() { <-r.sem }()
	ctx, cancel := context.WithTimeout(context.Background(), r.timeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, r.base+"/"+escapePackageName(name), nil)
	if err != nil {
		r.failures.Add(1)
		return nil, err
	}
	// The full document: the abbreviated one (application/vnd.npm.install-v1+json)
	// leaves _npmUser out.
	req.Header.Set("Accept", "application/json")
	r.requests.Add(1)
	resp, err := r.client.Do(req)
	if err != nil {
		r.failures.Add(1)
		return nil, fmt.Errorf("registry %s: %s: %v", r.host, name, err)
	}
	defer resp.Body.Close()
	switch {
	case resp.StatusCode == http.StatusNotFound:
		r.notFound.Add(1)
		return nil, errNotFound
	case resp.StatusCode != http.StatusOK:
		r.failures.Add(1)
		return nil, fmt.Errorf("registry %s: %s: %s", r.host, name, resp.Status)
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
	return publishersOf(&p), nil
}

func publishersOf(p *packument) map[string]string {
	out := make(map[string]string, len(p.Versions))
	for v, doc := range p.Versions {
		if a := doc.publisher(); a != "" {
			out[v] = a
		}
	}
	return out
}

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
			if !(isLabelChar(c) || c == '.' || c == '~' || c == '!' || c == '*' || c == '\'' || c == '(' || c == ')') {
				return fmt.Errorf("%q is not a package name", name)
			}
		}
	}
	return nil
}
