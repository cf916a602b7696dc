package lockfiles

import (
	"context"
	"fmt"
	"io/fs"
	"net"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"testing"
)

// TestReadDirMatchesOS: readDir lists what os.ReadDir lists, in the same
// order, with the same types and statuses: every directory of testdata,
// a directory of 2,000 long names (many reads of the descriptor), and one
// holding every kind of file a checkout can (a symlink, a dangling one,
// a FIFO, a socket, an empty directory).
func TestReadDirMatchesOS(t *testing.T) {
	var dirs []string
	filepath.WalkDir("../testdata", func(p string, d fs.DirEntry, err error) error {
		if err == nil && d.IsDir() {
			dirs = append(dirs, p)
		}
		return err
	})
	many := t.TempDir()
	for i := range 2000 {
		name := filepath.Join(many, strings.Repeat("x", 100)+"-"+strings.Repeat("é", i%20)+"-"+string(rune('a'+i%26))+"-"+strconv.Itoa(i))
		if err := os.WriteFile(name, nil, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	kinds := t.TempDir()
	for _, err := range []error{
		os.WriteFile(filepath.Join(kinds, "package-lock.json"), []byte("{}"), 0o644),
		os.Symlink("package-lock.json", filepath.Join(kinds, "link")),
		os.Symlink("nowhere", filepath.Join(kinds, "dangling")),
		syscall.Mkfifo(filepath.Join(kinds, "fifo"), 0o644),
		os.Mkdir(filepath.Join(kinds, "empty"), 0o755),
	} {
		if err != nil {
			t.Fatal(err)
		}
	}
	if l, err := net.Listen("unix", filepath.Join(kinds, "sock")); err == nil {
		defer l.Close()
	}
	dirs = append(dirs, many, kinds, filepath.Join(kinds, "empty"))
	if len(dirs) < 50 {
		t.Fatalf("%d directories under testdata, want more", len(dirs))
	}
	for _, dir := range dirs {
		want, werr := os.ReadDir(dir)
		got, gerr := readDir(dir)
		if (werr == nil) != (gerr == nil) {
			t.Fatalf("%s: error %v, os.ReadDir %v", dir, gerr, werr)
		}
		if len(got) != len(want) {
			t.Fatalf("%s: %d entries, os.ReadDir %d", dir, len(got), len(want))
		}
		for i := range want {
			g, w := got[i], want[i]
			if g.Name() != w.Name() || g.Type() != w.Type() || g.IsDir() != w.IsDir() {
				t.Errorf("%s: entry %d = %s %v, os.ReadDir %s %v", dir, i, g.Name(), g.Type(), w.Name(), w.Type())
			}
			gi, gerr := g.Info()
			wi, werr := w.Info()
			if (gerr == nil) != (werr == nil) || gerr == nil && (gi.Mode() != wi.Mode() || gi.Size() != wi.Size()) {
				t.Errorf("%s: %s Info = %v %v, os.ReadDir %v %v", dir, g.Name(), gi, gerr, wi, werr)
			}
		}
	}
	if _, err := readDir(filepath.Join(kinds, "package-lock.json")); err == nil {
		t.Error("readDir of a file: no error")
	}
	if _, err := readDir(filepath.Join(kinds, "missing")); !os.IsNotExist(err) {
		t.Errorf("readDir of a missing directory: %v, want not exist", err)
	}
}

// openFDs counts the process's open file descriptors.
func openFDs(t *testing.T) int {
	t.Helper()
	ents, err := os.ReadDir("/proc/self/fd")
	if err != nil {
		t.Skip(err)
	}
	return len(ents)
}

// TestFindOpensRelative: discovery opens each directory below the root
// relative to its parent's descriptor, up to heldDirs levels, and by its
// path below that; a lockfile 80 levels down is found; every descriptor
// is closed when Find returns, also when the walk stops early.
func TestFindOpensRelative(t *testing.T) {
	root := t.TempDir()
	deep := "package-lock.json"
	for i := 79; i >= 0; i-- {
		deep = fmt.Sprintf("d%d/%s", i, deep)
	}
	writeTree(t, root, deep, "a/package.json", "a/yarn.lock", "a/packages/x/package.json")
	if err := os.WriteFile(filepath.Join(root, "a", "package.json"), []byte(`{"workspaces": ["packages/*"]}`), 0o644); err != nil {
		t.Fatal(err)
	}
	type listing struct {
		parent   int
		name     string
		depth    int
		relative bool
	}
	var got []listing
	orig := findListDir
	defer func() { findListDir = orig }()
	findListDir = func(parent int, name, dir string, keep bool) ([]fs.DirEntry, int, error) {
		rel, _ := filepath.Rel(root, dir)
		depth := 0
		if rel != "." {
			depth = strings.Count(filepath.ToSlash(rel), "/") + 1
		}
		got = append(got, listing{parent, name, depth, parent >= 0})
		return orig(parent, name, dir, keep)
	}
	before := openFDs(t)
	var found []string
	for f, err := range Find(context.Background(), root, FindOptions{Manifests: true}) {
		if err != nil {
			t.Fatal(err)
		}
		found = append(found, f.Path)
	}
	if after := openFDs(t); after != before {
		t.Errorf("%d descriptors open before Find, %d after", before, after)
	}
	if !slices.Contains(found, deep) || !slices.Contains(found, "a/yarn.lock") {
		t.Fatalf("found %q, want the lockfile 80 levels down and a/yarn.lock", found)
	}
	for _, l := range got {
		want := l.depth > 0 && l.depth <= heldDirs
		if l.depth == 2 && l.name == "packages" {
			want = true // listed by a's workspace globs, relative to a
		}
		if l.relative != want {
			t.Errorf("listing at depth %d (%q): opened relative to a descriptor %v, want %v", l.depth, l.name, l.relative, want)
		}
	}
	if len(got) < 80 {
		t.Fatalf("%d listings", len(got))
	}
	// A walk stopped early closes what it holds.
	for range Find(context.Background(), root, FindOptions{}) {
		break
	}
	if after := openFDs(t); after != before {
		t.Errorf("%d descriptors open before an early stop, %d after", before, after)
	}
}
