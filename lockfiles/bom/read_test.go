package bom

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/depsweep/depsweep/lockfiles"
)

const readSBOMDir = "../../testdata/sboms"

// readFile reads one of testdata/sboms.
func readFile(t testing.TB, name string) []byte {
	t.Helper()
	data, err := os.ReadFile(filepath.Join(readSBOMDir, name))
	if err != nil {
		t.Fatal(err)
	}
	return data
}

// readWantPkg is what a test expects of one package of a read BOM.
type readWantPkg struct {
	name, version string
	source        lockfiles.Source
	dev, optional bool
	integrity     string // "" to expect none
	resolved      string
	line          int
	chain         []string // expected Chain from the root importer, as ids; nil for an orphan
}

// readPkg returns the package name@version of inv, failing the test when
// there is not exactly one.
func readPkg(t *testing.T, inv *lockfiles.Inventory, id string) (int, *lockfiles.Package) {
	t.Helper()
	found := -1
	for i := range inv.Packages {
		if inv.Packages[i].ID() == id {
			if found >= 0 {
				t.Fatalf("%s: two packages %s", inv.Path, id)
			}
			found = i
		}
	}
	if found < 0 {
		t.Fatalf("%s: no package %s", inv.Path, id)
	}
	return found, &inv.Packages[found]
}

