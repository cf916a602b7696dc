package feeds

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"time"
)

// OSVNPMName is the name by which --feed takes the cached OSV npm export.
const OSVNPMName = "osv:npm"

// DefaultOSVNPMURL is where osv.dev publishes its npm export: every OSV
// record of the npm ecosystem, the OpenSSF malicious-packages ones (MAL-*)
// included, in one zip.
const DefaultOSVNPMURL = "https://osv-vulnerabilities.storage.googleapis.com/npm/all.zip"

// The files of the OSV npm cache, in its directory.
const (
	cacheZip  = "all.zip"
	cacheMeta = "all.zip.json"
)

// An UpdateOptions says where [Update] fetches the OSV export from and
// where it keeps it.
type UpdateOptions struct {
	URL      string        // the export's URL; "" means DefaultOSVNPMURL
	CacheDir string        // the cache directory, as [OSVCacheDir] returns it
	MaxSize  int64         // the most bytes accepted; 0 means MaxZipSize
	Timeout  time.Duration // bounds the whole download; 0 means 10 minutes
	Client   *http.Client  // nil means a client of its own
}

// CacheMeta is what [Update] records beside the cached export.
type CacheMeta struct {
	URL          string    `json:"url"`
	ETag         string    `json:"etag,omitempty"`
	LastModified string    `json:"last_modified,omitempty"`
	SHA256       string    `json:"sha256"`
	Size         int64     `json:"size"`
	Fetched      time.Time `json:"fetched"`
	Advisories   int       `json:"advisories"`
	Indicators   int       `json:"indicators"`
}

// An UpdateResult says what [Update] did.
type UpdateResult struct {
	Meta     CacheMeta
	Path     string // the cached zip
	Modified bool   // false when the server said the cached copy is current (304)
}

// OSVCacheDir returns the directory of the cached OSV npm export under the
// user cache directory (base "" means [os.UserCacheDir]).
func OSVCacheDir(base string) (string, error) {
	if base == "" {
		d, err := os.UserCacheDir()
		if err != nil {
			return "", err
		}
		base = d
	}
	return filepath.Join(base, "depsweep", "feeds", "osv-npm"), nil
}

// ErrNoCache is returned by [CachedOSV] when no export was fetched yet.
var ErrNoCache = errors.New("no cached OSV npm export")

// CachedOSV returns the path of the cached export in dir and what was
// recorded when it was fetched; a missing cache is an error wrapping
// [ErrNoCache].
func CachedOSV(dir string) (string, CacheMeta, error) {
	var m CacheMeta
	zip := filepath.Join(dir, cacheZip)
	b, err := os.ReadFile(filepath.Join(dir, cacheMeta))
	if errors.Is(err, os.ErrNotExist) {
		return "", m, fmt.Errorf("%s: %w", dir, ErrNoCache)
	}
	if err != nil {
		return "", m, err
	}
	if err := json.Unmarshal(b, &m); err != nil {
		return "", m, fmt.Errorf("%s: %v", filepath.Join(dir, cacheMeta), err)
	}
	if _, err := os.Stat(zip); errors.Is(err, os.ErrNotExist) {
		return "", m, fmt.Errorf("%s: %w", dir, ErrNoCache)
	}
	return zip, m, nil
}

