package sbom

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"reflect"
	"testing"

	cdx "github.com/CycloneDX/cyclonedx-go"
	"github.com/rogpeppe/go-internal/txtar"

	"github.com/depsweep/depsweep/ioc"
	"github.com/depsweep/depsweep/ioc/publisher"
	"github.com/depsweep/depsweep/lockfiles"
	"github.com/depsweep/depsweep/lockfiles/bom"
)

// TestPublisher: with publisher data (the registry packuments of the
// fixtures), each registry package's component names the npm account that
// published its version and its supplier (author, maintainers), and
// properties say where they came from; the BOM stays valid CycloneDX 1.6
// and 1.7, JSON and XML.
func TestPublisher(t *testing.T) {
	pubs, err := publisher.LoadPackuments("../testdata/fixtures/registry")
	if err != nil {
		t.Fatal(err)
	}
	inv := &lockfiles.Inventory{Path: "package-lock.json", Format: "npm-v3",
		Packages: []lockfiles.Package{
			{Name: "postmark-mcp", Version: "1.0.15", Source: lockfiles.SourceRegistry},
			{Name: "postmark-mcp", Version: "1.0.16", Source: lockfiles.SourceGit, Resolved: "git+https://example.com/x.git"},
			{Name: "left-pad", Version: "1.3.0", Source: lockfiles.SourceRegistry},
		}}
	want, _, ok := pubs.Publisher("postmark-mcp", "1.0.15")
	if !ok || want == "" {
		t.Fatal("the fixture packuments do not name the publisher of postmark-mcp@1.0.15")
	}
	for _, v := range []cdx.SpecVersion{cdx.SpecVersion1_6, cdx.SpecVersion1_7} {
		doc, err := New(inv, nil, Options{SpecVersion: v, Deterministic: true, Time: fixedTime,
			Publishers: pubs, PublisherSource: "registry-metadata:registry"})
		if err != nil {
			t.Fatal(err)
		}
		validate(t, "publisher", doc, v)
		got := map[string]string{}
		src := map[string][]string{}
		for _, c := range *doc.Components {
			got[c.Name+"@"+c.Version+" "+c.PackageURL] = c.Publisher
			src[c.Name+"@"+c.Version] = append(src[c.Name+"@"+c.Version], props(&c, bom.PropPubSource)...)
		}
		checkNTIA(t, "publisher "+v.String(), doc)
		checkSupplier(t, v.String(), doc, "postmark-mcp", "1.0.15", &cdx.OrganizationalEntity{Name: "Jabal Torres",
			Contact: &[]cdx.OrganizationalContact{{Name: "phanpak", Email: "phanpak@example.com"}}}, "registry-metadata:registry")
		checkSupplier(t, v.String(), doc, "postmark-mcp", "1.0.16", nil, "") // the git copy
		checkSupplier(t, v.String(), doc, "left-pad", "1.3.0", nil, "")      // not in the packuments
		if n, k := SupplierCoverage(doc); n != 2 || k != 1 {
			t.Errorf("%s: SupplierCoverage = %d of %d, want 1 of 2 (the git copy does not count)", v, k, n)
		}
		n := 0
		for k, p := range got {
			switch {
			case k == "postmark-mcp@1.0.15 pkg:npm/postmark-mcp@1.0.15":
				if p != want || len(src["postmark-mcp@1.0.15"]) != 1 || src["postmark-mcp@1.0.15"][0] != "registry-metadata:registry" {
					t.Errorf("%s: %s publisher %q (source %v), want %q from registry-metadata:registry", v, k, p, src["postmark-mcp@1.0.15"], want)
				}
				n++
			case p != "":
				// A git package has no registry publisher; left-pad is not
				// in the packuments.
				t.Errorf("%s: %s publisher %q, want none", v, k, p)
			}
		}
		if n != 1 {
			t.Errorf("%s: postmark-mcp@1.0.15 not found in %v", v, got)
		}
	}
}

