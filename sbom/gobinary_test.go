package sbom

import (
	"os"
	"runtime/debug"
	"strings"
	"testing"

	cdx "github.com/CycloneDX/cyclonedx-go"
)

func TestGoPURL(t *testing.T) {
	for _, tc := range []struct{ path, version, want string }{
		{"github.com/spf13/pflag", "v1.0.10", "pkg:golang/github.com/spf13/pflag@v1.0.10"},
		{"gopkg.in/yaml.v3", "v3.0.1", "pkg:golang/gopkg.in/yaml.v3@v3.0.1"},
		{"github.com/x/y", "v2.0.0+incompatible", "pkg:golang/github.com/x/y@v2.0.0%2Bincompatible"},
		{"github.com/depsweep/depsweep", "", "pkg:golang/github.com/depsweep/depsweep"},
		{"example.com/a b", "v0.0.0-20240101000000-abcdef123456", "pkg:golang/example.com/a%20b@v0.0.0-20240101000000-abcdef123456"},
	} {
		if got := GoPURL(tc.path, tc.version); got != tc.want {
			t.Errorf("GoPURL(%q, %q) = %q, want %q", tc.path, tc.version, got, tc.want)
		}
	}
}

// TestBinaryBOM builds the BOM of a real depsweep binary's build
// information and validates it against the official schemas. The file is
// what the go command wrote (test binaries carry no module list):
//
//	go build -trimpath -o /tmp/dsb ./cmd/depsweep &&
//	{ go version /tmp/dsb | awk '{print "go\t"$2}'; go version -m /tmp/dsb | tail -n +2 | sed 's/^\t//'; } \
//	  > testdata/sbom/depsweep.buildinfo
func TestBinaryBOM(t *testing.T) {
	text, err := os.ReadFile("../testdata/sbom/depsweep.buildinfo")
	if err != nil {
		t.Fatal(err)
	}
	bi, err := debug.ParseBuildInfo(string(text))
	if err != nil {
		t.Fatal(err)
	}
	if len(bi.Deps) < 5 {
		t.Fatalf("build info lists %d modules", len(bi.Deps))
	}
	for _, v := range specs {
		bom, err := Binary(bi, "depsweep", "v9.9.9", Options{SpecVersion: v, Deterministic: true, ToolVersion: "v1.0.0"})
		if err != nil {
			t.Fatal(err)
		}
		validate(t, "binary "+v.String(), bom, v)
		if bom.Metadata.Component.Version != "v9.9.9" || bom.Metadata.Component.Type != cdx.ComponentTypeApplication {
			t.Errorf("metadata component = %+v", bom.Metadata.Component)
		}
		var cdxgo *cdx.Component
		for i, c := range *bom.Components {
			if c.Name == "github.com/CycloneDX/cyclonedx-go" {
				cdxgo = &(*bom.Components)[i]
			}
		}
		if cdxgo == nil {
			t.Fatal("cyclonedx-go, linked into this binary, is not a component")
		}
		if !strings.HasPrefix(cdxgo.PackageURL, "pkg:golang/github.com/CycloneDX/cyclonedx-go@v") {
			t.Errorf("purl %q", cdxgo.PackageURL)
		}
		if cdxgo.Hashes == nil || (*cdxgo.Hashes)[0].Algorithm != cdx.HashAlgoSHA256 || len((*cdxgo.Hashes)[0].Value) != 64 {
			t.Errorf("cyclonedx-go hash = %+v, want the SHA-256 of its go.sum h1: hash", cdxgo.Hashes)
		}
		deps := *bom.Dependencies
		if deps[0].Ref != bom.Metadata.Component.BOMRef || len(*deps[0].Dependencies) != len(*bom.Components) {
			t.Errorf("the main module does not depend on every module")
		}
	}
	// Two builds of the same binary's BOM are the same bytes.
	a, _ := Binary(bi, "depsweep", "", Options{Deterministic: true, Time: fixedTime})
	b, _ := Binary(bi, "depsweep", "", Options{Deterministic: true, Time: fixedTime})
	if a.SerialNumber != b.SerialNumber {
		t.Error("deterministic serial numbers differ")
	}
}
