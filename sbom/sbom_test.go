package sbom

import (
	"bytes"
	"encoding/base64"
	"encoding/hex"
	"flag"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	cdx "github.com/CycloneDX/cyclonedx-go"

	"github.com/depsweep/depsweep/ioc"
	"github.com/depsweep/depsweep/lockfiles"
	lbom "github.com/depsweep/depsweep/lockfiles/bom"
)

var update = flag.Bool("update", false, "rewrite the golden files in ../testdata/sbom")

func TestPURL(t *testing.T) {
	tests := []struct {
		pkg  lockfiles.Package
		want string
	}{
		{lockfiles.Package{Name: "@babel/core", Version: "7.0.0", Source: lockfiles.SourceRegistry,
			Resolved: "https://registry.npmjs.org/@babel/core/-/core-7.0.0.tgz"}, "pkg:npm/%40babel/core@7.0.0"},
		{lockfiles.Package{Name: "lodash", Version: "4.17.21"}, "pkg:npm/lodash@4.17.21"},
		{lockfiles.Package{Name: "x", Version: "1.0.0+build.1"}, "pkg:npm/x@1.0.0%2Bbuild.1"},
		{lockfiles.Package{Name: "JSONStream", Version: "1.3.5"}, "pkg:npm/jsonstream@1.3.5"},
		{lockfiles.Package{Name: "ms", Version: "2.1.3", Source: lockfiles.SourceRegistry,
			Resolved: "https://registry.yarnpkg.com/ms/-/ms-2.1.3.tgz"}, "pkg:npm/ms@2.1.3"},
		{lockfiles.Package{Name: "postmark-mcp", Version: "1.0.16", Source: lockfiles.SourceRegistry,
			Resolved: "http://127.0.0.1:4873/postmark-mcp/-/postmark-mcp-1.0.16.tgz"},
			"pkg:npm/postmark-mcp@1.0.16?repository_url=http://127.0.0.1:4873"},
		{lockfiles.Package{Name: "@babel/core", Version: "7.0.0", Source: lockfiles.SourceRegistry,
			Resolved: "https://acme.jfrog.io/artifactory/api/npm/npm-remote/@babel/core/-/core-7.0.0.tgz"},
			"pkg:npm/%40babel/core@7.0.0?repository_url=https://acme.jfrog.io/artifactory/api/npm/npm-remote"},
		{lockfiles.Package{Name: "@babel/core", Version: "7.0.0", Source: lockfiles.SourceUnknown,
			Resolved: "https://r.example/npm/@babel%2fcore/-/core-7.0.0.tgz"},
			"pkg:npm/%40babel/core@7.0.0?repository_url=https://r.example/npm"},
		{lockfiles.Package{Name: "@acme/x", Version: "1.0.0", Source: lockfiles.SourceRegistry,
			Resolved: "https://npm.pkg.github.com/download/@acme/x/1.0.0/0a1b2c"},
			"pkg:npm/%40acme/x@1.0.0?repository_url=https://npm.pkg.github.com"},
		{lockfiles.Package{Name: "left-pad", Version: "1.3.0", Source: lockfiles.SourceRegistry,
			Resolved: "left-pad@npm:1.3.0"}, "pkg:npm/left-pad@1.3.0"},
		{lockfiles.Package{Name: "b", Version: "c0ffee", Source: lockfiles.SourceGit,
			Resolved: "git+https://github.com/a/b.git#c0ffee"},
			"pkg:npm/b@c0ffee?vcs_url=git%2Bhttps://github.com/a/b.git%23c0ffee"},
		{lockfiles.Package{Name: "t", Version: "1.0.0", Source: lockfiles.SourceTarball,
			Resolved: "https://cdn.example.com/t-1.0.0.tgz?sig=a&b=c"},
			"pkg:npm/t@1.0.0?download_url=https://cdn.example.com/t-1.0.0.tgz%3Fsig%3Da%26b%3Dc"},
		{lockfiles.Package{Name: "local", Version: "", Source: lockfiles.SourceFile, Resolved: "file:../local"}, "pkg:npm/local"},
	}
	for _, tt := range tests {
		if got := PURL(&tt.pkg); got != tt.want {
			t.Errorf("PURL(%q@%q from %q) = %q, want %q", tt.pkg.Name, tt.pkg.Version, tt.pkg.Resolved, got, tt.want)
		}
	}
}

