package lockfiles

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/depsweep/depsweep/internal/testcorpus"
)

// pnpmView is the golden form of an Inventory: everything the parser keeps,
// with edges and deps spelled as name@version so a reviewer can read them.
type pnpmView struct {
	Format    string        `json:"format"`
	Importers []importerV   `json:"importers"`
	Packages  []packageView `json:"packages"`
	Edges     []string      `json:"edges,omitempty"`
	Problems  []string      `json:"problems,omitempty"`
}

type importerV struct {
	Path string   `json:"path"`
	Name string   `json:"name,omitempty"`
	Deps []string `json:"deps,omitempty"`
}

type packageView struct {
	ID        string `json:"id"`
	Alias     string `json:"alias,omitempty"`
	Source    Source `json:"source,omitempty"`
	Resolved  string `json:"resolved,omitempty"`
	Integrity string `json:"integrity,omitempty"`
	Patch     string `json:"patch,omitempty"`
	Dev       bool   `json:"dev,omitempty"`
	Optional  bool   `json:"optional,omitempty"`
	Line      int    `json:"line"`
}

func viewInventory(inv *Inventory) any {
	v := pnpmView{Format: inv.Format}
	id := func(i int) string { return inv.Packages[i].ID() }
	for _, imp := range inv.Importers {
		iv := importerV{Path: imp.Path, Name: imp.Name}
		for _, d := range imp.Deps {
			iv.Deps = append(iv.Deps, fmt.Sprintf("%s (%s)", id(d.To), d.Type))
		}
		v.Importers = append(v.Importers, iv)
	}
	for _, p := range inv.Packages {
		v.Packages = append(v.Packages, packageView{
			ID: p.ID(), Alias: p.Alias, Source: p.Source, Resolved: p.Resolved, Integrity: p.Integrity,
			Patch: p.Patch, Dev: p.Dev, Optional: p.Optional, Line: p.Line,
		})
	}
	for _, e := range inv.Edges {
		v.Edges = append(v.Edges, fmt.Sprintf("%s -> %s (%s)", id(e.From), id(e.To), e.Type))
	}
	for _, p := range inv.Problems {
		v.Problems = append(v.Problems, fmt.Sprintf("%d: %s", p.Line, p.Msg))
	}
	return v
}

// TestParsePnpm parses each testdata/lockfiles/pnpm/*.txtar case and
// compares the inventory with its want section (go test -run TestParsePnpm
// ./lockfiles -update rewrites them). A case whose want starts with "error:"
// expects Parse to fail with that message.
func TestParsePnpm(t *testing.T) {
	goldenFamily{dir: "pnpm", lockNames: []string{NamePnpmLock}, view: viewInventory}.run(t)
}

// TestPnpmFixtures checks the scope and via columns of TRUTH.tsv against
// lockfiles written by real pnpm 8 (lockfile 6.0) and pnpm 9 (9.0).
func TestPnpmFixtures(t *testing.T) {
	for _, tc := range []struct{ dir, format string }{
		{"pnpm8-direct-lock6", "pnpm-6.0"},
		{"pnpm9-clean-lock9", "pnpm-9.0"},
	} {
		t.Run(tc.dir, func(t *testing.T) {
			dir := filepath.Join("../testdata/fixtures", tc.dir)
			data, err := os.ReadFile(filepath.Join(dir, NamePnpmLock))
			if err != nil {
				t.Fatal(err)
			}
			inv, err := Parse(Input{Path: tc.dir + "/" + NamePnpmLock, Data: data, Project: os.DirFS(dir)})
			if err != nil {
				t.Fatal(err)
			}
			checkInvariants(t, inv)
			if inv.Format != tc.format {
				t.Errorf("Format = %q, want %q", inv.Format, tc.format)
			}
			if len(inv.Problems) > 0 {
				t.Errorf("problems: %v", inv.Problems)
			}
			if inv.Root().Name == "" {
				t.Errorf("root importer has no name from package.json")
			}
			for _, r := range testcorpus.TruthCase(t, tc.dir) {
				i := findPackage(inv, r.Package, r.Version)
				if i < 0 {
					t.Errorf("%s@%s not found", r.Package, r.Version)
					continue
				}
				p := inv.Packages[i]
				if scope := map[bool]string{true: "dev", false: "prod"}[p.Dev]; scope != r.Scope {
					t.Errorf("%s scope = %s, want %s", p.ID(), scope, r.Scope)
				}
				if p.Source != SourceRegistry {
					t.Errorf("%s source = %q, want registry", p.ID(), p.Source)
				}
				if len(ParseIntegrity(p.Integrity)) != 1 {
					t.Errorf("%s integrity %q does not parse", p.ID(), p.Integrity)
				}
				if p.Line == 0 || !bytes.HasPrefix(lineOf(data, p.Line), []byte("  ")) || !bytes.Contains(lineOf(data, p.Line), []byte(p.Name+"@"+p.Version)) {
					t.Errorf("%s line %d = %q, want its packages entry", p.ID(), p.Line, lineOf(data, p.Line))
				}
				_, chain, ok := inv.Paths().Chain(i)
				if !ok {
					t.Errorf("%s: no chain from an importer", p.ID())
					continue
				}
				switch {
				case r.Via == "direct":
					if !inv.Paths().Direct(i) || len(chain) != 1 {
						t.Errorf("%s: direct = %v, chain %v, want direct", p.ID(), inv.Paths().Direct(i), chain)
					}
				case strings.HasPrefix(r.Via, "transitive:"):
					parent := strings.TrimPrefix(r.Via, "transitive:")
					if inv.Paths().Direct(i) || len(chain) < 2 || inv.Packages[chain[len(chain)-2]].ID() != parent {
						t.Errorf("%s: chain %v, want via %s", p.ID(), chainIDs(inv, chain), parent)
					}
				default:
					t.Errorf("unhandled via %q", r.Via)
				}
			}
		})
	}
}

