package lockfiles

import (
	"testing"

	"github.com/depsweep/depsweep/internal/lockref"
)

// BenchmarkParse measures our parsers against osv-scanner's pkg/lockfile on
// the same corpus files, per family (npm, yarn, pnpm). The MB/s column is the
// throughput over all files of the family; run with -benchmem for allocations.
func BenchmarkParse(b *testing.B) {
	files := loadCorpus(b)
	for _, fam := range []string{"npm", "yarn", "pnpm"} {
		var set []corpusFile
		var size int64
		for _, f := range files {
			if family(f.Path) == fam && !f.Broken() {
				set = append(set, f)
				size += int64(len(f.Data))
			}
		}
		b.Run(fam+"/depsweep", func(b *testing.B) {
			b.SetBytes(size)
			b.ReportAllocs()
			for b.Loop() {
				for _, f := range set {
					if _, err := Parse(Input{Path: f.Path, Data: f.Data}); err != nil {
						b.Fatal(err)
					}
				}
			}
		})
		b.Run(fam+"/pkg-lockfile", func(b *testing.B) {
			b.SetBytes(size)
			b.ReportAllocs()
			for b.Loop() {
				for _, f := range set {
					_, _ = lockref.Packages(f.Path, f.Data)
				}
			}
		})
	}
}