func TestFileName(t *testing.T) {
	tests := []struct {
		path   string
		format cdx.BOMFileFormat
		want   string
	}{
		{"apps/web/package-lock.json", cdx.BOMFileFormatJSON, "apps__web__package-lock.json.cdx.json"},
		{"package-lock.json", cdx.BOMFileFormatXML, "package-lock.json.cdx.xml"},
		{"./a b/yarn.lock", cdx.BOMFileFormatJSON, "a_b__yarn.lock.cdx.json"},
		{"node_modules/.package-lock.json", cdx.BOMFileFormatJSON, "node_modules__.package-lock.json.cdx.json"},
		{"../x/pnpm-lock.yaml", cdx.BOMFileFormatJSON, "x__pnpm-lock.yaml.cdx.json"},
		{`a\b\yarn.lock`, cdx.BOMFileFormatJSON, "a__b__yarn.lock.cdx.json"},
		{"repo@1.2/packages/@scope+x/package-lock.json", cdx.BOMFileFormatJSON, "repo@1.2__packages__@scope+x__package-lock.json.cdx.json"},
	}
	for _, tt := range tests {
		if got := FileName(tt.path, tt.format); got != tt.want {
			t.Errorf("FileName(%q, %v) = %q, want %q", tt.path, tt.format, got, tt.want)
		}
	}
}

func sri(alg string, hexDigest string) string {
	d, _ := hex.DecodeString(hexDigest)
	return alg + "-" + base64.StdEncoding.EncodeToString(d)
}

// Digests used by the hand-built inventory.
var (
	sha512a = strings.Repeat("ab", 64)
	sha512b = strings.Repeat("cd", 64)
	sha512c = strings.Repeat("0e", 64)
	sha1a   = strings.Repeat("12", 20)
)

// handInventory is a project with the shapes the parsers produce: scoped,
// aliased, dev, optional, bundled, git, yarn berry checksum, a package at two
// install paths, a workspace and its link.
func handInventory() *lockfiles.Inventory {
	reg := "http://127.0.0.1:4873/"
	return &lockfiles.Inventory{
		Path:   "apps/mail/package-lock.json",
		Format: "npm-v3",
		Importers: []lockfiles.Importer{
			{Path: ".", Name: "fx-app", Version: "1.0.0", Deps: []lockfiles.Dep{
				{To: 0}, {To: 1}, {To: 3}, {To: 4, Type: lockfiles.DepDev}, {To: 6}, {To: 8}, {To: 9}, {To: 10, Type: lockfiles.DepOptional}, {To: 11},
			}},
			{Path: "packages/mailer", Name: "mailer", Version: "0.1.0", Deps: []lockfiles.Dep{{To: 5}}},
		},
		Packages: []lockfiles.Package{
			0: {Name: "@acme/postmark-mcp", Version: "1.0.16", Source: lockfiles.SourceRegistry,
				Resolved: reg + "@acme/postmark-mcp/-/postmark-mcp-1.0.16.tgz", Integrity: sri("sha512", sha512a),
				Paths: []string{"node_modules/@acme/postmark-mcp"}, Line: 16},
			1: {Name: "debug", Version: "4.4.3", Source: lockfiles.SourceRegistry,
				Resolved: reg + "debug/-/debug-4.4.3.tgz", Integrity: sri("sha512", sha512b) + " " + sri("sha1", sha1a),
				Paths: []string{"node_modules/debug"}, Line: 22},
			2: {Name: "ms", Version: "2.1.3", Source: lockfiles.SourceRegistry,
				Resolved: "https://registry.npmjs.org/ms/-/ms-2.1.3.tgz", Integrity: sri("sha512", sha512c),
				Paths: []string{"node_modules/ms"}, Line: 38},
			3: {Name: "postmark-mcp", Version: "1.0.17", Alias: "pm", Source: lockfiles.SourceRegistry,
				Resolved: reg + "postmark-mcp/-/postmark-mcp-1.0.17.tgz", Integrity: sri("sha512", sha512a),
				Paths: []string{"node_modules/pm"}, Line: 44},
			4: {Name: "chalk", Version: "4.1.2", Source: lockfiles.SourceRegistry, Dev: true,
				Resolved: "https://registry.npmjs.org/chalk/-/chalk-4.1.2.tgz", Integrity: sri("sha1", sha1a),
				Paths: []string{"node_modules/chalk"}},
			5: {Name: "postmark-mcp", Version: "1.0.16", Source: lockfiles.SourceRegistry,
				Resolved: reg + "postmark-mcp/-/postmark-mcp-1.0.16.tgz", Integrity: sri("sha512", sha512b),
				Paths: []string{"node_modules/postmark-mcp"}},
			6: {Name: "mylib", Version: "0123abc", Source: lockfiles.SourceGit,
				Resolved: "git+ssh://git@github.com/acme/mylib.git#0123abc", Paths: []string{"node_modules/mylib"}},
			7: {Name: "ms", Version: "2.1.3", Source: lockfiles.SourceRegistry,
				Resolved: "https://registry.npmjs.org/ms/-/ms-2.1.3.tgz", Integrity: sri("sha512", sha512c),
				Dev: true, Paths: []string{"node_modules/chalk/node_modules/ms"}},
			8: {Name: "left-pad", Version: "1.3.0", Source: lockfiles.SourceRegistry, Resolved: "left-pad@npm:1.3.0",
				Checksum: "10c0/" + sha512a},
			9: {Name: "@acme/bundler", Version: "2.0.0", Source: lockfiles.SourceRegistry, Bundled: true,
				Paths: []string{"node_modules/@acme/bundler"}},
			10: {Name: "fsevents", Version: "2.3.3", Source: lockfiles.SourceRegistry, Optional: true,
				Resolved: "https://registry.npmjs.org/fsevents/-/fsevents-2.3.3.tgz", Paths: []string{"node_modules/fsevents"}},
			11: {Name: "mailer", Version: "0.1.0", Source: lockfiles.SourceLink, Resolved: "packages/mailer",
				Paths: []string{"node_modules/mailer"}},
		},
		Edges: []lockfiles.Edge{{From: 1, To: 2}, {From: 4, To: 7}, {From: 11, To: 5}},
	}
}

