package testcorpus

import (
	"path"
	"testing"
)

// TestLoad checks what every user of the corpus relies on: files in the
// three families, each with its format and content, and every broken file
// listed in BrokenPaths present in the manifest.
func TestLoad(t *testing.T) {
	files := Load(t)
	families := map[string]int{}
	seen := map[string]bool{}
	for _, f := range files {
		if f.Format == "" || len(f.Data) == 0 {
			t.Errorf("%s: format %q, %d bytes; want a format and content", f.Path, f.Format, len(f.Data))
		}
		if seen[f.Path] {
			t.Errorf("%s: listed twice", f.Path)
		}
		seen[f.Path] = true
		families[path.Base(f.Path)]++
	}
	for _, name := range []string{"package-lock.json", "yarn.lock", "pnpm-lock.yaml"} {
		if families[name] == 0 {
			t.Errorf("no %s in the corpus", name)
		}
	}
	for p := range BrokenPaths {
		if !seen[p] {
			t.Errorf("BrokenPaths lists %s, which the manifest does not", p)
		}
	}
	if again := Load(t); len(again) != len(files) || &again[0] != &files[0] {
		t.Errorf("Load read the corpus again: want the files of the first call")
	}
}
