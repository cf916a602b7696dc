package ioc

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/depsweep/depsweep/lockfiles"
)

func TestParseShard(t *testing.T) {
	env := func(v string) func(string) string {
		return func(k string) string {
			if k == "JOB_COMPLETION_INDEX" {
				return v
			}
			return ""
		}
	}
	tests := []struct {
		in     string
		getenv func(string) string
		want   Shard
		err    bool
	}{
		{"0/1", nil, Shard{0, 1}, false},
		{"2/7", nil, Shard{2, 7}, false},
		{"6/7", nil, Shard{6, 7}, false},
		{"/7", env("3"), Shard{3, 7}, false},
		{"7/7", nil, Shard{}, true},
		{"-1/7", nil, Shard{}, true},
		{"1/0", nil, Shard{}, true},
		{"1", nil, Shard{}, true},
		{"a/b", nil, Shard{}, true},
		{"/7", nil, Shard{}, true},
		{"/7", env(""), Shard{}, true},
		{"/7", env("7"), Shard{}, true},
		{"/7", env("x"), Shard{}, true},
	}
	for _, tt := range tests {
		got, err := ParseShard(tt.in, tt.getenv)
		if (err != nil) != tt.err || got != tt.want {
			t.Errorf("ParseShard(%q) = %v, %v; want %v, error %v", tt.in, got, err, tt.want, tt.err)
		}
	}
	if _, err := ParseShard("/3", env("")); !errors.Is(err, ErrNoJobIndex) {
		t.Errorf("ParseShard(%q) with no index = %v, want ErrNoJobIndex", "/3", err)
	}
}

// TestShardHash pins the hash to FNV-1a 64 with the published test vectors:
// shards from different builds of depsweep must agree forever.
func TestShardHash(t *testing.T) {
	tests := []struct {
		path string
		sum  uint64
	}{
		{"a", 0xaf63dc4c8601ec8c},
		{"org/repo", fnv64a("org/repo")},
		{"foobar", 0x85944171f73967e8},
	}
	for _, tt := range tests {
		for _, n := range []int{2, 3, 7, 1000} {
			want := int(tt.sum % uint64(n))
			if got := (Shard{N: n}).index(tt.path); got != want {
				t.Errorf("Shard{N: %d}.index(%q) = %d, want %d", n, tt.path, got, want)
			}
		}
	}
	if a, b := (Shard{N: 7}).index("a/b/"), (Shard{N: 7}).index("a/b"); a != b {
		t.Errorf("index(%q) = %d, index(%q) = %d; want equal", "a/b/", a, "a/b", b)
	}
}

// fnv64a is FNV-1a 64 written out from its definition.
func fnv64a(s string) uint64 {
	h := uint64(0xcbf29ce484222325)
	for i := 0; i < len(s); i++ {
		h ^= uint64(s[i])
		h *= 0x100000001b3
	}
	return h
}

// TestShardPartition checks that for every N each path is in exactly one
// shard, and that the shards are not lopsided.
func TestShardPartition(t *testing.T) {
	const repos = 5000
	for _, n := range []int{1, 2, 3, 7, 16} {
		counts := make([]int, n)
		for r := range repos {
			p := fmt.Sprintf("org%d/repo-%d", r%13, r)
			in := 0
			for i := range n {
				if (Shard{I: i, N: n}).Has(p) {
					in++
					counts[i]++
				}
			}
			if in != 1 {
				t.Fatalf("N=%d: %q is in %d shards, want 1", n, p, in)
			}
		}
		for i, c := range counts {
			if want := repos / n; c < want*8/10 || c > want*12/10 {
				t.Errorf("N=%d: shard %d has %d of %d repos, want about %d", n, i, c, repos, want)
			}
		}
	}
	if !(Shard{}).Has("anything") {
		t.Errorf("Shard{}.Has = false, want true (the zero Shard is the whole fleet)")
	}
}

