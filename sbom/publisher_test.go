package sbom

import (
	"testing"

	cdx "github.com/CycloneDX/cyclonedx-go"
	"github.com/rogpeppe/go-internal/txtar"

	"github.com/depsweep/depsweep/ioc/publisher"
	"github.com/depsweep/depsweep/lockfiles"
	"github.com/depsweep/depsweep/lockfiles/bom"
)

// TestPublisher: with publisher data (the registry packuments of the
// fixtures), each registry package's component names the npm account that
// published its version, and a property says where that came from; the
// BOM stays valid CycloneDX 1.6 and 1.7.
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
