package ioc_test

import (
	"compress/gzip"
	"context"
	"errors"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/depsweep/depsweep/ioc"
	"github.com/depsweep/depsweep/lockfiles"
)

const fixtures = "../testdata/fixtures"

// writeFiles creates files (slash paths → content) under dir.
func writeFiles(t testing.TB, dir string, files map[string]string) {
	t.Helper()
	for name, content := range files {
		p := filepath.Join(dir, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

const (
	commitA = "1111111111111111111111111111111111111111"
	commitB = "2222222222222222222222222222222222222222"
)

func TestReadRepoInfo(t *testing.T) {
	tests := []struct {
		name  string
		files map[string]string
		want  ioc.RepoInfo
	}{
		{
			name: "loose ref",
			files: map[string]string{
				".git/HEAD":            "ref: refs/heads/main\n",
				".git/refs/heads/main": commitA + "\n",
				".git/config": "[core]\n\tbare = false\n[remote \"upstream\"]\n\turl = https://example.com/up.git\n" +
					"[remote \"origin\"]\n\turl = https://x-access-token:ghp_secret@github.com/acme/shop.git\n\tfetch = +refs/heads/*:refs/remotes/origin/*\n",
			},
			want: ioc.RepoInfo{Head: commitA, Branch: "main", Remote: "https://github.com/acme/shop.git"},
		},
		{
			name: "packed ref",
			files: map[string]string{
				".git/HEAD":        "ref: refs/heads/release/1.x\n",
				".git/packed-refs": "# pack-refs with: peeled fully-peeled sorted\n" + commitB + " refs/heads/release/1.x\n^" + commitA + "\n" + commitA + " refs/tags/v1\n",
				".git/config":      "[remote \"origin\"]\n\turl = git@github.com:acme/shop.git\n",
			},
			want: ioc.RepoInfo{Head: commitB, Branch: "release/1.x", Remote: "git@github.com:acme/shop.git"},
		},
		{
			name: "detached head",
			files: map[string]string{
				".git/HEAD": commitB + "\n",
			},
			want: ioc.RepoInfo{Head: commitB},
		},
		{
			name: "unborn branch",
			files: map[string]string{
				".git/HEAD": "ref: refs/heads/main\n",
			},
			want: ioc.RepoInfo{Branch: "main"},
		},
		{
			name: "gitdir file (worktree)",
			files: map[string]string{
				"work/.git":                          "gitdir: ../main/.git/worktrees/work\n",
				"main/.git/worktrees/work/HEAD":      "ref: refs/heads/feature\n",
				"main/.git/worktrees/work/commondir": "../..\n",
				"main/.git/refs/heads/feature":       commitA + "\n",
				"main/.git/config":                   "[remote \"origin\"]\n\turl = \"ssh://deploy:hunter2@git.example.com/shop.git\"\n",
			},
			want: ioc.RepoInfo{Head: commitA, Branch: "feature", Remote: "ssh://deploy@git.example.com/shop.git"},
		},
		{
			name:  "not a checkout",
			files: map[string]string{"package.json": "{}"},
			want:  ioc.RepoInfo{},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			writeFiles(t, dir, tt.files)
			repo := dir
			if _, ok := tt.files["work/.git"]; ok {
				repo = filepath.Join(dir, "work")
			}
			got, err := ioc.ReadRepoInfo(repo)
			if err != nil {
				t.Fatalf("ReadRepoInfo: %v", err)
			}
			if got != tt.want {
				t.Errorf("ReadRepoInfo() = %+v, want %+v", got, tt.want)
			}
		})
	}
}

func TestReadRepoInfoBadGitFile(t *testing.T) {
	dir := t.TempDir()
	writeFiles(t, dir, map[string]string{".git": "not a pointer\n"})
	if _, err := ioc.ReadRepoInfo(dir); err == nil {
		t.Errorf("ReadRepoInfo(.git file without gitdir) = nil error, want an error")
	}
}

func TestStripCredentials(t *testing.T) {
	tests := []struct{ in, want string }{
		{"https://github.com/acme/shop.git", "https://github.com/acme/shop.git"},
		{"https://user:pass@github.com/acme/shop.git", "https://github.com/acme/shop.git"},
		{"https://ghp_token@github.com/acme/shop.git", "https://github.com/acme/shop.git"},
		{"HTTP://u:p@host:8080/r?x=1", "HTTP://host:8080/r?x=1"},
		{"ssh://git@github.com/acme/shop.git", "ssh://git@github.com/acme/shop.git"},
		{"ssh://git:secret@github.com/acme/shop.git", "ssh://git@github.com/acme/shop.git"},
		{"git@github.com:acme/shop.git", "git@github.com:acme/shop.git"},
		{"/srv/git/shop.git", "/srv/git/shop.git"},
		{"", ""},
	}
	for _, tt := range tests {
		if got := ioc.StripCredentials(tt.in); got != tt.want {
			t.Errorf("StripCredentials(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestFingerprint(t *testing.T) {
	adv := &ioc.Advisory{ID: "MAL-2025-47604"}
	ind := &ioc.Indicator{Kind: ioc.KindPackage, Value: "postmark-mcp", Advisory: adv}
	f := ioc.Finding{Repo: ".", Lockfile: "package-lock.json", Line: 10,
		Package: lockfiles.Package{Name: "postmark-mcp", Version: "1.0.16"}, Indicator: ind}
	id := ioc.Fingerprint(&f)
	if len(id) != 16 {
		t.Errorf("Fingerprint() = %q, want 16 hex digits", id)
	}
	moved := f
	moved.Line = 99
	if got := ioc.Fingerprint(&moved); got != id {
		t.Errorf("Fingerprint(line moved) = %q, want %q (lines are not part of the id)", got, id)
	}
	other := f
	other.Package.Version = "1.0.17"
	if got := ioc.Fingerprint(&other); got == id {
		t.Errorf("Fingerprint(other version) = %q, same as 1.0.16", got)
	}
}

// recorder is a Handler that records the event stream.
type recorder struct {
	events   []string // "repo:P", "lockfile:P", "finding:LOCKFILE:name@version:kind"
	lockfile []*ioc.LockfileResult
	findings []*ioc.Finding
	flushed  int
}

func (r *recorder) Repo(ri *ioc.RepoInfo) error {
	r.events = append(r.events, "repo:"+ri.Path)
	return nil
}

func (r *recorder) Lockfile(lf *ioc.LockfileResult) error {
	r.events = append(r.events, "lockfile:"+lf.Path)
	r.lockfile = append(r.lockfile, lf)
	return nil
}

func (r *recorder) Finding(f *ioc.Finding) error {
	r.events = append(r.events, "finding:"+f.Lockfile+":"+f.Package.ID()+":"+string(f.Indicator.Kind))
	r.findings = append(r.findings, f)
	return nil
}

func (r *recorder) Flush() error { r.flushed++; return nil }

func TestMultiHandler(t *testing.T) {
	a, b := &recorder{}, &recorder{}
	h := ioc.MultiHandler(a, b)
	ind := &ioc.Indicator{Kind: ioc.KindPackage, Value: "x"}
	h.(ioc.RepoHandler).Repo(&ioc.RepoInfo{Path: "."})
	h.Lockfile(&ioc.LockfileResult{Path: "yarn.lock"})
	h.Finding(&ioc.Finding{Lockfile: "yarn.lock", Package: lockfiles.Package{Name: "x", Version: "1"}, Indicator: ind})
	if err := ioc.Flush(h); err != nil {
		t.Fatal(err)
	}
	want := []string{"repo:.", "lockfile:yarn.lock", "finding:yarn.lock:x@1:package"}
	for _, r := range []*recorder{a, b} {
		if !slices.Equal(r.events, want) || r.flushed != 1 {
			t.Errorf("MultiHandler events = %q flushed %d, want %q flushed 1", r.events, r.flushed, want)
		}
	}
}

// testIndex compiles the first incident's package indicator.
func testIndex(t testing.TB) *ioc.Index {
	t.Helper()
	adv := &ioc.Advisory{ID: "MAL-2025-47604", Title: "postmark-mcp BCCs mail", Severity: ioc.SeverityCritical}
	x, err := ioc.NewIndex([]ioc.Indicator{{
		Kind: ioc.KindPackage, Ecosystem: "npm", Value: "postmark-mcp",
		Versions: ioc.Versions{Exact: []string{"1.0.16", "1.0.17", "1.0.18"}}, Advisory: adv,
	}})
	if err != nil {
		t.Fatalf("NewIndex: %v", err)
	}
	return x
}

// checkContiguous verifies the Handler contract: each finding follows the
// Lockfile event of its lockfile with only findings in between.
func checkContiguous(t *testing.T, events []string) {
	t.Helper()
	current := ""
	for _, e := range events {
		switch {
		case strings.HasPrefix(e, "lockfile:"):
			current = strings.TrimPrefix(e, "lockfile:")
		case strings.HasPrefix(e, "finding:"):
			lf := strings.SplitN(strings.TrimPrefix(e, "finding:"), ":", 2)[0]
			if lf != current && !strings.Contains(lf, "node_modules/") {
				t.Errorf("finding in %s arrived after lockfile event %s", lf, current)
			}
		case strings.HasPrefix(e, "repo:"):
			current = ""
		}
	}
}

func TestScanFixtures(t *testing.T) {
	x := testIndex(t)
	rec := &recorder{}
	stats, err := ioc.Scan(context.Background(), ioc.ScanConfig{Roots: []string{fixtures}, Index: x, Jobs: 3}, rec)
	if err != nil {
		t.Fatalf("Scan: %v", err)
	}
	checkContiguous(t, rec.events)
	var paths []string
	for _, lf := range rec.lockfile {
		if lf.Err != nil {
			t.Errorf("lockfile %s: %v", lf.Path, lf.Err)
		}
		paths = append(paths, lf.Path)
	}
	slices.Sort(paths)
	want := []string{
		"berry4-nm-dev-scoped/yarn.lock",
		"npm10-transitive-dev-lockv3/package-lock.json",
		"npm11-alias-scoped-lockv3/package-lock.json",
		"npm6-direct-nested-lockv1/package-lock.json",
		"npm8-workspaces-lockv2/package-lock.json",
		"pnpm8-direct-lock6/pnpm-lock.yaml",
		"pnpm9-clean-lock9/pnpm-lock.yaml",
		"yarn1-workspaces/yarn.lock",
	}
	if !slices.Equal(paths, want) {
		t.Errorf("lockfiles = %q, want %q", paths, want)
	}
	flagged := map[string]bool{}
	for _, f := range rec.findings {
		flagged[f.Lockfile+" "+f.Package.ID()] = true
		if f.ID == "" {
			t.Errorf("finding %s %s has no id", f.Lockfile, f.Package.ID())
		}
	}
	for _, w := range []string{
		"npm6-direct-nested-lockv1/package-lock.json postmark-mcp@1.0.16",
		"npm8-workspaces-lockv2/package-lock.json postmark-mcp@1.0.16",
		"npm10-transitive-dev-lockv3/package-lock.json postmark-mcp@1.0.18",
		"npm11-alias-scoped-lockv3/package-lock.json postmark-mcp@1.0.17",
		"yarn1-workspaces/yarn.lock postmark-mcp@1.0.16",
		"berry4-nm-dev-scoped/yarn.lock postmark-mcp@1.0.16",
		"pnpm8-direct-lock6/pnpm-lock.yaml postmark-mcp@1.0.16",
	} {
		if !flagged[w] {
			t.Errorf("no finding for %s", w)
		}
	}
	// The fixtures hold no .git: each project directory is its own unit.
	if stats.Lockfiles != len(want) || stats.Findings != len(rec.findings) || stats.Repos != len(want) || stats.Errors != 0 {
		t.Errorf("stats = %+v, want %d lockfiles, %d findings, %d repos, 0 errors", stats, len(want), len(rec.findings), len(want))
	}
}

// copyFixture copies one fixture case's lockfile and package.json into
// dir/dst (dst defaults to the case's name).
func copyFixture(t *testing.T, dir, name, lockfile string, dst ...string) {
	t.Helper()
	to := name
	if len(dst) > 0 {
		to = dst[0]
	}
	for _, f := range []string{lockfile, "package.json"} {
		b, err := os.ReadFile(filepath.Join(fixtures, name, f))
		if err != nil {
			t.Fatal(err)
		}
		writeFiles(t, dir, map[string]string{to + "/" + f: string(b)})
	}
}

func TestScanBrokenFileMidSweep(t *testing.T) {
	x := testIndex(t)
	dir := t.TempDir()
	copyFixture(t, dir, "npm10-transitive-dev-lockv3", "package-lock.json")
	copyFixture(t, dir, "pnpm8-direct-lock6", "pnpm-lock.yaml")
	writeFiles(t, dir, map[string]string{
		"broken/package.json":      `{"name":"broken"}`,
		"broken/package-lock.json": `{"lockfileVersion": 3, "packages": {`,
	})
	rec := &recorder{}
	stats, err := ioc.Scan(context.Background(), ioc.ScanConfig{Roots: []string{dir}, Index: x}, rec)
	if err != nil {
		t.Fatalf("Scan: %v", err)
	}
	var errs []string
	for _, lf := range rec.lockfile {
		if lf.Err != nil {
			errs = append(errs, lf.Path)
			if msg := lf.Err.Error(); !strings.HasPrefix(msg, "broken/package-lock.json") || strings.Contains(msg, dir) {
				t.Errorf("error = %q, want it to start with the relative path and not name the root", msg)
			}
		}
	}
	if !slices.Equal(errs, []string{"broken/package-lock.json"}) || stats.Errors != 1 {
		t.Errorf("errors = %q (stats.Errors %d), want just broken/package-lock.json", errs, stats.Errors)
	}
	if len(rec.findings) < 2 {
		t.Errorf("findings = %d, want the findings of both good lockfiles", len(rec.findings))
	}
}

func TestScanMaxFileSize(t *testing.T) {
	x := testIndex(t)
	dir := t.TempDir()
	copyFixture(t, dir, "pnpm8-direct-lock6", "pnpm-lock.yaml")
	rec := &recorder{}
	stats, err := ioc.Scan(context.Background(), ioc.ScanConfig{Roots: []string{dir}, Index: x, MaxFileSize: 100}, rec)
	if err != nil {
		t.Fatalf("Scan: %v", err)
	}
	if len(rec.lockfile) != 1 || rec.lockfile[0].Err == nil || !strings.Contains(rec.lockfile[0].Err.Error(), "limit") {
		t.Fatalf("lockfile events = %+v, want one over-the-limit error", rec.lockfile)
	}
	if stats.Errors != 1 || len(rec.findings) != 0 {
		t.Errorf("stats = %+v, findings %d; want 1 error, no findings", stats, len(rec.findings))
	}
}

func TestScanSeveralRoots(t *testing.T) {
	x := testIndex(t)
	dir := t.TempDir()
	copyFixture(t, dir, "pnpm8-direct-lock6", "pnpm-lock.yaml", "a/shop")
	copyFixture(t, dir, "pnpm8-direct-lock6", "pnpm-lock.yaml", "b/shop")
	rec := &recorder{}
	a, b := filepath.Join(dir, "a"), filepath.Join(dir, "b")
	if _, err := ioc.Scan(context.Background(), ioc.ScanConfig{Roots: []string{a, b, a}, Index: x}, rec); err != nil {
		t.Fatalf("Scan: %v", err)
	}
	var got []string
	for _, lf := range rec.lockfile {
		got = append(got, lf.Path)
	}
	slices.Sort(got)
	want := []string{filepath.ToSlash(a) + "/shop/pnpm-lock.yaml", filepath.ToSlash(b) + "/shop/pnpm-lock.yaml"}
	if !slices.Equal(got, want) {
		t.Errorf("lockfile paths = %q, want %q", got, want)
	}
}

func TestScanCancelled(t *testing.T) {
	x := testIndex(t)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	rec := &recorder{}
	_, err := ioc.Scan(ctx, ioc.ScanConfig{Roots: []string{fixtures}, Index: x}, rec)
	if !errors.Is(err, context.Canceled) {
		t.Errorf("Scan(cancelled) error = %v, want context.Canceled", err)
	}
}

// failing is a Handler whose Lockfile fails.
type failing struct{ calls int }

func (f *failing) Lockfile(*ioc.LockfileResult) error { f.calls++; return errors.New("disk full") }
func (f *failing) Finding(*ioc.Finding) error         { return nil }

func TestScanHandlerError(t *testing.T) {
	x := testIndex(t)
	h := &failing{}
	_, err := ioc.Scan(context.Background(), ioc.ScanConfig{Roots: []string{fixtures}, Index: x}, h)
	if err == nil || err.Error() != "disk full" || h.calls != 1 {
		t.Errorf("Scan with failing handler = %v after %d calls, want \"disk full\" after 1", err, h.calls)
	}
}

// counter is a Handler that counts events.
type counter struct{ lockfiles, findings, errors int }

func (c *counter) Lockfile(lf *ioc.LockfileResult) error {
	c.lockfiles++
	if lf.Err != nil {
		c.errors++
	}
	return nil
}
func (c *counter) Finding(*ioc.Finding) error { c.findings++; return nil }

// BenchmarkScanCorpus sweeps the 113 real lockfiles of testdata/corpus,
// unpacked into a fleet of directories: discovery, reading, parsing and
// matching end to end. Bytes are the unpacked lockfile bytes.
func BenchmarkScanCorpus(b *testing.B) {
	var gzs []string
	filepath.WalkDir("../testdata/corpus", func(p string, d os.DirEntry, err error) error {
		if err == nil && strings.HasSuffix(p, ".gz") {
			gzs = append(gzs, p)
		}
		return err
	})
	if len(gzs) == 0 {
		b.Fatal("no corpus files in ../testdata/corpus")
	}
	dir := b.TempDir()
	var total int64
	for _, gz := range gzs {
		rel, _ := filepath.Rel("../testdata/corpus", strings.TrimSuffix(gz, ".gz"))
		f, err := os.Open(gz)
		if err != nil {
			b.Fatal(err)
		}
		zr, err := gzip.NewReader(f)
		if err != nil {
			b.Fatal(err)
		}
		data, err := io.ReadAll(zr)
		f.Close()
		if err != nil {
			b.Fatal(err)
		}
		total += int64(len(data))
		writeFiles(b, dir, map[string]string{filepath.ToSlash(rel): string(data)})
	}
	x := testIndex(b)
	b.SetBytes(total)
	b.ReportAllocs()
	var c counter
	for b.Loop() {
		c = counter{}
		if _, err := ioc.Scan(context.Background(), ioc.ScanConfig{Roots: []string{dir}, Index: x}, &c); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(c.lockfiles), "lockfiles/op")
}