func findPackage(inv *Inventory, name, version string) int {
	for i, p := range inv.Packages {
		if p.Name == name && p.Version == version {
			return i
		}
	}
	return -1
}

func chainIDs(inv *Inventory, chain []int) []string {
	var out []string
	for _, i := range chain {
		out = append(out, inv.Packages[i].ID())
	}
	return out
}

func lineOf(data []byte, n int) []byte {
	lines := bytes.Split(data, []byte("\n"))
	if n < 1 || n > len(lines) {
		return nil
	}
	return lines[n-1]
}

// TestPnpmLineEndings checks that CRLF line endings and a byte order mark
// change nothing but bytes.
func TestPnpmLineEndings(t *testing.T) {
	data, err := os.ReadFile("../testdata/fixtures/pnpm8-direct-lock6/pnpm-lock.yaml")
	if err != nil {
		t.Fatal(err)
	}
	want, err := Parse(Input{Path: NamePnpmLock, Data: data})
	if err != nil {
		t.Fatal(err)
	}
	crlf := append([]byte("\ufeff"), bytes.ReplaceAll(data, []byte("\n"), []byte("\r\n"))...)
	got, err := Parse(Input{Path: NamePnpmLock, Data: crlf})
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("CRLF+BOM parse differs:\n%s\nwant\n%s", goldenJSON(viewInventory(got)), goldenJSON(viewInventory(want)))
	}
}

// TestPnpmErrors checks inputs that yield nothing usable: Parse fails with
// a position, and never echoes the content.
func TestPnpmErrors(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"", "pnpm-lock.yaml:1:1: not a pnpm lockfile: no lockfileVersion"},
		{"null\n", "pnpm-lock.yaml:1:1: not a pnpm lockfile: no lockfileVersion"},
		{"[]\n", "pnpm-lock.yaml:1:1: not a pnpm lockfile: no lockfileVersion"},
		{"\n\nsecret: value\n", "pnpm-lock.yaml:3:1: not a pnpm lockfile: no lockfileVersion"},
		{"a: &x [1]\nb: *x\n", "pnpm-lock.yaml:1:4: not a pnpm lockfile: no lockfileVersion"},
		{"\tlockfileVersion: '9.0'\n", "pnpm-lock.yaml:1:1: not a pnpm lockfile: no lockfileVersion"},
	} {
		_, err := Parse(Input{Path: NamePnpmLock, Data: []byte(tc.in)})
		if err == nil || err.Error() != tc.want {
			t.Errorf("Parse(%q) error = %v, want %q", tc.in, err, tc.want)
		}
	}
}

