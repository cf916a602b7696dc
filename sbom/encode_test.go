package sbom

import (
	"bytes"
	"crypto/sha1"
	"crypto/sha256"
	"encoding/json"
	"reflect"
	"slices"
	"strings"
	"testing"

	cdx "github.com/CycloneDX/cyclonedx-go"
	"github.com/depsweep/depsweep/ioc"
	"github.com/depsweep/depsweep/ioc/publisher"
	"github.com/depsweep/depsweep/lockfiles"
)

// indentCases are compact JSON texts with the shapes that matter to
// appendIndent: empty and nested containers, escaped quotes and
// backslashes before a closing quote, structural characters in strings.
var indentCases = []string{
	`{}`,
	`[]`,
	`{"a":[],"b":{},"c":[{}],"d":[[]]}`,
	`{"a":1,"b":[true,false,null,-1.5e+3]}`,
	`{"q":"say \"hi\"","bs":"C:\\","both":"\\\"","tail":"x\\\\"}`,
	`{"s":"{[,:]}","t":"\u003c\u0026\u003e \u2028 é ✓"}`,
	`[{"k":"v"},{"k":[1,[2,[3,{"deep":{}}]]]}]`,
	`"just a string"`,
	strings.Repeat(`{"k":[`, 40) + `"deepest"` + strings.Repeat(`]}`, 40), // deeper than indentSpaces
}

// stdIndent is what cyclonedx-go's pretty JSON encoder does to a compact
// encoding: encoding/json's indentation with two spaces.
func stdIndent(t testing.TB, src []byte) []byte {
	var b bytes.Buffer
	if err := json.Indent(&b, src, "", "  "); err != nil {
		t.Fatalf("json.Indent(%q): %v", src, err)
	}
	return b.Bytes()
}

func TestAppendIndent(t *testing.T) {
	for _, c := range indentCases {
		src := []byte(c + "\n") // encoding/json's Encoder ends with a newline
		want := stdIndent(t, src)
		if got := appendIndent(nil, src); !bytes.Equal(got, want) {
			t.Errorf("appendIndent(%q) = %q, want %q", c, got, want)
		}
		// In pieces, as writeIndented does it, stopping as early as it can.
		var ind indenter
		var got []byte
		for rest := src; len(rest) > 0; {
			var n int
			got, n = ind.Append(got, rest, 1)
			rest = rest[n:]
		}
		if !bytes.Equal(got, want) {
			t.Errorf("indenter.append(%q) in pieces = %q, want %q", c, got, want)
		}
	}
}

// FuzzAppendIndent checks, for any valid JSON, that appendIndent of its
// compact form is what encoding/json's Indent gives.
func FuzzAppendIndent(f *testing.F) {
	for _, c := range indentCases {
		f.Add([]byte(c))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		if !json.Valid(data) {
			return
		}
		var compact bytes.Buffer
		if err := json.Compact(&compact, data); err != nil {
			t.Fatal(err)
		}
		if got, want := appendIndent(nil, compact.Bytes()), stdIndent(t, compact.Bytes()); !bytes.Equal(got, want) {
			t.Errorf("appendIndent(%q) = %q, want %q", compact.Bytes(), got, want)
		}
	})
}

// referenceSerial is the definition of the deterministic serial number,
// computed the slow way: a second encoding, with encoding/json's defaults
// (HTML escaping on), of the BOM without a serial number.
func referenceSerial(t *testing.T, bom *cdx.BOM) string {
	b := *bom
	b.SerialNumber = ""
	data, err := json.Marshal(&b)
	if err != nil {
		t.Fatal(err)
	}
	h := sha256.Sum256(append(data, '\n'))
	s := sha1.New()
	s.Write(serialNamespace[:])
	s.Write(h[:])
	var u [16]byte
	copy(u[:], s.Sum(nil))
	u[6] = u[6]&0x0f | 0x50
	u[8] = u[8]&0x3f | 0x80
	return uuidURN(u)
}