// TestRead reads the hand-written SBOMs of testdata/sboms and checks
// every package they must yield, with its source, scope, integrity, line
// and dependency chain.
func TestRead(t *testing.T) {
	tests := []struct {
		file      string
		format    string
		root      string // root importer name@version
		npm       int    // number of packages
		problems  []string
		importers int
		want      []readWantPkg
	}{
		{
			file: "nested-components.v1_5.cdx.json", format: "cyclonedx-1.5-json",
			root: "mail-service@1.4.0", npm: 6, importers: 1,
			want: []readWantPkg{
				{
					// Two levels of nested components down.
					name: "postmark-mcp", version: "1.0.16", source: lockfiles.SourceRegistry,
					integrity: "sha512-DQXB5sQJsJ6Sq+AG4MjjGJCzkh/E1cd2/WO2N/wcBwreyqCOuBCRrT2kqFeqvhCki8SWavLCHsaIFFmFHqXa6Q==",
					resolved:  "http://127.0.0.1:4873/postmark-mcp/-/postmark-mcp-1.0.16.tgz",
					line:      73,
					chain:     []string{"@acme/notify@2.3.0", "mail-toolkit@3.0.0", "postmark-mcp@1.0.16"},
				},
				{
					name: "postmark-mcp", version: "1.0.15", source: lockfiles.SourceRegistry,
					integrity: "sha512-8jsBQMphiydyjx5zoRlLCEvspfclyNoSsPB0muKIAxxHBqg7ccnUIpGgEyt9FADnP64ly1vG4wS60x8xBxzLdw==",
					resolved:  "http://127.0.0.1:4873/postmark-mcp/-/postmark-mcp-1.0.15.tgz",
					line:      110, chain: []string{"postmark-mcp@1.0.15"},
				},
				{
					// %40acme decoded; a look-alike that must keep its scope.
					name: "@acme/postmark-mcp", version: "1.0.16", source: lockfiles.SourceRegistry,
					integrity: "sha512-mYhgWZlNyfOpb+cRUjEUS6NylDGazt4qb/Oa/FK+UGkqKeayhX2ora766408ATWLKm8OiztbGgyn2pv/R+FpsQ==",
					line:      135, chain: []string{"@acme/postmark-mcp@1.0.16"},
				},
				{
					// cdx:npm:package:development and scope optional.
					name: "typescript", version: "5.9.2", source: lockfiles.SourceRegistry,
					dev: true, optional: true, line: 155, chain: []string{"typescript@5.9.2"},
				},
			},
		},
		{
			file: "image.v1_6.cdx.xml", format: "cyclonedx-1.6-xml",
			root: "registry.example.com/mail-worker@2025.09.21", npm: 4, importers: 1,
			problems: []string{"11: 2 components without an npm package URL not matched"},
			want: []readWantPkg{
				{
					name: "postmark-mcp", version: "1.0.18", source: lockfiles.SourceRegistry, dev: true,
					integrity: "sha512-IuBZNgoTwOrEmznACoDozXP+cMP+/cExhQS0ivMF7Acin5rKTZwJEJc3w3b8Yetfcj/GERF69XGjj6hiF6VNfQ== sha1-A6Zy3J8JqB9WD8oMJ3O5hKZiPdk=",
					resolved:  "http://127.0.0.1:4873/postmark-mcp/-/postmark-mcp-1.0.18.tgz",
					line:      48,
					chain:     []string{"mail-worker@3.1.0", "mail-toolkit@3.0.0", "postmark-mcp@1.0.18"},
				},
				{
					// vcs_url makes it a git package: a name collision, not a hit.
					name: "postmark-mcp", version: "1.0.0", source: lockfiles.SourceGit,
					resolved: "git+https://github.com/ActiveCampaign/postmark-mcp.git#e9328f3",
					line:     69, chain: []string{"mail-worker@3.1.0", "postmark-mcp@1.0.0"},
				},
			},
		},
		{
			file: "mail-api.spdx.json", format: "spdx-2.3-json",
			root: "mail-api@2.0.0", npm: 4, importers: 1,
			problems: []string{"115: 1 package without an npm package URL not matched"},
			want: []readWantPkg{
				{
					name: "postmark-mcp", version: "1.0.17", source: lockfiles.SourceRegistry,
					integrity: "sha512-8eexN+m3NGpwt7Vv9WD8/KAqcbAe5vMK9tyTzeyatkaI7uozuTFwmne4oNO+K25VchIHZhpLG7VxavWApEPpag==",
					resolved:  "http://127.0.0.1:4873/postmark-mcp/-/postmark-mcp-1.0.17.tgz",
					line:      35, chain: []string{"postmark-mcp@1.0.17"},
				},
				{
					// npm's reversed DEV_DEPENDENCY_OF from the root.
					name: "mail-toolkit", version: "2.0.0", source: lockfiles.SourceRegistry, dev: true,
					resolved: "http://127.0.0.1:4873/mail-toolkit/-/mail-toolkit-2.0.0.tgz",
					line:     58, chain: []string{"mail-toolkit@2.0.0"},
				},
				{
					// PACKAGE_MANAGER (SPDX 2.2 spelling) and a SHA1 checksum.
					name: "postmark-mcp", version: "1.0.15", source: lockfiles.SourceRegistry, dev: true,
					integrity: "sha1-1YMRQAnexEfw9hueLi03ixWpYNo=",
					resolved:  "http://127.0.0.1:4873/postmark-mcp/-/postmark-mcp-1.0.15.tgz",
					line:      75, chain: []string{"mail-toolkit@2.0.0", "postmark-mcp@1.0.15"},
				},
				{
					// DEPENDENCY_OF in the SPDX direction.
					name: "@acme/postmark-mcp", version: "1.0.16", source: lockfiles.SourceRegistry,
					line: 98, chain: []string{"@acme/postmark-mcp@1.0.16"},
				},
			},
		},
		{
			file: "minimal.v1_6.cdx.json", format: "cyclonedx-1.6-json", root: "@", importers: 1,
		},
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			inv, err := Read(tt.file, readFile(t, tt.file))
			if err != nil {
				t.Fatalf("Read(%q): %v", tt.file, err)
			}
			if inv.Path != tt.file || inv.Format != tt.format {
				t.Errorf("Read(%q): path %q format %q, want %q %q", tt.file, inv.Path, inv.Format, tt.file, tt.format)
			}
			if got := inv.Root().Name + "@" + inv.Root().Version; got != tt.root || inv.Root().Path != "." {
				t.Errorf("Read(%q): root %q at %q, want %q at \".\"", tt.file, got, inv.Root().Path, tt.root)
			}
			if len(inv.Importers) != tt.importers {
				t.Errorf("Read(%q): %d importers, want %d", tt.file, len(inv.Importers), tt.importers)
			}
			if len(inv.Packages) != tt.npm {
				t.Errorf("Read(%q): %d packages, want %d", tt.file, len(inv.Packages), tt.npm)
			}
			var probs []string
			for _, p := range inv.Problems {
				probs = append(probs, fmt.Sprintf("%d: %s", p.Line, p.Msg))
			}
			if !slices.Equal(probs, tt.problems) {
				t.Errorf("Read(%q): problems %q, want %q", tt.file, probs, tt.problems)
			}
			for _, w := range tt.want {
				i, p := readPkg(t, inv, w.name+"@"+w.version)
				if p.Source != w.source || p.Dev != w.dev || p.Optional != w.optional {
					t.Errorf("%s: source %q dev %v optional %v, want %q %v %v", p.ID(), p.Source, p.Dev, p.Optional, w.source, w.dev, w.optional)
				}
				if p.Integrity != w.integrity {
					t.Errorf("%s: integrity %q, want %q", p.ID(), p.Integrity, w.integrity)
				}
				if p.Resolved != w.resolved {
					t.Errorf("%s: resolved %q, want %q", p.ID(), p.Resolved, w.resolved)
				}
				if p.Line != w.line {
					t.Errorf("%s: line %d, want %d", p.ID(), p.Line, w.line)
				}
				imp, chain, ok := inv.Paths().Chain(i)
				var ids []string
				for _, c := range chain {
					ids = append(ids, inv.Packages[c].ID())
				}
				if !ok || imp != 0 || !slices.Equal(ids, w.chain) {
					t.Errorf("%s: chain from importer %d %q (ok %v), want from the root %q", p.ID(), imp, ids, ok, w.chain)
				}
			}
		})
	}
}

