package gitlog_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/depsweep/depsweep/lockfiles"
	"github.com/depsweep/depsweep/lockfiles/gitlog"
	"github.com/depsweep/depsweep/lockfiles/gitlog/gittest"
)

// history is the repository most tests read, [gittest.Incident]:
// postmark-mcp goes 1.0.15 → 1.0.16 → 1.0.18 → removed on main, and branch
// release forks at 1.0.16.
type history struct {
	repo                             *gittest.Repo
	c1, c2, c3, c4, c5, c6, c7, rel1 string
}

func newHistory(t *testing.T) *history {
	in := gittest.NewIncident(t)
	return &history{repo: in.Repo, c1: in.Init, c2: in.Add, c3: in.Bump16, c4: in.Readme, c5: in.Bump18,
		c6: in.Remove, c7: in.Readme2, rel1: in.Release}
}

func open(t *testing.T, dir string) *gitlog.Repo {
	t.Helper()
	r, err := gitlog.Open(context.Background(), dir)
	if err != nil {
		t.Fatal(err)
	}
	return r
}

func stepHashes(lg *gitlog.Log) []string {
	var out []string
	for _, s := range lg.Steps {
		out = append(out, s.Commit.Hash)
	}
	return out
}

func branch(t *testing.T, r *gitlog.Repo, name string) gitlog.Ref {
	t.Helper()
	refs, err := r.Branches(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	for _, ref := range refs {
		if ref.Name == name {
			return ref
		}
	}
	t.Fatalf("no branch %q in %v", name, refs)
	return gitlog.Ref{}
}

func TestLog(t *testing.T) {
	h := newHistory(t)
	r := open(t, h.repo.Dir)
	ctx := context.Background()

	main, err := r.Log(ctx, branch(t, r, "main"), gitlog.WalkOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if got, want := stepHashes(main), []string{h.c2, h.c3, h.c5, h.c6}; !slices.Equal(got, want) {
		t.Errorf("main steps = %v, want %v", got, want)
	}
	if main.Tip.Hash != h.c7 || main.Cut != "" || main.Start != nil {
		t.Errorf("main: tip %s cut %q start %v, want tip %s, complete history", main.Tip.Hash, main.Cut, main.Start, h.c7)
	}
	s := main.Steps[1]
	if s.Commit.Author != "Bob" || s.Commit.AuthorEmail != "bob@example.com" || !s.Commit.Date.Equal(gittest.Sept(17, 10)) || s.Commit.Parent != h.c2 {
		t.Errorf("step 1 commit = %+v, want Bob at %v with parent %s", s.Commit, gittest.Sept(17, 10), h.c2)
	}
	for i, s := range main.Steps {
		if len(s.Files) != 1 || s.Files[0].Path != "package-lock.json" {
			t.Errorf("step %d files = %v, want package-lock.json alone", i, s.Files)
		}
	}

	rel, err := r.Log(ctx, branch(t, r, "release"), gitlog.WalkOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if got, want := stepHashes(rel), []string{h.c2, h.c3}; !slices.Equal(got, want) {
		t.Errorf("release steps = %v, want %v", got, want)
	}
	if rel.Tip.Hash != h.rel1 || rel.Tip.Author != "Dave" {
		t.Errorf("release tip = %+v, want %s by Dave", rel.Tip, h.rel1)
	}
}

func TestLogSince(t *testing.T) {
	h := newHistory(t)
	r := open(t, h.repo.Dir)
	lg, err := r.Log(context.Background(), branch(t, r, "main"), gitlog.WalkOptions{Since: gittest.Sept(18, 12)})
	if err != nil {
		t.Fatal(err)
	}
	if got, want := stepHashes(lg), []string{h.c4, h.c5, h.c6}; !slices.Equal(got, want) {
		t.Errorf("steps since 18 Sep noon = %v, want %v", got, want)
	}
	if lg.Cut != "since" || lg.Start == nil || lg.Start.Hash != h.c4 {
		t.Errorf("cut %q start %v, want since at %s", lg.Cut, lg.Start, h.c4)
	}
	if blob := h.repo.Git("rev-parse", h.c3+":package-lock.json"); len(lg.Steps[0].Files) != 1 || lg.Steps[0].Files[0].Blob != blob {
		t.Errorf("start files = %v, want the 1.0.16 lockfile", lg.Steps[0].Files)
	}
}

func TestLogShallow(t *testing.T) {
	h := newHistory(t)
	dir := h.repo.Clone("--depth", "3", "--no-single-branch")
	r := open(t, dir)
	if !r.Shallow() {
		t.Fatal("Shallow() = false for a --depth 3 clone")
	}
	lg, err := r.Log(context.Background(), branch(t, r, "origin/main"), gitlog.WalkOptions{})
	if err != nil {
		t.Fatal(err)
	}
	// Depth 3 holds c7, c6 and c5: c5 is the boundary and shows its lockfile as added.
	if got, want := stepHashes(lg), []string{h.c5, h.c6}; !slices.Equal(got, want) {
		t.Errorf("shallow steps = %v, want %v", got, want)
	}
	if lg.Cut != "shallow" || lg.Start == nil || lg.Start.Hash != h.c5 || !lg.Steps[0].Commit.Boundary {
		t.Errorf("cut %q start %v boundary %v, want shallow at %s", lg.Cut, lg.Start, lg.Steps[0].Commit.Boundary, h.c5)
	}
}

func TestLogBare(t *testing.T) {
	h := newHistory(t)
	r := open(t, h.repo.Clone("--bare"))
	if !r.Bare() {
		t.Error("Bare() = false for a bare clone")
	}
	refs, err := r.Branches(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, ref := range refs {
		names = append(names, ref.Name)
	}
	if want := []string{"main", "release"}; !slices.Equal(names, want) {
		t.Fatalf("bare branches = %v, want %v", names, want)
	}
	lg, err := r.Log(context.Background(), refs[0], gitlog.WalkOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if got, want := stepHashes(lg), []string{h.c2, h.c3, h.c5, h.c6}; !slices.Equal(got, want) {
		t.Errorf("bare main steps = %v, want %v", got, want)
	}
}

// A merge counts on the first-parent chain at the merge commit: that is
// when the branch got the change.
func TestLogMerge(t *testing.T) {
	r := gittest.Init(t)
	r.Write("a/package-lock.json", gittest.MailerLock(""))
	base := r.Commit("base", "Alice", gittest.Sept(10, 9))
	r.Git("checkout", "-q", "-b", "topic")
	r.Write("a/package-lock.json", gittest.MailerLock("1.0.17"))
	r.Write("b/yarn.lock", "# yarn lockfile v1\n")
	r.Write("node_modules/x/package-lock.json", gittest.MailerLock("1.0.16")) // committed node_modules: not followed
	r.Commit("topic", "Bob", gittest.Sept(11, 9))
	r.Git("checkout", "-q", "main")
	r.Write("README", "x")
	r.Commit("unrelated", "Alice", gittest.Sept(12, 9))
	merge := r.Merge("topic", "Alice", gittest.Sept(13, 9))

	g := open(t, r.Dir)
	lg, err := g.Log(context.Background(), branch(t, g, "main"), gitlog.WalkOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if got, want := stepHashes(lg), []string{base, merge}; !slices.Equal(got, want) {
		t.Fatalf("steps = %v, want %v", got, want)
	}
	var paths []string
	for _, f := range lg.Steps[1].Files {
		paths = append(paths, f.Path)
	}
	if want := []string{"a/package-lock.json", "b/yarn.lock"}; !slices.Equal(paths, want) {
		t.Errorf("files after merge = %v, want %v", paths, want)
	}
}

func TestParseOncePerBlob(t *testing.T) {
	h := newHistory(t)
	// The same content at a second path, and back at an old version: no new parse.
	h.repo.Write("copy/package-lock.json", gittest.MailerLock("1.0.16"))
	h.repo.Commit("copy", "Alice", gittest.Sept(28, 9))
	r := open(t, h.repo.Dir)
	ctx := context.Background()
	var files []gitlog.File
	for _, name := range []string{"main", "release"} {
		lg, err := r.Log(ctx, branch(t, r, name), gitlog.WalkOptions{})
		if err != nil {
			t.Fatal(err)
		}
		for _, s := range lg.Steps {
			files = append(files, s.Files...)
		}
	}
	var mu sync.Mutex
	got := map[string]string{} // path@blob → postmark-mcp version
	invs := map[*lockfiles.Package]bool{}
	n, err := r.Parse(ctx, files, gitlog.ParseOptions{Jobs: 2, Prefix: "repos/mailer"}, func(f gitlog.File, inv *lockfiles.Inventory, err error) {
		mu.Lock()
		defer mu.Unlock()
		if err != nil {
			t.Errorf("%s: %v", f.Path, err)
			return
		}
		if want := "repos/mailer/" + f.Path; inv.Path != want {
			t.Errorf("inventory path = %q, want %q", inv.Path, want)
		}
		k := f.Path + "@" + f.Blob[:7]
		if _, dup := got[k]; dup {
			t.Errorf("%s handed over twice", k)
		}
		got[k] = "absent"
		for i := range inv.Packages {
			if inv.Packages[i].Name == "postmark-mcp" {
				got[k] = inv.Packages[i].Version
				invs[&inv.Packages[0]] = true
			}
		}
	})
	if err != nil {
		t.Fatal(err)
	}
	if n != 4 {
		t.Errorf("Parse made %d parses, want 4 (one per distinct blob)", n)
	}
	var versions []string
	for _, v := range got {
		versions = append(versions, v)
	}
	slices.Sort(versions)
	// 4 distinct lockfile blobs on main, one of them also at copy/.
	if want := []string{"1.0.15", "1.0.16", "1.0.16", "1.0.18", "absent"}; !slices.Equal(versions, want) {
		t.Errorf("versions handed over = %v, want %v", versions, want)
	}
	// copy/package-lock.json has the 1.0.16 blob: parsed once, so both share packages.
	if len(invs) != 3 {
		t.Errorf("%d distinct parses of postmark-mcp lockfiles, want 3 (one per blob)", len(invs))
	}
}

func TestParseErrors(t *testing.T) {
	r := gittest.Init(t)
	r.Write("package-lock.json", "{\n  \"packages\": [oops\n")
	r.Commit("broken", "Alice", gittest.Sept(10, 9))
	g := open(t, r.Dir)
	files, err := g.Tree(context.Background(), "HEAD")
	if err != nil {
		t.Fatal(err)
	}
	var got error
	_, err = g.Parse(context.Background(), files, gitlog.ParseOptions{Jobs: 1}, func(f gitlog.File, inv *lockfiles.Inventory, err error) {
		got = err
	})
	if err != nil {
		t.Fatal(err)
	}
	if got == nil || !strings.HasPrefix(got.Error(), "package-lock.json:2:") || strings.Contains(got.Error(), "oops") {
		t.Errorf("parse error = %v, want package-lock.json:2:… without the file's content", got)
	}
}

func TestOpenErrors(t *testing.T) {
	_, err := gitlog.Open(context.Background(), t.TempDir())
	if err == nil || !strings.Contains(err.Error(), "not a git repository") {
		t.Errorf("Open(empty dir) = %v, want not a git repository", err)
	}
	h := newHistory(t)
	r := open(t, h.repo.Dir)
	for _, name := range []string{"--all", "", "nope"} {
		if _, err := r.Resolve(context.Background(), name); err == nil {
			t.Errorf("Resolve(%q) = nil error, want one", name)
		}
	}
	if ref, err := r.Resolve(context.Background(), "release~1"); err != nil || ref.Hash != h.c3 {
		t.Errorf("Resolve(release~1) = %v, %v; want %s", ref, err, h.c3)
	}
}

func TestIsLockfilePath(t *testing.T) {
	for _, c := range []struct {
		path string
		want bool
	}{
		{"package-lock.json", true},
		{"apps/web/pnpm-lock.yaml", true},
		{"yarn.lock", true},
		{"npm-shrinkwrap.json", true},
		{"node_modules/.package-lock.json", true},
		{"apps/web/node_modules/.package-lock.json", true},
		{"node_modules/foo/package-lock.json", false},
		{"node_modules/foo/node_modules/.package-lock.json", false},
		{".package-lock.json", false},
		{"my-package-lock.json", false},
		{"package.json", false},
	} {
		if got := gitlog.IsLockfilePath(c.path); got != c.want {
			t.Errorf("IsLockfilePath(%q) = %v, want %v", c.path, got, c.want)
		}
	}
}

// Tags: lightweight and annotated ones (a tag of a tag too) peel to their
// commit; a tag of a blob is left out.
func TestTags(t *testing.T) {
	h := newHistory(t)
	h.repo.Git("tag", "light", h.c3)
	h.repo.Git("tag", "-a", "-m", "annotated", "v1", h.c5)
	h.repo.Git("tag", "-a", "-m", "nested", "v1-again", "v1")
	blob := h.repo.Git("rev-parse", h.c5+":package-lock.json")
	h.repo.Git("tag", "a-blob", blob)
	tags, err := open(t, h.repo.Dir).Tags(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, r := range tags {
		if !r.Tag {
			t.Errorf("%s: Tag = false", r.Name)
		}
		got = append(got, r.Name+"="+r.Hash)
	}
	if want := []string{"light=" + h.c3, "v1=" + h.c5, "v1-again=" + h.c5}; !slices.Equal(got, want) {
		t.Errorf("tags = %v, want %v", got, want)
	}
}

// A git mv is one step with the new path and a rename back to the old.
func TestLogRename(t *testing.T) {
	h := newHistory(t)
	h.repo.Write("package-lock.json", gittest.MailerLock("1.0.16"))
	h.repo.Commit("back", "Bob", gittest.Sept(28, 9))
	h.repo.Move("package-lock.json", "api/package-lock.json")
	mv := h.repo.Commit("move", "Bob", gittest.Sept(29, 9))
	r := open(t, h.repo.Dir)
	lg, err := r.Log(context.Background(), branch(t, r, "main"), gitlog.WalkOptions{})
	if err != nil {
		t.Fatal(err)
	}
	last := lg.Steps[len(lg.Steps)-1]
	if last.Commit.Hash != mv || len(last.Files) != 1 || last.Files[0].Path != "api/package-lock.json" || last.Renames["api/package-lock.json"] != "package-lock.json" {
		t.Errorf("last step = %+v, want %s with api/package-lock.json renamed from package-lock.json", last, mv)
	}
}

// FindRepos finds work trees, nested ones and bare repositories, and
// Manifests lists a commit's package.json files outside node_modules.
func TestFindReposAndManifests(t *testing.T) {
	h := newHistory(t)
	root := t.TempDir()
	for _, d := range []string{"a/.git", "a/sub/b/.git", "c.git/objects", "c.git/refs", "node_modules/x/.git", "plain"} {
		if err := os.MkdirAll(filepath.Join(root, d), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.WriteFile(filepath.Join(root, "c.git", "HEAD"), []byte("ref: refs/heads/main\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	found, errs := gitlog.FindRepos(context.Background(), root, nil)
	var got []string
	for _, f := range found {
		got = append(got, fmt.Sprintf("%s bare=%v", f.Path, f.Bare))
	}
	if want := []string{"a bare=false", "a/sub/b bare=false", "c.git bare=true"}; len(errs) != 0 || !slices.Equal(got, want) {
		t.Errorf("FindRepos = %v (errors %v), want %v", got, errs, want)
	}

	h.repo.Write("packages/api/package.json", `{"name":"@fx/api"}`)
	h.repo.Write("packages/api/node_modules/x/package.json", `{"name":"x"}`)
	c := h.repo.Commit("workspace", "Alice", gittest.Sept(28, 9))
	mans, err := open(t, h.repo.Dir).Manifests(context.Background(), c, ".")
	if err != nil {
		t.Fatal(err)
	}
	var paths []string
	for _, m := range mans {
		paths = append(paths, m.Path)
	}
	if want := []string{"package.json", "packages/api/package.json"}; !slices.Equal(paths, want) {
		t.Errorf("Manifests = %v, want %v", paths, want)
	}
}
