package ioc_test

import (
	"compress/gzip"
	"context"
	"errors"
	"io"
	"os"
	"path"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/depsweep/depsweep/internal/testcorpus"
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
	for _, f := range rec.findings {
		if f.ID == "" {
			t.Errorf("finding %s %s has no id", f.Lockfile, f.Package.ID())
		}
	}
	checkTruthFindings(t, rec, paths)
	// The fixtures hold no .git: each project directory is its own unit.
	if stats.Lockfiles != len(want) || stats.Findings != len(rec.findings) || stats.Repos != len(want) || stats.Errors != 0 {
		t.Errorf("stats = %+v, want %d lockfiles, %d findings, %d repos, 0 errors", stats, len(want), len(rec.findings), len(want))
	}
}

// truthPackageFindings returns, by lockfile path, the package findings
// TRUTH.tsv flags in lockfiles (not in installed files) for a scan of the
// fixtures directory with [testIndex], as "name@version kind" sorted.
func truthPackageFindings(t *testing.T) map[string][]string {
	t.Helper()
	want := map[string][]string{}
	for _, r := range testcorpus.Truth(t) {
		if r.Expected == "flag" && r.Match == string(ioc.KindPackage) && !strings.HasPrefix(r.File, "node_modules/") {
			lf := r.Case + "/" + r.File
			want[lf] = append(want[lf], r.Package+"@"+r.Version+" "+r.Match)
		}
	}
	if len(want) == 0 {
		t.Fatal("TRUTH.tsv flags no package in a lockfile")
	}
	return want
}

