package ioc

import (
	"encoding/hex"
	"errors"
	"fmt"
	"net/netip"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/depsweep/depsweep/lockfiles"
)

// postmarkIndicators returns the indicators of the postmark-mcp incident as
// the embedded feed describes them: MAL-2025-47604, critical.
func postmarkIndicators() []Indicator {
	adv := &Advisory{
		ID:         "MAL-2025-47604",
		Title:      "Malicious code in postmark-mcp (npm)",
		Published:  time.Date(2025, 9, 26, 4, 14, 45, 0, time.UTC),
		References: []string{"https://www.koi.security/blog/postmark-mcp-npm-malicious-backdoor-email-theft"},
		Severity:   SeverityCritical,
	}
	return []Indicator{
		{Kind: KindPackage, Ecosystem: "npm", Value: "postmark-mcp", Versions: Versions{Exact: []string{"1.0.16", "1.0.17", "1.0.18"}}, Advisory: adv},
		{Kind: KindPublisher, Ecosystem: "npm", Value: "phanpak", Advisory: adv},
		{Kind: KindDomain, Value: "giftshop.club", Advisory: adv},
		{Kind: KindEmail, Value: "phan@giftshop.club", Advisory: adv},
	}
}

func postmarkIndex(t testing.TB) *Index {
	t.Helper()
	x, err := NewIndex(postmarkIndicators())
	if err != nil {
		t.Fatal(err)
	}
	return x
}

// fakePublishers answers from a fixed map "name@version" → account.
type fakePublishers map[string]string

func (f fakePublishers) Publisher(name, version string) (string, string, bool) {
	a, ok := f[name+"@"+version]
	return a, "publisher data", ok
}

func (fakePublishers) Prefetch([]lockfiles.Package) {}

// short describes a finding for comparisons: "name@version kind sev".
func short(f Finding) string {
	s := fmt.Sprintf("%s %s %s", f.Package.ID(), f.Indicator.Kind, f.Severity)
	if f.Collision {
		s += " collision"
	}
	return s
}

func shorts(fs []Finding) []string {
	var out []string
	for _, f := range fs {
		out = append(out, short(f))
	}
	return out
}

const reg = "https://registry.npmjs.org/"

// npmInventory is shaped like a package-lock.json v3: root → mail-toolkit →
// postmark-mcp 1.0.15 (nested), root → postmark-mcp 1.0.16, alias pm.
func npmInventory() *lockfiles.Inventory {
	return &lockfiles.Inventory{
		Path:   "app/package-lock.json",
		Format: "npm-v3",
		Importers: []lockfiles.Importer{{Path: ".", Name: "app", Version: "1.0.0", Deps: []lockfiles.Dep{
			{To: 0}, {To: 1}, {To: 3},
		}}},
		Packages: []lockfiles.Package{
			{Name: "mail-toolkit", Version: "2.0.0", Source: lockfiles.SourceRegistry, Resolved: reg + "mail-toolkit/-/mail-toolkit-2.0.0.tgz", Line: 10},
			{Name: "postmark-mcp", Version: "1.0.16", Source: lockfiles.SourceRegistry, Resolved: reg + "postmark-mcp/-/postmark-mcp-1.0.16.tgz", Line: 20,
				Integrity: "sha512-DQXB5sQJsJ6Sq+AG4MjjGJCzkh/E1cd2/WO2N/wcBwreyqCOuBCRrT2kqFeqvhCki8SWavLCHsaIFFmFHqXa6Q=="},
			{Name: "postmark-mcp", Version: "1.0.15", Source: lockfiles.SourceRegistry, Resolved: reg + "postmark-mcp/-/postmark-mcp-1.0.15.tgz", Line: 30,
				Paths: []string{"node_modules/mail-toolkit/node_modules/postmark-mcp"}},
			{Name: "postmark-mcp", Version: "1.0.17", Alias: "pm", Source: lockfiles.SourceRegistry, Resolved: reg + "postmark-mcp/-/postmark-mcp-1.0.17.tgz", Line: 40},
		},
		Edges: []lockfiles.Edge{{From: 0, To: 2}},
	}
}

