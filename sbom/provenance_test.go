package sbom

import (
	"encoding/json"
	"os"
	"path/filepath"
	"testing"

	cdx "github.com/CycloneDX/cyclonedx-go"

	"github.com/depsweep/depsweep/ioc"
	"github.com/depsweep/depsweep/lockfiles/bom"
)

func TestVCSURL(t *testing.T) {
	tests := []struct{ in, want string }{
		{"https://github.com/acme/mailer.git", "https://github.com/acme/mailer.git"},
		{"https://bob:s3cr3t@git.example.com/acme/mailer.git", "https://git.example.com/acme/mailer.git"},
		{"https://x-access-token:ghs_abc@github.com/acme/m.git?token=1#frag", "https://github.com/acme/m.git"},
		{"ssh://git@github.com/acme/m.git", "ssh://github.com/acme/m.git"},
		{"git@github.com:acme/m.git", "github.com:acme/m.git"},
		{"deploy:tok@github.com:acme/m.git", "github.com:acme/m.git"},
		{"/srv/git/m.git", "/srv/git/m.git"},
		{"/srv/u@x/m.git", ""},
		{"", ""},
	}
	for _, tt := range tests {
		if got := vcsURL(tt.in); got != tt.want {
			t.Errorf("vcsURL(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

// TestProvenance: metadata.component names the repository (vcs reference
// without credentials, commit and branch properties), and the BOM stays
// valid CycloneDX 1.6 and 1.7.
func TestProvenance(t *testing.T) {
	prov := &Provenance{Remote: "https://bob:s3cr3t@git.example.com/acme/mailer.git", Commit: "4f1c2a9e7b3d5f60812a4c6e8b0d2f4a6c8e0b1d", Branch: "main"}
	for _, v := range []cdx.SpecVersion{cdx.SpecVersion1_6, cdx.SpecVersion1_7} {
		out, err := New(handInventory(), handFindings(handInventory()), Options{SpecVersion: v, Deterministic: true, Time: fixedTime, Provenance: prov})
		if err != nil {
			t.Fatal(err)
		}
		js := validate(t, "provenance", out, v)
		var doc struct {
			Metadata struct {
				Component struct {
					ExternalReferences []struct{ Type, URL string }   `json:"externalReferences"`
					Properties         []struct{ Name, Value string } `json:"properties"`
				} `json:"component"`
			} `json:"metadata"`
		}
		if err := json.Unmarshal(js, &doc); err != nil {
			t.Fatal(err)
		}
		c := doc.Metadata.Component
		if len(c.ExternalReferences) != 1 || c.ExternalReferences[0].Type != "vcs" || c.ExternalReferences[0].URL != "https://git.example.com/acme/mailer.git" {
			t.Errorf("%s: externalReferences = %+v, want the vcs URL without credentials", v, c.ExternalReferences)
		}
		got := map[string]string{}
		for _, p := range c.Properties {
			got[p.Name] = p.Value
		}
		if got[bom.PropRepoCommit] != prov.Commit || got[bom.PropRepoBranch] != "main" {
			t.Errorf("%s: properties = %v, want commit and branch", v, got)
		}
	}

	// Without provenance, nothing is added.
	doc, err := New(handInventory(), nil, Options{Deterministic: true, Time: fixedTime})
	if err != nil {
		t.Fatal(err)
	}
	if doc.Metadata.Component.ExternalReferences != nil {
		t.Errorf("externalReferences without provenance: %+v", *doc.Metadata.Component.ExternalReferences)
	}
}

// TestDirWriterProvenance: a DirWriter puts each repository's metadata
// (from the scan's Repo events) into the BOMs of that repository only.
func TestDirWriterProvenance(t *testing.T) {
	dir := t.TempDir()
	d, err := NewDirWriter(dir, Options{Format: cdx.BOMFileFormatJSON, Deterministic: true, Time: fixedTime})
	if err != nil {
		t.Fatal(err)
	}
	var _ ioc.RepoHandler = d
	a, b := handInventory(), handInventory()
	a.Path, b.Path = "mailer/package-lock.json", "plain/package-lock.json"
	for _, step := range []func() error{
		func() error {
			return d.Repo(&ioc.RepoInfo{Path: "mailer", Head: "abc123", Branch: "main", Remote: "git@github.com:acme/mailer.git"})
		},
		func() error { return d.Lockfile(&ioc.LockfileResult{Path: a.Path, Repo: "mailer", Inventory: a}) },
		func() error { return d.Repo(&ioc.RepoInfo{Path: "plain"}) },
		func() error { return d.Lockfile(&ioc.LockfileResult{Path: b.Path, Repo: "plain", Inventory: b}) },
		d.Flush,
	} {
		if err := step(); err != nil {
			t.Fatal(err)
		}
	}
	read := func(name string) *cdx.BOM {
		f, err := os.Open(filepath.Join(dir, name))
		if err != nil {
			t.Fatal(err)
		}
		defer f.Close()
		var doc cdx.BOM
		if err := cdx.NewBOMDecoder(f, cdx.BOMFileFormatJSON).Decode(&doc); err != nil {
			t.Fatal(err)
		}
		return &doc
	}
	m := read("mailer__package-lock.json.cdx.json").Metadata.Component
	if m.ExternalReferences == nil || (*m.ExternalReferences)[0].URL != "github.com:acme/mailer.git" {
		t.Errorf("mailer BOM: externalReferences = %v", m.ExternalReferences)
	}
	if p := read("plain__package-lock.json.cdx.json").Metadata.Component; p.ExternalReferences != nil {
		t.Errorf("plain BOM got a vcs reference: %v", *p.ExternalReferences)
	}
}
