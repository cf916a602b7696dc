package main

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/depsweep/depsweep/ioc/report"
)

// packumentServer replays the fixture packuments the way a registry does
// (GET /<name>, scoped names escaped) and records what it was asked.
type packumentServer struct {
	*httptest.Server
	mu    sync.Mutex
	names []string // packages asked for, in order
	auth  int      // requests that carried credentials
}

func newPackumentServer(t *testing.T) *packumentServer {
	t.Helper()
	ps := &packumentServer{}
	ps.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		name, err := url.PathUnescape(strings.TrimPrefix(r.URL.EscapedPath(), "/"))
		ps.mu.Lock()
		ps.names = append(ps.names, name)
		if r.Header.Get("Authorization") != "" {
			ps.auth++
		}
		ps.mu.Unlock()
		if err != nil {
			http.Error(w, "bad name", http.StatusBadRequest)
			return
		}
		data, err := os.ReadFile(filepath.Join("../../testdata/fixtures/registry", filepath.FromSlash(name)+".json"))
		if err != nil {
			http.NotFound(w, r)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		w.Write(data)
	}))
	t.Cleanup(ps.Close)
	return ps
}

// asked returns the names asked for, sorted.
func (ps *packumentServer) asked() []string {
	ps.mu.Lock()
	defer ps.mu.Unlock()
	return slices.Sorted(slices.Values(ps.names))
}

