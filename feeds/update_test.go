package feeds

import (
	"archive/zip"
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
)

// osvZip builds an export like osv.dev's npm/all.zip from the real OSV
// records in testdata/osv.
func osvZip(t *testing.T) []byte {
	t.Helper()
	paths, err := filepath.Glob("../testdata/osv/*.json")
	if err != nil || len(paths) < 2 {
		t.Fatalf("want the OSV records in ../testdata/osv, found %d (%v)", len(paths), err)
	}
	var b bytes.Buffer
	zw := zip.NewWriter(&b)
	for _, p := range paths {
		data, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		w, err := zw.Create(filepath.Base(p))
		if err != nil {
			t.Fatal(err)
		}
		w.Write(data)
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// exportServer serves body as the export, honouring If-None-Match, and
// records the conditional headers it was sent. mode changes what it does.
type exportServer struct {
	mu      sync.Mutex
	body    []byte
	mode    string // "", "truncated", "html", "chunked"
	got     []string
	srv     *httptest.Server
	fetches int
}

func newExportServer(t *testing.T, body []byte) *exportServer {
	s := &exportServer{body: body}
	s.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s.mu.Lock()
		defer s.mu.Unlock()
		s.got = append(s.got, r.Header.Get("If-None-Match")+"|"+r.Header.Get("If-Modified-Since"))
		sum := sha256.Sum256(s.body)
		etag := `"` + hex.EncodeToString(sum[:8]) + `"`
		if r.Header.Get("If-None-Match") == etag {
			w.WriteHeader(http.StatusNotModified)
			return
		}
		s.fetches++
		w.Header().Set("ETag", etag)
		w.Header().Set("Last-Modified", "Fri, 26 Sep 2025 04:16:01 GMT")
		switch s.mode {
		case "truncated":
			w.Header().Set("Content-Length", strconv.Itoa(len(s.body)))
			w.Write(s.body[:len(s.body)/2])
			// The handler returns early: the server closes the connection.
		case "html":
			w.Header().Set("Content-Type", "text/html")
			w.Write([]byte("<html><body>Sign in to continue</body></html>"))
		case "chunked":
			w.Write(s.body[:10])
			w.(http.Flusher).Flush()
			w.Write(s.body[10:])
		default:
			w.Header().Set("Content-Length", strconv.Itoa(len(s.body)))
			w.Write(s.body)
		}
	}))
	t.Cleanup(s.srv.Close)
	return s
}

func TestUpdate(t *testing.T) {
	body := osvZip(t)
	s := newExportServer(t, body)
	dir := t.TempDir()
	opts := UpdateOptions{URL: s.srv.URL + "/npm/all.zip", CacheDir: dir}
	ctx := context.Background()

	// A missing cache is ErrNoCache.
	if _, _, err := CachedOSV(dir); !errors.Is(err, ErrNoCache) {
		t.Fatalf("CachedOSV(empty) = %v, want ErrNoCache", err)
	}

	// 200: written, sha256 recorded, loadable.
	res, err := Update(ctx, opts)
	if err != nil {
		t.Fatal(err)
	}
	sum := sha256.Sum256(body)
	if !res.Modified || res.Meta.SHA256 != hex.EncodeToString(sum[:]) || res.Meta.Size != int64(len(body)) || res.Meta.ETag == "" {
		t.Errorf("first update = %+v, want the download with its sha256", res)
	}
	path, meta, err := CachedOSV(dir)
	if err != nil || meta != res.Meta {
		t.Fatalf("CachedOSV = %v %+v, want %+v", err, meta, res.Meta)
	}
	fd, err := Load(path)
	if err != nil || fd.SHA256 != res.Meta.SHA256 || len(fd.Indicators) == 0 {
		t.Fatalf("Load(cached) = %v, %v", fd, err)
	}

	// 304: conditional headers sent, nothing downloaded, cache unchanged.
	res2, err := Update(ctx, opts)
	if err != nil {
		t.Fatal(err)
	}
	if res2.Modified || res2.Meta != res.Meta || s.fetches != 1 {
		t.Errorf("second update = %+v after %d downloads, want not modified", res2, s.fetches)
	}
	if got := s.got[1]; got != res.Meta.ETag+"|Fri, 26 Sep 2025 04:16:01 GMT" {
		t.Errorf("conditional headers = %q", got)
	}

	// A failed update leaves the cached copy as it was.
	unchanged := func(t *testing.T) {
		t.Helper()
		_, m, err := CachedOSV(dir)
		if err != nil || m != res.Meta {
			t.Errorf("cache after a failed update: %+v, %v; want %+v", m, err, res.Meta)
		}
		b, _ := os.ReadFile(path)
		if !bytes.Equal(b, body) {
			t.Error("cached zip changed after a failed update")
		}
		left, _ := filepath.Glob(filepath.Join(dir, ".*.tmp"))
		if len(left) > 0 {
			t.Errorf("temporary files left: %v", left)
		}
	}
	// A changed export with a different etag is fetched; serve it broken.
	s.mu.Lock()
	s.body = append(bytes.Clone(body), 0) // a zip with a trailing byte is still a zip; the etag changes
	s.mu.Unlock()
	for _, tc := range []struct {
		mode, want string
		max        int64
	}{
		{"truncated", "cut short", 0},
		{"html", "not a usable OSV export", 0},
		{"", "over the", 100},        // Content-Length over the cap
		{"chunked", "over the", 100}, // no Content-Length: the cap on the body
	} {
		t.Run(cmpOr(tc.mode, "oversize"), func(t *testing.T) {
			s.mu.Lock()
			s.mode = tc.mode
			s.mu.Unlock()
			o := opts
			o.MaxSize = tc.max
			_, err := Update(ctx, o)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("Update(%s) = %v, want an error containing %q", tc.mode, err, tc.want)
			}
			if strings.Contains(err.Error(), ".tmp") {
				t.Errorf("error names the temporary file: %v", err)
			}
			unchanged(t)
		})
	}

	// Not http(s): refused before any request.
	if _, err := Update(ctx, UpdateOptions{URL: "file:///etc/passwd", CacheDir: dir}); err == nil {
		t.Error("Update(file://) succeeded")
	}
}