func TestMatchInventoryNPM(t *testing.T) {
	x := postmarkIndex(t)
	pubs := fakePublishers{"postmark-mcp@1.0.15": "phanpak", "postmark-mcp@1.0.16": "phanpak", "postmark-mcp@1.0.17": "phanpak", "mail-toolkit@2.0.0": "alice"}
	got, stats := x.MatchInventory("repo", npmInventory(), pubs)
	want := []string{
		"postmark-mcp@1.0.16 package critical",
		"postmark-mcp@1.0.15 publisher medium",
		"postmark-mcp@1.0.17 package critical",
	}
	if !slices.Equal(shorts(got), want) {
		t.Fatalf("MatchInventory = %q, want %q", shorts(got), want)
	}
	if stats != (MatchStats{Packages: 4, PublisherKnown: 4}) {
		t.Errorf("stats = %+v, want {4 4}", stats)
	}
	direct, nested, alias := got[0], got[1], got[2]
	if !direct.Direct || !slices.Equal(direct.Path, []string{"app@1.0.0", "postmark-mcp@1.0.16"}) {
		t.Errorf("direct hit: Direct = %v, Path = %q", direct.Direct, direct.Path)
	}
	if nested.Direct || !slices.Equal(nested.Path, []string{"app@1.0.0", "mail-toolkit@2.0.0", "postmark-mcp@1.0.15"}) {
		t.Errorf("nested hit: Direct = %v, Path = %q", nested.Direct, nested.Path)
	}
	if nested.Evidence != "postmark-mcp@1.0.15 published by npm account phanpak (publisher data)" {
		t.Errorf("publisher evidence = %q", nested.Evidence)
	}
	if want := "postmark-mcp@1.0.17 installed as alias pm; version in MAL-2025-47604's affected set"; alias.Evidence != want {
		t.Errorf("alias evidence = %q, want %q", alias.Evidence, want)
	}
	for _, f := range got {
		if f.Repo != "repo" || f.Lockfile != "app/package-lock.json" || f.Line == 0 || len(f.ID) != 16 {
			t.Errorf("finding %s: Repo %q Lockfile %q Line %d ID %q", short(f), f.Repo, f.Lockfile, f.Line, f.ID)
		}
	}
	// Stable IDs: a second run, with lines moved, gives the same IDs.
	inv := npmInventory()
	for i := range inv.Packages {
		inv.Packages[i].Line += 7
	}
	again, _ := x.MatchInventory("repo", inv, pubs)
	for i := range got {
		if got[i].ID != again[i].ID {
			t.Errorf("ID of %s changed between runs: %s, %s", short(got[i]), got[i].ID, again[i].ID)
		}
	}
	if got[0].ID == got[2].ID {
		t.Errorf("two findings share ID %s", got[0].ID)
	}
}

func TestMatchInventoryWithoutPublisherData(t *testing.T) {
	x := postmarkIndex(t)
	got, stats := x.MatchInventory("repo", npmInventory(), nil)
	want := []string{"postmark-mcp@1.0.16 package critical", "postmark-mcp@1.0.17 package critical"}
	if !slices.Equal(shorts(got), want) {
		t.Errorf("MatchInventory = %q, want %q", shorts(got), want)
	}
	if stats != (MatchStats{Packages: 4}) {
		t.Errorf("stats = %+v, want {4 0}: no publisher data must show as no coverage", stats)
	}
}

