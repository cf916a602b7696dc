package feeds

import (
	"archive/zip"
	"bufio"
	"bytes"
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"runtime"
	"strconv"
	"syscall"
	"testing"
	"time"

	"github.com/depsweep/depsweep/internal/cputime"

	"github.com/depsweep/depsweep/ioc"
	"github.com/depsweep/depsweep/lockfiles"
)

// BenchmarkOSVExportScale loads an export the size of osv.dev's npm
// all.zip (~200,000 records; built from the real MAL-2025-47604 record
// with distinct ids, package names and version ranges), then joins it with
// the embedded feed and compiles the index, as 'scan --feed FILE.zip'
// does; load-ms is that whole step (wall time; load-cpu-ms the process's
// CPU time, steadier on a shared machine). cached-load-ms and
// cached-load-cpu-ms are the same step from the index 'feed update' writes
// beside the zip (all.zip.index, hashing the zip to check it still
// matches), which is what --feed osv:npm reads; process-load-ms,
// process-load-cpu-ms and process-load-rss-MiB the same again in a new
// process (the test binary running TestCachedLoadProcess), whose heap
// grows from nothing as a scan's does. It then matches 100,000 packages
// (one in a hundred named by a record, as in a fleet where such packages
// are rare) against the index: ns/pkg is the cost per package. The
// targets: --feed osv:npm loads in under 2 s, matching takes under 500
// ns/pkg. Run with -benchtime 1x: building the zip takes longer than
// loading it. DEPSWEEP_SCALE_RECORDS=N builds a smaller export, for
// profiling.
func BenchmarkOSVExportScale(b *testing.B) {
	n := 200_000
	if s := os.Getenv("DEPSWEEP_SCALE_RECORDS"); s != "" {
		fmt.Sscan(s, &n) // a smaller export for profiling
	}
	mal, err := os.ReadFile("../testdata/osv/MAL-2025-47604.json")
	if err != nil {
		b.Fatal(err)
	}
	cacheDir := b.TempDir()
	p := filepath.Join(cacheDir, cacheZip)
	f, err := os.Create(p)
	if err != nil {
		b.Fatal(err)
	}
	bw := bufio.NewWriterSize(f, 1<<20)
	zw := zip.NewWriter(bw)
	r := rand.New(rand.NewPCG(1, 2))
	names := make([]string, n)
	for i := range n {
		names[i] = fmt.Sprintf("pkg-%d-%x", i, r.Uint32())
		if i%10 == 0 {
			names[i] = fmt.Sprintf("@scope%d/%s", i%997, names[i])
		}
		rec := bytes.ReplaceAll(mal, []byte("MAL-2025-47604"), fmt.Appendf(nil, "MAL-2025-%d", i))
		rec = bytes.ReplaceAll(rec, []byte(`"name": "postmark-mcp"`), fmt.Appendf(nil, `"name": %q`, names[i]))
		rec = bytes.ReplaceAll(rec, []byte(`"introduced": "1.0.16"`), fmt.Appendf(nil, `"introduced": "%d.%d.0"`, r.IntN(5), r.IntN(20)))
		w, err := zw.Create(fmt.Sprintf("MAL-2025-%d.json", i))
		if err != nil {
			b.Fatal(err)
		}
		w.Write(rec)
	}
	if err := zw.Close(); err != nil {
		b.Fatal(err)
	}
	bw.Flush()
	f.Close()
	st, _ := os.Stat(p)
	b.Logf("export: %d records, %d MiB zipped", n, st.Size()>>20)

	inv := &lockfiles.Inventory{Path: "package-lock.json", Format: "npm-v3"}
	for i := range 100_000 {
		name := fmt.Sprintf("lib-%d", i)
		if i%100 == 0 {
			name = names[r.IntN(n)]
		}
		inv.Packages = append(inv.Packages, lockfiles.Package{Name: name,
			Version: fmt.Sprintf("%d.%d.%d", r.IntN(5), r.IntN(20), r.IntN(10)), Source: lockfiles.SourceRegistry})
	}

	var x *ioc.Index
	var osv *Feed
	var loadTotal, loadCPU time.Duration
	for b.Loop() {
		runtime.GC()
		start, cpu0 := time.Now(), cputime.Process()
		osv, err = Load(p)
		if err != nil {
			b.Fatal(err)
		}
		def, err := Default()
		if err != nil {
			b.Fatal(err)
		}
		inds, err := Unify(def, osv)
		if err != nil {
			b.Fatal(err)
		}
		if x, err = ioc.NewIndex(inds); err != nil {
			b.Fatal(err)
		}
		loadTotal += time.Since(start)
		loadCPU += cputime.Process() - cpu0
	}
	b.ReportMetric(float64(loadTotal.Milliseconds())/float64(b.N), "load-ms")
	b.ReportMetric(float64(loadCPU.Milliseconds())/float64(b.N), "load-cpu-ms")

	// The same from the index 'feed update' writes beside the zip (what
	// --feed osv:npm reads). Unify left the loaded feed as it was.
	if err := writeIndex(cacheDir, osv); err != nil {
		b.Fatal(err)
	}
	if err := writeMeta(cacheDir, CacheMeta{URL: "bench", SHA256: osv.SHA256}); err != nil {
		b.Fatal(err)
	}
	runtime.GC()
	start0, cpu00 := time.Now(), cputime.Process()
	cached, err := LoadCachedOSV(cacheDir, OSVNPMName, "")
	if err != nil {
		b.Fatal(err)
	}
	def, _ := Default()
	inds, err := Unify(def, cached)
	if err != nil {
		b.Fatal(err)
	}
	if _, err := ioc.NewIndex(inds); err != nil {
		b.Fatal(err)
	}
	b.ReportMetric(float64(time.Since(start0).Milliseconds()), "cached-load-ms")
	b.ReportMetric(float64((cputime.Process() - cpu00).Milliseconds()), "cached-load-cpu-ms")

	// The same in a new process, as a scan starts: its heap grows from
	// nothing (page faults, garbage collections) where the figures above
	// reuse this process's.
	cmd := exec.Command(os.Args[0], "-test.run=^TestCachedLoadProcess$")
	cmd.Env = append(os.Environ(), "DEPSWEEP_CACHED_LOAD_DIR="+cacheDir)
	start1 := time.Now()
	out, err := cmd.CombinedOutput()
	if err != nil || !bytes.Contains(out, []byte("cached load ok")) {
		b.Fatalf("cached load in a new process: %v\n%s", err, out)
	}
	b.ReportMetric(float64(time.Since(start1).Milliseconds()), "process-load-ms")
	if ru, ok := cmd.ProcessState.SysUsage().(*syscall.Rusage); ok {
		b.ReportMetric(float64((ru.Utime.Nano()+ru.Stime.Nano())/1e6), "process-load-cpu-ms")
	}
	// Not the rusage's maxrss: until it execs, the child shares this
	// process's memory, and Linux counts that in.
	if m := regexp.MustCompile(`VmHWM:\s+(\d+) kB`).FindSubmatch(out); m != nil {
		kb, _ := strconv.Atoi(string(m[1]))
		b.ReportMetric(float64(kb>>10), "process-load-rss-MiB")
	}

	const rounds = 5
	hits := 0
	start, cpu0 := time.Now(), cputime.Process()
	for range rounds {
		fs, _ := x.MatchInventory(".", inv, nil)
		hits = len(fs)
	}
	el := time.Since(start)
	b.ReportMetric(float64(el.Nanoseconds())/float64(rounds*len(inv.Packages)), "ns/pkg")
	b.ReportMetric(float64((cputime.Process()-cpu0).Nanoseconds())/float64(rounds*len(inv.Packages)), "cpu-ns/pkg")
	b.Logf("%d findings per round of %d packages", hits, len(inv.Packages))
}

// TestCachedLoadProcess is the new process of BenchmarkOSVExportScale's
// process-load figures: it loads the cache in $DEPSWEEP_CACHED_LOAD_DIR,
// joins it with the embedded feed and compiles the index. Without the
// variable (any other run) it has nothing to do.
func TestCachedLoadProcess(t *testing.T) {
	dir := os.Getenv("DEPSWEEP_CACHED_LOAD_DIR")
	if dir == "" {
		t.Skip("run by BenchmarkOSVExportScale")
	}
	cached, err := LoadCachedOSV(dir, OSVNPMName, "")
	if err != nil {
		t.Fatal(err)
	}
	def, err := Default()
	if err != nil {
		t.Fatal(err)
	}
	inds, err := Unify(def, cached)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := ioc.NewIndex(inds); err != nil {
		t.Fatal(err)
	}
	fmt.Println("cached load ok")
	// The peak resident memory, where the system says (Linux).
	if st, err := os.ReadFile("/proc/self/status"); err == nil {
		if m := regexp.MustCompile(`VmHWM:\s+\d+ kB`).Find(st); m != nil {
			fmt.Printf("%s\n", m)
		}
	}
}
