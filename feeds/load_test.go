package feeds

import (
	"archive/zip"
	"bytes"
	"compress/flate"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/depsweep/depsweep/ioc"
)

func TestDefault(t *testing.T) {
	f, err := Default()
	if err != nil {
		t.Fatal(err)
	}
	raw, err := os.ReadFile("embedded/postmark-mcp.yaml")
	if err != nil {
		t.Fatal(err)
	}
	sum := sha256.Sum256(raw)
	if f.Name != "embedded:postmark-mcp" || f.SHA256 != hex.EncodeToString(sum[:]) || DefaultSHA256() != f.SHA256 {
		t.Errorf("Default() = name %q sha256 %s (DefaultSHA256 %s), want embedded:postmark-mcp %x", f.Name, f.SHA256, DefaultSHA256(), sum)
	}
	if len(f.Advisories) != 1 {
		t.Fatalf("Default() has %d advisories, want 1", len(f.Advisories))
	}
	adv := f.Advisories[0]
	day := func(d int) time.Time { return time.Date(2025, 9, d, 0, 0, 0, 0, time.UTC) }
	if adv.Severity != ioc.SeverityCritical || !reflect.DeepEqual(adv.Aliases, []string{"MAL-2025-47604"}) ||
		!adv.Exposure.From.Equal(day(17)) || !adv.Exposure.To.Equal(day(25)) || len(adv.Remediation) != 5 {
		t.Errorf("Default() advisory = %+v, want critical, alias MAL-2025-47604, exposure 2025-09-17..25, 5 remediation steps", adv)
	}
	got := summarize(nil, f.Indicators)
	want := `package npm "postmark-mcp" exact=["1.0.16" "1.0.17" "1.0.18"] ranges=[] severity=derived advisory=DEPSWEEP-2025-0001
publisher npm "phanpak" exact=[] ranges=[] severity=derived advisory=DEPSWEEP-2025-0001
domain  "giftshop.club" exact=[] ranges=[] severity=derived advisory=DEPSWEEP-2025-0001
email  "phan@giftshop.club" exact=[] ranges=[] severity=derived advisory=DEPSWEEP-2025-0001
`
	if got != want {
		t.Errorf("Default() indicators =\n%s\nwant\n%s", got, want)
	}
	for _, step := range []string{"Rotate Postmark server tokens, SMTP", "2025-09-17", "Block egress to giftshop.club", "phanpak"} {
		if !strings.Contains(strings.Join(adv.Remediation, "\n"), step) {
			t.Errorf("Default() remediation lacks %q", step)
		}
	}
}

func TestLoadDir(t *testing.T) {
	f, err := Load("../testdata/osv")
	if err != nil {
		t.Fatal(err)
	}
	var ids []string
	for _, a := range f.Advisories {
		ids = append(ids, a.ID)
		if a.Feed != "../testdata/osv" {
			t.Errorf("advisory %s Feed = %q, want ../testdata/osv", a.ID, a.Feed)
		}
	}
	if want := []string{"MAL-0000-google-open-source-security-b71142d16d8ed2a6", "MAL-2025-47604"}; !reflect.DeepEqual(ids, want) {
		t.Errorf("Load(../testdata/osv) ids = %q, want %q", ids, want)
	}
	// The digest is that of a sha256sum-style manifest of the records.
	h := sha256.New()
	for _, p := range glob(t, "../testdata/osv/*.json") {
		b, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		fmt.Fprintf(h, "%x  %s\n", sha256.Sum256(b), filepath.Base(p))
	}
	if want := hex.EncodeToString(h.Sum(nil)); f.SHA256 != want {
		t.Errorf("Load(../testdata/osv).SHA256 = %s, want %s", f.SHA256, want)
	}
}

