package lockfiles

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/rogpeppe/go-internal/txtar"
)

// A goldenFamily is one parser's golden cases, testdata/lockfiles/DIR/*.txtar:
// each holds a lockfile section (named by one of lockNames), optional
// project files (package.json, workspace manifests) that become the
// project directory, and a want section with the parsed inventory in the
// family's golden form, or "error: MSG" for a file the parser must refuse.
type goldenFamily struct {
	dir       string
	lockNames []string
	view      func(*Inventory) any // the golden form, encoded by goldenJSON
}

// run parses every case of the family in a subtest and compares the
// result with its want section; go test ./lockfiles -update rewrites the
// want sections (adding one where a case has none). A family without
// cases fails.
func (g goldenFamily) run(t *testing.T) {
	t.Helper()
	dir := filepath.Join("..", "testdata", "lockfiles", g.dir)
	files, err := filepath.Glob(filepath.Join(dir, "*.txtar"))
	if err != nil {
		t.Fatal(err)
	}
	if len(files) == 0 {
		t.Fatalf("no cases in %s", dir)
	}
	for _, file := range files {
		t.Run(strings.TrimSuffix(filepath.Base(file), ".txtar"), func(t *testing.T) {
			ar, err := txtar.ParseFile(file)
			if err != nil {
				t.Fatal(err)
			}
			var in Input
			project := fstest.MapFS{}
			want := -1
			for i, f := range ar.Files {
				switch {
				case f.Name == "want":
					want = i
				case in.Path == "" && slices.Contains(g.lockNames, f.Name):
					in.Path, in.Data = f.Name, f.Data
				default:
					project[f.Name] = &fstest.MapFile{Data: f.Data}
				}
			}
			if in.Path == "" {
				t.Fatalf("%s: no lockfile section (want one of %q)", file, g.lockNames)
			}
			if len(project) > 0 {
				in.Project = project
			}
			var got []byte
			inv, err := Parse(in)
			if err != nil {
				got = []byte("error: " + err.Error() + "\n")
			} else {
				checkInvariants(t, inv)
				got = goldenJSON(g.view(inv))
			}
			if *update {
				if want < 0 {
					ar.Files = append(ar.Files, txtar.File{Name: "want"})
					want = len(ar.Files) - 1
				}
				ar.Files[want].Data = got
				if err := os.WriteFile(file, txtar.Format(ar), 0o644); err != nil {
					t.Fatal(err)
				}
				return
			}
			if want < 0 {
				t.Fatalf("%s: no want section (go test ./lockfiles -update adds it)", file)
			}
			if !bytes.Equal(got, ar.Files[want].Data) {
				t.Errorf("Parse(%s) differs from its want section (go test ./lockfiles -run %s -update to accept)\ngot:\n%s\nwant:\n%s",
					file, t.Name(), got, ar.Files[want].Data)
			}
		})
	}
}

// goldenJSON encodes a golden form: two-space indent, no HTML escaping,
// a final newline.
func goldenJSON(v any) []byte {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	if err := enc.Encode(v); err != nil {
		panic(err)
	}
	return b.Bytes()
}

// txtarSection returns section name of the txtar archive file, failing tb
// when the archive has no such section.
func txtarSection(tb testing.TB, file, name string) []byte {
	tb.Helper()
	ar, err := txtar.ParseFile(file)
	if err != nil {
		tb.Fatal(err)
	}
	for _, f := range ar.Files {
		if f.Name == name {
			return f.Data
		}
	}
	tb.Fatalf("%s has no %s section", file, name)
	return nil
}

// txtarSeeds adds section name of every testdata/lockfiles/DIR/*.txtar case
// to the fuzz corpus, failing when the glob matches no case or a case has
// no such section.
func txtarSeeds(f *testing.F, dir, name string) {
	f.Helper()
	files, err := filepath.Glob(filepath.Join("..", "testdata", "lockfiles", dir, "*.txtar"))
	if err != nil {
		f.Fatal(err)
	}
	if len(files) == 0 {
		f.Fatalf("no txtar seeds in testdata/lockfiles/%s", dir)
	}
	for _, file := range files {
		f.Add(txtarSection(f, file, name))
	}
}