// TestNameCollisions: a same-named package that does not come from a
// registry is a collision (info), never a hit, in npm-, yarn- and
// pnpm-shaped inventories.
func TestNameCollisions(t *testing.T) {
	x := postmarkIndex(t)
	pubs := fakePublishers{"postmark-mcp@1.0.16": "phanpak"}
	tests := []struct {
		format string
		pkg    lockfiles.Package
	}{
		{"npm-v3", lockfiles.Package{Name: "postmark-mcp", Version: "1.0.16", Source: lockfiles.SourceGit,
			Resolved: "git+https://github.com/ActiveCampaign/postmark-mcp.git#e9328f3a"}},
		{"npm-v3", lockfiles.Package{Name: "postmark-mcp", Version: "1.0.16", Source: lockfiles.SourceFile, Resolved: "file:../postmark-mcp"}},
		{"npm-v3", lockfiles.Package{Name: "postmark-mcp", Version: "1.0.16", Source: lockfiles.SourceLink, Resolved: "packages/postmark-mcp"}},
		{"yarn-v1", lockfiles.Package{Name: "postmark-mcp", Version: "1.0.16", Source: lockfiles.SourceGit,
			Resolved: "git+https://github.com/ActiveCampaign/postmark-mcp.git#e9328f3a"}},
		{"yarn-berry-v8", lockfiles.Package{Name: "postmark-mcp", Version: "1.0.16", Source: lockfiles.SourceWorkspace, Resolved: "postmark-mcp@workspace:packages/postmark-mcp"}},
		{"yarn-berry-v8", lockfiles.Package{Name: "postmark-mcp", Version: "1.0.17", Source: lockfiles.SourceFile, Resolved: "postmark-mcp@file:../pm#../pm::hash=1a2b3c&locator=app%40workspace%3A."}},
		{"pnpm-9.0", lockfiles.Package{Name: "postmark-mcp", Version: "1.0.16", Source: lockfiles.SourceWorkspace, Resolved: "link:packages/postmark-mcp"}},
		{"pnpm-9.0", lockfiles.Package{Name: "postmark-mcp", Version: "1.0.18", Source: lockfiles.SourceGit, Resolved: "https://codeload.github.com/ActiveCampaign/postmark-mcp/tar.gz/e9328f3a"}},
		{"pnpm-9.0", lockfiles.Package{Name: "postmark-mcp", Version: "1.0.16", Source: lockfiles.SourceFile, Resolved: "file:vendor/postmark-mcp-1.0.16.tgz"}},
	}
	for _, tc := range tests {
		inv := &lockfiles.Inventory{Path: "lock", Format: tc.format,
			Importers: []lockfiles.Importer{{Path: ".", Deps: []lockfiles.Dep{{To: 0}}}},
			Packages:  []lockfiles.Package{tc.pkg}}
		got, _ := x.MatchInventory(".", inv, pubs)
		name := tc.format + " " + string(tc.pkg.Source)
		if len(got) != 1 {
			t.Errorf("%s: MatchInventory = %q, want one collision", name, shorts(got))
			continue
		}
		f := got[0]
		if !f.Collision || f.Severity != SeverityInfo || f.Indicator.Kind != KindPackage {
			t.Errorf("%s: finding %s, want a package collision at info", name, short(f))
		}
		if !strings.Contains(f.Evidence, "not from a registry") {
			t.Errorf("%s: evidence %q does not say why", name, f.Evidence)
		}
		if strings.Contains(f.Evidence, "e9328f3a") && tc.pkg.Source == lockfiles.SourceGit && !strings.Contains(f.Evidence, "git") {
			t.Errorf("%s: evidence %q does not name the source", name, f.Evidence)
		}
	}
}

func TestDomainOnResolvedURL(t *testing.T) {
	x := postmarkIndex(t)
	tests := []struct {
		resolved string
		want     string // evidence, "" for no finding
	}{
		{"https://giftshop.club/left-pad/-/left-pad-1.3.0.tgz", "resolved URL host giftshop.club is giftshop.club"},
		{"https://cdn.giftshop.club/left-pad/-/left-pad-1.3.0.tgz", "resolved URL host cdn.giftshop.club is a subdomain of giftshop.club"},
		{"https://a.b.GiftShop.Club:8443/x.tgz", "resolved URL host a.b.giftshop.club is a subdomain of giftshop.club"},
		{"git+ssh://git@git.giftshop.club/x.git", "resolved URL host git.giftshop.club is a subdomain of giftshop.club"},
		{"git@giftshop.club:x/y.git", "resolved URL host giftshop.club is giftshop.club"},
		{"left-pad@https://giftshop.club/x.tgz", "resolved URL host giftshop.club is giftshop.club"},
		{"https://notgiftshop.club/x.tgz", ""},
		{"https://giftshop.club.example.com/x.tgz", ""},
		{"https://registry.npmjs.org/giftshop.club/-/giftshop.club-1.0.0.tgz", ""},
		{"https://user:secret@mirror.example/x.tgz", ""},
	}
	for _, tc := range tests {
		inv := &lockfiles.Inventory{Path: "lock",
			Packages: []lockfiles.Package{{Name: "left-pad", Version: "1.3.0", Source: lockfiles.SourceTarball, Resolved: tc.resolved}}}
		got, _ := x.MatchInventory(".", inv, nil)
		var ev []string
		for _, f := range got {
			if f.Indicator.Kind != KindDomain || f.Severity != SeverityHigh {
				t.Errorf("%s: unexpected finding %s", tc.resolved, short(f))
			}
			ev = append(ev, f.Evidence)
		}
		var want []string
		if tc.want != "" {
			want = []string{tc.want}
		}
		if !slices.Equal(ev, want) {
			t.Errorf("MatchInventory(resolved %q) evidence = %q, want %q", tc.resolved, ev, want)
		}
	}
}