func malAdvisory() *ioc.Advisory {
	return &ioc.Advisory{
		ID:          "MAL-2025-47604",
		Title:       "Malicious code in postmark-mcp (npm)",
		Summary:     "postmark-mcp 1.0.16 to 1.0.18 BCC every email to phan@giftshop.club.",
		Published:   time.Date(2025, 9, 26, 4, 14, 45, 0, time.UTC),
		References:  []string{"https://www.koi.security/blog/postmark-mcp-npm-malicious-backdoor-email-theft"},
		Severity:    ioc.SeverityCritical,
		Remediation: []string{"Remove postmark-mcp.", "Rotate Postmark server tokens."},
		Feed:        "osv",
	}
}

func handFindings(inv *lockfiles.Inventory) []ioc.Finding {
	adv := malAdvisory()
	pkgInd := &ioc.Indicator{Kind: ioc.KindPackage, Ecosystem: "npm", Value: "postmark-mcp", Advisory: adv}
	pubInd := &ioc.Indicator{Kind: ioc.KindPublisher, Ecosystem: "npm", Value: "phanpak", Advisory: adv}
	return []ioc.Finding{
		{ID: "f-alias", Severity: ioc.SeverityCritical, Lockfile: inv.Path, Package: inv.Packages[3],
			Indicator: pkgInd, Evidence: "postmark-mcp@1.0.17 is a malicious version",
			Path: []string{"fx-app@1.0.0", "postmark-mcp@1.0.17"}},
		{ID: "f-ws", Severity: ioc.SeverityCritical, Lockfile: inv.Path, Package: inv.Packages[5],
			Indicator: pkgInd, Evidence: "postmark-mcp@1.0.16 is a malicious version"},
		{ID: "f-pub", Severity: ioc.SeverityMedium, Lockfile: inv.Path, Package: inv.Packages[5],
			Indicator: pubInd, Evidence: "published by phanpak"},
		{ID: "f-collision", Severity: ioc.SeverityInfo, Lockfile: inv.Path, Collision: true,
			Package: lockfiles.Package{Name: "postmark-mcp", Version: "9.9.9", Source: lockfiles.SourceFile}, Indicator: pkgInd},
	}
}

var fixedTime = time.Date(2025, 9, 30, 12, 0, 0, 0, time.UTC)

func byRef(bom *cdx.BOM) map[string]*cdx.Component {
	m := map[string]*cdx.Component{}
	for i := range *bom.Components {
		c := &(*bom.Components)[i]
		m[c.BOMRef] = c
	}
	return m
}

func props(c *cdx.Component, name string) []string {
	var out []string
	if c.Properties != nil {
		for _, p := range *c.Properties {
			if p.Name == name {
				out = append(out, p.Value)
			}
		}
	}
	return out
}

func dependsOn(bom *cdx.BOM, ref string) []string {
	for _, d := range *bom.Dependencies {
		if d.Ref == ref && d.Dependencies != nil {
			return *d.Dependencies
		}
	}
	return nil
}