// TestPnpmSplitKey covers the dependency-path forms of each lockfile version.
func TestPnpmSplitKey(t *testing.T) {
	for _, tc := range []struct {
		v5                  bool
		key                 string
		base, name, version string
	}{
		{true, "/ms/2.1.3", "/ms/2.1.3", "ms", "2.1.3"},
		{true, "/@babel/core/7.0.0_supports-color@8.1.1", "/@babel/core/7.0.0", "@babel/core", "7.0.0"},
		{true, "/a/1.0.0_@types+node@18.0.0+b@1.0.0", "/a/1.0.0", "a", "1.0.0"},
		{true, "github.com/vercel/pkg/7e4fef9_pp6fkuhwkrqq7cjcj7uqpf37e4", "github.com/vercel/pkg/7e4fef9", "", ""},
		// A registry host in front, read as pnpm's dependency-path parser does.
		{true, "registry.example.com/ms/2.1.3", "registry.example.com/ms/2.1.3", "ms", "2.1.3"},
		{true, "registry.npmjs.org/@foo/bar/1.1.0", "registry.npmjs.org/@foo/bar/1.1.0", "@foo/bar", "1.1.0"},
		{true, "example.com/foo/1.3.0_bar@2.0.0", "example.com/foo/1.3.0", "foo", "1.3.0"},
		{true, "127.0.0.1+4873/@foo/bar/1.0.0-rc.1_baz@1.0.0", "127.0.0.1+4873/@foo/bar/1.0.0-rc.1", "@foo/bar", "1.0.0-rc.1"},
		// Not a semantic version: no name and version (pnpm's parser gives none).
		{true, "/foo/bar", "/foo/bar", "", ""},
		{true, "github.com/kevva/is-positive", "github.com/kevva/is-positive", "", ""},
		{false, "/ms@2.1.3", "ms@2.1.3", "ms", "2.1.3"},
		{false, "/@jimp/plugin-blit@0.22.10(@jimp/custom@0.22.10)", "@jimp/plugin-blit@0.22.10", "@jimp/plugin-blit", "0.22.10"},
		{false, "a@1.0.0(b@2.0.0(c@3.0.0))(@s/d@4.0.0)", "a@1.0.0", "a", "1.0.0"},
		{false, "@scope/x@1.0.0-rc.1(patch_hash=abc)", "@scope/x@1.0.0-rc.1", "@scope/x", "1.0.0-rc.1"},
		{false, "node@runtime:26.7.0", "node@runtime:26.7.0", "node", "runtime:26.7.0"},
		{false, "github.com/vercel/pkg/7e4fef9(patch_hash=x)", "github.com/vercel/pkg/7e4fef9", "", ""},
	} {
		p := &pnpmParser{v5: tc.v5}
		base, name, version := p.splitKey(tc.key)
		if base != tc.base || name != tc.name || version != tc.version {
			t.Errorf("splitKey(%q) = %q, %q, %q, want %q, %q, %q", tc.key, base, name, version, tc.base, tc.name, tc.version)
		}
	}
}

// FuzzParsePnpm checks that the parser never panics, that an error names
// its position, that what it accepts keeps the inventory invariants, and
// that accepted input parses the same way twice: the parser keeps no state
// between files and its output does not depend on map order.
func FuzzParsePnpm(f *testing.F) {
	fuzzSeeds(f, "pnpm")
	txtarSeeds(f, "pnpm", NamePnpmLock)
	f.Fuzz(func(t *testing.T, data []byte) {
		inv, err := parsePnpm(Input{Path: NamePnpmLock, Data: data})
		if err != nil {
			var pe *ParseError
			if !asParseError(err, &pe) || pe.Line == 0 || pe.Col == 0 {
				t.Fatalf("error without a position: %v", err)
			}
			if _, again := parsePnpm(Input{Path: NamePnpmLock, Data: data}); again == nil || again.Error() != err.Error() {
				t.Fatalf("second parse: error %v, first %v", again, err)
			}
			return
		}
		again, err := parsePnpm(Input{Path: NamePnpmLock, Data: bytes.Clone(data)})
		if err != nil {
			t.Fatalf("second parse failed: %v", err)
		}
		if !reflect.DeepEqual(inv, again) {
			t.Fatalf("second parse differs:\n%s\nfirst:\n%s", goldenJSON(viewInventory(again)), goldenJSON(viewInventory(inv)))
		}
		inv.Root()
		checkInvariants(t, inv)
		for _, p := range inv.Problems {
			if p.Line < 1 {
				t.Fatalf("problem without a line: %+v", p)
			}
		}
	})
}
