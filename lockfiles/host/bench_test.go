package host_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/depsweep/depsweep/lockfiles/host"
	"github.com/depsweep/depsweep/lockfiles/host/hosttest"
)

// BenchmarkScanCacache10k scans a home whose npm cache index holds 10,000
// entries, one bucket file each as npm writes them: tarballs and
// packuments of 5,000 packages. The goal is under a second per scan.
func BenchmarkScanCacache10k(b *testing.B) {
	home := b.TempDir()
	when := time.Date(2025, 9, 18, 8, 30, 0, 0, time.UTC)
	for i := range 5000 {
		name := fmt.Sprintf("pkg-%04d", i)
		for _, url := range []string{
			"https://registry.npmjs.org/" + name,
			fmt.Sprintf("https://registry.npmjs.org/%s/-/%s-1.0.%d.tgz", name, name, i),
		} {
			bucket, line := hosttest.CacacheEntry("make-fetch-happen:request-cache:"+url, "sha512-ZmFrZQ==", when)
			hosttest.Write(b, home, ".npm/"+bucket, "\n"+line)
		}
	}
	b.ResetTimer()
	for b.Loop() {
		traces, errs := host.Scan(context.Background(), home)
		if len(errs) > 0 || len(traces) != 10000 {
			b.Fatalf("%d traces, errors %v; want 10000 traces", len(traces), errs)
		}
	}
}
