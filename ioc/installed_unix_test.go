//go:build unix

package ioc

import (
	"os"
	"path/filepath"
	"syscall"
	"testing"
)

// TestMatchInstalledSymlinksAndFIFOs: symlinked package directories and
// files are not followed (pnpm links, workspace links, links out of the
// project), and a FIFO is not opened (it would block the scan).
func TestMatchInstalledSymlinksAndFIFOs(t *testing.T) {
	x := postmarkIndex(t)
	root := t.TempDir()
	outside := filepath.Join(root, "outside")
	project := filepath.Join(root, "project")
	write := func(p, s string) {
		t.Helper()
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(s), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	write(filepath.Join(outside, "pkg", "package.json"), `{"name":"postmark-mcp","version":"1.0.16"}`)
	write(filepath.Join(outside, "secret.js"), "phan@giftshop.club")
	write(filepath.Join(project, "node_modules", "ok", "package.json"), `{"name":"ok","version":"1.0.0"}`)
	if err := os.Symlink(filepath.Join(outside, "pkg"), filepath.Join(project, "node_modules", "linked")); err != nil {
		t.Skipf("symlinks not supported: %v", err)
	}
	if err := os.Symlink(filepath.Join(outside, "secret.js"), filepath.Join(project, "node_modules", "ok", "link.js")); err != nil {
		t.Fatal(err)
	}
	if err := syscall.Mkfifo(filepath.Join(project, "node_modules", "ok", "pipe.js"), 0o644); err != nil {
		t.Logf("no FIFO: %v", err)
	}
	got, errs := x.MatchInstalled(".", ".", os.DirFS(project), nil)
	if len(got) != 0 || len(errs) != 0 {
		t.Errorf("MatchInstalled = %q, errors %v; want nothing (links and FIFOs are not read)", shorts(got), errs)
	}
}
