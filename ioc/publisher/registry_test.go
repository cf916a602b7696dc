package publisher

import (
	"bytes"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strconv"
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
	t        testing.TB
	delay    time.Duration
	rename   string       // when set, replaces the account phanpak in every answer
	authSeen atomic.Int64 // requests that carried an Authorization header
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
	if r.Header.Get("Authorization") != "" || r.URL.User != nil {
		rr.authSeen.Add(1)
	}
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
	if rr.rename != "" {
		data = bytes.ReplaceAll(data, []byte(`"phanpak"`), []byte(strconv.Quote(rr.rename)))
	}
	w.Header().Set("Content-Type", "application/json")
	w.Write(data)
}

func newReplay(t testing.TB, delay time.Duration) (*replayRegistry, *httptest.Server) {
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
		got, _, ok := r.Publisher(tc.name, tc.version)
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
	if got, _, _ := fromCache.Publisher("postmark-mcp", "1.0.17"); got != "phanpak" {
		t.Errorf("LoadPackuments(cache).Publisher(postmark-mcp 1.0.17) = %q, want phanpak", got)
	}

	// A second Registry on the same cache asks the network for nothing it has.
	r2, err := NewRegistry(RegistryOptions{URL: srv.URL, CacheDir: cache})
	if err != nil {
		t.Fatal(err)
	}
	if got, _, _ := r2.Publisher("postmark-mcp", "1.0.16"); got != "phanpak" {
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
	if got, _, ok := r.Publisher("postmark-mcp", "1.0.16"); ok {
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
	if _, _, ok := r.Publisher("postmark-mcp", "1.0.16"); ok {
		t.Error("Publisher after a 502 = ok, want unknown")
	}
	if _, _, ok := r.Publisher("../../etc/passwd", "1.0.0"); ok {
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

// writeNpmrc makes a project directory holding a .npmrc of the given lines.
func writeNpmrc(t *testing.T, lines ...string) string {
	t.Helper()
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, NpmrcName), []byte(strings.Join(lines, "\n")+"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	return dir
}

// warnings collects the warnings of a pool.
type warnings struct {
	mu  sync.Mutex
	got []string
}

func (w *warnings) add(err error) {
	w.mu.Lock()
	w.got = append(w.got, err.Error())
	w.mu.Unlock()
}

// TestRegistryPoolNpmrc: each package is looked up in the registry its
// project's .npmrc names (scope first), else in the default registry; the
// registries keep separate caches; credentials in the .npmrc never reach
// a registry; unusable URLs are refused with a warning.
func TestRegistryPoolNpmrc(t *testing.T) {
	// The default registry answers another account for postmark-mcp, so
	// that an answer shows which registry gave it.
	defRR, def := newReplay(t, 0)
	defRR.rename = "default-registry-account"
	corpRR, corp := newReplay(t, 0)
	scopeRR, scope := newReplay(t, 0)
	host := strings.TrimPrefix(corp.URL, "http://")
	cache := t.TempDir()
	var warn warnings
	pool, err := NewRegistryPool(RegistryOptions{URL: def.URL, CacheDir: cache, Timeout: 5 * time.Second}, warn.add)
	if err != nil {
		t.Fatal(err)
	}
	corpProject := writeNpmrc(t,
		"registry="+corp.URL,
		"@acme:registry="+scope.URL+"/",
		"//"+host+"/:_authToken=s3cr3t-token",
		"_auth=czNjcjN0",
		"//"+host+"/:_password=czNjcjN0",
		"always-auth=true")
	plainProject := t.TempDir()
	t.Setenv("CORP_REGISTRY", corp.URL)
	envProject := writeNpmrc(t, "registry=${CORP_REGISTRY}")
	fileProject := writeNpmrc(t, "registry=file:///srv/npm/", "@acme:registry="+corp.URL)

	type ask struct {
		project, projectPath string
		name, version, want  string
	}
	asks := []ask{
		{corpProject, "corp", "postmark-mcp", "1.0.15", "phanpak"},
		{corpProject, "corp", "mail-toolkit", "2.0.0", "alice"},
		{corpProject, "corp", "@acme/postmark-mcp", "1.0.16", "alice"},
		{corpProject, "corp", "no-such-package", "1.0.0", ""}, // a 404 there is unknown: the default is not asked
		{plainProject, "plain", "postmark-mcp", "1.0.15", "default-registry-account"},
		{envProject, "env", "mcp-mail-relay", "2.1.0", "default-registry-account"},
		{fileProject, "file", "@acme/postmark-mcp", "1.0.16", "alice"},
		{fileProject, "file", "mail-toolkit", "3.0.0", "alice"},
	}
	check := func(pool *RegistryPool) {
		t.Helper()
		for _, a := range asks {
			got, _, ok := pool.Publishers(os.DirFS(a.project), a.projectPath).Publisher(a.name, a.version)
			if got != a.want || ok != (a.want != "") {
				t.Errorf("project %s: Publisher(%q, %q) = %q, %v, want %q", a.projectPath, a.name, a.version, got, ok, a.want)
			}
		}
	}
	check(pool)
	counts := func() [3]int64 {
		return [3]int64{defRR.requests.Load(), corpRR.requests.Load(), scopeRR.requests.Load()}
	}
	// default: postmark-mcp, mcp-mail-relay, mail-toolkit (file project);
	// corp: postmark-mcp, mail-toolkit, no-such-package, @acme/postmark-mcp (file project);
	// scope: @acme/postmark-mcp.
	if got, want := counts(), [3]int64{3, 4, 1}; got != want {
		t.Errorf("requests (default, corp, scope) = %v, want %v; paths %q %q %q", got, want, defRR.paths, corpRR.paths, scopeRR.paths)
	}
	for _, rr := range []*replayRegistry{defRR, corpRR, scopeRR} {
		if n := rr.authSeen.Load(); n != 0 {
			t.Errorf("%d requests carried credentials", n)
		}
	}
	wantWarn := []string{
		"env/.npmrc:1: registry ignored: URL refers to an environment variable, which depsweep does not expand",
		"file/.npmrc:1: registry ignored: not an http or https URL",
	}
	slices.Sort(warn.got)
	if !slices.Equal(warn.got, wantWarn) {
		t.Errorf("warnings = %q, want %q", warn.got, wantWarn)
	}
	wantSources := []string{"registry:" + def.URL, "registry:" + corp.URL + "/ (from .npmrc)", "registry:" + scope.URL + "/ (from .npmrc)"}
	slices.Sort(wantSources[1:])
	if got := pool.Sources(); !slices.Equal(got, wantSources) {
		t.Errorf("Sources() = %q, want %q", got, wantSources)
	}
	if st := pool.Stats(); st.Requests != 8 || st.NotFound != 1 {
		t.Errorf("Stats() = %+v, want 8 requests, 1 not found", st)
	}

	// One cache directory per registry, none mixing another's documents.
	ents, err := os.ReadDir(cache)
	if err != nil || len(ents) != 3 {
		t.Errorf("cache root holds %d entries (%v), want 3 registry directories", len(ents), err)
	}
	cached := func(u, name string) string {
		b, err := os.ReadFile(filepath.Join(RegistryCacheDir(cache, u), filepath.FromSlash(name)+".json"))
		if err != nil {
			return ""
		}
		return string(b)
	}
	if c := cached(def.URL, "postmark-mcp"); !strings.Contains(c, "default-registry-account") {
		t.Errorf("default registry cache lacks its postmark-mcp packument")
	}
	if c := cached(corp.URL, "postmark-mcp"); c == "" || strings.Contains(c, "default-registry-account") {
		t.Errorf("corp registry cache lacks its own postmark-mcp packument")
	}
	if cached(scope.URL, "@acme/postmark-mcp") == "" || cached(scope.URL, "postmark-mcp") != "" {
		t.Errorf("scope registry cache: want only @acme/postmark-mcp")
	}
	if cached(def.URL, "@acme/postmark-mcp") != "" {
		t.Errorf("default registry cache holds @acme/postmark-mcp, which it was never asked for")
	}

	// A second pool over the same cache answers the same without the network
	// (but for the 404, which is not cached).
	before := counts()
	pool2, err := NewRegistryPool(RegistryOptions{URL: def.URL + "/", CacheDir: cache}, nil)
	if err != nil {
		t.Fatal(err)
	}
	check(pool2)
	if got, want := counts(), [3]int64{before[0], before[1] + 1, before[2]}; got != want {
		t.Errorf("requests after a warm cache = %v, want %v", got, want)
	}
	if st := pool2.Stats(); st.CacheHits != 7 {
		t.Errorf("warm Stats() = %+v, want 7 cache hits", st)
	}

	// Matching says where an answer came from.
	x := postmarkIndex(t)
	got, _ := x.MatchInventory("repo", npmInventory(), pool.Publishers(os.DirFS(corpProject), "corp"))
	if want := []string{"postmark-mcp@1.0.16 package critical", "postmark-mcp@1.0.15 publisher medium", "postmark-mcp@1.0.17 package critical"}; !slices.Equal(shorts(got), want) {
		t.Fatalf("MatchInventory = %q, want %q", shorts(got), want)
	}
	if want := "(registry " + host + ", from .npmrc)"; !strings.Contains(got[1].Evidence, want) {
		t.Errorf("publisher evidence %q lacks %q", got[1].Evidence, want)
	}
	got, _ = x.MatchInventory("repo", npmInventory(), pool.Publishers(os.DirFS(plainProject), "plain"))
	if len(got) != 2 {
		t.Errorf("MatchInventory via the default registry = %q, want the two package findings only", shorts(got))
	}
}

// TestRegistryPoolSharedCap: the registries of a pool share one cap on
// requests in flight.
func TestRegistryPoolSharedCap(t *testing.T) {
	rr := &replayRegistry{t: t, delay: 30 * time.Millisecond}
	a, b := httptest.NewServer(rr), httptest.NewServer(rr)
	t.Cleanup(a.Close)
	t.Cleanup(b.Close)
	pool, err := NewRegistryPool(RegistryOptions{URL: a.URL, Concurrency: 2}, nil)
	if err != nil {
		t.Fatal(err)
	}
	project := pool.Publishers(os.DirFS(writeNpmrc(t, "registry="+b.URL)), "p")
	names := []string{"postmark-mcp", "mail-toolkit", "mcp-mail-relay", "@acme/postmark-mcp", "w", "x", "y", "z"}
	var wg sync.WaitGroup
	wg.Go(func() { project.(*npmrcPublishers).PrefetchNames(names) })
	wg.Go(func() { pool.Default().PrefetchNames(names) })
	wg.Wait()
	if got := rr.maxSeen.Load(); got > 2 {
		t.Errorf("max requests in flight over two registries = %d, want <= 2", got)
	}
	if got := rr.requests.Load(); got != 2*int64(len(names)) {
		t.Errorf("requests = %d, want %d (each name once per registry)", got, 2*len(names))
	}
}

func TestNewRegistryPoolErrors(t *testing.T) {
	for _, u := range []string{"ftp://x", "registry.npmjs.org", "http://", "https://bob:s3cr3t@npm.corp.example/"} {
		_, err := NewRegistryPool(RegistryOptions{URL: u}, nil)
		if err == nil {
			t.Errorf("NewRegistryPool(URL %q) error = nil", u)
		} else if strings.Contains(err.Error(), "s3cr3t") {
			t.Errorf("NewRegistryPool error %q quotes a credential", err)
		}
	}
	// A cache root that cannot hold directories.
	file := filepath.Join(t.TempDir(), "file")
	os.WriteFile(file, nil, 0o644)
	if _, err := NewRegistryPool(RegistryOptions{CacheDir: file}, nil); err == nil {
		t.Error("NewRegistryPool with a file as cache root: error = nil")
	}
}

func TestRegistryCacheDir(t *testing.T) {
	tests := []struct{ url, want string }{
		{"https://registry.npmjs.org", "registry.npmjs.org-"},
		{"http://127.0.0.1:4873/", "127.0.0.1_4873-"},
		{"https://[::1]:8443/npm/", "___1__8443-"},
	}
	for _, tc := range tests {
		got := filepath.Base(RegistryCacheDir("root", tc.url))
		if !strings.HasPrefix(got, tc.want) || len(got) != len(tc.want)+16 {
			t.Errorf("RegistryCacheDir(root, %q) = %q, want %s + 16 hex digits", tc.url, got, tc.want)
		}
	}
	same := []string{"https://registry.npmjs.org", "https://REGISTRY.npmjs.org:443/"}
	if a, b := RegistryCacheDir("r", same[0]), RegistryCacheDir("r", same[1]); a != b {
		t.Errorf("RegistryCacheDir of %q and %q differ: %q, %q", same[0], same[1], a, b)
	}
	if a, b := RegistryCacheDir("r", "https://h.example/a/"), RegistryCacheDir("r", "https://h.example/b/"); a == b {
		t.Errorf("two registries on one host share the cache directory %q", a)
	}
}

// TestRegistryPoolGivesUp: a registry that a .npmrc names but that cannot
// be reached is asked three times, then given up with a warning; the
// default registry goes on answering.
func TestRegistryPoolGivesUp(t *testing.T) {
	gone := httptest.NewServer(http.NotFoundHandler())
	gone.Close() // a port nothing listens on any more
	defRR, def := newReplay(t, 0)
	var warn warnings
	pool, err := NewRegistryPool(RegistryOptions{URL: def.URL, Concurrency: 1, Timeout: 5 * time.Second}, warn.add)
	if err != nil {
		t.Fatal(err)
	}
	project := pool.Publishers(os.DirFS(writeNpmrc(t, "@acme:registry="+gone.URL)), "p")
	names := []string{"@acme/a", "@acme/b", "@acme/c", "@acme/d", "@acme/e", "@acme/postmark-mcp", "postmark-mcp"}
	project.(*npmrcPublishers).PrefetchNames(names)
	for _, n := range names[:len(names)-1] {
		if a, _, ok := project.Publisher(n, "1.0.16"); ok {
			t.Errorf("Publisher(%q) via an unreachable registry = %q, true", n, a)
		}
	}
	if a, _, ok := project.Publisher("postmark-mcp", "1.0.16"); a != "phanpak" || !ok {
		t.Errorf("Publisher(postmark-mcp) via the default registry = %q, %v, want phanpak", a, ok)
	}
	st := pool.Stats()
	if st.Requests != maxConsecutiveFailures+1 || st.Errors != int64(len(names)-1) {
		t.Errorf("Stats() = %+v, want %d requests (3 failed, 1 answered) and %d errors", st, maxConsecutiveFailures+1, len(names)-1)
	}
	if defRR.requests.Load() != 1 {
		t.Errorf("default registry asked %d times, want 1", defRR.requests.Load())
	}
	host := strings.TrimPrefix(gone.URL, "http://")
	if len(warn.got) != 2 || !strings.HasPrefix(warn.got[0], "registry "+host+" (from .npmrc): @acme/") ||
		warn.got[1] != "registry "+host+" (from .npmrc): 3 requests in a row failed; not asked again, its packages' publishers are unknown" {
		t.Errorf("warnings = %q, want the first failure then giving up", warn.got)
	}
}

// BenchmarkPoolPublishers measures the per-lockfile cost the pool adds to
// a scan: reading and parsing the project's .npmrc (fixture content) and
// choosing its registries, without any lookup.
func BenchmarkPoolPublishers(b *testing.B) {
	_, srv := newReplay(b, 0)
	pool, err := NewRegistryPool(RegistryOptions{URL: srv.URL}, nil)
	if err != nil {
		b.Fatal(err)
	}
	data, err := os.ReadFile("../../testdata/fixtures/pnpm9-clean-lock9/.npmrc")
	if err != nil {
		b.Fatal(err)
	}
	dir := b.TempDir()
	npmrc := append(append(data, "@acme:registry="+srv.URL+"\n//h/:_authToken=x\n"...), bytes.Repeat([]byte("; comment\n"), 20)...)
	if err := os.WriteFile(filepath.Join(dir, NpmrcName), npmrc, 0o644); err != nil {
		b.Fatal(err)
	}
	project := os.DirFS(dir)
	for b.Loop() {
		if pool.Publishers(project, "p") == pool.Default() {
			b.Fatal("the .npmrc was not used")
		}
	}
}

// TestRegistryPoolConcurrentProjects: many projects naming registries
// at once, with Sources and Stats read meanwhile (run with -race).
func TestRegistryPoolConcurrentProjects(t *testing.T) {
	rr := &replayRegistry{t: t}
	var urls []string
	for range 3 {
		srv := httptest.NewServer(rr)
		t.Cleanup(srv.Close)
		urls = append(urls, srv.URL)
	}
	pool, err := NewRegistryPool(RegistryOptions{URL: urls[0], CacheDir: t.TempDir()}, nil)
	if err != nil {
		t.Fatal(err)
	}
	var projects []string
	for _, u := range urls {
		projects = append(projects, writeNpmrc(t, "registry="+u, "@acme:registry="+urls[0]))
	}
	var wg sync.WaitGroup
	for i := range 12 {
		wg.Go(func() {
			ps := pool.Publishers(os.DirFS(projects[i%len(projects)]), "p")
			if a, _, _ := ps.Publisher("postmark-mcp", "1.0.15"); a != "phanpak" {
				t.Errorf("Publisher(postmark-mcp 1.0.15) = %q, want phanpak", a)
			}
			pool.Sources()
			pool.Stats()
		})
	}
	wg.Wait()
	if got := rr.requests.Load(); got != 3 {
		t.Errorf("requests = %d, want 3 (one per registry)", got)
	}
	if got := len(pool.Sources()); got != 3 {
		t.Errorf("Sources() = %q, want the default and two from .npmrc", pool.Sources())
	}
}
