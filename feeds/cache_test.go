package feeds

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/binary"
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/depsweep/depsweep/ioc"
)

// indexFeeds are the feeds the index tests encode: the real OSV records,
// the embedded feed and the valid native feeds (every indicator kind,
// severity overrides, exposure windows, remediation steps).
func indexFeeds(t testing.TB) []*Feed {
	t.Helper()
	var out []*Feed
	osv, err := Load("../testdata/osv")
	if err != nil {
		t.Fatal(err)
	}
	def, err := Default()
	if err != nil {
		t.Fatal(err)
	}
	out = append(out, osv, def)
	for _, p := range glob(t, "../testdata/feeds/valid/*") {
		f, err := Load(p)
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, f)
	}
	return out
}

// sameFeed reports how a and b differ, ignoring Name and each advisory's
// Feed; "" when they do not. Indicators are compared with the index of
// their advisory, not its address.
func sameFeed(a, b *Feed) string {
	if a.SHA256 != b.SHA256 || a.Withdrawn != b.Withdrawn || a.Skipped != b.Skipped {
		return "sha256 or counts differ"
	}
	if len(a.Advisories) != len(b.Advisories) || len(a.Indicators) != len(b.Indicators) {
		return "lengths differ"
	}
	at := func(f *Feed, adv *ioc.Advisory) int {
		for i, x := range f.Advisories {
			if x == adv {
				return i
			}
		}
		return -1
	}
	for i := range a.Advisories {
		x, y := *a.Advisories[i], *b.Advisories[i]
		x.Feed, y.Feed = "", ""
		if !reflect.DeepEqual(x, y) {
			return "advisory " + x.ID + " differs"
		}
	}
	for i := range a.Indicators {
		x, y := a.Indicators[i], b.Indicators[i]
		if at(a, x.Advisory) != at(b, y.Advisory) || at(a, x.Advisory) < 0 {
			return "indicator " + x.String() + " points at another advisory"
		}
		x.Advisory, y.Advisory = nil, nil
		if !reflect.DeepEqual(x, y) {
			return "indicator " + x.String() + " differs"
		}
	}
	return ""
}

// TestIndexRoundTrip: every feed reads back from its index as it was
// written, field for field.
func TestIndexRoundTrip(t *testing.T) {
	for _, f := range indexFeeds(t) {
		t.Run(filepath.Base(f.Name), func(t *testing.T) {
			dir := t.TempDir()
			if err := writeIndex(dir, f); err != nil {
				t.Fatal(err)
			}
			got, err := readIndex(filepath.Join(dir, cacheIndex))
			if err != nil {
				t.Fatal(err)
			}
			if d := sameFeed(got, f); d != "" {
				t.Errorf("read back: %s\ngot  %+v\nwant %+v", d, got.Advisories[0], f.Advisories[0])
			}
		})
	}
}

// cachedExport runs Update against a server serving the real OSV records
// and returns the cache directory and the feed parsed from the zip.
func cachedExport(t *testing.T) (string, *Feed, *exportServer) {
	t.Helper()
	s := newExportServer(t, osvZip(t))
	dir := t.TempDir()
	if _, err := Update(context.Background(), UpdateOptions{URL: s.srv.URL + "/npm/all.zip", CacheDir: dir}); err != nil {
		t.Fatal(err)
	}
	want, err := Load(filepath.Join(dir, cacheZip))
	if err != nil {
		t.Fatal(err)
	}
	return dir, want, s
}

// TestIndexDamaged: an index that is missing, of an earlier version or
// format, made from another zip, cut short, extended or corrupt is
// detected, never used: the feed comes from the zip, and the index is
// rebuilt.
func TestIndexDamaged(t *testing.T) {
	dir, want, _ := cachedExport(t)
	index := filepath.Join(dir, cacheIndex)
	good, err := os.ReadFile(index)
	if err != nil {
		t.Fatalf("Update wrote no index: %v", err)
	}
	body := len(cacheMagic) + 4 + sha256.Size + 8 + sha256.Size
	// withBody returns the index with a new body and that body's sha256,
	// so that only the decoder can find what is wrong with it.
	withBody := func(b []byte) []byte {
		out := bytes.Clone(good[:body])
		binary.LittleEndian.PutUint64(out[body-8-sha256.Size:], uint64(len(b)))
		sum := sha256.Sum256(b)
		copy(out[body-sha256.Size:], sum[:])
		return append(out, b...)
	}
	other := *want
	other.SHA256 = strings.Repeat("ab", 32)
	otherDir := t.TempDir()
	if err := writeIndex(otherDir, &other); err != nil {
		t.Fatal(err)
	}
	stale, _ := os.ReadFile(filepath.Join(otherDir, cacheIndex))

	for _, tc := range []struct {
		name, want string
		data       []byte // nil: no index file
	}{
		{"missing", "no index", nil},
		{"empty", "not an index of this version", []byte{}},
		{"gob of depsweep before format 2", "not an index of this version", []byte("\x3f\xff\x81\x03\x01\x01\x0acachedFeed")},
		{"other format", "index format 3, want 2", func() []byte {
			b := bytes.Clone(good)
			binary.LittleEndian.PutUint32(b[len(cacheMagic):], 3)
			return b
		}()},
		{"other zip", "made from another export", stale},
		{"cut short", "truncated or extended", good[:len(good)-1]},
		{"extended", "truncated or extended", append(bytes.Clone(good), 0)},
		{"flipped byte", "corrupt (sha256", func() []byte {
			b := bytes.Clone(good)
			b[len(b)-5] ^= 1
			return b
		}()},
		{"string index out of range", "corrupt: string 9 of 0", withBody([]byte{0, 0, 0, 0, 0, 0, 1, 9, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0})},
		{"huge count", "corrupt: count 4294967295 larger", withBody([]byte{0, 0, 0xff, 0xff, 0xff, 0xff, 0x0f})},
		{"trailing bytes", "corrupt: 1 bytes after the last indicator", withBody(append(bytes.Clone(good[body:]), 0))},
		{"no indicators", "corrupt: feed has no indicators", withBody([]byte{0, 0, 0, 0, 0, 0, 0, 0})},
	} {
		t.Run(tc.name, func(t *testing.T) {
			os.Remove(index)
			if tc.data != nil {
				if err := os.WriteFile(index, tc.data, 0o644); err != nil {
					t.Fatal(err)
				}
			}
			f, err := readIndex(index)
			if err == nil && tc.name == "other zip" {
				// Only LoadCachedOSV knows the zip's sha256.
				if f.SHA256 == want.SHA256 {
					t.Fatal("stale index names the cached zip")
				}
			} else if err == nil || !strings.HasPrefix(err.Error(), index+": ") {
				t.Fatalf("readIndex = %v, want an error naming %s", err, index)
			} else if tc.name != "other zip" && !strings.Contains(err.Error(), tc.want) {
				t.Errorf("readIndex = %v, want %q", err, tc.want)
			}
			got, err := LoadCachedOSV(dir, OSVNPMName, "")
			if err != nil {
				t.Fatal(err)
			}
			if d := sameFeed(got, want); d != "" {
				t.Errorf("LoadCachedOSV with a damaged index: %s", d)
			}
			rebuilt, err := readIndex(index)
			if err != nil || rebuilt.SHA256 != want.SHA256 {
				t.Fatalf("index not rebuilt: %v", err)
			}
			if d := sameFeed(rebuilt, want); d != "" {
				t.Errorf("rebuilt index: %s", d)
			}
		})
	}
}