// TestSerialSinglePass checks that the serial numbers derived in one
// encoding pass (New, and write for DirWriter) follow the definition, also
// when strings hold the characters HTML escaping changes, and that the JSON
// written with the serial derived on the fly is the JSON of New+Write.
func TestSerialSinglePass(t *testing.T) {
	inv := handInventory()
	inv.Path = "apps/<mail> & co/package-lock.json"
	findings := handFindings(inv)
	findings[0].Evidence = "<script>alert(1)</script> & \u2028 \"quoted\" \\"
	for _, spec := range specs {
		opts := Options{Format: cdx.BOMFileFormatJSON, SpecVersion: spec, Deterministic: true, Time: fixedTime, ToolVersion: "test"}
		bom, err := New(inv, findings, opts)
		if err != nil {
			t.Fatal(err)
		}
		if want := referenceSerial(t, bom); bom.SerialNumber != want {
			t.Errorf("spec %s: New serial = %s, want %s", spec, bom.SerialNumber, want)
		}
		var viaNew bytes.Buffer
		if err := Write(&viaNew, bom, opts); err != nil {
			t.Fatal(err)
		}
		if !bytes.Contains(viaNew.Bytes(), []byte(`"detail": "<script>`)) {
			t.Errorf("spec %s: the written JSON is HTML-escaped", spec)
		}

		built, err := build(inv, findings, opts)
		if err != nil {
			t.Fatal(err)
		}
		var onePass bytes.Buffer
		if err := write(&onePass, built, opts, true); err != nil {
			t.Fatal(err)
		}
		if built.SerialNumber != bom.SerialNumber {
			t.Errorf("spec %s: one-pass serial = %s, want %s", spec, built.SerialNumber, bom.SerialNumber)
		}
		if !bytes.Equal(onePass.Bytes(), viaNew.Bytes()) {
			t.Errorf("spec %s: one-pass JSON differs from New+Write:\n%s", spec, firstDiff(onePass.Bytes(), viaNew.Bytes()))
		}
		if bytes.Contains(onePass.Bytes(), []byte(placeholderSerial)) {
			t.Errorf("spec %s: the placeholder serial was written", spec)
		}
	}
}

// TestWriteMatchesCycloneDX checks that Write's JSON, for every parsable
// corpus lockfile, is byte for byte what cyclonedx-go's pretty encoder
// writes.
func TestWriteMatchesCycloneDX(t *testing.T) {
	if testing.Short() {
		t.Skip("corpus: skipped in -short mode")
	}
	n := 0
	for _, f := range loadCorpus(t) {
		inv, err := parse(f)
		if err != nil {
			continue
		}
		opts := Options{Format: cdx.BOMFileFormatJSON, Deterministic: true, Time: fixedTime, ToolVersion: "test"}
		bom, err := New(inv, nil, opts)
		if err != nil {
			t.Fatalf("%s: %v", f.Path, err)
		}
		var got, want bytes.Buffer
		if err := Write(&got, bom, opts); err != nil {
			t.Fatalf("%s: %v", f.Path, err)
		}
		if err := cdx.NewBOMEncoder(&want, cdx.BOMFileFormatJSON).SetPretty(true).SetEscapeHTML(false).Encode(bom); err != nil {
			t.Fatalf("%s: %v", f.Path, err)
		}
		if !bytes.Equal(got.Bytes(), want.Bytes()) {
			t.Errorf("%s: Write differs from cyclonedx-go's encoder:\n%s", f.Path, firstDiff(got.Bytes(), want.Bytes()))
		}
		n++
	}
	if n == 0 {
		t.Fatal("no corpus lockfile parsed")
	}
}