// checkSupplier checks the supplier of the registry component name@version
// of doc: want (nil: none) and its source property.
func checkSupplier(t *testing.T, label string, doc *cdx.BOM, name, version string, want *cdx.OrganizationalEntity, wantSrc string) {
	t.Helper()
	found := false
	for _, c := range *doc.Components {
		full := c.Name
		if c.Group != "" {
			full = c.Group + "/" + c.Name
		}
		if full != name || c.Version != version {
			continue
		}
		found = true
		if !reflect.DeepEqual(c.Supplier, want) {
			t.Errorf("%s: %s@%s supplier = %s, want %s", label, name, version, jsonOf(c.Supplier), jsonOf(want))
		}
		src := props(&c, bom.PropSupSource)
		if (want == nil && len(src) != 0) || (want != nil && (len(src) != 1 || src[0] != wantSrc)) {
			t.Errorf("%s: %s@%s %s = %v, want %q", label, name, version, bom.PropSupSource, src, wantSrc)
		}
	}
	if !found {
		t.Errorf("%s: no component %s@%s", label, name, version)
	}
}

func jsonOf(v any) string {
	b, _ := json.Marshal(v)
	return string(b)
}

// TestSupplierNpmjs: the supplier of packuments the npm registry served
// (an author's string form, an author with email and URL), written as
// valid CycloneDX 1.6 and 1.7, JSON and XML, with the per-answer source
// when the options name none.
func TestSupplierNpmjs(t *testing.T) {
	pubs, err := publisher.LoadPackuments("../ioc/publisher/testdata/npmjs/full")
	if err != nil {
		t.Fatal(err)
	}
	inv := &lockfiles.Inventory{Path: "package-lock.json", Format: "npm-v3",
		Packages: []lockfiles.Package{
			{Name: "left-pad", Version: "1.3.0", Source: lockfiles.SourceRegistry},
			{Name: "isarray", Version: "2.0.5"}, // origin unknown (npm v1): still a registry package
			{Name: "isarray", Version: "1.0.0", Source: lockfiles.SourceTarball, Resolved: "https://example.com/isarray-1.0.0.tgz"},
		}}
	for _, v := range specs {
		doc, err := New(inv, nil, Options{SpecVersion: v, Deterministic: true, Time: fixedTime, Publishers: pubs})
		if err != nil {
			t.Fatal(err)
		}
		validate(t, "npmjs supplier", doc, v)
		checkNTIA(t, "npmjs supplier", doc)
		checkSupplier(t, v.String(), doc, "left-pad", "1.3.0", &cdx.OrganizationalEntity{Name: "azer",
			Contact: &[]cdx.OrganizationalContact{{Name: "Cameron Westland", Email: "camwest@gmail.com"}}}, "registry metadata")
		checkSupplier(t, v.String(), doc, "isarray", "2.0.5", &cdx.OrganizationalEntity{Name: "Julian Gruber",
			URL:     &[]string{"http://juliangruber.com"},
			Contact: &[]cdx.OrganizationalContact{{Name: "Julian Gruber", Email: "mail@juliangruber.com"}}}, "registry metadata")
		if n, k := SupplierCoverage(doc); n != 2 || k != 2 {
			t.Errorf("%s: SupplierCoverage = %d of %d, want 2 of 2 (a tarball is not asked)", v, k, n)
		}
		// XML carries the same supplier.
		var xb bytes.Buffer
		if err := Write(&xb, doc, Options{SpecVersion: v, Format: cdx.BOMFileFormatXML}); err != nil {
			t.Fatal(err)
		}
		for _, want := range []string{"<supplier>", "<name>Julian Gruber</name>", "<url>http://juliangruber.com</url>",
			"<email>camwest@gmail.com</email>", "depsweep:supplier:source"} {
			if !bytes.Contains(xb.Bytes(), []byte(want)) {
				t.Errorf("%s: XML lacks %s", v, want)
			}
		}
	}
}

// oddSuppliers answers one supplier of every shape for any package.
type oddSuppliers struct{ s lockfiles.Supplier }

func (oddSuppliers) Publisher(string, string) (string, string, bool) { return "", "", false }
func (oddSuppliers) Prefetch([]lockfiles.Package)                    {}
func (o oddSuppliers) Supplier(string, string) (lockfiles.Supplier, string, bool) {
	return o.s, "odd source", true
}