// Update fetches the OSV npm export into the cache directory: a
// conditional request (If-None-Match, If-Modified-Since) when a copy is
// cached, so that an unchanged export is not downloaded again (304). A new
// copy is written to a temporary file, capped at MaxSize (a larger
// Content-Length is refused before reading), checked against a short body,
// loaded as a feed with every safety check [Load] makes on a zip, and only
// then renamed over the cached copy, with its sha256 recorded: a failed
// update leaves the previous copy in place. A cached copy whose sha256 is
// not the one recorded is fetched again, unconditionally.
func Update(ctx context.Context, opts UpdateOptions) (*UpdateResult, error) {
	rawURL := opts.URL
	if rawURL == "" {
		rawURL = DefaultOSVNPMURL
	}
	if u, err := url.Parse(rawURL); err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
		return nil, fmt.Errorf("%s: not an http or https URL", quote(rawURL))
	}
	if opts.CacheDir == "" {
		return nil, errors.New("no cache directory")
	}
	maxSize := opts.MaxSize
	if maxSize <= 0 {
		maxSize = MaxZipSize
	}
	timeout := opts.Timeout
	if timeout <= 0 {
		timeout = 10 * time.Minute
	}
	client := opts.Client
	if client == nil {
		client = &http.Client{}
	}
	if err := os.MkdirAll(opts.CacheDir, 0o755); err != nil {
		return nil, err
	}
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()

	req, err := http.NewRequestWithContext(ctx, http.MethodGet, rawURL, nil)
	if err != nil {
		return nil, err
	}
	prevPath, prev, prevErr := CachedOSV(opts.CacheDir)
	if prevErr == nil {
		// A cached copy that is not what was fetched (replaced, damaged)
		// must not be kept by a 304: fetch it whole.
		if sum, err := fileSHA256(prevPath); err != nil || sum != prev.SHA256 {
			prevErr = fmt.Errorf("%s: %w", prevPath, ErrCacheChanged)
		}
	}
	if prevErr == nil && prev.URL == rawURL {
		if prev.ETag != "" {
			req.Header.Set("If-None-Match", prev.ETag)
		}
		if prev.LastModified != "" {
			req.Header.Set("If-Modified-Since", prev.LastModified)
		}
	}
	resp, err := client.Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	switch {
	case resp.StatusCode == http.StatusNotModified && prevErr == nil && prev.URL == rawURL:
		return &UpdateResult{Meta: prev, Path: prevPath}, nil
	case resp.StatusCode != http.StatusOK:
		return nil, fmt.Errorf("%s: %s", rawURL, resp.Status)
	}
	if resp.ContentLength > maxSize {
		return nil, fmt.Errorf("%s: %d bytes is over the %d-byte limit", rawURL, resp.ContentLength, maxSize)
	}

	tmp, err := os.CreateTemp(opts.CacheDir, ".all.zip.*.tmp")
	if err != nil {
		return nil, err
	}
	defer func() {
		tmp.Close()
		os.Remove(tmp.Name()) // gone already after a successful rename
	}()
	h := sha256.New()
	n, err := io.Copy(io.MultiWriter(tmp, h), io.LimitReader(resp.Body, maxSize+1))
	if err != nil {
		return nil, fmt.Errorf("%s: download cut short after %d bytes: %v", rawURL, n, err)
	}
	if n > maxSize {
		return nil, fmt.Errorf("%s: over the %d-byte limit", rawURL, maxSize)
	}
	if resp.ContentLength >= 0 && n != resp.ContentLength {
		return nil, fmt.Errorf("%s: download cut short: %d of %d bytes", rawURL, n, resp.ContentLength)
	}
	if err := tmp.Sync(); err != nil {
		return nil, err
	}
	if err := tmp.Close(); err != nil {
		return nil, err
	}
	// The download must be a usable feed before it replaces anything.
	fd, err := Load(tmp.Name())
	if err != nil {
		msg := err.Error()
		msg = strings.ReplaceAll(msg, tmp.Name()+": ", "")
		msg = strings.ReplaceAll(msg, tmp.Name(), "download")
		return nil, fmt.Errorf("%s: not a usable OSV export: %s", rawURL, msg)
	}
	meta := CacheMeta{
		URL: rawURL, ETag: resp.Header.Get("ETag"), LastModified: resp.Header.Get("Last-Modified"),
		SHA256: hex.EncodeToString(h.Sum(nil)), Size: n, Fetched: time.Now().UTC().Truncate(time.Second),
		Advisories: len(fd.Advisories), Indicators: len(fd.Indicators),
	}
	zip := filepath.Join(opts.CacheDir, cacheZip)
	// The index goes first: until the zip is renamed, it names bytes
	// that are not there, and readers ignore it.
	fd.SHA256 = meta.SHA256
	if err := writeIndex(opts.CacheDir, fd); err != nil {
		return nil, err
	}
	if err := os.Rename(tmp.Name(), zip); err != nil {
		return nil, err
	}
	if err := writeMeta(opts.CacheDir, meta); err != nil {
		return nil, err
	}
	return &UpdateResult{Meta: meta, Path: zip, Modified: true}, nil
}

// writeMeta writes the cache's record atomically.
func writeMeta(dir string, m CacheMeta) error {
	b, err := json.MarshalIndent(m, "", "  ")
	if err != nil {
		return err
	}
	f, err := os.CreateTemp(dir, ".meta.*.tmp")
	if err != nil {
		return err
	}
	defer os.Remove(f.Name())
	if _, err := f.Write(append(b, '\n')); err != nil {
		f.Close()
		return err
	}
	if err := f.Close(); err != nil {
		return err
	}
	return os.Rename(f.Name(), filepath.Join(dir, cacheMeta))
}