// TestFastEncode checks that the hand-written encoding of components and
// dependencies is what encoding/json writes, for strings that need
// escaping, and that BOMs it does not cover go to encoding/json whole.
func TestFastEncode(t *testing.T) {
	odd := []string{"q\"uote", `back\slash`, "ctl\x01\x1f\t\n", "del\x7f", "é ✓", "bad\xffutf8", "line\u2028sep", "<html>&amp;"}
	inv := handInventory()
	for i, s := range odd {
		p := &inv.Packages[i%len(inv.Packages)]
		p.Paths = append(p.Paths, "node_modules/"+s)
		p.Alias = s
	}
	inv.Packages[6].Resolved = "git+ssh://git@github.com/acme/my\"lib.git#0123abc"
	opts := Options{Format: cdx.BOMFileFormatJSON, Deterministic: true, Time: fixedTime, ToolVersion: "test"}
	base, err := New(inv, handFindings(inv), opts)
	if err != nil {
		t.Fatal(err)
	}
	withComp := func(f func(c *cdx.Component)) *cdx.BOM {
		b := *base
		cs := slices.Clone(*b.Components)
		f(&cs[1])
		b.Components = &cs
		return &b
	}
	cases := []struct {
		name string
		bom  *cdx.BOM
		fast bool
	}{
		{"built", base, true},
		{"no metadata, no findings", func() *cdx.BOM { b := *base; b.Metadata, b.Vulnerabilities, b.Compositions = nil, nil, nil; return &b }(), true},
		{"empty lists", func() *cdx.BOM {
			b := *base
			b.Components, b.Dependencies = &[]cdx.Component{}, &[]cdx.Dependency{{Ref: "x", Dependencies: &[]string{}}}
			return &b
		}(), true},
		{"no lists", func() *cdx.BOM { b := *base; b.Components, b.Dependencies = nil, nil; return &b }(), true},
		{"empty hashes and properties", withComp(func(c *cdx.Component) { c.Hashes, c.Properties, c.BOMRef = &[]cdx.Hash{}, &[]cdx.Property{}, "" }), true},
		{"supplier and publisher", withComp(func(c *cdx.Component) {
			c.Publisher = "npm-user <x>"
			c.Supplier = &cdx.OrganizationalEntity{Name: "A & B <c>", URL: &[]string{"https://example.com/?a=b&c"},
				Contact: &[]cdx.OrganizationalContact{{Name: "é", Email: "a@example.com"}}}
		}), true},
		{"pedigree", withComp(func(c *cdx.Component) {
			c.Pedigree = &cdx.Pedigree{Patches: &[]cdx.Patch{{Type: cdx.PatchTypeUnofficial, Diff: &cdx.Diff{URL: "./.yarn/patches/x.patch"}}, {Type: cdx.PatchTypeUnofficial}}}
		}), true},
		{"description", withComp(func(c *cdx.Component) { c.Description = "set" }), false},
		{"external reference comment", withComp(func(c *cdx.Component) {
			c.ExternalReferences = &[]cdx.ExternalReference{{URL: "https://example.com", Type: cdx.ERTypeWebsite, Comment: "c"}}
		}), false},
		{"services", func() *cdx.BOM { b := *base; b.Services = &[]cdx.Service{{Name: "s"}}; return &b }(), false},
		{"provides", func() *cdx.BOM {
			b := *base
			b.Dependencies = &[]cdx.Dependency{{Ref: "x", Provides: &[]string{"y"}}}
			return &b
		}(), false},
	}
	for _, c := range cases {
		if got := fastEncodable(c.bom); got != c.fast {
			t.Errorf("%s: fastEncodable = %v, want %v", c.name, got, c.fast)
		}
		var got, want byteBuf
		if err := encodeCompact(&got, c.bom); err != nil {
			t.Fatal(err)
		}
		if err := encodeStd(&want, c.bom); err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(got.b, want.b) {
			t.Errorf("%s: encodeCompact differs from encoding/json:\n%s", c.name, firstDiff(bytes.ReplaceAll(got.b, []byte(","), []byte(",\n")), bytes.ReplaceAll(want.b, []byte(","), []byte(",\n"))))
		}
	}
}

// TestBOMTailMirror checks that bomTail has the members of cdx.BOM after
// "dependencies", in order: a newer cyclonedx-go that adds one fails here
// rather than losing it from the JSON.
func TestBOMTailMirror(t *testing.T) {
	bt := reflect.TypeFor[cdx.BOM]()
	dep, ok := bt.FieldByName("Dependencies")
	if !ok {
		t.Fatal("cdx.BOM has no Dependencies")
	}
	var want []reflect.StructField
	for i := dep.Index[0] + 1; i < bt.NumField(); i++ {
		if f := bt.Field(i); f.Tag.Get("json") != "-" {
			want = append(want, f)
		}
	}
	tt := reflect.TypeFor[bomTail]()
	if tt.NumField() != len(want) {
		t.Fatalf("bomTail has %d fields, cdx.BOM has %d after Dependencies", tt.NumField(), len(want))
	}
	for i, w := range want {
		g := tt.Field(i)
		if g.Name != w.Name || g.Type != w.Type || g.Tag.Get("json") != w.Tag.Get("json") {
			t.Errorf("bomTail field %d = %s %s %q, want %s %s %q", i, g.Name, g.Type, g.Tag.Get("json"), w.Name, w.Type, w.Tag.Get("json"))
		}
	}
	// The head: only these members may come between "metadata" and
	// "components", and between "components" and "dependencies".
	var order []string
	for i := 0; i < bt.NumField(); i++ {
		order = append(order, bt.Field(i).Name)
	}
	m, c := slices.Index(order, "Metadata"), slices.Index(order, "Components")
	if c != m+1 || !slices.Equal(order[c+1:dep.Index[0]], []string{"Services", "ExternalReferences"}) {
		t.Errorf("cdx.BOM member order changed: %q", order)
	}
}

