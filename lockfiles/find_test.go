package lockfiles

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"sync"
	"syscall"
	"testing"
)

// collect runs Find and renders each result as one line: "found PATH
// project=P repo=R" or "error PATH: MSG". It also runs Split and walks
// the subtrees it returns, and fails unless that yields the same lines
// (in any order) with the same flags and package.json: every Find test
// is a test of Split too.
func collectFind(t *testing.T, ctx context.Context, root string, opts FindOptions) []string {
	t.Helper()
	// render returns the line the tests compare and a longer one with the
	// flags and package.json, for comparing Find with Split.
	render := func(f Found, err error) (line, full string) {
		if err != nil {
			var fe *FindError
			if !errors.As(err, &fe) {
				t.Fatalf("Find yielded %T %v, want a *FindError", err, err)
			}
			return "error " + err.Error(), "error " + err.Error()
		}
		line = fmt.Sprintf("found %s project=%s repo=%s", f.Path, f.Project, f.Repo)
		pkg := ""
		if f.PackageJSON != nil {
			pkg = f.PackageJSON.Name + "@" + f.PackageJSON.Version
		}
		var members []string
		for d, m := range f.Members {
			if m != nil {
				d += "=" + m.Name
			}
			members = append(members, d)
		}
		slices.Sort(members)
		return line, fmt.Sprintf("%s manifest=%v nm=%v pkg=%s members=%v", line, f.Manifest, f.NodeModules, pkg, members)
	}
	var out, full []string
	for f, err := range Find(ctx, root, opts) {
		line, long := render(f, err)
		out = append(out, line)
		full = append(full, long)
	}
	var split []string
	keep := func(f Found, err error) bool {
		_, long := render(f, err)
		split = append(split, long)
		return true
	}
	subs := Split(ctx, root, opts, keep)
	for i, s := range subs {
		if i > 0 && subs[i-1].Path() >= s.Path() {
			t.Errorf("Split: subtrees out of order: %s before %s", subs[i-1].Path(), s.Path())
		}
		for f, err := range s.Find() {
			keep(f, err)
		}
	}
	slices.Sort(full)
	slices.Sort(split)
	if !slices.Equal(full, split) {
		t.Errorf("Split and its subtrees =\n%s\nFind =\n%s", strings.Join(split, "\n"), strings.Join(full, "\n"))
	}
	return out
}

