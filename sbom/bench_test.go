package sbom

import (
	"io"
	"os"
	"path/filepath"
	"testing"

	cdx "github.com/CycloneDX/cyclonedx-go"

	"github.com/depsweep/depsweep/lockfiles"
)

// corpusInventories parses every corpus lockfile that parses and returns
// the inventories and the size of their lockfiles.
func corpusInventories(b *testing.B) ([]*lockfiles.Inventory, int64) {
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
	return invs, size
}

// BenchmarkSBOM builds and JSON-encodes the SBOM of every corpus lockfile
// that parses with New and Write, deterministic (parsing is outside the
// timer). One op is the whole corpus; MB/s is lockfile input per second.
func BenchmarkSBOM(b *testing.B) {
	invs, size := corpusInventories(b)
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

// BenchmarkSBOMDirWriter is BenchmarkSBOM the way DirWriter does it. With a
// random serial number (the default) each component is made as it is
// encoded and the encoding streamed ("random"); a deterministic serial
// number is derived while the BOM is encoded, so each BOM is encoded once
// ("deterministic").
func BenchmarkSBOMDirWriter(b *testing.B) {
	invs, size := corpusInventories(b)
	b.Run("random", func(b *testing.B) {
		opts := Options{Format: cdx.BOMFileFormatJSON, ToolVersion: "bench"}
		spec, err := opts.specVersion()
		if err != nil {
			b.Fatal(err)
		}
		b.SetBytes(size)
		b.ReportAllocs()
		for b.Loop() {
			for _, inv := range invs {
				bom, lz, err := buildLazy(inv, nil, opts)
				if err != nil {
					b.Fatal(err)
				}
				bom.SerialNumber = randomSerial()
				if err := writeJSONStream(io.Discard, withHeader(bom, spec), lz); err != nil {
					b.Fatal(err)
				}
			}
		}
	})
	b.Run("deterministic", func(b *testing.B) {
		opts := Options{Format: cdx.BOMFileFormatJSON, Deterministic: true, ToolVersion: "bench"}
		b.SetBytes(size)
		b.ReportAllocs()
		for b.Loop() {
			for _, inv := range invs {
				bom, err := build(inv, nil, opts)
				if err != nil {
					b.Fatal(err)
				}
				if err := write(io.Discard, bom, opts, true); err != nil {
					b.Fatal(err)
				}
			}
		}
	})
}

// BenchmarkSBOMSmall builds and encodes the SBOMs of the demo fleet's seven
// small lockfiles (4 to 45 packages) with repository provenance, as a sweep
// of small checkouts writes one per lockfile: per-BOM costs (metadata,
// buffers, serial number), not components, decide. One op is one BOM.
func BenchmarkSBOMSmall(b *testing.B) {
	var invs []*lockfiles.Inventory
	matches, _ := filepath.Glob("../testdata/demo-fleet/*/*.*")
	for _, p := range matches {
		if !lockfiles.IsLockfile(filepath.Base(p)) {
			continue
		}
		data, err := os.ReadFile(p)
		if err != nil {
			b.Fatal(err)
		}
		inv, err := lockfiles.Parse(lockfiles.Input{Path: filepath.ToSlash(p), Data: data, Project: lockfiles.DirFS(filepath.Dir(p))})
		if err != nil {
			b.Fatal(err)
		}
		invs = append(invs, inv)
	}
	if len(invs) != 7 {
		b.Fatalf("%d demo-fleet lockfiles, want 7", len(invs))
	}
	opts := Options{Format: cdx.BOMFileFormatJSON, Deterministic: true, ToolVersion: "bench",
		Provenance: &Provenance{Remote: "https://git.example.com/acme/svc.git", Commit: "0123456789abcdef0123456789abcdef01234567", Branch: "main"}}
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		bom, err := build(invs[i%len(invs)], nil, opts)
		if err != nil {
			b.Fatal(err)
		}
		if err := write(io.Discard, bom, opts, true); err != nil {
			b.Fatal(err)
		}
		i++
	}
}
