package sbom

import (
	"io"
	"testing"

	cdx "github.com/CycloneDX/cyclonedx-go"

	"github.com/depsweep/depsweep/lockfiles"
)

// BenchmarkSBOM builds and JSON-encodes the SBOM of every corpus lockfile
// that parses (parsing is outside the timer). One op is the whole corpus;
// MB/s is lockfile input per second.
func BenchmarkSBOM(b *testing.B) {
	var invs []*lockfiles.Inventory
	var size int64
	for _, f := range loadCorpus(b) {
		inv, err := parse(f)
		if err != nil {
			continue
		}
		invs = append(invs, inv)
		size += int64(len(f.Data))
	}
	if len(invs) == 0 {
		b.Fatal("no corpus lockfile parsed")
	}
	b.Logf("%d lockfiles, %.1f MB", len(invs), float64(size)/1e6)
	opts := Options{Format: cdx.BOMFileFormatJSON, Deterministic: true, ToolVersion: "bench"}
	b.SetBytes(size)
	b.ReportAllocs()
	for b.Loop() {
		for _, inv := range invs {
			bom, err := New(inv, nil, opts)
			if err != nil {
				b.Fatal(err)
			}
			if err := Write(io.Discard, bom, opts); err != nil {
				b.Fatal(err)
			}
		}
	}
}
