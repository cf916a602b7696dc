package ioc_test

import (
	"context"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
	"testing"

	"github.com/depsweep/depsweep/internal/cputime"

	"github.com/depsweep/depsweep/ioc"
	"github.com/depsweep/depsweep/lockfiles"
)

// smallFleet copies testdata/demo-fleet n times under dir, each copy a git
// checkout (HEAD, a branch ref, an origin remote), as bench/fleet.sh's
// small fleet does with real git: many repositories of small lockfiles.
func smallFleet(b *testing.B, n int) string {
	b.Helper()
	src := "../testdata/demo-fleet"
	files := map[string][]byte{}
	err := filepath.WalkDir(src, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		rel, _ := filepath.Rel(src, p)
		data, err := os.ReadFile(p)
		files[rel] = data
		return err
	})
	if err != nil || len(files) == 0 {
		b.Fatalf("demo fleet: %d files, %v", len(files), err)
	}
	files[".git/HEAD"] = []byte("ref: refs/heads/main\n")
	files[".git/refs/heads/main"] = []byte("0123456789abcdef0123456789abcdef01234567\n")
	files[".git/config"] = []byte("[remote \"origin\"]\n\turl = https://git.example.com/acme/svc.git\n")
	dir := b.TempDir()
	for i := range n {
		repo := filepath.Join(dir, "svc-"+strconv.Itoa(i))
		for rel, data := range files {
			p := filepath.Join(repo, rel)
			if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
				b.Fatal(err)
			}
			if err := os.WriteFile(p, data, 0o644); err != nil {
				b.Fatal(err)
			}
		}
	}
	return dir
}

// BenchmarkScanSmallFleet sweeps 300 checkouts of the demo fleet (2,100
// small lockfiles), the shape where per-file costs, not parsing, decide:
// "find" is discovery alone (with the scan's options), "scan" the whole
// scan as depsweep scan runs it (declared ranges on), into a counting
// handler. cpu-ms/op is the process's CPU time per sweep (user and
// system), steadier than wall time on a shared machine.
func BenchmarkScanSmallFleet(b *testing.B) {
	dir := smallFleet(b, 300)
	b.Run("find", func(b *testing.B) {
		n := 0
		cpu0 := cputime.Process()
		for b.Loop() {
			n = 0
			for _, err := range lockfiles.Find(context.Background(), dir, lockfiles.FindOptions{Manifests: true, NodeModules: true}) {
				if err != nil {
					b.Fatal(err)
				}
				n++
			}
		}
		b.ReportMetric(float64(n), "found/op")
		b.ReportMetric(float64((cputime.Process()-cpu0).Microseconds())/1e3/float64(b.N), "cpu-ms/op")
	})
	b.Run("scan", func(b *testing.B) {
		x := testIndex(b)
		var c counter
		cpu0 := cputime.Process()
		for b.Loop() {
			c = counter{}
			if _, err := ioc.Scan(context.Background(), ioc.ScanConfig{Roots: []string{dir}, Index: x, Declared: true}, &c); err != nil {
				b.Fatal(err)
			}
		}
		b.ReportMetric(float64(c.lockfiles), "lockfiles/op")
		b.ReportMetric(float64((cputime.Process()-cpu0).Microseconds())/1e3/float64(b.N), "cpu-ms/op")
	})
}
