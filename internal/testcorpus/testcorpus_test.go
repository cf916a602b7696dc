package testcorpus

import (
	"os"
	"path"
	"path/filepath"
	"slices"
	"strings"
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

// TestTruth checks what the readers of TRUTH.tsv rely on: every row names
// a fixture case that exists, with a known expectation, scope and via.
func TestTruth(t *testing.T) {
	rows := Truth(t)
	dir := Fixtures(t)
	flags := 0
	for _, r := range rows {
		if _, err := os.Stat(filepath.Join(dir, r.Case, filepath.FromSlash(r.File))); err != nil {
			t.Errorf("%s: %v", r.Case, err)
		}
		switch r.Expected {
		case "flag":
			flags++
		case "clean":
		default:
			t.Errorf("%s %s@%s: expected %q, want flag or clean", r.Case, r.Package, r.Version, r.Expected)
		}
		if r.Scope != "prod" && r.Scope != "dev" {
			t.Errorf("%s %s@%s: scope %q, want prod or dev", r.Case, r.Package, r.Version, r.Scope)
		}
		if via, _, _ := strings.Cut(r.Via, ":"); !slices.Contains([]string{"direct", "transitive", "workspace", "alias"}, via) {
			t.Errorf("%s %s@%s: via %q", r.Case, r.Package, r.Version, r.Via)
		}
	}
	if flags == 0 {
		t.Error("TRUTH.tsv flags nothing")
	}
	if got := TruthCase(t, rows[0].Case); len(got) == 0 || got[0] != rows[0] {
		t.Errorf("TruthCase(%s) = %v, want its rows from the first", rows[0].Case, got)
	}
}
