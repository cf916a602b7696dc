package lockfiles

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/rogpeppe/go-internal/txtar"

	"github.com/depsweep/depsweep/internal/testcorpus"
)

// yarnGolden is the readable form of an Inventory that the want sections
// of testdata/lockfiles/yarn/*.txtar hold: indexes become name@version.
type yarnGolden struct {
	Format    string
	Importers []yarnGoldenImporter
	Packages  []yarnGoldenPackage
	Problems  []string `json:",omitempty"`
}

type yarnGoldenImporter struct {
	Path    string
	Name    string   `json:",omitempty"`
	Version string   `json:",omitempty"`
	Deps    []string `json:",omitempty"`
}

type yarnGoldenPackage struct {
	ID        string
	Alias     string `json:",omitempty"`
	Source    Source `json:",omitempty"`
	Resolved  string `json:",omitempty"`
	Integrity string `json:",omitempty"`
	Checksum  string `json:",omitempty"`
	Patch     string `json:",omitempty"`
	Line      int
	Dev       bool     `json:",omitempty"`
	Optional  bool     `json:",omitempty"`
	Deps      []string `json:",omitempty"`
}

func yarnGoldenOf(inv *Inventory) yarnGolden {
	g := yarnGolden{Format: inv.Format}
	id := func(i int) string { return inv.Packages[i].ID() }
	for _, imp := range inv.Importers {
		gi := yarnGoldenImporter{Path: imp.Path, Name: imp.Name, Version: imp.Version}
		for _, d := range imp.Deps {
			gi.Deps = append(gi.Deps, id(d.To)+" "+d.Type.String())
		}
		g.Importers = append(g.Importers, gi)
	}
	for i, p := range inv.Packages {
		gp := yarnGoldenPackage{ID: p.ID(), Alias: p.Alias, Source: p.Source, Resolved: p.Resolved,
			Integrity: p.Integrity, Checksum: p.Checksum, Patch: p.Patch, Line: p.Line, Dev: p.Dev, Optional: p.Optional}
		for _, e := range inv.Edges {
			if e.From == i {
				gp.Deps = append(gp.Deps, id(e.To)+" "+e.Type.String())
			}
		}
		g.Packages = append(g.Packages, gp)
	}
	for _, pr := range inv.Problems {
		g.Problems = append(g.Problems, fmt.Sprintf("%d: %s", pr.Line, pr.Msg))
	}
	return g
}

// TestParseYarn parses each testdata/lockfiles/yarn/*.txtar case (a
// yarn.lock, optional manifests, and the wanted inventory or error) and
// compares. go test ./lockfiles -run TestParseYarn -update rewrites want.
func TestParseYarn(t *testing.T) {
	goldenFamily{dir: "yarn", lockNames: []string{NameYarnLock}, view: func(inv *Inventory) any { return yarnGoldenOf(inv) }}.run(t)
}

// yarnParseFixture parses a lockfile of testdata/fixtures with its project
// directory.
func yarnParseFixture(t *testing.T, dir, name string) *Inventory {
	t.Helper()
	root := filepath.Join("..", "testdata", "fixtures", dir)
	data, err := os.ReadFile(filepath.Join(root, name))
	if err != nil {
		t.Fatal(err)
	}
	inv, err := Parse(Input{Path: name, Data: data, Project: os.DirFS(root)})
	if err != nil {
		t.Fatal(err)
	}
	checkInvariants(t, inv)
	return inv
}

// yarnVia describes how package i is reached, in TRUTH.tsv's terms: direct,
// transitive:PARENT@VERSION, workspace:PATH, alias:KEY.
func yarnVia(inv *Inventory, i int) string {
	imp, chain, ok := inv.Paths().Chain(i)
	if !ok {
		return "unreachable"
	}
	p := inv.Packages[i]
	switch {
	case p.Alias != "":
		return "alias:" + p.Alias
	case len(chain) > 1:
		return "transitive:" + inv.Packages[chain[len(chain)-2]].ID()
	case imp > 0:
		return "workspace:" + inv.Importers[imp].Path
	}
	if !inv.Paths().Direct(i) {
		return "not direct"
	}
	return "direct"
}