// TestReadErrors checks that each malformed SBOM gives a ParseError
// naming the file and the position.
func TestReadErrors(t *testing.T) {
	tests := []struct{ file, want string }{
		{"components-object.cdx.json", "components-object.cdx.json:4:17: components: found an object, want an array"},
		{"empty-object.cdx.json", "empty-object.cdx.json:1:1: not an SBOM: no bomFormat (CycloneDX) or spdxVersion (SPDX)"},
		{"empty.cdx.json", "empty.cdx.json: empty file"},
		{"no-spec-version.cdx.json", "no-spec-version.cdx.json:1:1: CycloneDX document has no specVersion"},
		{"not-cyclonedx.cdx.xml", "not-cyclonedx.cdx.xml:2:52: not an SBOM: the root element is not a CycloneDX bom"},
		{"null.cdx.json", "null.cdx.json:1:1: not an SBOM: want a CycloneDX or SPDX document in JSON, or CycloneDX in XML"},
		{"spdx-3.spdx.json", "spdx-3.spdx.json:2:18: unsupported spdxVersion (want SPDX-2.2 or SPDX-2.3)"},
		{"spec-2.0.cdx.json", "spec-2.0.cdx.json:3:18: unsupported CycloneDX specVersion (want 1.2 to 1.7)"},
		{"syntax-error.cdx.json", "syntax-error.cdx.json:8:7: invalid JSON: invalid character '\"' after object key:value pair"},
		{"truncated.cdx.json", "truncated.cdx.json:27:21: invalid JSON: unexpected end of file"},
		{"unclosed.cdx.xml", "unclosed.cdx.xml:7:16: invalid XML: element <component> closed by </components>"},
		{"wrong-type.cdx.json", "wrong-type.cdx.json:9:18: version: found a number, want a string"},
	}
	files, _ := filepath.Glob(filepath.Join(readSBOMDir, "malformed", "*"))
	if len(files) != len(tests) {
		t.Errorf("%d files in malformed/, %d test cases: keep them in step", len(files), len(tests))
	}
	for _, tt := range tests {
		data := readFile(t, filepath.Join("malformed", tt.file))
		inv, err := Read(tt.file, data)
		var pe *lockfiles.ParseError
		if err == nil || !errors.As(err, &pe) {
			t.Errorf("Read(%q) = %v, %v; want a *lockfiles.ParseError", tt.file, inv, err)
			continue
		}
		if err.Error() != tt.want {
			t.Errorf("Read(%q) error = %q, want %q", tt.file, err, tt.want)
		}
		if pe.Path != tt.file {
			t.Errorf("Read(%q) error path = %q", tt.file, pe.Path)
		}
	}
}