func cmpOr(a, b string) string {
	if a != "" {
		return a
	}
	return b
}

// TestCachedIndex: the parsed index written by Update loads to the same
// feed as parsing the zip; an index of other bytes is ignored; a pin is
// checked against the zip.
func TestCachedIndex(t *testing.T) {
	body := osvZip(t)
	s := newExportServer(t, body)
	dir := t.TempDir()
	if _, err := Update(context.Background(), UpdateOptions{URL: s.srv.URL + "/all.zip", CacheDir: dir}); err != nil {
		t.Fatal(err)
	}
	parsed, err := Load(filepath.Join(dir, cacheZip))
	if err != nil {
		t.Fatal(err)
	}
	cached, err := LoadCachedOSV(dir, OSVNPMName, "")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(dir, cacheIndex)); err != nil {
		t.Fatalf("no index written: %v", err)
	}
	norm := func(f *Feed) string {
		var b strings.Builder
		fmt.Fprintf(&b, "%s %d %d\n", f.SHA256, f.Withdrawn, f.Skipped)
		for _, a := range f.Advisories {
			c := *a
			c.Feed = ""
			fmt.Fprintf(&b, "%+v\n", c)
		}
		for _, ind := range f.Indicators {
			fmt.Fprintf(&b, "%s %s %s %+v %v %s\n", ind.Kind, ind.Ecosystem, ind.Value, ind.Versions, ind.Severity, ind.Advisory.ID)
		}
		return b.String()
	}
	if norm(cached) != norm(parsed) {
		t.Errorf("cached index differs from the parsed zip:\n%s\nwant\n%s", norm(cached), norm(parsed))
	}
	if cached.Name != OSVNPMName || cached.Advisories[0].Feed != OSVNPMName {
		t.Errorf("name %q, advisory feed %q", cached.Name, cached.Advisories[0].Feed)
	}
	// A pin is checked against the zip's bytes.
	if _, err := LoadCachedOSV(dir, OSVNPMName, strings.Repeat("0", 64)); err == nil || !strings.Contains(err.Error(), "sha256 mismatch") {
		t.Errorf("wrong pin = %v, want a mismatch", err)
	}
	if _, err := LoadCachedOSV(dir, OSVNPMName, cached.SHA256); err != nil {
		t.Errorf("right pin: %v", err)
	}
	// An index of other bytes is ignored: the zip is parsed.
	other := *parsed
	other.SHA256 = strings.Repeat("a", 64)
	other.Advisories = other.Advisories[:1]
	other.Indicators = other.Indicators[:1]
	if err := writeIndex(dir, &other); err != nil {
		t.Fatal(err)
	}
	again, err := LoadCachedOSV(dir, OSVNPMName, "")
	if err != nil || norm(again) != norm(parsed) {
		t.Errorf("with a stale index: %v\n%s", err, norm(again))
	}
}
