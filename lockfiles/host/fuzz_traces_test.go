package host_test

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"

	"github.com/depsweep/depsweep/lockfiles/host"
)

// FuzzNpmLog: whatever a debug log holds, each package read from it has a
// name, a line within the file and the run's time, and a versionless one
// is unpinned. Seeded with the logs real npm 10 and 11 wrote.
func FuzzNpmLog(f *testing.F) {
	logs, _ := filepath.Glob("testdata/real/npm1*/home/.npm/_logs/*-debug-0.log")
	if len(logs) == 0 {
		f.Fatal("no npm debug logs under testdata/real (run testdata/real/gen.sh)")
	}
	for _, l := range logs {
		data, err := os.ReadFile(l)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(data)
	}
	f.Add([]byte(""))
	f.Add([]byte("7 verbose argv \"exec\" \"--\"\n8 http fetch GET 200 http://x/%zz/-/a-1.0.0.tgz 1ms\n9 http cache @http"))
	dir := f.TempDir()
	const rel = ".npm/_logs/2025-09-18T08_30_00_000Z-debug-0.log"
	f.Fuzz(func(t *testing.T, data []byte) {
		lines := bytes.Count(data, []byte{'\n'}) + 1
		for _, tr := range scanOne(t, dir, map[string][]byte{rel: data}) {
			if tr.Inventory.Format != host.FormatNpmLog {
				continue
			}
			for i, p := range tr.Inventory.Packages {
				if p.Name == "" || p.Line < 1 || p.Line > lines {
					t.Errorf("package %+v: want a name and a line in 1..%d", p, lines)
				}
				if p.Version == "" && !host.IsUnpinned(&p) {
					t.Errorf("package %s has no version and is not unpinned", p.Name)
				}
				if tr.Times[i].IsZero() || tr.TimeFrom[i] != host.FromLogName {
					t.Errorf("package %s: time %v from %q, want the log's", p.Name, tr.Times[i], tr.TimeFrom[i])
				}
			}
		}
	})
}
