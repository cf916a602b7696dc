package ioc

import (
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// replayRegistry serves the packuments of testdata/fixtures/registry the way
// a registry does (GET /<name>, scoped names escaped), counting requests and
// the most in flight at once. delay holds each response.
type replayRegistry struct {
	t        *testing.T
	delay    time.Duration
	requests atomic.Int64
	inFlight atomic.Int64
	maxSeen  atomic.Int64
	mu       sync.Mutex
	paths    []string
}

func (rr *replayRegistry) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	rr.requests.Add(1)
	n := rr.inFlight.Add(1)
	defer rr.inFlight.Add(-1)
	for {
		m := rr.maxSeen.Load()
		if n <= m || rr.maxSeen.CompareAndSwap(m, n) {
			break
		}
	}
	rr.mu.Lock()
	rr.paths = append(rr.paths, r.URL.EscapedPath())
	rr.mu.Unlock()
	if r.Header.Get("Accept") != "application/json" {
		http.Error(w, "want the full document", http.StatusNotAcceptable)
		return
	}
	if rr.delay > 0 {
		select {
		case <-time.After(rr.delay):
		case <-r.Context().Done():
			return
		}
	}
	name, err := url.PathUnescape(strings.TrimPrefix(r.URL.EscapedPath(), "/"))
	if err != nil {
		http.Error(w, "bad name", http.StatusBadRequest)
		return
	}
	data, err := os.ReadFile(filepath.Join(registryDir, filepath.FromSlash(name)+".json"))
	if err != nil {
		http.NotFound(w, r)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	w.Write(data)
}

func newReplay(t *testing.T, delay time.Duration) (*replayRegistry, *httptest.Server) {
	rr := &replayRegistry{t: t, delay: delay}
	srv := httptest.NewServer(rr)
	t.Cleanup(srv.Close)
	return rr, srv
}

func TestRegistryLookupAndCache(t *testing.T) {
	rr, srv := newReplay(t, 0)
	cache := t.TempDir()
	r, err := NewRegistry(RegistryOptions{URL: srv.URL + "/", CacheDir: cache, Timeout: 5 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name, version, want string
	}{
		{"postmark-mcp", "1.0.15", "phanpak"},
		{"postmark-mcp", "1.0.18", "phanpak"}, // same packument: no second request
		{"@acme/postmark-mcp", "1.0.16", "alice"},
		{"mail-toolkit", "3.0.0", "alice"},
		{"no-such-package", "1.0.0", ""},
		{"no-such-package", "1.0.1", ""}, // a 404 is remembered too
	}
	for _, tc := range tests {
		got, ok := r.Publisher(tc.name, tc.version)
		if got != tc.want || ok != (tc.want != "") {
			t.Errorf("Publisher(%q, %q) = %q, %v, want %q", tc.name, tc.version, got, ok, tc.want)
		}
	}
	if got := rr.requests.Load(); got != 4 {
		t.Errorf("requests = %d, want 4 (one per name)", got)
	}
	if !slices.Contains(rr.paths, "/%40acme%2Fpostmark-mcp") {
		t.Errorf("request paths %q lack /%%40acme%%2Fpostmark-mcp", rr.paths)
	}
	if st := r.Stats(); st.Requests != 4 || st.NotFound != 1 || st.Errors != 0 || st.CacheHits != 0 {
		t.Errorf("Stats = %+v, want 4 requests, 1 not found", st)
	}
	// The cache holds whole packuments in LoadPackuments' layout.
	if _, err := os.Stat(filepath.Join(cache, "@acme", "postmark-mcp.json")); err != nil {
		t.Errorf("cache file for @acme/postmark-mcp: %v", err)
	}
	fromCache, err := LoadPackuments(cache)
	if err != nil {
		t.Fatal(err)
	}
	if got, _ := fromCache.Publisher("postmark-mcp", "1.0.17"); got != "phanpak" {
		t.Errorf("LoadPackuments(cache).Publisher(postmark-mcp 1.0.17) = %q, want phanpak", got)
	}

	// A second Registry on the same cache asks the network for nothing it has.
	r2, err := NewRegistry(RegistryOptions{URL: srv.URL, CacheDir: cache})
	if err != nil {
		t.Fatal(err)
	}
	if got, _ := r2.Publisher("postmark-mcp", "1.0.16"); got != "phanpak" {
		t.Errorf("cached Publisher(postmark-mcp 1.0.16) = %q, want phanpak", got)
	}
	if got := rr.requests.Load(); got != 4 {
		t.Errorf("requests after a cache hit = %d, want still 4", got)
	}
	if st := r2.Stats(); st.CacheHits != 1 || st.Requests != 0 {
		t.Errorf("Stats = %+v, want 1 cache hit, 0 requests", st)
	}
	// A version the cached copy lacks is fetched again, once.
	r2.Publisher("postmark-mcp", "1.0.99")
	r2.Publisher("postmark-mcp", "1.0.98")
	if got := rr.requests.Load(); got != 5 {
		t.Errorf("requests after a cache miss on a version = %d, want 5", got)
	}
}

func TestRegistryTimeout(t *testing.T) {
	_, srv := newReplay(t, 2*time.Second)
	r, err := NewRegistry(RegistryOptions{URL: srv.URL, Timeout: 50 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	start := time.Now()
	if got, ok := r.Publisher("postmark-mcp", "1.0.16"); ok {
		t.Errorf("Publisher after a timeout = %q, true, want unknown", got)
	}
	if d := time.Since(start); d > time.Second {
		t.Errorf("lookup took %v despite a 50ms timeout", d)
	}
	if st := r.Stats(); st.Errors != 1 {
		t.Errorf("Stats = %+v, want 1 error", st)
	}
}

func TestRegistryServerError(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		http.Error(w, "down", http.StatusBadGateway)
	}))
	defer srv.Close()
	r, err := NewRegistry(RegistryOptions{URL: srv.URL})
	if err != nil {
		t.Fatal(err)
	}
	if _, ok := r.Publisher("postmark-mcp", "1.0.16"); ok {
		t.Error("Publisher after a 502 = ok, want unknown")
	}
	if _, ok := r.Publisher("../../etc/passwd", "1.0.0"); ok {
		t.Error("Publisher of a path-like name = ok")
	}
	if st := r.Stats(); st.Errors != 2 || st.Requests != 1 {
		t.Errorf("Stats = %+v, want 2 errors from 1 request", st)
	}
}

// TestRegistryConcurrency: a prefetch of many names never has more
// requests in flight than the cap, and matching an inventory uses it.
func TestRegistryConcurrency(t *testing.T) {
	rr, srv := newReplay(t, 30*time.Millisecond)
	r, err := NewRegistry(RegistryOptions{URL: srv.URL, Concurrency: 2})
	if err != nil {
		t.Fatal(err)
	}
	names := []string{"postmark-mcp", "mail-toolkit", "mcp-mail-relay", "@acme/postmark-mcp", "a", "b", "c", "d"}
	var wg sync.WaitGroup
	for _, n := range names {
		for range 3 {
			wg.Go(func() { r.Publisher(n, "1.0.0") })
		}
	}
	wg.Wait()
	if got := rr.maxSeen.Load(); got > 2 {
		t.Errorf("max requests in flight = %d, want <= 2", got)
	}
	if got := rr.requests.Load(); got != int64(len(names)) {
		t.Errorf("requests = %d, want %d (one per name)", got, len(names))
	}

	// MatchInventory prefetches through the cap as well.
	rr2, srv2 := newReplay(t, 30*time.Millisecond)
	r2, _ := NewRegistry(RegistryOptions{URL: srv2.URL, Concurrency: 3})
	x := postmarkIndex(t)
	got, stats := x.MatchInventory("repo", npmInventory(), r2)
	if want := []string{"postmark-mcp@1.0.16 package critical", "postmark-mcp@1.0.15 publisher medium", "postmark-mcp@1.0.17 package critical"}; !slices.Equal(shorts(got), want) {
		t.Errorf("MatchInventory with registry = %q, want %q", shorts(got), want)
	}
	if stats.PublisherKnown != 4 || rr2.requests.Load() != 2 || rr2.maxSeen.Load() > 3 {
		t.Errorf("stats %+v, requests %d, max in flight %d", stats, rr2.requests.Load(), rr2.maxSeen.Load())
	}
	if !strings.Contains(got[1].Evidence, "(registry 127.0.0.1:") {
		t.Errorf("publisher evidence %q does not name the registry", got[1].Evidence)
	}
}

func TestNewRegistryErrors(t *testing.T) {
	for _, u := range []string{"ftp://x", "registry.npmjs.org", "http://"} {
		if _, err := NewRegistry(RegistryOptions{URL: u}); err == nil {
			t.Errorf("NewRegistry(URL %q) error = nil", u)
		}
	}
}
