package lockfiles

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path"
	"path/filepath"
	"strings"
	"testing"

	"github.com/depsweep/depsweep/internal/testcorpus"
)

// npmGoldenInventory is the golden form of an Inventory: package indexes
// replaced by name@version so that a diff reads as a change of meaning.
type npmGoldenInventory struct {
	Format    string              `json:"format"`
	Importers []npmGoldenImporter `json:"importers"`
	Packages  []npmGoldenPackage  `json:"packages"`
	Problems  []Problem           `json:"problems,omitempty"`
}

type npmGoldenImporter struct {
	Path    string   `json:"path"`
	Name    string   `json:"name,omitempty"`
	Version string   `json:"version,omitempty"`
	Deps    []string `json:"deps,omitempty"`
}

type npmGoldenPackage struct {
	ID        string   `json:"id"`
	Alias     string   `json:"alias,omitempty"`
	Source    Source   `json:"source,omitempty"`
	Resolved  string   `json:"resolved,omitempty"`
	Integrity string   `json:"integrity,omitempty"`
	Flags     []string `json:"flags,omitempty"`
	Paths     []string `json:"paths,omitempty"`
	Line      int      `json:"line"`
	Deps      []string `json:"deps,omitempty"`
}

func npmGolden(inv *Inventory) any {
	g := npmGoldenInventory{Format: inv.Format, Problems: inv.Problems}
	ref := func(i int, t DepType) string {
		return fmt.Sprintf("%s %s", inv.Packages[i].ID(), t)
	}
	for _, imp := range inv.Importers {
		gi := npmGoldenImporter{Path: imp.Path, Name: imp.Name, Version: imp.Version}
		for _, d := range imp.Deps {
			gi.Deps = append(gi.Deps, ref(d.To, d.Type))
		}
		g.Importers = append(g.Importers, gi)
	}
	for i, p := range inv.Packages {
		gp := npmGoldenPackage{ID: p.ID(), Alias: p.Alias, Source: p.Source, Resolved: p.Resolved,
			Integrity: p.Integrity, Paths: p.Paths, Line: p.Line}
		for _, f := range []struct {
			on   bool
			name string
		}{{p.Dev, "dev"}, {p.Optional, "optional"}, {p.Peer, "peer"}, {p.Bundled, "bundled"}} {
			if f.on {
				gp.Flags = append(gp.Flags, f.name)
			}
		}
		for _, e := range inv.Edges {
			if e.From == i {
				gp.Deps = append(gp.Deps, ref(e.To, e.Type))
			}
		}
		g.Packages = append(g.Packages, gp)
	}
	return g
}

// npmLockNames are the txtar sections that hold the lockfile of a case.
var npmLockNames = []string{NamePackageLock, NameShrinkwrap, "node_modules/" + NameHiddenLock}

// TestParseNPM parses each testdata/lockfiles/npm/*.txtar case: its
// lockfile section (with the other sections as the project directory) and
// compares the result, or the error, with the want section.
func TestParseNPM(t *testing.T) {
	goldenFamily{dir: "npm", lockNames: npmLockNames, view: npmGolden}.run(t)
}

// reaches reports which importers reach package i.
func npmReaches(inv *Inventory, i int) []string {
	var out []string
	adj := inv.adjacency()
	for _, imp := range inv.Importers {
		seen := make([]bool, len(inv.Packages))
		var queue []int
		for _, d := range imp.Deps {
			if !seen[d.To] {
				seen[d.To] = true
				queue = append(queue, d.To)
			}
		}
		for len(queue) > 0 {
			n := queue[0]
			queue = queue[1:]
			for _, ei := range adj[n] {
				if to := inv.Edges[ei].To; !seen[to] {
					seen[to] = true
					queue = append(queue, to)
				}
			}
		}
		if seen[i] {
			out = append(out, imp.Path)
		}
	}
	return out
}