// readOddDocs are small documents with nulls, wrong types and odd
// shapes: each must give an inventory or an error, never a panic.
var readOddDocs = []string{
	``, `null`, `[]`, `"x"`, `5`, `{`, `}`, `{}}`, `{"bomFormat":null}`, `{"bomFormat":5}`,
	`{"bomFormat":"CycloneDX","specVersion":null}`,
	`{"bomFormat":"CycloneDX","specVersion":"1.6","metadata":null,"components":null,"dependencies":null}`,
	`{"bomFormat":"CycloneDX","specVersion":"1.6","components":[null,{},{"purl":null},{"purl":"pkg:npm/"}]}`,
	`{"bomFormat":"CycloneDX","specVersion":"1.6","components":[{"purl":"pkg:npm/%40a"},{"purl":"pkg:npm/a@%zz"}]}`,
	`{"bomFormat":"CycloneDX","specVersion":"1.6","components":[{"purl":"pkg:npm/a@1","hashes":null,"properties":[null],"components":{}}]}`,
	`{"bomFormat":"CycloneDX","specVersion":"1.6","components":[{"purl":"pkg:npm/a@1","hashes":[{"alg":"SHA-512","content":5}]}]}`,
	`{"bomFormat":"CycloneDX","specVersion":"1.6","dependencies":[{"ref":"x","dependsOn":["y",null]}]}`,
	`{"bomFormat":"CycloneDX","specVersion":"1.6","metadata":{"component":null}}`,
	`{"bomFormat":"CycloneDX","specVersion":"1.6","metadata":{"component":{"components":[{"purl":"pkg:npm/a@1"}]}}}`,
	`{"bomFormat":"CycloneDX","specVersion":"1.6"} trailing`,
	`{"spdxVersion":"SPDX-2.3","packages":null,"relationships":null}`,
	`{"spdxVersion":"SPDX-2.3","packages":[null,{},{"externalRefs":[null]}],"relationships":[{}]}`,
	`{"spdxVersion":"SPDX-2.3","packages":[{"SPDXID":"a"}],"documentDescribes":["a"]}`,
	`{"spdxVersion":"SPDX-2.3","packages":"x"}`,
	`{"spdxVersion":"SPDX-2.3","bomFormat":"CycloneDX"}`,
	`<`, `<bom/>`, `<bom xmlns="http://cyclonedx.org/schema/bom/1.6"/>`,
	`<bom xmlns="http://cyclonedx.org/schema/bom/1.6"><components><component><purl>pkg:npm/a@1</purl></component></components></bom><x/>`,
	`<bom xmlns="http://cyclonedx.org/schema/bom/1.6"><dependencies><dependency><dependency ref="a"><dependency ref="b"/></dependency></dependency></dependencies></bom>`,
	`<bom xmlns="http://cyclonedx.org/schema/bom/1.6"><components><component><hashes><hash>zz</hash></hashes></component>`,
	"\xef\xbb\xbf{\"bomFormat\":\"CycloneDX\",\"specVersion\":\"1.4\"}",
	"{\"bomFormat\":\"CycloneDX\",\"specVersion\":\"1.4\",\"components\":[{\"purl\":\"pkg:npm/a@1\",\"name\":\"\x1b[31m\"}]}\x1b",
}