// osvTree copies records into a malicious-packages style tree under a
// temporary directory.
func osvTree(t testing.TB, files map[string]string) string {
	dir := t.TempDir()
	for name, src := range files {
		b, err := os.ReadFile(src)
		if err != nil {
			t.Fatal(err)
		}
		p := filepath.Join(dir, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

func TestLoadDirHostile(t *testing.T) {
	tree := osvTree(t, map[string]string{
		"osv/malicious/npm/postmark-mcp/MAL-2025-47604.json":  "../testdata/osv/MAL-2025-47604.json",
		"osv/malicious/npm/evil-mailer/MAL-2099-0100.json":    "../testdata/feeds/osv/MAL-2099-0100.json",
		"osv/withdrawn/npm/not-actually-evil/MAL-2099-1.json": "../testdata/feeds/hostile/withdrawn.json",
		"osv/malicious/pypi/reqeusts/MAL-2099-0002.json":      "../testdata/feeds/hostile/pypi-only.json",
		".git/objects/MAL-2025-47604.json":                    "../testdata/osv/MAL-2025-47604.json",
	})
	f, err := Load(tree)
	if err != nil {
		t.Fatal(err)
	}
	if len(f.Advisories) != 2 || f.Withdrawn != 1 || f.Counts()[ioc.KindPackage] != 3 {
		t.Errorf("Load(tree) = %d advisories, %d withdrawn, counts %v; want 2, 1, 3 packages", len(f.Advisories), f.Withdrawn, f.Counts())
	}

	// A directory named through a symbolic link is read.
	via := filepath.Join(t.TempDir(), "feed")
	if err := os.Symlink(tree, via); err != nil {
		t.Fatal(err)
	}
	if g, err := Load(via); err != nil || len(g.Advisories) != 2 || g.SHA256 != f.SHA256 {
		t.Errorf("Load(symlink to tree) = %v, want the tree's 2 advisories and sha256", err)
	}

	// The same id in two records.
	dup := osvTree(t, map[string]string{
		"a/MAL-2025-47604.json": "../testdata/osv/MAL-2025-47604.json",
		"b/MAL-2025-47604.json": "../testdata/osv/MAL-2025-47604.json",
	})
	want := fmt.Sprintf(`%s: duplicate advisory id "MAL-2025-47604" (also in %s)`, filepath.Join(dup, "b/MAL-2025-47604.json"), filepath.Join(dup, "a/MAL-2025-47604.json"))
	if _, err := Load(dup); err == nil || err.Error() != want {
		t.Errorf("Load(duplicate ids) = %v, want %s", err, want)
	}

	// A symbolic link is not followed.
	link := osvTree(t, map[string]string{"a/MAL-2025-47604.json": "../testdata/osv/MAL-2025-47604.json"})
	if err := os.Symlink("/etc/passwd", filepath.Join(link, "a", "evil.json")); err != nil {
		t.Skip(err)
	}
	if _, err := Load(link); err == nil || !strings.Contains(err.Error(), "symbolic links are not followed") {
		t.Errorf("Load(tree with a symlink) = %v, want a symlink error", err)
	}

	// Too many records.
	defer func(n int) { MaxFiles = n }(MaxFiles)
	MaxFiles = 1
	if _, err := Load(tree); err == nil || !strings.Contains(err.Error(), "more than 1 records") {
		t.Errorf("Load(tree, MaxFiles=1) = %v, want a file count error", err)
	}
}

// zipEntry is one member of a test zip.
type zipEntry struct {
	name string
	data []byte
	mode fs.FileMode
	// lie, when set, is the uncompressed size written in the headers.
	lie uint64
}

func writeZip(t testing.TB, entries []zipEntry) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), "all.zip")
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	for _, e := range entries {
		h := &zip.FileHeader{Name: e.name, Method: zip.Deflate}
		if e.mode != 0 {
			h.SetMode(e.mode)
		}
		if e.lie == 0 {
			w, err := zw.CreateHeader(h)
			if err != nil {
				t.Fatal(err)
			}
			w.Write(e.data)
			continue
		}
		var comp bytes.Buffer
		fw, _ := flate.NewWriter(&comp, flate.BestCompression)
		fw.Write(e.data)
		fw.Close()
		h.CompressedSize64 = uint64(comp.Len())
		h.UncompressedSize64 = e.lie
		w, err := zw.CreateRaw(h)
		if err != nil {
			t.Fatal(err)
		}
		w.Write(comp.Bytes())
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(p, buf.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

func read(t *testing.T, p string) []byte {
	b, err := os.ReadFile(p)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func TestLoadZip(t *testing.T) {
	mal := read(t, "../testdata/osv/MAL-2025-47604.json")
	p := writeZip(t, []zipEntry{
		{name: "MAL-2025-47604.json", data: mal},
		{name: "MAL-2099-0100.json", data: read(t, "../testdata/feeds/osv/MAL-2099-0100.json")},
		{name: "MAL-2099-1.json", data: read(t, "../testdata/feeds/hostile/withdrawn.json")},
		{name: "README.md", data: []byte("not a record")},
		{name: "sub/", mode: fs.ModeDir | 0o755},
	})
	f, err := Load(p)
	if err != nil {
		t.Fatal(err)
	}
	if len(f.Advisories) != 2 || f.Withdrawn != 1 || len(f.Indicators) != 5 {
		t.Errorf("Load(all.zip) = %d advisories, %d withdrawn, %d indicators; want 2, 1, 5", len(f.Advisories), f.Withdrawn, len(f.Indicators))
	}
	sum := sha256.Sum256(read(t, p))
	if f.SHA256 != hex.EncodeToString(sum[:]) {
		t.Errorf("Load(all.zip).SHA256 = %s, want %x", f.SHA256, sum)
	}
	if _, err := LoadVerified(p, strings.ToUpper(f.SHA256)); err != nil {
		t.Errorf("LoadVerified(all.zip, its own sha256) = %v", err)
	}
	bad := strings.Repeat("0", 64)
	if _, err := LoadVerified(p, bad); err == nil || err.Error() != fmt.Sprintf("%s: sha256 mismatch: got %s, want %s", p, f.SHA256, bad) {
		t.Errorf("LoadVerified(all.zip, zeros) = %v, want a mismatch error", err)
	}
	if _, err := LoadVerified(p, "abc"); err == nil || err.Error() != `invalid sha256 "abc": want 64 hex digits` {
		t.Errorf("LoadVerified(all.zip, abc) = %v, want an invalid sha256 error", err)
	}

	// An error in a member names the zip, the member and the line.
	p = writeZip(t, []zipEntry{{name: "osv/MAL-x.json", data: read(t, "../testdata/feeds/osv/bad-version.json")}})
	want := p + `:osv/MAL-x.json:10:5: affected[1]: version "1.0" is not exact (want MAJOR.MINOR.PATCH)`
	if _, err := Load(p); err == nil || err.Error() != want {
		t.Errorf("Load(zip with a bad member) = %v, want %s", err, want)
	}
}

func TestLoadZipHostile(t *testing.T) {
	defer func(n int64, m int) { MaxFileSize, MaxFiles = n, m }(MaxFileSize, MaxFiles)
	MaxFileSize = 1 << 20
	mal := read(t, "../testdata/osv/MAL-2025-47604.json")
	// A record padded with 4 MiB of spaces: deflate makes it a few KiB.
	bomb := append(bytes.Repeat([]byte(" "), 4<<20), mal...)
	for _, tc := range []struct {
		name    string
		entries []zipEntry
		want    string
	}{
		{"zip slip", []zipEntry{{name: "../../etc/MAL-1.json", data: mal}}, ":../../etc/MAL-1.json: unsafe path in zip (climbs out with ..)"},
		{"absolute", []zipEntry{{name: "/etc/MAL-1.json", data: mal}}, ":/etc/MAL-1.json: unsafe path in zip (absolute or with backslashes)"},
		{"backslash", []zipEntry{{name: `..\MAL-1.json`, data: mal}}, `:..\MAL-1.json: unsafe path in zip (absolute or with backslashes)`},
		{"symlink", []zipEntry{{name: "MAL-1.json", data: []byte("/etc/passwd"), mode: fs.ModeSymlink | 0o777}}, ":MAL-1.json: symbolic link in zip"},
		{"bomb", []zipEntry{{name: "MAL-1.json", data: bomb}}, ":MAL-1.json: larger than 1048576 bytes"},
		// The headers claim 100 bytes; archive/zip stops at the claimed size.
		{"lying bomb", []zipEntry{{name: "MAL-1.json", data: bomb, lie: 100}}, ":MAL-1.json: zip: not a valid zip file"},
		{"duplicate member", []zipEntry{{name: "MAL-1.json", data: mal}, {name: "MAL-1.json", data: mal}}, ":MAL-1.json: duplicate file name in zip"},
		{"too many files", []zipEntry{{name: "a.json", data: mal}, {name: "b.json", data: mal}, {name: "c.json", data: mal}}, ": more than 2 files"},
		{"empty", nil, ": feed has no indicators"},
	} {
		MaxFiles = 2
		p := writeZip(t, tc.entries)
		_, err := Load(p)
		if err == nil || err.Error() != p+tc.want {
			t.Errorf("Load(%s zip) = %v, want %s", tc.name, err, p+tc.want)
		}
	}
}

func TestLoadZipDirectory(t *testing.T) {
	defer func(n int64) { MaxZipDirectory = n }(MaxZipDirectory)
	mal := read(t, "../testdata/osv/MAL-2025-47604.json")
	entries := make([]zipEntry, 3000)
	for i := range entries {
		entries[i] = zipEntry{name: fmt.Sprintf("osv/malicious/npm/pkg-%d/MAL-%d.json", i, i), data: mal}
	}
	p := writeZip(t, entries)
	// The listing is read in 4 KiB blocks past a 128 KiB allowance for
	// the directory end; 3,000 members take about 240 KB.
	MaxZipDirectory = 64 << 10
	want := fmt.Sprintf("%s: zip directory larger than %d bytes", p, MaxZipDirectory)
	if _, err := Load(p); err == nil || err.Error() != want {
		t.Errorf("Load(3000 members, MaxZipDirectory=64 KiB) = %v, want %s", err, want)
	}
	MaxZipDirectory = 1 << 20
	// Within the budget the listing is read, and the duplicate ids show.
	if _, err := Load(p); err == nil || !strings.Contains(err.Error(), "duplicate advisory id") {
		t.Errorf("Load(3000 members, MaxZipDirectory=1 MiB) = %v, want a duplicate id error", err)
	}
}

func TestLoadZipTotalSize(t *testing.T) {
	defer func(n int64) { MaxTotalSize = n }(MaxTotalSize)
	mal := read(t, "../testdata/osv/MAL-2025-47604.json")
	MaxTotalSize = int64(len(mal)) + 10
	p := writeZip(t, []zipEntry{{name: "a/MAL-2025-47604.json", data: mal}, {name: "b/MAL-2099-0100.json", data: read(t, "../testdata/feeds/osv/MAL-2099-0100.json")}})
	if _, err := Load(p); err == nil || !strings.Contains(err.Error(), "records larger than") {
		t.Errorf("Load(zip over MaxTotalSize) = %v, want a total size error", err)
	}
}

func TestLoadDetect(t *testing.T) {
	for _, tc := range []struct{ path, first string }{
		{"../testdata/feeds/valid/full.v1.json", "DEPSWEEP-TEST-0001"}, // native, as JSON
		{"../testdata/feeds/valid/full.v1.yaml", "DEPSWEEP-TEST-0001"},
		{"../testdata/osv/MAL-2025-47604.json", "MAL-2025-47604"},
		{"embedded/postmark-mcp.yaml", "DEPSWEEP-2025-0001"},
	} {
		f, err := Load(tc.path)
		if err != nil {
			t.Errorf("Load(%q): %v", tc.path, err)
			continue
		}
		if f.Name != tc.path || f.Advisories[0].ID != tc.first || len(f.SHA256) != 64 {
			t.Errorf("Load(%q) = %q, first advisory %q, sha256 %q; want %q first", tc.path, f.Name, f.Advisories[0].ID, f.SHA256, tc.first)
		}
	}
	if _, err := Load("../testdata/feeds/no-such-feed.yaml"); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("Load(missing file) = %v, want fs.ErrNotExist", err)
	}
}