// TestNPMFixtures checks the package-lock.json rows of TRUTH.tsv against the
// real npm fixtures: the package is there, with the recorded scope, reached
// the recorded way.
func TestNPMFixtures(t *testing.T) {
	var rows []testcorpus.TruthRow
	for _, r := range testcorpus.Truth(t) {
		if r.File == NamePackageLock {
			rows = append(rows, r)
		}
	}
	if len(rows) < 6 {
		t.Fatalf("TRUTH.tsv has %d package-lock.json rows, want at least 6", len(rows))
	}
	for _, row := range rows {
		dir := filepath.Join("../testdata/fixtures", row.Case)
		data, err := os.ReadFile(filepath.Join(dir, row.File))
		if err != nil {
			t.Fatal(err)
		}
		inv, err := Parse(Input{Path: row.Case + "/" + row.File, Data: data, Project: os.DirFS(dir)})
		if err != nil {
			t.Fatal(err)
		}
		checkInvariants(t, inv)
		idx := -1
		for i, p := range inv.Packages {
			if p.Name == row.Package && p.Version == row.Version {
				idx = i
			}
		}
		id := row.Case + ": " + row.Package + "@" + row.Version
		if idx < 0 {
			t.Errorf("%s: not found", id)
			continue
		}
		p := inv.Packages[idx]
		if p.Source != SourceRegistry {
			t.Errorf("%s: Source = %q, want registry", id, p.Source)
		}
		if got := map[bool]string{true: "dev", false: "prod"}[p.Dev]; got != row.Scope {
			t.Errorf("%s: scope = %s, want %s", id, got, row.Scope)
		}
		imp, chain, ok := inv.Paths().Chain(idx)
		if !ok {
			t.Errorf("%s: no importer reaches it", id)
			continue
		}
		kind, arg, _ := strings.Cut(row.Via, ":")
		switch kind {
		case "direct":
			if len(chain) != 1 || !inv.Paths().Direct(idx) {
				t.Errorf("%s: chain %v, want direct", id, chain)
			}
		case "transitive":
			if len(chain) < 2 || inv.Packages[chain[len(chain)-2]].ID() != arg {
				t.Errorf("%s: chain %v, want it through %s", id, npmChainIDs(inv, chain), arg)
			}
		case "alias":
			if p.Alias != arg || len(chain) != 1 {
				t.Errorf("%s: alias %q (chain %v), want direct as %q", id, p.Alias, npmChainIDs(inv, chain), arg)
			}
		case "workspace":
			if got := npmReaches(inv, idx); inv.Importers[imp].Path != arg || len(got) != 1 {
				t.Errorf("%s: reached from importers %q (chain from %q), want only %q", id, got, inv.Importers[imp].Path, arg)
			}
		default:
			t.Errorf("%s: unknown via %q", id, row.Via)
		}
	}
}

func npmChainIDs(inv *Inventory, chain []int) []string {
	var out []string
	for _, i := range chain {
		out = append(out, inv.Packages[i].ID())
	}
	return out
}