// TestIndexRebuildFails: an index that cannot be rebuilt (here a
// directory stands where it goes, which even root cannot rename over)
// does not fail the load: the feed comes from the zip.
func TestIndexRebuildFails(t *testing.T) {
	dir, want, _ := cachedExport(t)
	index := filepath.Join(dir, cacheIndex)
	os.Remove(index)
	if err := os.MkdirAll(filepath.Join(index, "x"), 0o755); err != nil {
		t.Fatal(err)
	}
	if _, err := readIndex(index); err == nil || !strings.HasPrefix(err.Error(), index+": ") {
		t.Fatalf("readIndex(directory) = %v, want an error naming it", err)
	}
	got, err := LoadCachedOSV(dir, OSVNPMName, "")
	if err != nil {
		t.Fatal(err)
	}
	if d := sameFeed(got, want); d != "" {
		t.Error(d)
	}
	if left, _ := filepath.Glob(filepath.Join(dir, ".*.tmp")); len(left) > 0 {
		t.Errorf("temporary files left: %v", left)
	}
}

// TestIndexReplacesGob: writing the index removes the one earlier
// versions wrote.
func TestIndexReplacesGob(t *testing.T) {
	dir, want, _ := cachedExport(t)
	old := filepath.Join(dir, "all.zip.gob")
	if err := os.WriteFile(old, []byte("gob"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := writeIndex(dir, want); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(old); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("%s left behind: %v", old, err)
	}
}

// TestCacheChanged: a cached zip that is not the one fetched is an error
// naming it and ErrCacheChanged, and the next update fetches the export
// whole (no conditional request a 304 could answer).
func TestCacheChanged(t *testing.T) {
	dir, want, s := cachedExport(t)
	zip := filepath.Join(dir, cacheZip)
	data, _ := os.ReadFile(zip)
	if err := os.WriteFile(zip, append(data, 0), 0o644); err != nil { // still a zip; other bytes
		t.Fatal(err)
	}
	_, err := LoadCachedOSV(dir, OSVNPMName, "")
	if !errors.Is(err, ErrCacheChanged) || !strings.HasPrefix(err.Error(), zip+": ") {
		t.Fatalf("LoadCachedOSV(changed zip) = %v, want ErrCacheChanged naming %s", err, zip)
	}
	res, err := Update(context.Background(), UpdateOptions{URL: s.srv.URL + "/npm/all.zip", CacheDir: dir})
	if err != nil {
		t.Fatal(err)
	}
	if !res.Modified || s.fetches != 2 || s.got[1] != "|" {
		t.Errorf("update after the zip changed: modified %v, %d downloads, conditional headers %q; want a plain fetch", res.Modified, s.fetches, s.got[1])
	}
	got, err := LoadCachedOSV(dir, OSVNPMName, "")
	if err != nil {
		t.Fatal(err)
	}
	if d := sameFeed(got, want); d != "" {
		t.Error(d)
	}
}

// FuzzDecodeIndex checks that any index body decodes without panicking,
// and that a body that decodes encodes to one that decodes the same.
func FuzzDecodeIndex(f *testing.F) {
	for _, fd := range indexFeeds(f) {
		b, err := encodeIndex(fd)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
	f.Add([]byte{})
	f.Add([]byte{0, 0, 0, 0, 0, 0, 0, 0})
	f.Fuzz(func(t *testing.T, body []byte) {
		fd, err := decodeIndex(body)
		if err != nil {
			return
		}
		fd.SHA256 = strings.Repeat("0", 64)
		again, err := encodeIndex(fd)
		if err != nil {
			t.Fatalf("encodeIndex(decoded) = %v", err)
		}
		fd2, err := decodeIndex(again)
		if err != nil {
			t.Fatalf("decodeIndex(encodeIndex(decoded)) = %v", err)
		}
		fd2.SHA256 = fd.SHA256
		if d := sameFeed(fd2, fd); d != "" {
			t.Fatalf("round trip: %s", d)
		}
	})
}