func TestEmailURLAndHash(t *testing.T) {
	adv := &Advisory{ID: "X-1", Severity: SeverityCritical}
	inds := []Indicator{
		{Kind: KindEmail, Value: "phan@giftshop.club", Advisory: adv},
		{Kind: KindURL, Value: "https://evil.example/payloads/", Advisory: adv},
		{Kind: KindHash, Value: "sha512-DQXB5sQJsJ6Sq+AG4MjjGJCzkh/E1cd2/WO2N/wcBwreyqCOuBCRrT2kqFeqvhCki8SWavLCHsaIFFmFHqXa6Q==", Advisory: adv},
		{Kind: KindHash, Value: "sha1:6b35f491b05bbdcfc4a1894b7eafdc5a49200e56", Advisory: adv},
	}
	x, err := NewIndex(inds)
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		pkg  lockfiles.Package
		want []string
	}{
		{lockfiles.Package{Name: "a", Version: "1.0.0", Source: lockfiles.SourceGit, Resolved: "git+ssh://phan@giftshop.club/a.git"}, []string{"a@1.0.0 email high"}},
		{lockfiles.Package{Name: "b", Version: "1.0.0", Source: lockfiles.SourceTarball, Resolved: "https://EVIL.example/payloads/b.tgz"}, []string{"b@1.0.0 url high"}},
		{lockfiles.Package{Name: "c", Version: "1.0.0", Source: lockfiles.SourceTarball, Resolved: "https://mirror.example/?u=https://evil.example/payloads/c.tgz"}, []string{"c@1.0.0 url high"}},
		{lockfiles.Package{Name: "d", Version: "1.0.0", Source: lockfiles.SourceTarball, Resolved: "https://notevil.example/payloads/d.tgz"}, nil},
		{lockfiles.Package{Name: "e", Version: "1.0.0", Source: lockfiles.SourceRegistry,
			Integrity: "sha512-DQXB5sQJsJ6Sq+AG4MjjGJCzkh/E1cd2/WO2N/wcBwreyqCOuBCRrT2kqFeqvhCki8SWavLCHsaIFFmFHqXa6Q=="}, []string{"e@1.0.0 hash critical"}},
		{lockfiles.Package{Name: "f", Version: "1.0.0", Source: lockfiles.SourceRegistry, Integrity: lockfiles.SHA1HexIntegrity("6b35f491b05bbdcfc4a1894b7eafdc5a49200e56")}, []string{"f@1.0.0 hash critical"}},
		// A yarn berry checksum that happens to carry the same hex digits is
		// not an npm hash and must not match.
		{lockfiles.Package{Name: "g", Version: "1.0.0", Source: lockfiles.SourceRegistry, Checksum: "10c0/6b35f491b05bbdcfc4a1894b7eafdc5a49200e56"}, nil},
	}
	for _, tc := range tests {
		inv := &lockfiles.Inventory{Path: "lock", Packages: []lockfiles.Package{tc.pkg}}
		got, _ := x.MatchInventory(".", inv, nil)
		if !slices.Equal(shorts(got), tc.want) {
			t.Errorf("MatchInventory(%s %q) = %q, want %q", tc.pkg.ID(), tc.pkg.Resolved+tc.pkg.Integrity, shorts(got), tc.want)
		}
	}
}