// TestReadOdd feeds odd documents to Read: every error must be a
// ParseError naming the file, every inventory must have named packages and
// a root importer.
func TestReadOdd(t *testing.T) {
	for _, doc := range readOddDocs {
		readCheck(t, []byte(doc))
	}
}

// readCheck asserts Read's invariants on one input.
func readCheck(t *testing.T, data []byte) {
	t.Helper()
	inv, err := Read("in.json", data)
	if err != nil {
		var pe *lockfiles.ParseError
		if !errors.As(err, &pe) || pe.Path != "in.json" {
			t.Errorf("Read(%q): error %v is not a ParseError naming the file", data, err)
		}
		if strings.Contains(err.Error(), "internal error") {
			t.Errorf("Read(%q): %v", data, err)
		}
		if strings.ContainsAny(err.Error(), "\x1b\n") {
			t.Errorf("Read(%q): error %q holds control characters", data, err)
		}
		return
	}
	if len(inv.Importers) == 0 || inv.Importers[0].Path != "." {
		t.Errorf("Read(%q): no root importer", data)
	}
	for _, p := range inv.Packages {
		if p.Name == "" || strings.HasPrefix(p.Name, "@") && !strings.Contains(p.Name, "/") {
			t.Errorf("Read(%q): package with a bad name %q", data, p.Name)
		}
	}
	n := len(inv.Packages)
	for _, e := range inv.Edges {
		if e.From < 0 || e.From >= n || e.To < 0 || e.To >= n {
			t.Errorf("Read(%q): edge %v out of range", data, e)
		}
	}
	for _, imp := range inv.Importers {
		for _, d := range imp.Deps {
			if d.To < 0 || d.To >= n {
				t.Errorf("Read(%q): importer dependency %v out of range", data, d)
			}
		}
	}
}

// FuzzRead checks Read's invariants on mutations of the test SBOMs.
func FuzzRead(f *testing.F) {
	files, _ := filepath.Glob(filepath.Join(readSBOMDir, "*.*"))
	bad, _ := filepath.Glob(filepath.Join(readSBOMDir, "malformed", "*"))
	if len(files) == 0 || len(bad) == 0 {
		f.Fatal("no seed SBOMs in " + readSBOMDir)
	}
	for _, name := range append(files, bad...) {
		data, err := os.ReadFile(name)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(data)
	}
	for _, d := range readOddDocs {
		f.Add([]byte(d))
	}
	f.Fuzz(func(t *testing.T, data []byte) { readCheck(t, data) })
}

