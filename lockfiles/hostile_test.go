package lockfiles

import (
	"bytes"
	"fmt"
	"os"
	"runtime"
	"sync"
	"testing"
	"time"
)

// maxPeakHeap is the most heap a hostile input may make a parser use.
const maxPeakHeap = 512 << 20

// peakHeap runs f while sampling the heap in use every few milliseconds, and
// returns the highest value seen, in bytes (including what the caller
// already holds, such as the input).
func peakHeap(f func()) uint64 {
	runtime.GC()
	var mu sync.Mutex
	var peak uint64
	sample := func() {
		var ms runtime.MemStats
		runtime.ReadMemStats(&ms)
		mu.Lock()
		peak = max(peak, ms.HeapInuse)
		mu.Unlock()
	}
	stop, done := make(chan struct{}), make(chan struct{})
	go func() {
		defer close(done)
		t := time.NewTicker(5 * time.Millisecond)
		defer t.Stop()
		for {
			select {
			case <-stop:
				return
			case <-t.C:
				sample()
			}
		}
	}()
	f()
	sample()
	close(stop)
	<-done
	return peak
}

// bigPackageLock returns a valid package-lock.json v3 of at least size
// bytes, and how many packages it holds.
func bigPackageLock(size int) ([]byte, int) {
	var b bytes.Buffer
	b.Grow(size + 1<<10)
	b.WriteString(`{"name":"big","version":"1.0.0","lockfileVersion":3,"requires":true,"packages":{"":{"name":"big","version":"1.0.0","dependencies":{"pkg-0":"1.0.0"}}`)
	n := 0
	for ; b.Len() < size; n++ {
		fmt.Fprintf(&b, `,"node_modules/pkg-%d":{"version":"1.0.%d","resolved":"https://registry.npmjs.org/pkg-%d/-/pkg-%d-1.0.%d.tgz","integrity":"sha512-6FlzubTLZG3J2a/NVCAleEhjzq5oxgHyaCU9yYXvcLsvoVaHJq/s5xXI6/XXP6tz7R9xAOtHnSO/tXtF3WRTlA==","dependencies":{"pkg-%d":"1.0.0"}}`,
			n, n%100, n, n, n%100, n+1)
	}
	b.WriteString("}}\n")
	return b.Bytes(), n
}

// TestHostileMemoryLargeLockfile parses a generated 100 MB package-lock.json
// and checks the peak heap stays under 512 MB and every package is read.
func TestHostileMemoryLargeLockfile(t *testing.T) {
	if testing.Short() {
		t.Skip("parses 100 MB; skipped with -short")
	}
	data, n := bigPackageLock(100 << 20)
	var inv *Inventory
	var err error
	peak := peakHeap(func() {
		inv, err = Parse(Input{Path: NamePackageLock, Data: data})
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(inv.Packages) != n {
		t.Errorf("%d packages, want %d", len(inv.Packages), n)
	}
	t.Logf("100 MB package-lock.json: %d packages, peak heap %d MB", n, peak>>20)
	if peak > maxPeakHeap {
		t.Errorf("peak heap %d MB, want under %d MB", peak>>20, maxPeakHeap>>20)
	}
}

// TestHostileMemoryAliasBomb parses a "billion laughs" pnpm-lock.yaml: the
// aliases are never expanded, so the heap stays small.
func TestHostileMemoryAliasBomb(t *testing.T) {
	data, err := os.ReadFile("../testdata/hostile/aliasbomb.v9.yaml")
	if err != nil {
		t.Fatal(err)
	}
	// Repeat the alias lines to make the file itself sizeable too.
	var big bytes.Buffer
	big.Write(data)
	for i := 0; big.Len() < 8<<20; i++ {
		fmt.Fprintf(&big, "b%d: [*a9,*a9,*a9,*a9,*a9,*a9,*a9,*a9,*a9]\n", i)
	}
	for _, in := range []struct {
		name string
		data []byte
	}{{"aliasbomb.v9.yaml", data}, {"aliasbomb.v9.yaml repeated to 8 MB", big.Bytes()}} {
		var inv *Inventory
		var err error
		peak := peakHeap(func() {
			inv, err = Parse(Input{Path: NamePnpmLock, Data: in.data})
		})
		if err != nil {
			t.Fatalf("%s: %v", in.name, err)
		}
		if len(inv.Packages) != 1 || len(inv.Problems) < 10 {
			t.Errorf("%s: %d packages, %d problems; want 1 (ms) and at least 10", in.name, len(inv.Packages), len(inv.Problems))
		}
		t.Logf("%s: peak heap %d MB", in.name, peak>>20)
		if peak > maxPeakHeap {
			t.Errorf("%s: peak heap %d MB, want under %d MB", in.name, peak>>20, maxPeakHeap>>20)
		}
	}
}

// BenchmarkHostileLargeLockfile reports the peak heap of parsing a 100 MB
// package-lock.json (peak-heap-MB) along with the time.
func BenchmarkHostileLargeLockfile(b *testing.B) {
	data, _ := bigPackageLock(100 << 20)
	b.SetBytes(int64(len(data)))
	var peak uint64
	for b.Loop() {
		peak = max(peak, peakHeap(func() {
			if _, err := Parse(Input{Path: NamePackageLock, Data: data}); err != nil {
				b.Fatal(err)
			}
		}))
	}
	b.ReportMetric(float64(peak>>20), "peak-heap-MB")
}