// TestYarnFixtures checks the yarn cases of TRUTH.tsv: each listed package
// is present with the scope and path the real clients gave it.
func TestYarnFixtures(t *testing.T) {
	for _, dir := range []string{"yarn1-workspaces", "berry4-nm-dev-scoped"} {
		inv := yarnParseFixture(t, dir, "yarn.lock")
		for _, row := range testcorpus.TruthCase(t, dir) {
			if row.File != "yarn.lock" {
				continue
			}
			found := false
			for i, p := range inv.Packages {
				if p.Name != row.Package || p.Version != row.Version {
					continue
				}
				found = true
				scope := "prod"
				if p.Dev {
					scope = "dev"
				}
				if scope != row.Scope {
					t.Errorf("%s: %s scope = %s, want %s", dir, p.ID(), scope, row.Scope)
				}
				if got := yarnVia(inv, i); got != row.Via {
					t.Errorf("%s: yarnVia(%s) = %q, want %q", dir, p.ID(), got, row.Via)
				}
				if !p.Source.FromRegistry() {
					t.Errorf("%s: %s source = %q, want registry", dir, p.ID(), p.Source)
				}
			}
			if !found {
				t.Errorf("%s: %s@%s not parsed", dir, row.Package, row.Version)
			}
		}
	}
}

// TestYarnFixtureDetails checks what TRUTH.tsv does not say: formats,
// importers, hashes kept in the right field.
func TestYarnFixtureDetails(t *testing.T) {
	classic := yarnParseFixture(t, "yarn1-workspaces", "yarn.lock")
	if classic.Format != "yarn-v1" {
		t.Errorf("classic format = %q, want yarn-v1", classic.Format)
	}
	var paths []string
	for _, imp := range classic.Importers {
		paths = append(paths, imp.Path+"="+imp.Name)
	}
	if got, want := strings.Join(paths, " "), ".=fx-yarn1-monorepo packages/api=@fx/api packages/ui=@fx/ui"; got != want {
		t.Errorf("classic importers = %q, want %q", got, want)
	}
	for _, p := range classic.Packages {
		if !strings.HasPrefix(p.Integrity, "sha512-") || p.Checksum != "" {
			t.Errorf("classic %s: integrity %q checksum %q, want sha512 integrity and no checksum", p.ID(), p.Integrity, p.Checksum)
		}
	}
	berry := yarnParseFixture(t, "berry4-nm-dev-scoped", "yarn.lock")
	if berry.Format != "yarn-berry-v10" {
		t.Errorf("berry format = %q, want yarn-berry-v10", berry.Format)
	}
	if r := berry.Root(); r.Name != "fx-berry-nm" || r.Version != "1.0.0" || len(r.Deps) != 4 {
		t.Errorf("berry root = %+v, want fx-berry-nm 1.0.0 with 4 deps", r)
	}
	for _, p := range berry.Packages {
		if p.Integrity != "" || !strings.HasPrefix(p.Checksum, "10c0/") {
			t.Errorf("berry %s: integrity %q checksum %q, want the checksum only", p.ID(), p.Integrity, p.Checksum)
		}
	}
}

// TestParseYarnErrors checks that junk is an error naming the file, line
// and column, and that what a yarn client accepts is not.
func TestParseYarnErrors(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want string // error, "" for none
	}{
		{"null", "yarn.lock:1:1: not a yarn.lock: entry key does not end with a colon"},
		{"\x00\x01\x02garbage\n", "yarn.lock:1:1: not a yarn.lock: entry key does not end with a colon"},
		{"{}", "yarn.lock:1:1: not a yarn.lock: entry key does not end with a colon"},
		{"foo:\n", "yarn.lock:1:1: no usable entry: entry has no version"},
		{"  version \"1.0.0\"\n", "yarn.lock:1:3: not a yarn.lock: indented line outside an entry"},
		{"\"a@^1:\n  version \"1\"\n", "yarn.lock:1:1: no usable entry: unterminated quoted string in entry key"},
		{"__metadata:\n  version: x\n", "yarn.lock:1:1: no usable entry: __metadata has no numeric version"},
		{"", ""},
		{"# yarn lockfile v1\n", ""},
		{"\ufeff# yarn lockfile v1\r\n\r\na@^1:\r\n  version \"1.0.0\"\r\n", ""},
	} {
		_, err := Parse(Input{Path: "yarn.lock", Data: []byte(tc.in)})
		got := ""
		if err != nil {
			got = err.Error()
		}
		if got != tc.want {
			t.Errorf("Parse(%q) error = %q, want %q", tc.in, got, tc.want)
		}
	}
}

// TestYarnCorpusEdges checks that dependencies resolve to entries on every
// yarn file of the corpus: nearly all (berry drops the declared range of a
// dependency rewritten by resolutions, which leaves a few ambiguous), and
// every package has a line.
func TestYarnCorpusEdges(t *testing.T) {
	n := 0
	for _, f := range loadCorpus(t) {
		if family(f.Path) != "yarn" {
			continue
		}
		n++
		s := string(f.Data)
		p := newYarnParser(s)
		p.read(s)
		b := yarnBuilder{p: p, inv: &Inventory{}, project: Input{Path: f.Path}}
		b.build()
		if len(p.problems) > 0 {
			t.Errorf("%s: %d problems, first at line %d: %s", f.Path, len(p.problems), p.problems[0].line, p.problems[0].msg)
		}
		total := len(b.inv.Edges) + b.unresolved
		if b.unresolved*100 > total {
			t.Errorf("%s: %d of %d dependencies match no entry", f.Path, b.unresolved, total)
		}
		for _, pkg := range b.inv.Packages {
			if pkg.Line == 0 {
				t.Errorf("%s: %s has no line", f.Path, pkg.ID())
				break
			}
		}
	}
	if n == 0 {
		t.Fatal("no yarn files in the corpus")
	}
}