// shardTree builds a fleet: top-level repositories, a nested one, a group
// directory, a lockfile in no repository and an unreadable path.
func shardTree(t *testing.T) string {
	t.Helper()
	root := t.TempDir()
	lock, err := os.ReadFile("../testdata/fixtures/npm10-transitive-dev-lockv3/package-lock.json")
	if err != nil {
		t.Fatal(err)
	}
	for _, d := range []string{"alpha", "beta", "gamma", "delta", "eps", "zeta", "eta", "theta", "iota", "group/kappa", "group/lambda", "alpha/vendor/nested"} {
		if err := os.MkdirAll(filepath.Join(root, d, ".git"), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	for _, f := range []string{"alpha", "alpha/sub", "alpha/vendor/nested", "beta", "gamma", "delta", "eps", "zeta", "eta", "theta", "iota", "group/kappa", "group/lambda/app", "group/excluded", "loose"} {
		if err := os.MkdirAll(filepath.Join(root, f), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(root, f, "package-lock.json"), lock, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	// A dangling symlink named like a lockfile: a discovery error inside a repo.
	if err := os.Symlink("missing", filepath.Join(root, "beta", "yarn.lock")); err != nil {
		t.Fatal(err)
	}
	return root
}

// sweep lists what a scan restricted to s would report: the found
// lockfiles and discovery errors, by path.
func sweep(t *testing.T, root string, s Shard) []string {
	t.Helper()
	k := s.Skipper(root, func(rel string) bool { return filepath.Base(rel) == "excluded" })
	var got []string
	for f, err := range lockfiles.Find(context.Background(), root, lockfiles.FindOptions{Skip: k.Skip}) {
		p, label := f.Path, f.Path
		if err != nil {
			var fe *lockfiles.FindError
			if !errors.As(err, &fe) {
				t.Fatalf("Find: %v", err)
			}
			p, label = fe.Path, "error:"+fe.Path
		}
		if k.Keep(p) {
			got = append(got, label)
		}
	}
	return got
}

// TestShardSkipper is the shard acceptance test at the discovery level:
// for N in {1, 3, 7} the shards' lockfiles and errors, together, are the
// unsharded scan's, each exactly once, and nested repositories go with
// their enclosing one.
func TestShardSkipper(t *testing.T) {
	root := shardTree(t)
	all := sweep(t, root, Shard{})
	if len(all) != 15 || !slices.Contains(all, "error:beta/yarn.lock") || slices.Contains(all, "group/excluded/package-lock.json") {
		t.Fatalf("unsharded sweep found %q; want 14 lockfiles but group/excluded, and the error at beta/yarn.lock", all)
	}
	for _, n := range []int{1, 3, 7} {
		var union []string
		for i := range n {
			part := sweep(t, root, Shard{I: i, N: n})
			// A nested repository's files stay with the enclosing one.
			if slices.Contains(part, "alpha/package-lock.json") != slices.Contains(part, "alpha/vendor/nested/package-lock.json") {
				t.Errorf("N=%d shard %d: alpha and its nested repository are split: %q", n, i, part)
			}
			union = append(union, part...)
		}
		slices.Sort(union)
		want := slices.Sorted(slices.Values(all))
		if !slices.Equal(union, want) {
			t.Errorf("N=%d: union of shards =\n%q\nwant\n%q", n, union, want)
		}
	}
}

// TestShardSkipperRootRepo: when the root itself holds .git it is one unit.
func TestShardSkipperRootRepo(t *testing.T) {
	root := shardTree(t)
	if err := os.Mkdir(filepath.Join(root, ".git"), 0o755); err != nil {
		t.Fatal(err)
	}
	all := sweep(t, root, Shard{})
	n := 7
	owners := 0
	for i := range n {
		part := sweep(t, root, Shard{I: i, N: n})
		switch len(part) {
		case 0:
		case len(all):
			owners++
		default:
			t.Errorf("shard %d/%d has %d of %d paths, want all or none", i, n, len(part), len(all))
		}
	}
	if owners != 1 {
		t.Errorf("%d shards have the root repository, want 1", owners)
	}
}

func TestShardRoots(t *testing.T) {
	roots := []string{"fleet/a", "fleet/b/", "fleet/c", "./fleet/d", "e", "f", "g", "h"}
	for _, n := range []int{1, 3, 7} {
		var union []string
		for i := range n {
			union = append(union, (Shard{I: i, N: n}).Roots(roots)...)
		}
		slices.Sort(union)
		if want := slices.Sorted(slices.Values(roots)); !slices.Equal(union, want) {
			t.Errorf("N=%d: union of Roots = %q, want %q", n, union, want)
		}
	}
	if got := (Shard{I: 0, N: 3}).Roots([]string{"fleet/b/"}); (len(got) == 1) != (Shard{I: 0, N: 3}).Has("fleet/b") {
		t.Errorf("Roots keys %q differently from Has(%q)", "fleet/b/", "fleet/b")
	}
}

// pathRecorder records the paths of the events a scan passes on.
type pathRecorder struct{ repos, lockfiles, findings []string }

func (r *pathRecorder) Repo(ri *RepoInfo) error {
	r.repos = append(r.repos, ri.Path)
	return nil
}

func (r *pathRecorder) Lockfile(lf *LockfileResult) error {
	r.lockfiles = append(r.lockfiles, lf.Path)
	return nil
}

func (r *pathRecorder) Finding(f *Finding) error {
	r.findings = append(r.findings, f.Lockfile+" "+f.Package.ID())
	return nil
}

// TestScanShardStats: the stats of the N shards add up to the unsharded
// scan's, and each shard's stats count exactly the events it passed on,
// for one root (repositories split) and for several (roots split, with the
// unsharded scan's path prefixes even when a shard has a single root).
func TestScanShardStats(t *testing.T) {
	x := postmarkIndex(t)
	root := shardTree(t)
	several, err := filepath.Glob(filepath.Join(root, "*"))
	if err != nil || len(several) < 5 {
		t.Fatalf("Glob = %q, %v; want the fleet's directories", several, err)
	}
	for _, roots := range [][]string{{root}, several} {
		cfg := ScanConfig{Roots: roots, Index: x, Jobs: 2, Skip: func(rel string) bool { return filepath.Base(rel) == "excluded" }}
		var whole pathRecorder
		want, err := Scan(context.Background(), cfg, &whole)
		if err != nil {
			t.Fatal(err)
		}
		if want.Lockfiles < 10 || want.Findings == 0 || want.Errors == 0 {
			t.Fatalf("%d roots: unsharded stats %+v; want 10+ lockfiles, findings and errors", len(roots), want)
		}
		for _, n := range []int{2, 3, 7} {
			var sum ScanStats
			var lockfiles, findings, repos []string
			for i := range n {
				var rec pathRecorder
				got, err := ScanShard(context.Background(), cfg, Shard{I: i, N: n}, &rec)
				if err != nil {
					t.Fatal(err)
				}
				if got.Repos != len(rec.repos) || got.Lockfiles != len(rec.lockfiles) || got.Findings != len(rec.findings) {
					t.Errorf("%d roots, shard %d/%d: stats %+v count other events than the %d repos, %d lockfiles, %d findings passed on",
						len(roots), i, n, got, len(rec.repos), len(rec.lockfiles), len(rec.findings))
				}
				sum.Repos += got.Repos
				sum.Lockfiles += got.Lockfiles
				sum.Packages += got.Packages
				sum.Findings += got.Findings
				sum.Errors += got.Errors
				sum.PublisherPackages += got.PublisherPackages
				lockfiles = append(lockfiles, rec.lockfiles...)
				findings = append(findings, rec.findings...)
				repos = append(repos, rec.repos...)
			}
			// The scan root ".", when it holds inputs of its own (a discovery
			// error outside every project), is announced by the shard its
			// hash picks or by none: the shards' other repositories must be
			// the unsharded scan's, each once.
			noRoot := func(rs []string) []string {
				return slices.Sorted(slices.Values(slices.DeleteFunc(slices.Clone(rs), func(r string) bool { return r == "." })))
			}
			if !slices.Equal(noRoot(repos), noRoot(whole.repos)) {
				t.Errorf("%d roots, N=%d: shards' repositories %q, want %q", len(roots), n, noRoot(repos), noRoot(whole.repos))
			}
			sum.Repos = want.Repos // compared above
			if sum.Repos != want.Repos || sum.Lockfiles != want.Lockfiles || sum.Packages != want.Packages ||
				sum.Findings != want.Findings || sum.Errors != want.Errors || sum.PublisherPackages != want.PublisherPackages {
				t.Errorf("%d roots, N=%d: shards sum to %+v, want the unsharded %+v", len(roots), n, sum, want)
			}
			slices.Sort(lockfiles)
			slices.Sort(findings)
			if !slices.Equal(lockfiles, slices.Sorted(slices.Values(whole.lockfiles))) ||
				!slices.Equal(findings, slices.Sorted(slices.Values(whole.findings))) {
				t.Errorf("%d roots, N=%d: shards' events differ from the unsharded scan's:\n%q\nwant\n%q", len(roots), n, lockfiles, whole.lockfiles)
			}
		}
	}
}

// TestShardSkipperWithoutGit: without .git anywhere, the units are the
// top-most project directories; the shards still cover every lockfile,
// lockfile-less project and node_modules bundle exactly once, a project's
// nested directories stay with it, and the fleet is actually split.
func TestShardSkipperWithoutGit(t *testing.T) {
	root := shardTree(t)
	if err := filepath.WalkDir(root, func(p string, d os.DirEntry, err error) error {
		if err == nil && d.IsDir() && d.Name() == ".git" {
			os.RemoveAll(p)
			return filepath.SkipDir
		}
		return err
	}); err != nil {
		t.Fatal(err)
	}
	for _, f := range []string{"lib/package.json", "bundle/node_modules/x/package.json"} {
		os.MkdirAll(filepath.Join(root, filepath.Dir(f)), 0o755)
		if err := os.WriteFile(filepath.Join(root, f), []byte(`{"name":"x","version":"1.0.0"}`), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	sweepAll := func(s Shard) []string {
		k := s.Skipper(root, func(rel string) bool { return filepath.Base(rel) == "excluded" })
		var got []string
		for f, err := range lockfiles.Find(context.Background(), root, lockfiles.FindOptions{Skip: k.Skip, Manifests: true, NodeModules: true}) {
			p := f.Path
			if err != nil {
				var fe *lockfiles.FindError
				errors.As(err, &fe)
				p = "error:" + fe.Path
			}
			if k.Keep(strings.TrimPrefix(p, "error:")) {
				got = append(got, p+" repo="+f.Repo)
			}
		}
		return got
	}
	all := sweepAll(Shard{})
	for _, w := range []string{"alpha/vendor/nested/package-lock.json repo=alpha", "lib/package.json repo=lib", "bundle/node_modules repo=bundle", "group/lambda/app/package-lock.json repo=group/lambda/app"} {
		if !slices.Contains(all, w) {
			t.Fatalf("unsharded sweep %q lacks %q", all, w)
		}
	}
	for _, n := range []int{3, 7} {
		var union []string
		busy := 0
		for i := range n {
			part := sweepAll(Shard{I: i, N: n})
			if len(part) > 0 {
				busy++
			}
			if slices.Contains(part, "alpha/package-lock.json repo=alpha") != slices.Contains(part, "alpha/vendor/nested/package-lock.json repo=alpha") {
				t.Errorf("N=%d shard %d: alpha's nested project is split from it: %q", n, i, part)
			}
			union = append(union, part...)
		}
		slices.Sort(union)
		if want := slices.Sorted(slices.Values(all)); !slices.Equal(union, want) {
			t.Errorf("N=%d: union of shards =\n%q\nwant\n%q", n, union, want)
		}
		if busy < 2 {
			t.Errorf("N=%d: only %d shard(s) got work: the fleet was not split", n, busy)
		}
	}
}