func TestNewHandInventory(t *testing.T) {
	inv := handInventory()
	bom, err := New(inv, handFindings(inv), Options{Time: fixedTime, ToolVersion: "1.2.3", Deterministic: true})
	if err != nil {
		t.Fatal(err)
	}
	comps := byRef(bom)
	// 12 packages: ms twice, and the link to the workspace merged into the
	// workspace's component.
	if got, want := len(comps), 11; got != want {
		t.Errorf("%d components, want %d: %v", got, want, slices.Sorted(mapKeys(comps)))
	}

	md := bom.Metadata
	if md.Component == nil || md.Component.Name != "fx-app" || md.Component.Version != "1.0.0" || md.Component.PackageURL != "pkg:npm/fx-app@1.0.0" {
		t.Errorf("metadata.component = %+v, want fx-app@1.0.0 with a purl", md.Component)
	}
	if md.Timestamp != "2025-09-30T12:00:00Z" {
		t.Errorf("timestamp = %q", md.Timestamp)
	}
	if tools := *md.Tools.Components; len(tools) != 1 || tools[0].Name != "depsweep" || tools[0].Version != "1.2.3" {
		t.Errorf("tools = %+v", tools)
	}
	if md.Lifecycles == nil || (*md.Lifecycles)[0].Phase != cdx.LifecyclePhasePreBuild {
		t.Errorf("lifecycles = %+v", md.Lifecycles)
	}

	scoped := comps["pkg:npm/%40acme/postmark-mcp@1.0.16?repository_url=http://127.0.0.1:4873"]
	if scoped == nil {
		t.Fatalf("no component for @acme/postmark-mcp; refs: %v", slices.Sorted(mapKeys(comps)))
	}
	if scoped.Group != "@acme" || scoped.Name != "postmark-mcp" || scoped.Version != "1.0.16" || scoped.Type != cdx.ComponentTypeLibrary {
		t.Errorf("scoped component = %+v", scoped)
	}
	if scoped.Hashes == nil || (*scoped.Hashes)[0] != (cdx.Hash{Algorithm: cdx.HashAlgoSHA512, Value: sha512a}) {
		t.Errorf("scoped hashes = %+v, want SHA-512 %s", scoped.Hashes, sha512a)
	}
	if er := scoped.ExternalReferences; er == nil || (*er)[0].Type != cdx.ERTypeDistribution || (*er)[0].URL != inv.Packages[0].Resolved {
		t.Errorf("scoped externalReferences = %+v", er)
	}

	debug := comps["pkg:npm/debug@4.4.3?repository_url=http://127.0.0.1:4873"]
	if debug == nil || debug.Hashes == nil || len(*debug.Hashes) != 2 || (*debug.Hashes)[1] != (cdx.Hash{Algorithm: cdx.HashAlgoSHA1, Value: sha1a}) {
		t.Errorf("debug hashes = %+v, want SHA-512 and SHA-1", debug)
	}

	ms := comps["pkg:npm/ms@2.1.3"]
	if ms == nil {
		t.Fatal("no ms component")
	}
	if got := props(ms, lbom.PropPath); !slices.Equal(got, []string{"node_modules/chalk/node_modules/ms", "node_modules/ms"}) {
		t.Errorf("ms paths = %q", got)
	}
	if ms.Scope != cdx.ScopeRequired || props(ms, lbom.PropDevelopment) != nil {
		t.Errorf("ms (needed by prod debug and dev chalk) scope = %q, development = %q, want required", ms.Scope, props(ms, lbom.PropDevelopment))
	}

	chalk := comps["pkg:npm/chalk@4.1.2"]
	if chalk.Scope != cdx.ScopeExcluded || !slices.Equal(props(chalk, lbom.PropDevelopment), []string{"true"}) {
		t.Errorf("chalk scope = %q, development = %q; want excluded, true", chalk.Scope, props(chalk, lbom.PropDevelopment))
	}
	if fs := comps["pkg:npm/fsevents@2.3.3"]; fs.Scope != cdx.ScopeOptional {
		t.Errorf("fsevents scope = %q, want optional", fs.Scope)
	}
	if b := comps["pkg:npm/%40acme/bundler@2.0.0"]; !slices.Equal(props(b, lbom.PropBundled), []string{"true"}) {
		t.Errorf("bundled property = %q", props(b, lbom.PropBundled))
	}
	pm := comps["pkg:npm/postmark-mcp@1.0.17?repository_url=http://127.0.0.1:4873"]
	if pm == nil || !slices.Equal(props(pm, lbom.PropAlias), []string{"pm"}) || pm.Name != "postmark-mcp" {
		t.Errorf("aliased component = %+v", pm)
	}
	git := comps["pkg:npm/mylib@0123abc?vcs_url=git%2Bssh://git%40github.com/acme/mylib.git%230123abc"]
	if git == nil || git.ExternalReferences == nil || (*git.ExternalReferences)[0].Type != cdx.ERTypeVCS {
		t.Errorf("git component = %+v", git)
	}
	lp := comps["pkg:npm/left-pad@1.3.0"]
	if lp == nil || lp.Hashes != nil || !slices.Equal(props(lp, lbom.PropYarnChecksum), []string{"10c0/" + sha512a}) {
		t.Errorf("yarn berry checksum must be a property, never a hash: %+v", lp)
	}
	if lp != nil && !slices.Equal(props(lp, lbom.PropResolved), []string{"left-pad@npm:1.3.0"}) {
		t.Errorf("left-pad resolved property = %q", props(lp, lbom.PropResolved))
	}

	// The workspace and the link package to it are one component.
	ws := comps["pkg:npm/mailer@0.1.0"]
	if ws == nil || !slices.Equal(props(ws, lbom.PropPath), []string{"packages/mailer", "node_modules/mailer"}) {
		t.Errorf("workspace component = %+v", ws)
	}
	if comps["pkg:npm/mailer@0.1.0~2"] != nil {
		t.Errorf("link package to the workspace got a component of its own")
	}

	// Graph.
	if got := dependsOn(bom, "pkg:npm/fx-app@1.0.0"); !slices.Contains(got, "pkg:npm/mailer@0.1.0") || !slices.Contains(got, "pkg:npm/chalk@4.1.2") || len(got) != 9 {
		t.Errorf("root dependsOn = %q", got)
	}
	if got := dependsOn(bom, "pkg:npm/mailer@0.1.0"); !slices.Equal(got, []string{"pkg:npm/postmark-mcp@1.0.16?repository_url=http://127.0.0.1:4873"}) {
		t.Errorf("workspace dependsOn = %q", got)
	}
	if got := dependsOn(bom, "pkg:npm/chalk@4.1.2"); !slices.Equal(got, []string{"pkg:npm/ms@2.1.3"}) {
		t.Errorf("chalk dependsOn = %q", got)
	}
	if got, want := len(*bom.Dependencies), len(comps)+1; got != want {
		t.Errorf("%d dependency entries, want %d (every component and the root)", got, want)
	}

	// Vulnerabilities: three findings, the collision left out.
	vulns := *bom.Vulnerabilities
	if len(vulns) != 3 {
		t.Fatalf("%d vulnerabilities, want 3", len(vulns))
	}
	for _, v := range vulns {
		if v.ID != "MAL-2025-47604" || v.Source == nil || v.Source.Name != "OSV" || v.CWEs == nil || (*v.CWEs)[0] != 506 {
			t.Errorf("vulnerability %s: id/source/cwe = %q %+v %v", v.BOMRef, v.ID, v.Source, v.CWEs)
		}
		if !strings.HasPrefix(v.Recommendation, "1. Remove postmark-mcp.\n2. Rotate") {
			t.Errorf("recommendation = %q", v.Recommendation)
		}
		if ref := (*v.Affects)[0].Ref; comps[ref] == nil {
			t.Errorf("vulnerability affects %q, not a component", ref)
		}
	}
	sev := map[string]cdx.Severity{}
	for _, v := range vulns {
		var kind, fid string
		for _, p := range *v.Properties {
			switch p.Name {
			case lbom.PropIndKind:
				kind = p.Value
			case lbom.PropFindingID:
				fid = p.Value
			}
		}
		sev[fid+"/"+kind] = (*v.Ratings)[0].Severity
		if fid == "f-alias" && (*v.Affects)[0].Ref != pm.BOMRef {
			t.Errorf("f-alias affects %q, want %q", (*v.Affects)[0].Ref, pm.BOMRef)
		}
	}
	want := map[string]cdx.Severity{"f-alias/package": "critical", "f-ws/package": "critical", "f-pub/publisher": "medium"}
	for k, s := range want {
		if sev[k] != s {
			t.Errorf("vulnerability %s severity = %q, want %q (all: %v)", k, sev[k], s, sev)
		}
	}

	checkNTIA(t, "hand", bom)
	checkRefs(t, "hand", bom)
	skipNoXSD(t)
	for _, v := range specs {
		b, err := New(inv, handFindings(inv), Options{SpecVersion: v, Time: fixedTime, Deterministic: true})
		if err != nil {
			t.Fatal(err)
		}
		validate(t, "hand", b, v)
	}
}