// checkTruthFindings checks that, for each lockfile in paths, rec holds
// exactly the package findings TRUTH.tsv flags: none missing, none extra,
// none twice, and none in a lockfile not listed.
func checkTruthFindings(t *testing.T, rec *recorder, paths []string) {
	t.Helper()
	truth := truthPackageFindings(t)
	got := map[string][]string{}
	for _, f := range rec.findings {
		if !slices.Contains(paths, f.Lockfile) {
			t.Errorf("finding %s in %s, which had no Lockfile event", f.Package.ID(), f.Lockfile)
		}
		got[f.Lockfile] = append(got[f.Lockfile], f.Package.ID()+" "+string(f.Indicator.Kind))
	}
	for _, lf := range paths {
		g, w := got[lf], truth[lf]
		slices.Sort(g)
		slices.Sort(w)
		if !slices.Equal(g, w) {
			t.Errorf("%s: findings %q, want exactly TRUTH.tsv's %q", lf, g, w)
		}
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

// TestScanCancelled checks what a cancelled scan delivers: cancelled
// before it starts, nothing (and no lockfile reported as read); cancelled
// after its first lockfile, a partial report in which every lockfile
// delivered was read whole, with exactly its findings, the stats count
// just what was delivered, and the files not delivered are not listed.
func TestScanCancelled(t *testing.T) {
	x := testIndex(t)
	t.Run("before", func(t *testing.T) {
		ctx, cancel := context.WithCancel(context.Background())
		cancel()
		rec := &recorder{}
		stats, err := ioc.Scan(ctx, ioc.ScanConfig{Roots: []string{fixtures}, Index: x}, rec)
		if !errors.Is(err, context.Canceled) {
			t.Errorf("Scan(cancelled) error = %v, want context.Canceled", err)
		}
		if len(rec.events) != 0 || stats.Lockfiles != 0 || stats.Findings != 0 {
			t.Errorf("Scan(cancelled) delivered %q, stats %+v; want nothing", rec.events, stats)
		}
	})
	t.Run("during", func(t *testing.T) {
		ctx, cancel := context.WithCancel(context.Background())
		defer cancel()
		rec := &cancelling{cancel: cancel}
		stats, err := ioc.Scan(ctx, ioc.ScanConfig{Roots: []string{fixtures}, Index: x, Jobs: 1}, rec)
		if !errors.Is(err, context.Canceled) {
			t.Fatalf("Scan cancelled during the scan: error = %v, want context.Canceled", err)
		}
		// One worker: the lockfile being delivered, one result waiting and
		// one being checked at most; the 8 fixture lockfiles are not all read.
		var paths []string
		for _, lf := range rec.lockfile {
			if lf.Err != nil || lf.Inventory == nil || len(lf.Inventory.Packages) == 0 {
				t.Errorf("partial report: lockfile %s delivered with error %v, inventory %v: want it read whole", lf.Path, lf.Err, lf.Inventory != nil)
			}
			paths = append(paths, lf.Path)
		}
		if len(paths) == 0 || len(paths) > 3 {
			t.Fatalf("partial report holds %d lockfiles %q, want 1 to 3 of 8", len(paths), paths)
		}
		checkContiguous(t, rec.events)
		checkTruthFindings(t, &rec.recorder, paths)
		if stats.Lockfiles != len(paths) || stats.Findings != len(rec.findings) || stats.Errors != 0 {
			t.Errorf("stats = %+v, want %d lockfiles, %d findings, 0 errors: what was delivered", stats, len(paths), len(rec.findings))
		}
	})
}

// cancelling is a recorder that cancels the scan at its first Lockfile event.
type cancelling struct {
	recorder
	cancel context.CancelFunc
}

func (c *cancelling) Lockfile(lf *ioc.LockfileResult) error {
	c.cancel()
	return c.recorder.Lockfile(lf)
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
	dir := b.TempDir()
	total := unpackCorpus(b, dir)
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

// unpackCorpus writes the lockfiles of testdata/corpus, uncompressed, under
// dir (the corpus's layout: a directory per repository and commit) and
// returns their size.
func unpackCorpus(t testing.TB, dir string) int64 {
	t.Helper()
	var gzs []string
	filepath.WalkDir("../testdata/corpus", func(p string, d os.DirEntry, err error) error {
		if err == nil && strings.HasSuffix(p, ".gz") {
			gzs = append(gzs, p)
		}
		return err
	})
	if len(gzs) == 0 {
		t.Fatal("no corpus files in ../testdata/corpus")
	}
	var total int64
	for _, gz := range gzs {
		rel, _ := filepath.Rel("../testdata/corpus", strings.TrimSuffix(gz, ".gz"))
		f, err := os.Open(gz)
		if err != nil {
			t.Fatal(err)
		}
		zr, err := gzip.NewReader(f)
		if err != nil {
			t.Fatal(err)
		}
		data, err := io.ReadAll(zr)
		f.Close()
		if err != nil {
			t.Fatal(err)
		}
		total += int64(len(data))
		writeFiles(t, dir, map[string]string{filepath.ToSlash(rel): string(data)})
	}
	return total
}

// keeper keeps every lockfile result of a scan.
type keeper struct{ results []ioc.LockfileResult }

func (k *keeper) Lockfile(r *ioc.LockfileResult) error { k.results = append(k.results, *r); return nil }
func (k *keeper) Finding(*ioc.Finding) error           { return nil }

// TestScanReusedBufferNotKept: a worker reads each file into the buffer it
// read the last one into, so no inventory may hold on to a file's bytes.
// One worker sweeps the corpus and the fixtures (every lockfile format,
// from 1 KB to 4 MB) while every inventory is kept; each must still equal
// a parse of its file read on its own.
func TestScanReusedBufferNotKept(t *testing.T) {
	dir := t.TempDir()
	unpackCorpus(t, dir)
	if err := os.CopyFS(filepath.Join(dir, "fixtures"), os.DirFS("../testdata/fixtures")); err != nil {
		t.Fatal(err)
	}
	var k keeper
	if _, err := ioc.Scan(context.Background(), ioc.ScanConfig{Roots: []string{dir}, Index: testIndex(t), Jobs: 1}, &k); err != nil {
		t.Fatal(err)
	}
	checked := 0
	for _, r := range k.results {
		if r.Inventory == nil || !lockfiles.IsLockfile(path.Base(r.Path)) {
			continue
		}
		abs := filepath.Join(dir, filepath.FromSlash(r.Path))
		data, err := os.ReadFile(abs)
		if err != nil {
			t.Fatal(err)
		}
		project := filepath.Dir(abs)
		if path.Base(path.Dir(r.Path)) == "node_modules" {
			project = filepath.Dir(project)
		}
		want, err := lockfiles.Parse(lockfiles.Input{Path: r.Path, Data: data, Project: lockfiles.DirFS(project)})
		if err != nil {
			t.Fatalf("%s: %v", r.Path, err)
		}
		if !reflect.DeepEqual(r.Inventory.Packages, want.Packages) {
			t.Errorf("%s: the scanned inventory's packages differ from a parse of the file alone", r.Path)
		}
		checked++
	}
	if checked < 100 {
		t.Errorf("%d lockfiles compared, want the corpus's and the fixtures' (over 100)", checked)
	}
}