// TestRegistryFromNpmrc scans fixture projects whose .npmrc name their own
// registries: with --registry, each package is looked up where its
// project's .npmrc says (its scope's registry first), the report finds
// postmark-mcp@1.0.15 published by phanpak through that registry and names
// it in the publisher coverage; no credential of the .npmrc is sent; an
// ${ENV} registry is refused with a warning; an unreachable one is given
// up with a warning and its packages stay unknown; without --registry no
// registry is asked at all.
func TestRegistryFromNpmrc(t *testing.T) {
	requireParts(t)
	def, corp, scope := newPackumentServer(t), newPackumentServer(t), newPackumentServer(t)
	root := t.TempDir()
	// pnpm9-clean-lock9: postmark-mcp@1.0.15 (clean version, phanpak's),
	// mail-toolkit@2.0.0 and @acme/postmark-mcp@1.0.16.
	copyTree(t, "../../testdata/fixtures/pnpm9-clean-lock9", filepath.Join(root, "corp"))
	host := strings.TrimPrefix(corp.URL, "http://")
	writeFile(t, filepath.Join(root, "corp", ".npmrc"), []byte(strings.Join([]string{
		"registry=" + corp.URL + "/",
		"@acme:registry=" + scope.URL,
		"//" + host + "/:_authToken=s3cr3t",
		"always-auth=true",
	}, "\n")))
	copyTree(t, "../../testdata/fixtures/pnpm8-direct-lock6", filepath.Join(root, "env"))
	writeFile(t, filepath.Join(root, "env", ".npmrc"), []byte("registry=${CORP_REGISTRY}\n"))
	t.Setenv("CORP_REGISTRY", corp.URL)
	// A registry that cannot be reached (a VPN-only mirror, say).
	gone := httptest.NewServer(http.NotFoundHandler())
	gone.Close()
	copyTree(t, "../../testdata/fixtures/npm10-transitive-dev-lockv3", filepath.Join(root, "gone"))
	writeFile(t, filepath.Join(root, "gone", ".npmrc"), []byte("registry="+gone.URL+"\n"))

	scan := func(extra ...string) (*report.Report, string) {
		t.Helper()
		args := append([]string{"scan", "--format", "json", "--fail-on", "none", "--log-format", "json"}, extra...)
		args = append(args, root)
		var stdout, stderr bytes.Buffer
		if code := run(context.Background(), args, strings.NewReader(""), &stdout, &stderr); code != 0 {
			t.Fatalf("depsweep %s: exit %d\n%s", strings.Join(args, " "), code, stderr.String())
		}
		var rep report.Report
		if err := json.Unmarshal(stdout.Bytes(), &rep); err != nil {
			t.Fatalf("report is not JSON: %v", err)
		}
		return &rep, stderr.String()
	}
	publisherFindings := func(rep *report.Report) []string {
		var out []string
		for _, f := range rep.Findings {
			if f.Indicator.Kind == "publisher" {
				out = append(out, f.Lockfile+" "+f.Package.Name+"@"+f.Package.Version+" "+f.Evidence)
			}
		}
		slices.Sort(out)
		return out
	}

	// Without --registry, no .npmrc sends anything anywhere.
	rep, _ := scan()
	if n := len(def.asked()) + len(corp.asked()) + len(scope.asked()); n != 0 {
		t.Fatalf("without --registry, %d registry requests", n)
	}
	if got := publisherFindings(rep); len(got) != 0 {
		t.Errorf("without --registry, publisher findings %q", got)
	}

	rep, stderr := scan("--registry", def.URL, "--registry-cache", t.TempDir())
	want := []string{
		"corp/pnpm-lock.yaml postmark-mcp@1.0.15 postmark-mcp@1.0.15 published by npm account phanpak (registry " + host + ", from .npmrc)",
		"env/pnpm-lock.yaml postmark-mcp@1.0.15 postmark-mcp@1.0.15 published by npm account phanpak (registry " + strings.TrimPrefix(def.URL, "http://") + ")",
	}
	if got := publisherFindings(rep); !slices.Equal(got, want) {
		t.Errorf("publisher findings:\n got %q\nwant %q", got, want)
	}
	// ms and debug have no fixture packument: asked for, answered 404.
	if got, want := corp.asked(), []string{"mail-toolkit", "ms", "postmark-mcp"}; !slices.Equal(got, want) {
		t.Errorf(".npmrc registry asked for %q, want %q", got, want)
	}
	if got, want := scope.asked(), []string{"@acme/postmark-mcp"}; !slices.Equal(got, want) {
		t.Errorf("@acme registry asked for %q, want %q", got, want)
	}
	// The ${CORP_REGISTRY} project falls back to --registry.
	if got, want := def.asked(), []string{"debug", "mail-toolkit", "ms", "postmark-mcp"}; !slices.Equal(got, want) {
		t.Errorf("--registry asked for %q, want %q", got, want)
	}
	if corp.auth+scope.auth+def.auth != 0 {
		t.Errorf("%d requests carried credentials", corp.auth+scope.auth+def.auth)
	}
	wantSources := []string{"registry:" + def.URL, "registry:" + corp.URL + "/ (from .npmrc)", "registry:" + scope.URL + "/ (from .npmrc)",
		"registry:" + gone.URL + "/ (from .npmrc)"}
	slices.Sort(wantSources[1:])
	if got := rep.Summary.Publisher.Sources; !slices.Equal(got, wantSources) {
		t.Errorf("publisher coverage sources = %q, want %q", got, wantSources)
	}
	// corp: 4 packages, ms unknown; env: 5 packages, debug and ms unknown;
	// gone: 9 packages, all unknown (never looked up elsewhere).
	if c := rep.Summary.Publisher; c.Known != 6 || c.Packages != 18 {
		t.Errorf("publisher coverage = %+v, want 6 of 18 packages known", c)
	}
	if !strings.Contains(stderr, `"error":"env/.npmrc:1: registry ignored: URL refers to an environment variable, which depsweep does not expand"`) ||
		!strings.Contains(stderr, logNpmrc) {
		t.Errorf("stderr lacks the warning about env/.npmrc:\n%s", stderr)
	}
	if !strings.Contains(stderr, logRegistryFail) ||
		!strings.Contains(stderr, "registry "+strings.TrimPrefix(gone.URL, "http://")+" (from .npmrc): 3 requests in a row failed") {
		t.Errorf("stderr lacks the warnings about the unreachable registry:\n%s", stderr)
	}
	if strings.Contains(stderr, "s3cr3t") {
		t.Errorf("stderr shows a credential:\n%s", stderr)
	}
}
