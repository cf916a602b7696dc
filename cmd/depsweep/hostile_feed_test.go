package main

import (
	"archive/zip"
	"bytes"
	"context"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// A feedEntry is one member of a zip feed built by a test.
type feedEntry struct {
	name string
	data []byte
	mode fs.FileMode // zero: a regular file
}

func writeFeedZip(t *testing.T, entries []feedEntry) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), "all.zip")
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	for _, e := range entries {
		h := &zip.FileHeader{Name: e.name, Method: zip.Deflate}
		if e.mode != 0 {
			h.SetMode(e.mode)
		}
		w, err := zw.CreateHeader(h)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := w.Write(e.data); err != nil {
			t.Fatal(err)
		}
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(p, buf.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

// TestHostileFeeds: the CLI refuses a hostile or unusable feed before it
// scans anything: exit 2, and one message naming the feed (and the zip
// member) and the reason. The tree holds an affected lockfile, so a scan
// that went ahead would exit 1.
func TestHostileFeeds(t *testing.T) {
	mal, err := os.ReadFile("../../testdata/osv/MAL-2025-47604.json")
	if err != nil {
		t.Fatal(err)
	}
	withdrawn := bytes.Replace(mal, []byte(`"modified"`), []byte(`"withdrawn": "2025-10-01T00:00:00Z", "modified"`), 1)
	// 65 MiB of spaces before the record: deflate makes it about 64 KiB,
	// past the 64 MiB cap on one feed file once decompressed.
	bomb := append(bytes.Repeat([]byte(" "), 65<<20), mal...)
	dupDir := t.TempDir()
	for _, d := range []string{"a", "b"} {
		if err := os.MkdirAll(filepath.Join(dupDir, d), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dupDir, d, "MAL-2025-47604.json"), mal, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	tree := affectedTree(t)
	for _, tc := range []struct {
		name string
		feed string
		pin  string
		want string // after "depsweep: " and the feed path
	}{
		{"zip slip", writeFeedZip(t, []feedEntry{{name: "../../etc/MAL-1.json", data: mal}}), "", ":../../etc/MAL-1.json: unsafe path in zip (climbs out with ..)"},
		{"absolute path", writeFeedZip(t, []feedEntry{{name: "/etc/MAL-1.json", data: mal}}), "", ":/etc/MAL-1.json: unsafe path in zip (absolute or with backslashes)"},
		{"symlink", writeFeedZip(t, []feedEntry{{name: "MAL-1.json", data: []byte("/etc/passwd"), mode: fs.ModeSymlink | 0o777}}), "", ":MAL-1.json: symbolic link in zip"},
		{"zip bomb", writeFeedZip(t, []feedEntry{{name: "MAL-1.json", data: bomb}}), "", ":MAL-1.json: larger than 67108864 bytes"},
		{"withdrawn only", writeFeedZip(t, []feedEntry{{name: "MAL-2025-47604.json", data: withdrawn}}), "", ": feed has no indicators"},
		{"duplicate ids", dupDir, "", `/b/MAL-2025-47604.json: duplicate advisory id "MAL-2025-47604"`},
		{"pinned digest mismatch", "../../testdata/osv/MAL-2025-47604.json", strings.Repeat("0", 64), ": sha256 mismatch"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			args := []string{"scan", "--format", "json", "--feed", tc.feed}
			if tc.pin != "" {
				args = append(args, "--feed-sha256", tc.pin)
			}
			var stdout, stderr bytes.Buffer
			code := run(context.Background(), append(args, tree), nil, &stdout, &stderr)
			if code != 2 {
				t.Errorf("exit %d, want 2", code)
			}
			msg := stderr.String()
			if !strings.HasPrefix(msg, "depsweep: ") || !strings.Contains(msg, tc.feed) || !strings.Contains(msg, tc.want) {
				t.Errorf("stderr = %q, want depsweep: %s…%s", msg, tc.feed, tc.want)
			}
			if stdout.Len() != 0 {
				t.Errorf("a report was written for a refused feed:\n%s", stdout.String())
			}
		})
	}
}