// TestFoldEmailUnderDomain: with both the domain and the address of one
// advisory, a URL carrying the address gives one domain finding.
func TestFoldEmailUnderDomain(t *testing.T) {
	x := postmarkIndex(t)
	inv := &lockfiles.Inventory{Path: "lock", Packages: []lockfiles.Package{{Name: "a", Version: "1.0.0", Source: lockfiles.SourceGit,
		Resolved: "git+ssh://phan@giftshop.club/a.git"}}}
	got, _ := x.MatchInventory(".", inv, nil)
	if want := []string{"a@1.0.0 domain high"}; !slices.Equal(shorts(got), want) {
		t.Fatalf("MatchInventory = %q, want %q", shorts(got), want)
	}
	if !strings.Contains(got[0].Evidence, "also matches email indicator phan@giftshop.club") {
		t.Errorf("evidence %q does not name the address", got[0].Evidence)
	}
}

func TestPublisherSubsumption(t *testing.T) {
	// Two advisories name phanpak: the one whose package indicator hit is
	// subsumed, the other still reports the publisher.
	inds := postmarkIndicators()
	other := &Advisory{ID: "DEPSWEEP-2025-0002", Severity: SeverityHigh}
	inds = append(inds, Indicator{Kind: KindPublisher, Ecosystem: "npm", Value: "PhanPak", Advisory: other})
	x, err := NewIndex(inds)
	if err != nil {
		t.Fatal(err)
	}
	inv := &lockfiles.Inventory{Path: "lock", Packages: []lockfiles.Package{
		{Name: "postmark-mcp", Version: "1.0.18", Source: lockfiles.SourceUnknown},
		{Name: "mcp-mail-relay", Version: "2.1.0", Source: lockfiles.SourceRegistry},
	}}
	pubs := fakePublishers{"postmark-mcp@1.0.18": "phanpak", "mcp-mail-relay@2.1.0": "phanpak"}
	got, _ := x.MatchInventory(".", inv, pubs)
	var desc []string
	for _, f := range got {
		desc = append(desc, short(f)+" "+f.Indicator.Advisory.ID)
	}
	want := []string{
		"mcp-mail-relay@2.1.0 publisher medium DEPSWEEP-2025-0002",
		"mcp-mail-relay@2.1.0 publisher medium MAL-2025-47604",
		"postmark-mcp@1.0.18 package critical MAL-2025-47604",
		"postmark-mcp@1.0.18 publisher medium DEPSWEEP-2025-0002",
	}
	if !slices.Equal(desc, want) {
		t.Errorf("MatchInventory = %q, want %q", desc, want)
	}
}

func TestNewIndexErrors(t *testing.T) {
	adv := &Advisory{ID: "A"}
	tests := []struct {
		ind  Indicator
		want string
	}{
		{Indicator{Kind: "virus", Value: "x", Advisory: adv}, `unknown indicator kind "virus"`},
		{Indicator{Kind: KindPackage, Value: " ", Advisory: adv}, "empty value"},
		{Indicator{Kind: KindPackage, Value: "x"}, "no advisory"},
		{Indicator{Kind: KindPackage, Value: "x", Versions: Versions{Exact: []string{"1.0"}}, Advisory: adv}, `exact version "1.0"`},
		{Indicator{Kind: KindPackage, Value: "x", Versions: Versions{Ranges: []Range{{Introduced: "1.0.0", Fixed: "~2"}}}, Advisory: adv}, `fixed version "~2"`},
		{Indicator{Kind: KindDomain, Value: "localhost", Advisory: adv}, "not a domain name"},
		{Indicator{Kind: KindDomain, Value: "gift shop.club", Advisory: adv}, "not a domain name"},
		{Indicator{Kind: KindEmail, Value: "phan.giftshop.club", Advisory: adv}, "not an e-mail address"},
		{Indicator{Kind: KindURL, Value: "giftshop.club/x", Advisory: adv}, "not an absolute URL"},
		{Indicator{Kind: KindHash, Value: "sha512-abc", Advisory: adv}, "not a single integrity hash"},
		{Indicator{Kind: KindHash, Value: "md5:d41d8cd98f00b204e9800998ecf8427e", Advisory: adv}, "unknown hash algorithm"},
		{Indicator{Kind: KindDomain, Value: "giftshop.club", Versions: Versions{Exact: []string{"1.0.0"}}, Advisory: adv}, "only allowed on package"},
	}
	for _, tc := range tests {
		_, err := NewIndex([]Indicator{{Kind: KindDomain, Value: "ok.example", Advisory: adv}, tc.ind})
		if err == nil || !strings.Contains(err.Error(), tc.want) || !strings.HasPrefix(err.Error(), "indicator 2 ") {
			t.Errorf("NewIndex(%+v) error = %v, want \"indicator 2 ...%s...\"", tc.ind, err, tc.want)
		}
	}
	if _, err := NewIndex(nil); !errors.Is(err, ErrNoIndicators) {
		t.Errorf("NewIndex(nil) error = %v, want ErrNoIndicators", err)
	}
	x := postmarkIndex(t)
	if x.Len() != 4 {
		t.Errorf("Len() = %d, want 4", x.Len())
	}
}