func mapKeys[V any](m map[string]V) func(func(string) bool) {
	return func(yield func(string) bool) {
		for k := range m {
			if !yield(k) {
				return
			}
		}
	}
}

// checkNTIA checks the NTIA minimum elements on bom: name, version and a
// unique identifier (purl) for every component; a dependency entry for every
// component; the tool that wrote the BOM and a timestamp. Lockfiles do not
// say who supplies a registry package, so the supplier is checked where
// publisher data was loaded and knew the version (the component names its
// publisher, with the source property): the same packument names its
// author or maintainers, so the component must have a supplier with a name
// or a contact, and the property saying where it came from.
func checkNTIA(t *testing.T, name string, bom *cdx.BOM) {
	t.Helper()
	md := bom.Metadata
	if md == nil || md.Timestamp == "" || md.Tools == nil || md.Tools.Components == nil || len(*md.Tools.Components) == 0 {
		t.Errorf("%s: metadata lacks tool or timestamp", name)
		return
	}
	if md.Component == nil || md.Component.Name == "" || md.Component.BOMRef == "" {
		t.Errorf("%s: metadata.component lacks a name or bom-ref", name)
	}
	seen := map[string]bool{}
	purls := map[string]bool{}
	for _, c := range *bom.Components {
		if c.Name == "" || c.PackageURL == "" || c.BOMRef == "" {
			t.Errorf("%s: component %q lacks name, purl or bom-ref", name, c.BOMRef)
		}
		if c.Version == "" {
			// Only git and local packages may lack a version (the lockfile pins none).
			if src := props(&c, lbom.PropSource); len(src) == 0 || lockfiles.Source(src[0]).FromRegistry() {
				t.Errorf("%s: component %q has no version", name, c.BOMRef)
			}
		}
		if c.Publisher != "" && len(props(&c, lbom.PropPubSource)) == 1 {
			switch s := c.Supplier; {
			case s == nil || (s.Name == "" && (s.Contact == nil || len(*s.Contact) == 0)):
				t.Errorf("%s: component %q has publisher data but no supplier", name, c.BOMRef)
			case len(props(&c, lbom.PropSupSource)) != 1:
				t.Errorf("%s: component %q has a supplier but no %s property", name, c.BOMRef, lbom.PropSupSource)
			}
		}
		if seen[c.BOMRef] {
			t.Errorf("%s: bom-ref %q twice", name, c.BOMRef)
		}
		seen[c.BOMRef] = true
		purls[c.PackageURL] = true
	}
	deps := map[string]bool{}
	for _, d := range *bom.Dependencies {
		deps[d.Ref] = true
	}
	for ref := range seen {
		if !deps[ref] {
			t.Errorf("%s: component %q has no dependency entry", name, ref)
		}
	}
	if !deps[md.Component.BOMRef] {
		t.Errorf("%s: the root has no dependency entry", name)
	}
}