// TestLazyMatchesBuilt: a BOM whose components are made as they are
// encoded and written indented by hand (the DirWriter's usual path) is
// byte for byte what cyclonedx-go writes for the BOM built whole, and
// counts the same supplier coverage: on every
// parsable corpus lockfile, the hand-made inventory with findings, and
// inventories with publisher data (publishers, suppliers, pedigrees).
func TestLazyMatchesBuilt(t *testing.T) {
	pubs, err := publisher.LoadPackuments("../ioc/publisher/testdata/npmjs/full")
	if err != nil {
		t.Fatal(err)
	}
	type sample struct {
		name     string
		inv      *lockfiles.Inventory
		findings []ioc.Finding
		pubs     ioc.Publishers
	}
	hand := handInventory()
	samples := []sample{
		{"hand", hand, handFindings(hand), nil},
		{"hand, publishers", hand, handFindings(hand), pubs},
		{"npmjs", &lockfiles.Inventory{Path: "package-lock.json", Format: "npm-v3",
			Packages: []lockfiles.Package{
				{Name: "left-pad", Version: "1.3.0", Source: lockfiles.SourceRegistry},
				{Name: "isarray", Version: "2.0.5"},
				{Name: "isarray", Version: "1.0.0", Source: lockfiles.SourceTarball, Resolved: "https://example.com/isarray-1.0.0.tgz"},
			}}, nil, pubs},
		{"patched", &lockfiles.Inventory{Path: "yarn.lock", Format: "yarn-berry-v8",
			Packages: []lockfiles.Package{
				{Name: "left-pad", Version: "1.3.0", Source: lockfiles.SourceRegistry, Patch: "./.yarn/patches/left-pad.patch"},
				{Name: "left-pad", Version: "1.3.0", Source: lockfiles.SourceRegistry, Patch: "optional!builtin<compat/fsevents>"},
				{Name: "resolve", Version: "1.22.8", Source: lockfiles.SourceRegistry, Patch: "optional!builtin<compat/resolve>"},
			}}, nil, pubs},
	}
	if !testing.Short() {
		for _, f := range loadCorpus(t) {
			if inv, err := parse(f); err == nil {
				samples = append(samples, sample{f.Path, inv, nil, pubs})
			}
		}
	}
	const serial = "urn:uuid:3e671687-395b-41f5-a30f-a58921a69b79"
	for _, s := range samples {
		for _, spec := range specs {
			opts := Options{Format: cdx.BOMFileFormatJSON, SpecVersion: spec, Time: fixedTime, ToolVersion: "test", Publishers: s.pubs}
			built, err := build(s.inv, s.findings, opts)
			if err != nil {
				t.Fatal(err)
			}
			built.SerialNumber = serial
			var want bytes.Buffer // cyclonedx-go's own pretty encoder: an independent reference
			if err := cdx.NewBOMEncoder(&want, cdx.BOMFileFormatJSON).SetPretty(true).SetEscapeHTML(false).Encode(withHeader(built, spec)); err != nil {
				t.Fatal(err)
			}
			doc, lz, err := buildLazy(s.inv, s.findings, opts)
			if err != nil {
				t.Fatal(err)
			}
			doc.SerialNumber = serial
			var got bytes.Buffer
			if err := writeJSONStream(&got, withHeader(doc, spec), lz); err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(got.Bytes(), want.Bytes()) {
				t.Errorf("%s, spec %s: lazy BOM differs from the built one:\n%s", s.name, spec, firstDiff(got.Bytes(), want.Bytes()))
			}
			p, k := SupplierCoverage(built)
			if lz.supplier.packages != p || lz.supplier.known != k {
				t.Errorf("%s, spec %s: lazy supplier coverage %d/%d, built %d/%d", s.name, spec, lz.supplier.known, lz.supplier.packages, k, p)
			}
		}
	}
}