// FuzzParseYarn checks that the parser never panics (Parse turns a panic
// into an error, which fails here), that every error is a *ParseError
// naming the file and the line and column of the problem, and that what it
// accepts keeps the inventory invariants, with a line for each problem.
func FuzzParseYarn(f *testing.F) {
	fuzzSeeds(f, "yarn")
	txtarSeeds(f, "yarn", NameYarnLock)
	f.Fuzz(func(t *testing.T, data []byte) {
		inv, err := Parse(Input{Path: NameYarnLock, Data: data})
		if err != nil {
			if strings.Contains(err.Error(), "panicked") {
				t.Fatal(err)
			}
			var pe *ParseError
			if !asParseError(err, &pe) || pe.Path != NameYarnLock || pe.Line < 1 || pe.Col < 1 {
				t.Fatalf("error %q is not a *ParseError naming the file, line and column", err)
			}
			return
		}
		checkInvariants(t, inv)
		for _, p := range inv.Problems {
			if p.Line < 1 {
				t.Fatalf("problem without a line: %+v", p)
			}
		}
	})
}

// TestParseYarnLineEndings checks that CRLF line endings and a UTF-8 BOM,
// which editors on Windows leave behind, give the same inventory as the
// file yarn wrote.
func TestParseYarnLineEndings(t *testing.T) {
	for _, name := range []string{"basic.v1.txtar", "workspaces.berry-v10.txtar"} {
		ar, err := txtar.ParseFile(filepath.Join("../testdata/lockfiles/yarn", name))
		if err != nil {
			t.Fatal(err)
		}
		var lock []byte
		for _, f := range ar.Files {
			if f.Name == "yarn.lock" {
				lock = f.Data
			}
		}
		if lock == nil {
			t.Fatalf("%s has no yarn.lock", name)
		}
		want, err := Parse(Input{Path: "yarn.lock", Data: lock})
		if err != nil {
			t.Fatal(err)
		}
		crlf := append([]byte("\ufeff"), bytes.ReplaceAll(lock, []byte("\n"), []byte("\r\n"))...)
		got, err := Parse(Input{Path: "yarn.lock", Data: crlf})
		if err != nil {
			t.Fatalf("%s with CRLF and BOM: %v", name, err)
		}
		g, _ := json.Marshal(yarnGoldenOf(got))
		w, _ := json.Marshal(yarnGoldenOf(want))
		if !bytes.Equal(g, w) {
			t.Errorf("%s with CRLF and BOM =\n%s\nwant\n%s", name, g, w)
		}
	}
}

// TestYarnManyOptionalMarks checks dependenciesMeta with more marks than the
// linear scan handles (the set path): marked dependencies are optional,
// the others not.
func TestYarnManyOptionalMarks(t *testing.T) {
	var b strings.Builder
	b.WriteString("__metadata:\n  version: 8\n\n\"app@npm:1.0.0\":\n  version: 1.0.0\n  resolution: \"app@npm:1.0.0\"\n  dependencies:\n")
	for i := range 12 {
		fmt.Fprintf(&b, "    d%d: \"npm:1.0.0\"\n", i)
	}
	b.WriteString("  dependenciesMeta:\n")
	for i := range 10 {
		fmt.Fprintf(&b, "    d%d:\n      optional: true\n", i)
	}
	for i := range 12 {
		fmt.Fprintf(&b, "\n\"d%d@npm:1.0.0\":\n  version: 1.0.0\n  resolution: \"d%d@npm:1.0.0\"\n", i, i)
	}
	inv, err := Parse(Input{Path: "yarn.lock", Data: []byte(b.String())})
	if err != nil {
		t.Fatal(err)
	}
	if len(inv.Edges) != 12 {
		t.Fatalf("%d edges, want 12", len(inv.Edges))
	}
	for _, e := range inv.Edges {
		name := inv.Packages[e.To].Name
		want := DepOptional
		if name == "d10" || name == "d11" {
			want = DepProd
		}
		if e.Type != want {
			t.Errorf("edge to %s = %v, want %v", name, e.Type, want)
		}
	}
}