// checkRefs checks that every reference in dependencies and vulnerabilities
// resolves to a component or the metadata component.
func checkRefs(t *testing.T, name string, bom *cdx.BOM) {
	t.Helper()
	refs := map[string]bool{bom.Metadata.Component.BOMRef: true}
	for _, c := range *bom.Components {
		refs[c.BOMRef] = true
	}
	for _, d := range *bom.Dependencies {
		if !refs[d.Ref] {
			t.Errorf("%s: dependency entry for unknown ref %q", name, d.Ref)
		}
		if d.Dependencies != nil {
			for _, r := range *d.Dependencies {
				if !refs[r] {
					t.Errorf("%s: %q depends on unknown ref %q", name, d.Ref, r)
				}
			}
		}
	}
	if bom.Vulnerabilities != nil {
		for _, v := range *bom.Vulnerabilities {
			for _, a := range *v.Affects {
				if !refs[a.Ref] {
					t.Errorf("%s: vulnerability %s affects unknown ref %q", name, v.ID, a.Ref)
				}
			}
		}
	}
}

func TestDeterministic(t *testing.T) {
	inv := handInventory()
	encode := func(opts Options) []byte {
		t.Helper()
		bom, err := New(inv, handFindings(inv), opts)
		if err != nil {
			t.Fatal(err)
		}
		var b bytes.Buffer
		if err := Write(&b, bom, opts); err != nil {
			t.Fatal(err)
		}
		return b.Bytes()
	}
	for _, f := range []cdx.BOMFileFormat{cdx.BOMFileFormatJSON, cdx.BOMFileFormatXML} {
		opts := Options{Format: f, Deterministic: true, Time: fixedTime}
		a, b := encode(opts), encode(opts)
		if !bytes.Equal(a, b) {
			t.Errorf("format %v: two deterministic runs differ", f)
		}
		// Shuffled input order gives the same BOM.
		inv2 := handInventory()
		slices.Reverse(inv2.Edges)
		inv2.Importers[0].Deps = slices.Clone(inv2.Importers[0].Deps)
		slices.Reverse(inv2.Importers[0].Deps)
		bom2, _ := New(inv2, handFindings(inv2), opts)
		var c bytes.Buffer
		Write(&c, bom2, opts)
		if !bytes.Equal(a, c.Bytes()) {
			t.Errorf("format %v: reordered edges change the BOM", f)
		}
		opts.Time = fixedTime.Add(time.Second)
		if bytes.Equal(a, encode(opts)) {
			t.Errorf("format %v: a different time gives the same bytes", f)
		}
	}
	x, _ := New(inv, nil, Options{Time: fixedTime})
	y, _ := New(inv, nil, Options{Time: fixedTime})
	if x.SerialNumber == y.SerialNumber {
		t.Errorf("two non-deterministic BOMs share serial number %s", x.SerialNumber)
	}
	d1, _ := New(inv, nil, Options{Time: fixedTime, Deterministic: true})
	d2, _ := New(inv, handFindings(inv), Options{Time: fixedTime, Deterministic: true})
	if d1.SerialNumber == d2.SerialNumber {
		t.Errorf("different content, same deterministic serial %s", d1.SerialNumber)
	}
	if d1.SerialNumber[23] != '5' {
		t.Errorf("deterministic serial %s is not a version 5 UUID", d1.SerialNumber)
	}
}

