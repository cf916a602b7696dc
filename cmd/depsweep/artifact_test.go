//go:build !go1.26

package main

import (
	"cmp"
	"os"
	"path/filepath"
	"testing"
)

// artifactDir is the directory for the test's output files. Go before 1.26
// has no testing.T.ArtifactDir: $DEPSWEEP_TEST_OUTPUT, or the temporary
// directory, which outlive the test.
func artifactDir(t *testing.T) string {
	dir := filepath.Join(cmp.Or(os.Getenv("DEPSWEEP_TEST_OUTPUT"), os.TempDir()), "depsweep-"+t.Name())
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	return dir
}