func TestMatchText(t *testing.T) {
	x := postmarkIndex(t)
	tests := []struct {
		text string
		want []string
	}{
		{"bcc: 'phan@giftshop.club'", []string{"email:phan@giftshop.club", "domain:giftshop.club"}},
		{"BCC: PHAN@GIFTSHOP.CLUB", []string{"email:phan@giftshop.club", "domain:giftshop.club"}},
		{"fetch('https://api.giftshop.club/x')", []string{"domain:giftshop.club"}},
		{"xphan@giftshop.club", []string{"domain:giftshop.club"}},
		{"notgiftshop.club", nil},
		{"giftshop.clubhouse", nil},
		{"giftshop.club.example.com", nil},
		{"see giftshop.club.", []string{"domain:giftshop.club"}},
		{"mailto:phan%40giftshop.club", []string{"domain:giftshop.club"}},
		{"x40giftshop.club", nil},
		{"", nil},
	}
	for _, tc := range tests {
		var got []string
		for _, ind := range x.MatchText([]byte(tc.text)) {
			got = append(got, ind.String())
		}
		if !slices.Equal(got, tc.want) {
			t.Errorf("MatchText(%q) = %q, want %q", tc.text, got, tc.want)
		}
	}
}

// TestOtherEcosystems: depsweep reads JavaScript inputs only. Package
// indicators of other ecosystems (a feed may carry PyPI or crates.io
// records) are accepted and counted, with versions written their way, and
// never match an npm package of the same name.
func TestOtherEcosystems(t *testing.T) {
	adv := &Advisory{ID: "MAL-2025-1", Severity: SeverityCritical}
	inds := append(postmarkIndicators(),
		Indicator{Kind: KindPackage, Ecosystem: "PyPI", Value: "postmark-mcp", Versions: Versions{Exact: []string{"0.1.post1"}}, Advisory: adv},
		Indicator{Kind: KindPackage, Ecosystem: "crates.io", Value: "evil", Advisory: adv})
	x, err := NewIndex(inds)
	if err != nil {
		t.Fatal(err)
	}
	if x.Len() != len(inds) {
		t.Errorf("Len = %d, want %d (other ecosystems' indicators are counted)", x.Len(), len(inds))
	}
	inv := &lockfiles.Inventory{Path: "package-lock.json", Format: "npm-v3", Packages: []lockfiles.Package{
		{Name: "postmark-mcp", Version: "0.1.post1", Source: lockfiles.SourceRegistry},
		{Name: "evil", Version: "0.0.1", Source: lockfiles.SourceRegistry},
		{Name: "postmark-mcp", Version: "1.0.16", Source: lockfiles.SourceRegistry},
	}}
	got, stats := x.MatchInventory(".", inv, nil)
	if want := []string{"postmark-mcp@1.0.16 package critical"}; !slices.Equal(shorts(got), want) {
		t.Errorf("MatchInventory = %q, want %q (only the npm indicator)", shorts(got), want)
	}
	if stats.Packages != 3 {
		t.Errorf("stats = %+v, want 3 registry packages", stats)
	}
	// npm exact versions must be semver; other ecosystems' need not.
	bad := Indicator{Kind: KindPackage, Ecosystem: "npm", Value: "x", Versions: Versions{Exact: []string{"0.1.post1"}}, Advisory: adv}
	if _, err := NewIndex([]Indicator{bad}); err == nil {
		t.Error("NewIndex(npm exact version 0.1.post1) error = nil")
	}
}