func TestTimestamp(t *testing.T) {
	inv := handInventory()
	t.Setenv("SOURCE_DATE_EPOCH", "1700000000")
	b, err := New(inv, nil, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if b.Metadata.Timestamp != "2023-11-14T22:13:20Z" {
		t.Errorf("timestamp with SOURCE_DATE_EPOCH = %q", b.Metadata.Timestamp)
	}
	b, _ = New(inv, nil, Options{Time: fixedTime})
	if b.Metadata.Timestamp != "2025-09-30T12:00:00Z" {
		t.Errorf("Options.Time must win over SOURCE_DATE_EPOCH: %q", b.Metadata.Timestamp)
	}
	t.Setenv("SOURCE_DATE_EPOCH", "yesterday")
	if _, err := New(inv, nil, Options{}); err == nil || strings.Contains(err.Error(), "yesterday") {
		t.Errorf("bad SOURCE_DATE_EPOCH: err = %v, want an error that does not echo the value", err)
	}
	os.Unsetenv("SOURCE_DATE_EPOCH")
	b, _ = New(inv, nil, Options{Deterministic: true})
	if b.Metadata.Timestamp != "1970-01-01T00:00:00Z" {
		t.Errorf("deterministic without a time: %q, want the epoch", b.Metadata.Timestamp)
	}
}

func TestNewErrors(t *testing.T) {
	inv := handInventory()
	inv.Edges = append(inv.Edges, lockfiles.Edge{From: 0, To: 99})
	if _, err := New(inv, nil, Options{}); err == nil || !strings.HasPrefix(err.Error(), inv.Path+":") {
		t.Errorf("edge out of range: err = %v, want one naming the lockfile", err)
	}
	if _, err := New(handInventory(), nil, Options{SpecVersion: cdx.SpecVersion1_4}); err == nil {
		t.Errorf("spec 1.4 accepted")
	}
	if _, err := New(nil, nil, Options{}); err == nil {
		t.Errorf("nil inventory accepted")
	}
	// An unnamed project and no importers at all still give a valid BOM.
	bare := &lockfiles.Inventory{Path: "svc/yarn.lock", Packages: []lockfiles.Package{{Name: "ms", Version: "2.1.3"}}}
	b, err := New(bare, nil, Options{Time: fixedTime})
	if err != nil {
		t.Fatal(err)
	}
	if b.Metadata.Component.Name != "svc" || b.Metadata.Component.PackageURL != "" || b.Metadata.Component.BOMRef != "root" {
		t.Errorf("unnamed root = %+v", b.Metadata.Component)
	}
	if len(bare.Importers) != 0 {
		t.Errorf("New modified the inventory")
	}
	checkNTIA(t, "bare", b)
	for _, v := range specs {
		validate(t, "bare", b, v)
	}
	// Problems mark the BOM incomplete.
	bare.Problems = []lockfiles.Problem{{Line: 3, Msg: "bad entry"}}
	b, _ = New(bare, nil, Options{Time: fixedTime})
	if b.Compositions == nil || (*b.Compositions)[0].Aggregate != cdx.CompositionAggregateIncomplete {
		t.Errorf("a partly read lockfile is not marked incomplete: %+v", b.Compositions)
	}
	validate(t, "incomplete", b, cdx.SpecVersion1_6)
}

func TestDirWriter(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "sboms")
	opts := Options{Format: cdx.BOMFileFormatJSON, Deterministic: true, Time: fixedTime}
	d, err := NewDirWriter(dir, opts)
	if err != nil {
		t.Fatal(err)
	}
	a := handInventory()
	b := handInventory()
	b.Path = "apps/mail__package-lock.json" // collides with a's name by FileName's rule
	c := handInventory()
	c.Path = "other/package-lock.json"
	steps := []func() error{
		func() error { return d.Lockfile(&ioc.LockfileResult{Path: a.Path, Inventory: a}) },
		func() error { f := handFindings(a)[0]; return d.Finding(&f) },
		func() error {
			return d.Lockfile(&ioc.LockfileResult{Path: "broken/package-lock.json", Err: os.ErrInvalid})
		},
		func() error { f := handFindings(a)[1]; return d.Finding(&f) }, // no pending lockfile: ignored
		func() error { return d.Lockfile(&ioc.LockfileResult{Path: b.Path, Inventory: b}) },
		func() error { return d.Lockfile(&ioc.LockfileResult{Path: c.Path, Inventory: c}) },
		d.Flush,
	}
	for i, s := range steps {
		if err := s(); err != nil {
			t.Fatalf("step %d: %v", i, err)
		}
	}
	want := []string{"apps__mail__package-lock.json.cdx.json", "apps__mail__package-lock.json~2.cdx.json", "other__package-lock.json.cdx.json"}
	ents, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, e := range ents {
		got = append(got, e.Name())
	}
	if !slices.Equal(got, want) {
		t.Errorf("files = %q, want %q (no temporary files left)", got, want)
	}
	if len(d.Files()) != 3 {
		t.Errorf("Files() = %q", d.Files())
	}
	first, err := os.ReadFile(filepath.Join(dir, want[0]))
	if err != nil {
		t.Fatal(err)
	}
	bom, _ := New(a, handFindings(a)[:1], opts)
	var direct bytes.Buffer
	Write(&direct, bom, opts)
	if !bytes.Equal(first, direct.Bytes()) {
		t.Errorf("file differs from New+Write with the lockfile's findings")
	}
	if !bytes.Contains(first, []byte(`"MAL-2025-47604"`)) {
		t.Errorf("finding missing from the first BOM")
	}
	third, _ := os.ReadFile(filepath.Join(dir, want[2]))
	if bytes.Contains(third, []byte("vulnerabilities")) {
		t.Errorf("a finding leaked into a later lockfile's BOM")
	}
	if st, _ := os.Stat(filepath.Join(dir, want[0])); st.Mode().Perm() != 0o644 {
		t.Errorf("mode = %v, want 0644", st.Mode().Perm())
	}
	// A directory that cannot be created is an error.
	if _, err := NewDirWriter(filepath.Join(dir, want[0], "x"), opts); err == nil {
		t.Errorf("NewDirWriter under a file succeeded")
	}
}

