package main

import (
	"archive/zip"
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync/atomic"
	"testing"
)

// TestFeedUpdate runs 'feed update' against a local server serving an
// export built from the real OSV records, then scans with --feed osv:npm
// from the cache, offline.
func TestFeedUpdate(t *testing.T) {
	paths, _ := filepath.Glob("../../testdata/osv/*.json")
	if len(paths) == 0 {
		t.Fatal("no OSV records in ../../testdata/osv")
	}
	var zb bytes.Buffer
	zw := zip.NewWriter(&zb)
	for _, p := range paths {
		data, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		w, _ := zw.Create(filepath.Base(p))
		w.Write(data)
	}
	zw.Close()
	var requests atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		requests.Add(1)
		if r.Header.Get("If-None-Match") == `"v1"` {
			w.WriteHeader(http.StatusNotModified)
			return
		}
		w.Header().Set("ETag", `"v1"`)
		w.Write(zb.Bytes())
	}))
	defer srv.Close()
	cache := t.TempDir()
	t.Setenv("XDG_CACHE_HOME", cache)

	depsweep := func(args ...string) (int, string, string) {
		var stdout, stderr bytes.Buffer
		code := run(context.Background(), args, nil, &stdout, &stderr)
		return code, stdout.String(), stderr.String()
	}

	code, out, errOut := depsweep("feed", "update", "--url", srv.URL+"/npm/all.zip")
	if code != 0 {
		t.Fatalf("feed update = %d\n%s%s", code, out, errOut)
	}
	if !regexp.MustCompile(`(?m)^osv:npm updated: 2 advisories, 2 indicators\n  sha256      [0-9a-f]{64}$`).MatchString(out) {
		t.Errorf("feed update printed:\n%s", out)
	}
	if _, err := os.Stat(filepath.Join(cache, "depsweep", "feeds", "osv-npm", "all.zip")); err != nil {
		t.Error(err)
	}
	code, out, _ = depsweep("feed", "update", "--url", srv.URL+"/npm/all.zip")
	if code != 0 || !strings.Contains(out, "osv:npm up to date") {
		t.Errorf("second feed update = %d:\n%s", code, out)
	}

	before := requests.Load()
	code, out, errOut = depsweep("scan", "--feed", "osv:npm", "--format", "json", "-q", "../../testdata/fixtures/pnpm8-direct-lock6")
	if code != 1 {
		t.Fatalf("scan --feed osv:npm = %d, want 1 (findings)\n%s", code, errOut)
	}
	if requests.Load() != before {
		t.Error("scan --feed osv:npm touched the network")
	}
	var rep struct {
		Feeds    []struct{ Name string } `json:"feeds"`
		Findings []struct {
			Advisory struct {
				ID      string   `json:"id"`
				Aliases []string `json:"aliases"`
			} `json:"advisory"`
			Indicator struct{ Kind string } `json:"indicator"`
		} `json:"findings"`
	}
	if err := json.Unmarshal([]byte(out), &rep); err != nil {
		t.Fatal(err)
	}
	if len(rep.Feeds) != 2 || rep.Feeds[1].Name != "osv:npm" {
		t.Errorf("feeds = %+v, want the embedded one and osv:npm", rep.Feeds)
	}
	// The export holds MAL-2025-47604 (joined with the embedded
	// DEPSWEEP-2025-0001, its alias) and the same incident's record before
	// it got its id (no alias: a separate advisory).
	joined, ids := 0, []string{}
	for _, f := range rep.Findings {
		if f.Indicator.Kind != "package" {
			continue
		}
		ids = append(ids, f.Advisory.ID)
		if f.Advisory.ID == "DEPSWEEP-2025-0001" {
			joined++
			if strings.Join(f.Advisory.Aliases, ",") != "MAL-2025-47604" {
				t.Errorf("aliases %v, want MAL-2025-47604", f.Advisory.Aliases)
			}
		}
	}
	if joined != 1 || strings.Contains(strings.Join(ids, " "), "MAL-2025-47604") {
		t.Errorf("package findings by advisory %v, want DEPSWEEP-2025-0001 once and no separate MAL-2025-47604", ids)
	}

	// A cached zip changed since it was fetched: a clear error with the
	// command to run, and that command fetches it again.
	zipPath := filepath.Join(cache, "depsweep", "feeds", "osv-npm", "all.zip")
	if err := os.WriteFile(zipPath, append(bytes.Clone(zb.Bytes()), 0), 0o644); err != nil {
		t.Fatal(err)
	}
	code, _, errOut = depsweep("scan", "--feed", "osv:npm", "../../testdata/fixtures/pnpm8-direct-lock6")
	if code != 2 || !strings.Contains(errOut, "depsweep: cannot use feed osv:npm: "+zipPath+": cached export changed since it was fetched") ||
		!strings.Contains(errOut, "hint: run 'depsweep feed update' to fetch it again") {
		t.Errorf("scan with a changed cache = %d:\n%s", code, errOut)
	}
	code, out, errOut = depsweep("feed", "update", "--url", srv.URL+"/npm/all.zip")
	if code != 0 || !strings.Contains(out, "osv:npm updated") {
		t.Errorf("feed update of a changed cache = %d, want a new download:\n%s%s", code, out, errOut)
	}
	if code, _, errOut = depsweep("scan", "--feed", "osv:npm", "-q", "../../testdata/fixtures/pnpm8-direct-lock6"); code != 1 {
		t.Errorf("scan after the update = %d, want 1 (findings)\n%s", code, errOut)
	}

	// No cache: a clear error with the command to run.
	t.Setenv("XDG_CACHE_HOME", t.TempDir())
	code, _, errOut = depsweep("scan", "--feed", "osv:npm", "../../testdata/fixtures/pnpm8-direct-lock6")
	if code != 2 || !strings.Contains(errOut, "depsweep: no cached OSV npm export in ") || !strings.Contains(errOut, "hint: run 'depsweep feed update' first") {
		t.Errorf("scan without a cache = %d:\n%s", code, errOut)
	}
	// A failed update says so and exits 2.
	code, _, errOut = depsweep("feed", "update", "--url", srv.URL+"/npm/all.zip", "--max-size", "0")
	if code != 2 || !strings.Contains(errOut, "--max-size") {
		t.Errorf("feed update --max-size 0 = %d:\n%s", code, errOut)
	}
}