// TestMirrorTarball: a tarball URL in registry layout for the package
// itself is a registry package (a mirror), not a name collision.
func TestMirrorTarball(t *testing.T) {
	x := postmarkIndex(t)
	tests := []struct {
		name, resolved string
		want           []string
	}{
		{"postmark-mcp", "https://artifactory.corp.example/api/npm/npm-remote/postmark-mcp/-/postmark-mcp-1.0.16.tgz",
			[]string{"postmark-mcp@1.0.16 package critical"}},
		{"postmark-mcp", "https://npm.corp.example/postmark-mcp/-/postmark-mcp-1.0.16.tgz?token=x",
			[]string{"postmark-mcp@1.0.16 package critical"}},
		// A tarball of another name or version is not the registry package.
		{"postmark-mcp", "https://github.com/someone/postmark-mcp/releases/download/v1/postmark-mcp-1.0.16.tgz",
			[]string{"postmark-mcp@1.0.16 package info collision"}},
		{"postmark-mcp", "https://npm.corp.example/other/-/other-1.0.16.tgz",
			[]string{"postmark-mcp@1.0.16 package info collision"}},
	}
	for _, tc := range tests {
		inv := &lockfiles.Inventory{Path: "lock", Packages: []lockfiles.Package{{Name: tc.name, Version: "1.0.16", Source: lockfiles.SourceTarball, Resolved: tc.resolved}}}
		got, _ := x.MatchInventory(".", inv, nil)
		if !slices.Equal(shorts(got), tc.want) {
			t.Errorf("MatchInventory(tarball %q) = %q, want %q", tc.resolved, shorts(got), tc.want)
		}
	}
	scoped := lockfiles.Package{Name: "@acme/x", Version: "2.0.0", Source: lockfiles.SourceTarball}
	for _, u := range []string{"https://m.example/@acme/x/-/x-2.0.0.tgz", "https://m.example/@acme%2fx/-/x-2.0.0.tgz"} {
		scoped.Resolved = u
		if !fromRegistry(&scoped) {
			t.Errorf("fromRegistry(@acme/x at %q) = false, want true", u)
		}
	}
}

// FuzzNewIndex: compiling any indicator either fails with an error or gives
// an index in which the indicator matches what it describes.
func FuzzNewIndex(f *testing.F) {
	f.Add(uint8(0), "postmark-mcp", "1.0.16", "0", "")
	f.Add(uint8(1), "phanpak", "", "", "")
	f.Add(uint8(2), "giftshop.club", "", "", "")
	f.Add(uint8(3), "phan@giftshop.club", "", "", "")
	f.Add(uint8(4), "https://giftshop.club/x", "", "", "")
	f.Add(uint8(5), "sha1:6b35f491b05bbdcfc4a1894b7eafdc5a49200e56", "", "", "")
	f.Add(uint8(0), "x", "1.0.0-rc.1+b", "1.0.0-0", "1.0.1")
	f.Fuzz(func(t *testing.T, kind uint8, value, exact, intro, fixed string) {
		adv := &Advisory{ID: "F-1", Severity: SeverityCritical}
		ind := Indicator{Kind: Kinds[int(kind)%len(Kinds)], Ecosystem: "npm", Value: value, Advisory: adv}
		if ind.Kind == KindPackage {
			if exact != "" {
				ind.Versions.Exact = []string{exact}
			}
			if intro != "" || fixed != "" {
				ind.Versions.Ranges = []Range{{Introduced: intro, Fixed: fixed}}
			}
		}
		x, err := NewIndex([]Indicator{ind})
		if err != nil {
			return
		}
		var p lockfiles.Package
		switch ind.Kind {
		case KindPackage:
			if exact == "" {
				return
			}
			p = lockfiles.Package{Name: strings.TrimSpace(value), Version: exact, Source: lockfiles.SourceRegistry}
		case KindDomain:
			p = lockfiles.Package{Name: "a", Version: "1.0.0", Source: lockfiles.SourceTarball, Resolved: "https://" + strings.TrimSpace(value) + "/a.tgz"}
			if _, err := netip.ParseAddr(strings.TrimSpace(value)); err == nil || strings.HasPrefix(strings.TrimSpace(value), "*.") {
				return
			}
		case KindHash:
			k, _ := hashKey(strings.TrimSpace(value))
			alg, hx, _ := strings.Cut(k, ":")
			d, _ := hex.DecodeString(hx)
			p = lockfiles.Package{Name: "a", Version: "1.0.0", Source: lockfiles.SourceRegistry, Integrity: lockfiles.Hash{Algorithm: alg, Digest: d}.String()}
		default:
			return
		}
		inv := &lockfiles.Inventory{Path: "lock", Packages: []lockfiles.Package{p}}
		got, _ := x.MatchInventory(".", inv, nil)
		if len(got) == 0 {
			t.Fatalf("indicator %s (versions %+v) does not match %+v", ind.String(), ind.Versions, p)
		}
	})
}

