package sbom

import (
	"encoding/base64"
	"encoding/hex"
	"runtime/debug"
	"slices"
	"strings"
	"time"

	cdx "github.com/CycloneDX/cyclonedx-go"
)

// Property names of a Go binary's BOM.
const (
	propGoSum     = "depsweep:go:sum"     // the module's go.sum hash (h1: is a SHA-256 over the module's files)
	propGoReplace = "depsweep:go:replace" // module path@version this module was replaced with
	propGoVersion = "depsweep:go:version" // the toolchain that built the binary
	propGoSetting = "depsweep:go:build:"  // prefix for the build settings (GOOS, GOARCH, CGO_ENABLED, -trimpath, vcs.revision...)
)

// GoPURL returns the package URL of a Go module: pkg:golang/PATH@VERSION,
// each path segment escaped ("+incompatible" becomes %2Bincompatible).
func GoPURL(path, version string) string {
	segs := strings.Split(path, "/")
	for i, s := range segs {
		segs[i] = escape(s)
	}
	p := "pkg:golang/" + strings.Join(segs, "/")
	if version != "" {
		p += "@" + escape(version)
	}
	return p
}

// goSumHash turns a go.sum "h1:BASE64" into a SHA-256 hash; false when
// the sum is of another kind.
func goSumHash(sum string) (cdx.Hash, bool) {
	b64, ok := strings.CutPrefix(sum, "h1:")
	if !ok {
		return cdx.Hash{}, false
	}
	raw, err := base64.StdEncoding.DecodeString(b64)
	if err != nil || len(raw) != 32 {
		return cdx.Hash{}, false
	}
	return cdx.Hash{Algorithm: cdx.HashAlgoSHA256, Value: hex.EncodeToString(raw)}, true
}

// Binary returns the CycloneDX BOM of a Go binary from its build
// information (runtime/debug.ReadBuildInfo for the running program,
// debug/buildinfo.ReadFile for a file): the main module is the metadata
// component (an application named name, with the toolchain and build
// settings as properties), every module linked into it a library with its
// pkg:golang purl and, where the build info records one, the SHA-256 of its
// go.sum hash. The main module depends on every module: build information
// lists them but not who requires whom.
//
// mainVersion is the binary's version ("" for the main module's, from the
// build information); opts.ToolVersion is the version of the depsweep that
// writes the BOM.
func Binary(bi *debug.BuildInfo, name, mainVersion string, opts Options) (*cdx.BOM, error) {
	spec, err := opts.specVersion()
	if err != nil {
		return nil, err
	}
	ts, err := opts.timestamp()
	if err != nil {
		return nil, err
	}
	if mainVersion == "" {
		mainVersion = bi.Main.Version
	}
	purlVersion := mainVersion
	if purlVersion == "(devel)" {
		purlVersion = "" // a build outside a tagged tree has no version to pin
	}
	mainRef := GoPURL(bi.Main.Path, purlVersion)
	main := cdx.Component{
		BOMRef: mainRef, Type: cdx.ComponentTypeApplication, Name: name,
		Version: mainVersion, PackageURL: mainRef,
	}
	props := []cdx.Property{{Name: propGoVersion, Value: bi.GoVersion}}
	for _, s := range bi.Settings {
		props = append(props, cdx.Property{Name: propGoSetting + s.Key, Value: s.Value})
	}
	main.Properties = &props

	comps := make([]cdx.Component, 0, len(bi.Deps))
	dependsOn := make([]string, 0, len(bi.Deps))
	for _, d := range bi.Deps {
		m := d
		var cprops []cdx.Property
		if d.Replace != nil {
			cprops = append(cprops, cdx.Property{Name: propGoReplace, Value: d.Replace.Path + "@" + d.Replace.Version})
			m = d.Replace // what was linked in
		}
		ref := GoPURL(d.Path, d.Version)
		c := cdx.Component{
			BOMRef: ref, Type: cdx.ComponentTypeLibrary, Name: d.Path, Version: d.Version,
			PackageURL: ref, Scope: cdx.ScopeRequired,
		}
		if h, ok := goSumHash(m.Sum); ok {
			c.Hashes = &[]cdx.Hash{h}
		}
		if m.Sum != "" {
			cprops = append(cprops, cdx.Property{Name: propGoSum, Value: m.Sum})
		}
		if len(cprops) > 0 {
			c.Properties = &cprops
		}
		comps = append(comps, c)
		dependsOn = append(dependsOn, ref)
	}
	slices.SortFunc(comps, func(a, b cdx.Component) int { return strings.Compare(a.BOMRef, b.BOMRef) })
	slices.Sort(dependsOn)
	deps := []cdx.Dependency{{Ref: mainRef, Dependencies: &dependsOn}}
	for _, c := range comps {
		deps = append(deps, cdx.Dependency{Ref: c.BOMRef})
	}
	bom := cdx.NewBOM()
	bom.SpecVersion = spec
	bom.Metadata = &cdx.Metadata{
		Timestamp:  ts.Format(time.RFC3339),
		Lifecycles: &[]cdx.Lifecycle{{Phase: cdx.LifecyclePhaseBuild}},
		Tools: &cdx.ToolsChoice{Components: &[]cdx.Component{{
			Type: cdx.ComponentTypeApplication, Name: "depsweep", Version: opts.ToolVersion,
		}}},
		Component: &main,
	}
	bom.Components = &comps
	bom.Dependencies = &deps
	if err := setSerial(bom, opts.Deterministic); err != nil {
		return nil, err
	}
	return bom, nil
}