// TestSupplierShapes: suppliers without a name, without contacts, with
// contacts lacking an email, and with characters XML escapes, are valid
// CycloneDX; one with nothing known is left out; a source that knows
// suppliers but not publishers still fills them.
func TestSupplierShapes(t *testing.T) {
	inv := &lockfiles.Inventory{Path: "package-lock.json", Format: "npm-v3",
		Packages: []lockfiles.Package{{Name: "a", Version: "1.0.0", Source: lockfiles.SourceRegistry}}}
	for _, s := range []lockfiles.Supplier{
		{Contacts: []lockfiles.Contact{{Name: "ann", Email: "ann@example.org"}, {Name: "bob"}}},
		{Name: `A & B <"Ltd">`},
		{Name: "x", URL: "https://example.org/a?b=c&d=e"},
		{Contacts: []lockfiles.Contact{{Email: "ann@example.org"}}},
		{},
	} {
		for _, v := range specs {
			doc, err := New(inv, nil, Options{SpecVersion: v, Time: fixedTime, Deterministic: true, Publishers: oddSuppliers{s}})
			if err != nil {
				t.Fatal(err)
			}
			validate(t, "supplier "+jsonOf(s), doc, v)
			c := (*doc.Components)[0]
			if (c.Supplier == nil) != s.IsZero() {
				t.Errorf("%s: supplier %+v gave %s", v, s, jsonOf(c.Supplier))
			}
			if c.Publisher != "" || len(props(&c, bom.PropPubSource)) != 0 {
				t.Errorf("%s: publisher %q set by a source that does not know it", v, c.Publisher)
			}
			if src := props(&c, bom.PropSupSource); !s.IsZero() && (len(src) != 1 || src[0] != "odd source") {
				t.Errorf("%s: supplier source = %v, want [odd source]", v, src)
			}
		}
	}
}

// TestPatchPedigree: a yarn patch: copy is the same component as the
// package it patches, with the patch in pedigree.patches, not a second
// component with the same purl.
func TestPatchPedigree(t *testing.T) {
	ar, err := txtar.ParseFile("../testdata/lockfiles/yarn/patch-protocol.berry-v8.txtar")
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
		t.Fatal("no yarn.lock in the fixture")
	}
	inv, err := lockfiles.Parse(lockfiles.Input{Path: "yarn.lock", Data: lock})
	if err != nil {
		t.Fatal(err)
	}
	for _, v := range []cdx.SpecVersion{cdx.SpecVersion1_6, cdx.SpecVersion1_7} {
		doc, err := New(inv, nil, Options{SpecVersion: v, Deterministic: true, Time: fixedTime})
		if err != nil {
			t.Fatal(err)
		}
		validate(t, "patch", doc, v)
		byPURL := map[string][]cdx.Component{}
		for _, c := range *doc.Components {
			byPURL[c.PackageURL] = append(byPURL[c.PackageURL], c)
		}
		for purl, wantURL := range map[string]string{
			"pkg:npm/%40rollup/plugin-commonjs@29.0.2": "~/.yarn/patches/@rollup-plugin-commonjs-npm-29.0.2-18c3a497d8.patch",
			"pkg:npm/resolve@1.22.8":                   "", // a built-in patch: no file
		} {
			cs := byPURL[purl]
			if len(cs) != 1 {
				t.Errorf("%s: %d components with purl %s, want 1", v, len(cs), purl)
				continue
			}
			c := cs[0]
			if c.Pedigree == nil || c.Pedigree.Patches == nil || len(*c.Pedigree.Patches) != 1 {
				t.Errorf("%s: %s pedigree = %+v, want one patch", v, purl, c.Pedigree)
				continue
			}
			p := (*c.Pedigree.Patches)[0]
			gotURL := ""
			if p.Diff != nil {
				gotURL = p.Diff.URL
			}
			if p.Type != cdx.PatchTypeUnofficial || gotURL != wantURL {
				t.Errorf("%s: %s patch = %s %q, want unofficial %q", v, purl, p.Type, gotURL, wantURL)
			}
			if len(props(&c, bom.PropPatch)) != 1 {
				t.Errorf("%s: %s patch properties = %v", v, purl, props(&c, bom.PropPatch))
			}
		}
	}
}