func writeTree(t *testing.T, root string, files ...string) {
	t.Helper()
	for _, f := range files {
		p := filepath.Join(root, filepath.FromSlash(f))
		dir := filepath.Dir(p)
		if strings.HasSuffix(f, "/") {
			dir = p
		}
		if err := os.MkdirAll(dir, 0o755); err != nil {
			t.Fatal(err)
		}
		if dir == p {
			continue
		}
		if err := os.WriteFile(p, []byte("{}"), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

func mkSymlink(t *testing.T, target, link string) {
	t.Helper()
	if err := os.Symlink(target, link); err != nil {
		t.Fatal(err)
	}
}

func TestFind(t *testing.T) {
	root := t.TempDir()
	outside := t.TempDir()
	writeTree(t, root,
		"a/package-lock.json", "a/package.json", "a/notes.txt",
		"b/npm-shrinkwrap.json", "b/package-lock.json",
		"c/node_modules/.package-lock.json", "c/node_modules/dep/package-lock.json",
		"d/package-lock.json", "d/node_modules/.package-lock.json",
		"repo1/.git/HEAD", "repo1/.git/package-lock.json", "repo1/sub/yarn.lock",
		"repo2/.git", "repo2/pnpm-lock.yaml", "repo2/inner/.git/", "repo2/inner/x/package-lock.json",
		"skipme/package-lock.json",
		"z/.package-lock.json", "z/package-lock.json.bak",
	)
	writeTree(t, outside, "lib/package-lock.json")
	mkSymlink(t, filepath.Join(outside, "lib"), filepath.Join(root, "link-out"))
	mkSymlink(t, "a", filepath.Join(root, "link-in"))
	mkSymlink(t, "a/package-lock.json", filepath.Join(root, "d2-package-lock.json")) // not a lockfile name: ignored
	writeTree(t, root, "e/")
	mkSymlink(t, "../a/package-lock.json", filepath.Join(root, "e", "package-lock.json"))
	mkSymlink(t, "../a/notes.txt", filepath.Join(root, "e", "notes.txt")) // not a lockfile: ignored
	mkSymlink(t, "missing", filepath.Join(root, "e", "dangling"))         // not a lockfile: ignored
	mkSymlink(t, "loop2", filepath.Join(root, "loop1"))
	mkSymlink(t, "loop1", filepath.Join(root, "loop2"))
	writeTree(t, root, "f/")
	if err := syscall.Mkfifo(filepath.Join(root, "f", "yarn.lock"), 0o644); err != nil {
		t.Fatal(err)
	}
	got := collectFind(t, context.Background(), root, FindOptions{Skip: func(dir string) bool { return dir == "skipme" }})
	want := []string{
		"found a/package-lock.json project=a repo=a",
		"found b/npm-shrinkwrap.json project=b repo=b",
		"found c/node_modules/.package-lock.json project=c repo=c",
		"found d/package-lock.json project=d repo=d",
		"error e/package-lock.json: symbolic link not followed: it points to a file inside the root",
		"error f/yarn.lock: not a regular file",
		"error link-in: symbolic link not followed: it points to a directory inside the root",
		"error link-out: symbolic link not followed: it points to a directory outside the root",
		"error loop1: symbolic link not followed: it is part of a symlink loop",
		"error loop2: symbolic link not followed: it is part of a symlink loop",
		"found repo1/sub/yarn.lock project=repo1/sub repo=repo1",
		"found repo2/inner/x/package-lock.json project=repo2/inner/x repo=repo2/inner",
		"found repo2/pnpm-lock.yaml project=repo2 repo=repo2",
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("Find =\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}

func TestFindErrorsKindAndStop(t *testing.T) {
	root := t.TempDir()
	writeTree(t, root, "a/package-lock.json", "b/package-lock.json")
	mkSymlink(t, "a", filepath.Join(root, "c"))
	var sawSymlink bool
	n := 0
	for _, err := range Find(context.Background(), root, FindOptions{}) {
		n++
		if err != nil && errors.Is(err, ErrSymlink) {
			sawSymlink = true
		}
	}
	if n != 3 || !sawSymlink {
		t.Errorf("Find yielded %d results (symlink error: %v), want 3 with an ErrSymlink", n, sawSymlink)
	}
	// The caller may stop early.
	n = 0
	for range Find(context.Background(), root, FindOptions{}) {
		n++
		break
	}
	if n != 1 {
		t.Errorf("break after the first result: %d results", n)
	}
}

func TestFindContext(t *testing.T) {
	root := t.TempDir()
	writeTree(t, root, "a/package-lock.json")
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	got := collectFind(t, ctx, root, FindOptions{})
	if len(got) != 1 || !strings.Contains(got[0], context.Canceled.Error()) {
		t.Errorf("Find(cancelled) = %q, want one context error", got)
	}
}

func TestFindRoot(t *testing.T) {
	root := t.TempDir()
	writeTree(t, root, "package-lock.json", ".git/")
	got := collectFind(t, context.Background(), root, FindOptions{})
	if want := "found package-lock.json project=. repo=."; len(got) != 1 || got[0] != want {
		t.Errorf("Find = %q, want %q", got, want)
	}
	for _, bad := range []string{filepath.Join(root, "missing"), filepath.Join(root, "package-lock.json")} {
		got := collectFind(t, context.Background(), bad, FindOptions{})
		if len(got) != 1 || !strings.HasPrefix(got[0], "error .: ") {
			t.Errorf("Find(%s) = %q, want one error for the root", filepath.Base(bad), got)
		}
	}
}

func TestFindUnreadable(t *testing.T) {
	root := t.TempDir()
	writeTree(t, root, "a/package-lock.json", "locked/package-lock.json", "z/yarn.lock")
	locked := filepath.Join(root, "locked")
	if os.Geteuid() == 0 {
		// Permission bits do not stop root: simulate the failure instead.
		orig := findListDir
		defer func() { findListDir = orig }()
		findListDir = func(parent int, name, dir string, keep bool) ([]fs.DirEntry, int, error) {
			if dir == locked {
				return nil, -1, &os.PathError{Op: "open", Path: dir, Err: syscall.EACCES}
			}
			return orig(parent, name, dir, keep)
		}
	} else {
		if err := os.Chmod(locked, 0); err != nil {
			t.Fatal(err)
		}
		defer os.Chmod(locked, 0o755)
	}
	got := collectFind(t, context.Background(), root, FindOptions{})
	want := []string{
		"found a/package-lock.json project=a repo=a",
		"error locked: permission denied",
		"found z/yarn.lock project=z repo=z",
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("Find =\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}

// TestFindFixtures walks the real fixtures: one lockfile per case, the npm 6
// case's node_modules not entered.
func TestFindFixtures(t *testing.T) {
	got := collectFind(t, context.Background(), "../testdata/fixtures", FindOptions{})
	want := []string{
		"found berry4-nm-dev-scoped/yarn.lock project=berry4-nm-dev-scoped repo=berry4-nm-dev-scoped",
		"found npm10-transitive-dev-lockv3/package-lock.json project=npm10-transitive-dev-lockv3 repo=npm10-transitive-dev-lockv3",
		"found npm11-alias-scoped-lockv3/package-lock.json project=npm11-alias-scoped-lockv3 repo=npm11-alias-scoped-lockv3",
		"found npm6-direct-nested-lockv1/package-lock.json project=npm6-direct-nested-lockv1 repo=npm6-direct-nested-lockv1",
		"found npm8-workspaces-lockv2/package-lock.json project=npm8-workspaces-lockv2 repo=npm8-workspaces-lockv2",
		"found pnpm8-direct-lock6/pnpm-lock.yaml project=pnpm8-direct-lock6 repo=pnpm8-direct-lock6",
		"found pnpm9-clean-lock9/pnpm-lock.yaml project=pnpm9-clean-lock9 repo=pnpm9-clean-lock9",
		"found yarn1-workspaces/yarn.lock project=yarn1-workspaces repo=yarn1-workspaces",
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("Find(fixtures) =\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}

// TestFindListsEachDirectoryOnce walks the demo fleet, whose npm and yarn
// monorepos declare "packages/*" workspaces: the workspace globs list
// packages/ and the walk then enters it, taking the globs' listing rather
// than reading the directory again. Each directory is listed once, by
// Find and by Split with its subtrees alike.
func TestFindListsEachDirectoryOnce(t *testing.T) {
	root := filepath.Join("..", "testdata", "demo-fleet")
	var mu sync.Mutex
	counts := map[string]int{}
	orig := findListDir
	defer func() { findListDir = orig }()
	findListDir = func(parent int, name, dir string, keep bool) ([]fs.DirEntry, int, error) {
		mu.Lock()
		counts[filepath.ToSlash(dir)]++
		mu.Unlock()
		return orig(parent, name, dir, keep)
	}
	check := func(how string) {
		t.Helper()
		ws := 0
		for dir, n := range counts {
			if n != 1 {
				t.Errorf("%s: %s listed %d times, want once", how, dir, n)
			}
			if strings.HasSuffix(dir, "/packages") {
				ws++
			}
		}
		if ws != 2 {
			t.Errorf("%s: %d workspace directories listed, want 2 (checkout-api/packages, web-storefront/packages): %v", how, ws, counts)
		}
		clear(counts)
	}
	opts := FindOptions{Manifests: true, NodeModules: true}
	found := 0
	for f, err := range Find(context.Background(), root, opts) {
		if err != nil {
			t.Fatal(err)
		}
		if len(f.Members) > 0 {
			found++
		}
	}
	if found != 2 {
		t.Errorf("Find: %d lockfiles with workspace members, want 2", found)
	}
	check("Find")
	subs := Split(context.Background(), root, opts, func(f Found, err error) bool {
		if err != nil {
			t.Fatal(err)
		}
		return true
	})
	for _, s := range subs {
		for _, err := range s.Find() {
			if err != nil {
				t.Fatal(err)
			}
		}
	}
	check("Split")
}

// countingFS counts the directory listings and status lookups made
// through it.
type countingFS struct {
	fs.FS
	readDirs, stats int
}

func (c *countingFS) ReadDir(name string) ([]fs.DirEntry, error) {
	c.readDirs++
	return fs.ReadDir(c.FS, name)
}

func (c *countingFS) Stat(name string) (fs.FileInfo, error) {
	c.stats++
	return fs.Stat(c.FS, name)
}

// TestParseTakesDiscoveryListings: a yarn classic workspace root's
// lockfile, parsed with the listings and members discovery read, gives
// the inventory a parse that reads its project afresh gives, without
// listing a directory or looking at a member's status again.
func TestParseTakesDiscoveryListings(t *testing.T) {
	root := filepath.Join("..", "testdata", "demo-fleet")
	n := 0
	for f, err := range Find(context.Background(), root, FindOptions{Manifests: true}) {
		if err != nil {
			t.Fatal(err)
		}
		if filepath.Base(f.Path) != NameYarnLock || len(f.Listings) == 0 {
			continue
		}
		n++
		data, err := os.ReadFile(filepath.Join(root, f.Path))
		if err != nil {
			t.Fatal(err)
		}
		project := DirFS(filepath.Join(root, f.Project))
		fresh, err := Parse(Input{Path: f.Path, Data: data, Project: project})
		if err != nil {
			t.Fatal(err)
		}
		cfs := &countingFS{FS: project}
		taken, err := Parse(Input{Path: f.Path, Data: data, Project: cfs, Manifest: f.PackageJSON, Members: f.Members, Listings: f.Listings})
		if err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(fresh, taken) {
			t.Errorf("%s: parsed with discovery's listings:\n%+v\nafresh:\n%+v", f.Path, taken.Importers, fresh.Importers)
		}
		if len(taken.Importers) != 3 {
			t.Errorf("%s: %d importers, want the root and its two members", f.Path, len(taken.Importers))
		}
		if cfs.readDirs != 0 || cfs.stats != 0 {
			t.Errorf("%s: %d listings and %d status lookups, want none", f.Path, cfs.readDirs, cfs.stats)
		}
	}
	if n != 1 {
		t.Fatalf("%d yarn.lock files with listings in the demo fleet, want 1 (web-storefront)", n)
	}
}