func TestInParsePURL(t *testing.T) {
	tests := []struct {
		in                   string
		typ, name, version   string
		qualifier, qualValue string
		err                  bool
	}{
		{in: "pkg:npm/postmark-mcp@1.0.16", typ: "npm", name: "postmark-mcp", version: "1.0.16"},
		{in: "pkg:npm/%40acme/postmark-mcp@1.0.16", typ: "npm", name: "@acme/postmark-mcp", version: "1.0.16"},
		{in: "pkg:npm/@acme/postmark-mcp@1.0.16", typ: "npm", name: "@acme/postmark-mcp", version: "1.0.16"},
		{in: "pkg:npm/@acme/postmark-mcp", typ: "npm", name: "@acme/postmark-mcp"},
		{in: "pkg:npm/acme/x@1", typ: "npm", name: "@acme/x", version: "1"},
		{in: "pkg:NPM/a@1.0.0-beta.1%2Bbuild.5", typ: "npm", name: "a", version: "1.0.0-beta.1+build.5"},
		{in: "pkg:npm/a@1?repository_url=https://npm.example.com/api&x=y#sub/path", typ: "npm", name: "a", version: "1",
			qualifier: "repository_url", qualValue: "https://npm.example.com/api"},
		{in: "pkg:npm/a@1?vcs_url=git%2Bhttps://github.com/o/r.git%23abc", typ: "npm", name: "a", version: "1",
			qualifier: "vcs_url", qualValue: "git+https://github.com/o/r.git#abc"},
		{in: "pkg:/npm/a@1", typ: "npm", name: "a", version: "1"},
		{in: "pkg:maven/org.apache/commons@1.2", typ: "maven", name: "org.apache/commons", version: "1.2"},
		{in: "npm/a@1", err: true},
		{in: "pkg:npm", err: true},
		{in: "pkg:npm/", err: true},
		{in: "pkg:npm/%40acme", err: true},
		{in: "pkg:npm/a/b/c@1", err: true},
		{in: "pkg:npm/a@%zz", err: true},
		{in: "pkg:npm/a@1%2", err: true},
	}
	for _, tt := range tests {
		p, err := inParsePURL(tt.in)
		if (err != nil) != tt.err {
			t.Errorf("inParsePURL(%q) error = %v, want error %v", tt.in, err, tt.err)
			continue
		}
		if err != nil {
			continue
		}
		if p.Type != tt.typ || p.Name != tt.name || p.Version != tt.version {
			t.Errorf("inParsePURL(%q) = %q %q %q, want %q %q %q", tt.in, p.Type, p.Name, p.Version, tt.typ, tt.name, tt.version)
		}
		if tt.qualifier != "" && p.Qualifiers[tt.qualifier] != tt.qualValue {
			t.Errorf("inParsePURL(%q) qualifier %s = %q, want %q", tt.in, tt.qualifier, p.Qualifiers[tt.qualifier], tt.qualValue)
		}
	}
}

func TestInIntegrity(t *testing.T) {
	const sha1hex = "d583114009dec447f0f61b9e2e2d378b15a960da"
	tests := []struct {
		in   []inHash
		want string
	}{
		{[]inHash{{"SHA-1", sha1hex}}, "sha1-1YMRQAnexEfw9hueLi03ixWpYNo="},
		{[]inHash{{"sha1", strings.ToUpper(sha1hex)}}, "sha1-1YMRQAnexEfw9hueLi03ixWpYNo="},
		{[]inHash{{"SHA-1", "1YMRQAnexEfw9hueLi03ixWpYNo="}}, "sha1-1YMRQAnexEfw9hueLi03ixWpYNo="}, // base64, as some tools write
		{[]inHash{{"SHA-1", sha1hex}, {"SHA-1", sha1hex}}, "sha1-1YMRQAnexEfw9hueLi03ixWpYNo="},
		{[]inHash{{"MD5", "d41d8cd98f00b204e9800998ecf8427e"}, {"SHA-256", sha1hex}}, ""}, // unknown algorithm; wrong size
		{[]inHash{{"SHA-512", "zz"}}, ""},
	}
	for _, tt := range tests {
		if got := inIntegrity(tt.in); got != tt.want {
			t.Errorf("inIntegrity(%v) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestIsName(t *testing.T) {
	tests := []struct {
		name string
		want bool
	}{
		{"bom.json", true},
		{"BOM.XML", true},
		{"release/1.2.0/sbom.json", true},
		{"app.cdx.json", true},
		{"app.cdx.xml", true},
		{"app.cyclonedx.json", true},
		{"app.spdx.json", true},
		{`C:\sboms\app.bom.json`, true},
		{"app-1.2.sbom.json", true},
		{".cdx.json", false},
		{"package-lock.json", false},
		{"package.json", false},
		{"bom.json.gz", false},
		{"app.spdx", false}, // tag-value SPDX is not read
		{"cdx.json", false},
	}
	for _, tt := range tests {
		if got := IsName(tt.name); got != tt.want {
			t.Errorf("IsName(%q) = %v, want %v", tt.name, got, tt.want)
		}
	}
}