// TestDirWriterSupplierCoverage: a DirWriter sums the supplier coverage of
// the BOMs it wrote, and each BOM written carries the suppliers.
func TestDirWriterSupplierCoverage(t *testing.T) {
	pubs, err := publisher.LoadPackuments("../testdata/fixtures/registry")
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	d, err := NewDirWriter(dir, Options{Format: cdx.BOMFileFormatJSON, Deterministic: true, Time: fixedTime, Publishers: pubs})
	if err != nil {
		t.Fatal(err)
	}
	a := &lockfiles.Inventory{Path: "a/package-lock.json", Format: "npm-v3", Packages: []lockfiles.Package{
		{Name: "postmark-mcp", Version: "1.0.16", Source: lockfiles.SourceRegistry},
		{Name: "left-pad", Version: "1.3.0", Source: lockfiles.SourceRegistry},
	}}
	b := &lockfiles.Inventory{Path: "b/package-lock.json", Format: "npm-v3", Packages: []lockfiles.Package{
		{Name: "mail-toolkit", Version: "3.0.0", Source: lockfiles.SourceRegistry},
		{Name: "local", Version: "1.0.0", Source: lockfiles.SourceFile, Resolved: "file:../local"},
	}}
	for _, inv := range []*lockfiles.Inventory{a, b} {
		if err := d.Lockfile(&ioc.LockfileResult{Path: inv.Path, Inventory: inv}); err != nil {
			t.Fatal(err)
		}
	}
	if err := d.Flush(); err != nil {
		t.Fatal(err)
	}
	if n, k := d.SupplierCoverage(); n != 3 || k != 2 {
		t.Errorf("SupplierCoverage = %d of %d, want 2 of 3 (left-pad unknown, a file: package not counted)", k, n)
	}
	data, err := os.ReadFile(filepath.Join(dir, FileName(b.Path, cdx.BOMFileFormatJSON)))
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Contains(data, []byte(`"name": "Alice Example"`)) {
		t.Errorf("%s lacks the supplier of mail-toolkit@3.0.0", b.Path)
	}
}

// TestDirWriterEventPublishers: a lockfile event's own publisher data (the
// project's, as the scan matched with it) fills that lockfile's BOM, even
// when the DirWriter was given none.
func TestDirWriterEventPublishers(t *testing.T) {
	pubs, err := publisher.LoadPackuments("../testdata/fixtures/registry")
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	d, err := NewDirWriter(dir, Options{Format: cdx.BOMFileFormatJSON, Deterministic: true, Time: fixedTime})
	if err != nil {
		t.Fatal(err)
	}
	inv := func(path string) *lockfiles.Inventory {
		return &lockfiles.Inventory{Path: path, Format: "npm-v3", Packages: []lockfiles.Package{
			{Name: "postmark-mcp", Version: "1.0.16", Source: lockfiles.SourceRegistry}}}
	}
	with, without := inv("with/package-lock.json"), inv("without/package-lock.json")
	d.Lockfile(&ioc.LockfileResult{Path: with.Path, Inventory: with, Publishers: pubs})
	d.Lockfile(&ioc.LockfileResult{Path: without.Path, Inventory: without})
	if err := d.Flush(); err != nil {
		t.Fatal(err)
	}
	if n, k := d.SupplierCoverage(); n != 2 || k != 1 {
		t.Errorf("SupplierCoverage = %d of %d, want 1 of 2", k, n)
	}
	for path, want := range map[string]bool{with.Path: true, without.Path: false} {
		data, err := os.ReadFile(filepath.Join(dir, FileName(path, cdx.BOMFileFormatJSON)))
		if err != nil {
			t.Fatal(err)
		}
		if got := bytes.Contains(data, []byte(`"supplier"`)); got != want {
			t.Errorf("%s: supplier present = %v, want %v", path, got, want)
		}
	}
}