// TestParseNPMBadInput checks that degenerate and broken inputs give an
// error naming the file, line and column, and that odd but valid encodings
// parse.
func TestParseNPMBadInput(t *testing.T) {
	deep := strings.Repeat(`{"a":`, 5000) + "1" + strings.Repeat("}", 5000)
	for _, tc := range []struct {
		name, data string
		line, col  int // 0: must parse
	}{
		{"empty", "", 1, 1},
		{"null", "null", 1, 1},
		{"array", "[]", 1, 1},
		{"string", `""`, 1, 1},
		{"number", "3", 1, 1},
		{"garbage", "\x00", 1, 1},
		{"truncated", "{\n  \"lockfileVersion\": 3,\n  \"packages\": {\n    \"node_modules/a\": {\"version\": \"1", 4, 37},
		{"trailing", "{}\n}", 2, 1},
		{"deep", deep, 1, 5001},
		{"bad escape", `{"name": "a\q"}`, 1, 12},
		{"raw newline in string", "{\"name\": \"a\nb\"}", 1, 12},
		{"packages not an object", `{"packages": []}`, 1, 14},
		{"entry not an object", "{\"packages\": {\n\"node_modules/a\": 1}}", 2, 19},
		{"version not a string", `{"packages": {"node_modules/a": {"version": 1}}}`, 1, 45},
		{"empty object", "{}", 0, 0},
		{"bom crlf", "\xef\xbb\xbf{\r\n  \"lockfileVersion\": 3,\r\n  \"packages\": {\r\n    \"node_modules/a\": {\"version\": \"1.0.0\"}\r\n  }\r\n}\r\n", 0, 0},
	} {
		inv, err := Parse(Input{Path: "x/package-lock.json", Data: []byte(tc.data)})
		if tc.line == 0 {
			if err != nil {
				t.Errorf("Parse(%s) = %v, want success", tc.name, err)
			} else {
				checkInvariants(t, inv)
			}
			continue
		}
		var pe *ParseError
		if !errors.As(err, &pe) {
			t.Errorf("Parse(%s) = %v, want a *ParseError", tc.name, err)
			continue
		}
		if pe.Path != "x/package-lock.json" || pe.Line != tc.line || pe.Col != tc.col {
			t.Errorf("Parse(%s) = %q, want x/package-lock.json:%d:%d", tc.name, err, tc.line, tc.col)
		}
		if msg := pe.Err.Error(); msg != strings.ToLower(msg) || strings.HasSuffix(msg, ".") {
			t.Errorf("Parse(%s) message %q: want lower case, no final period", tc.name, msg)
		}
	}
	// The BOM and CRLF case keeps line numbers right.
	inv, err := Parse(Input{Path: "package-lock.json", Data: []byte("\xef\xbb\xbf{\r\n\"packages\": {\r\n\r\n\"node_modules/a\": {\"version\": \"1.0.0\"}}}")})
	if err != nil || len(inv.Packages) != 1 || inv.Packages[0].Line != 4 {
		t.Errorf("Parse(BOM, CRLF) = %+v, %v; want one package on line 4", inv, err)
	}
}

// TestParseNPMCorpusLines checks, on every npm corpus file, that each
// package's Line is where its key stands.
func TestParseNPMCorpusLines(t *testing.T) {
	n := 0
	for _, f := range loadCorpus(t) {
		if family(f.Path) != "npm" || f.Broken() {
			continue
		}
		inv, err := Parse(Input{Path: f.Path, Data: f.Data})
		if err != nil {
			t.Errorf("%s: %v", f.Path, err)
			continue
		}
		lines := bytes.Split(f.Data, []byte("\n"))
		for _, p := range inv.Packages {
			n++
			key := path.Base(p.Paths[0])
			if p.Line < 1 || p.Line > len(lines) || !bytes.Contains(lines[p.Line-1], []byte(`/`+key+`"`)) && !bytes.Contains(lines[p.Line-1], []byte(`"`+key+`"`)) {
				t.Errorf("%s: %s at line %d, which does not hold its key", f.Path, p.ID(), p.Line)
				break
			}
		}
	}
	if n == 0 {
		t.Fatal("no npm packages in the corpus")
	}
}

// FuzzParseNPM checks that the parser never panics, that it accepts only
// valid JSON, that its errors carry a position inside the input, and that
// what it accepts keeps the inventory invariants.
func FuzzParseNPM(f *testing.F) {
	fuzzSeeds(f, "npm")
	f.Fuzz(func(t *testing.T, data []byte) {
		inv, err := Parse(Input{Path: "package-lock.json", Data: data})
		if err != nil {
			var pe *ParseError
			if !errors.As(err, &pe) || pe.Path != "package-lock.json" {
				t.Fatalf("error %v is not a *ParseError naming the file", err)
			}
			if pe.Line < 1 || pe.Col < 1 || pe.Line > bytes.Count(data, []byte("\n"))+1 {
				t.Fatalf("error %v: position outside the input", err)
			}
			return
		}
		if !json.Valid(bytes.TrimPrefix(data, []byte("\xef\xbb\xbf"))) {
			t.Fatalf("accepted invalid JSON")
		}
		checkInvariants(t, inv)
	})
}