// TestMergeCopies: copies of one package at several install paths are one
// component carrying every digest, unless their digests disagree.
func TestMergeCopies(t *testing.T) {
	inv := &lockfiles.Inventory{
		Path:      "package-lock.json",
		Importers: []lockfiles.Importer{{Path: ".", Name: "app", Deps: []lockfiles.Dep{{To: 0}, {To: 1}, {To: 2}}}},
		Packages: []lockfiles.Package{
			{Name: "a", Version: "1.0.0", Integrity: sri("sha1", sha1a), Paths: []string{"node_modules/a"}},
			{Name: "a", Version: "1.0.0", Integrity: sri("sha512", sha512a), Paths: []string{"node_modules/x/node_modules/a"}},
			{Name: "a", Version: "1.0.0", Integrity: sri("sha512", sha512b), Paths: []string{"node_modules/y/node_modules/a"}},
		},
	}
	bom, err := New(inv, nil, Options{Time: fixedTime})
	if err != nil {
		t.Fatal(err)
	}
	comps := byRef(bom)
	a, a2 := comps["pkg:npm/a@1.0.0"], comps["pkg:npm/a@1.0.0~2"]
	if len(comps) != 2 || a == nil || a2 == nil {
		t.Fatalf("components = %v, want pkg:npm/a@1.0.0 and pkg:npm/a@1.0.0~2", slices.Sorted(mapKeys(comps)))
	}
	if a.Hashes == nil || len(*a.Hashes) != 2 || !slices.Equal(props(a, lbom.PropPath), []string{"node_modules/a", "node_modules/x/node_modules/a"}) {
		t.Errorf("merged copy = hashes %v, paths %q", a.Hashes, props(a, lbom.PropPath))
	}
	if a2.Hashes == nil || (*a2.Hashes)[0].Value != sha512b {
		t.Errorf("conflicting copy hashes = %v", a2.Hashes)
	}
	checkNTIA(t, "copies", bom)
	checkRefs(t, "copies", bom)
}