// TestDuplicateEntries: one package at two install paths gives one
// finding (one ID) whose evidence names both places.
func TestDuplicateEntries(t *testing.T) {
	x := postmarkIndex(t)
	inv := &lockfiles.Inventory{Path: "package-lock.json", Packages: []lockfiles.Package{
		{Name: "postmark-mcp", Version: "1.0.16", Source: lockfiles.SourceRegistry, Line: 9, Paths: []string{"node_modules/a/node_modules/postmark-mcp"}},
		{Name: "postmark-mcp", Version: "1.0.16", Source: lockfiles.SourceRegistry, Line: 30, Paths: []string{"node_modules/b/node_modules/postmark-mcp"}},
	}}
	got, _ := x.MatchInventory(".", inv, nil)
	if len(got) != 1 {
		t.Fatalf("MatchInventory = %q, want one finding", shorts(got))
	}
	if got[0].Line != 9 || !strings.HasSuffix(got[0].Evidence, "; also at node_modules/b/node_modules/postmark-mcp") {
		t.Errorf("finding line %d evidence %q, want line 9 and the second install path", got[0].Line, got[0].Evidence)
	}
}

// TestOneNameManyAdvisories: indicators of one package name from several
// advisories, with names met once between them, are each matched with
// their own versions (the index keeps the first of a name in a shared
// slice, which the second must not overwrite).
func TestOneNameManyAdvisories(t *testing.T) {
	var inds []Indicator
	for i := range 4 {
		adv := &Advisory{ID: fmt.Sprintf("MAL-%d", i), Severity: SeverityCritical}
		inds = append(inds,
			Indicator{Kind: KindPackage, Ecosystem: "npm", Value: "shared", Versions: Versions{Ranges: []Range{{Introduced: fmt.Sprintf("%d.0.0", i), Fixed: fmt.Sprintf("%d.0.0", i+1)}}}, Advisory: adv},
			Indicator{Kind: KindPackage, Ecosystem: "npm", Value: fmt.Sprintf("once-%d", i), Versions: Versions{Exact: []string{"1.0.0"}}, Advisory: adv},
		)
	}
	x, err := NewIndex(inds)
	if err != nil {
		t.Fatal(err)
	}
	inv := &lockfiles.Inventory{Path: "package-lock.json"}
	for i := range 4 {
		inv.Packages = append(inv.Packages,
			lockfiles.Package{Name: "shared", Version: fmt.Sprintf("%d.5.0", i), Source: lockfiles.SourceRegistry},
			lockfiles.Package{Name: fmt.Sprintf("once-%d", i), Version: "1.0.0", Source: lockfiles.SourceRegistry})
	}
	got, _ := x.MatchInventory(".", inv, nil)
	var ids []string
	for _, f := range got {
		ids = append(ids, f.Package.ID()+" "+f.Indicator.Advisory.ID)
	}
	slices.Sort(ids)
	want := []string{"once-0@1.0.0 MAL-0", "once-1@1.0.0 MAL-1", "once-2@1.0.0 MAL-2", "once-3@1.0.0 MAL-3",
		"shared@0.5.0 MAL-0", "shared@1.5.0 MAL-1", "shared@2.5.0 MAL-2", "shared@3.5.0 MAL-3"}
	if !slices.Equal(ids, want) {
		t.Errorf("findings %q, want %q", ids, want)
	}
}
