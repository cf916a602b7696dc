//go:build unix

package publisher

import (
	"os"
	"path/filepath"
	"testing"
)

// TestInstalledPublishersSymlinks: a symlinked package directory (a pnpm
// or workspace link, or one out of the project) is not followed.
func TestInstalledPublishersSymlinks(t *testing.T) {
	root := t.TempDir()
	outside := filepath.Join(root, "outside", "pkg")
	project := filepath.Join(root, "project")
	if err := os.MkdirAll(outside, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(outside, "package.json"), []byte(`{"name":"postmark-mcp","version":"1.0.16","_npmUser":{"name":"phanpak"}}`), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.MkdirAll(filepath.Join(project, "node_modules"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(outside, filepath.Join(project, "node_modules", "postmark-mcp")); err != nil {
		t.Skipf("symlinks not supported: %v", err)
	}
	pubs := Installed(os.DirFS(project))
	if a, _, ok := pubs.Publisher("postmark-mcp", "1.0.16"); ok {
		t.Errorf("InstalledPublishers followed a symlink: %q", a)
	}
}
