package ioc

import (
	"strings"
	"testing"

	"github.com/depsweep/depsweep/lockfiles"
)

// TestMatchDeclared: which declared specs are findings, at what severity,
// with what evidence, against exact versions and OSV ranges.
func TestMatchDeclared(t *testing.T) {
	adv := &Advisory{ID: "MAL-1", Severity: SeverityCritical}
	osv := &Advisory{ID: "MAL-2", Severity: SeverityHigh}
	x, err := NewIndex([]Indicator{
		{Kind: KindDomain, Value: "giftshop.club", Advisory: adv},
		{Kind: KindPackage, Ecosystem: "npm", Value: "postmark-mcp", Versions: Versions{Exact: []string{"1.0.16", "1.0.17", "1.0.18"}}, Advisory: adv},
		{Kind: KindPackage, Ecosystem: "npm", Value: "evil", Versions: Versions{Ranges: []Range{{Introduced: "2.0.0", Fixed: "2.0.3"}}}, Advisory: osv},
	})
	if err != nil {
		t.Fatal(err)
	}
	decl := &lockfiles.Declared{Name: "app", Version: "1.0.0", Deps: []lockfiles.DeclaredDep{
		{Name: "postmark-mcp", Alias: "pm", Spec: "~1.0.17", Kind: lockfiles.SpecRegistry, Manifest: "package.json", Line: 4},
		{Name: "postmark-mcp", Spec: "1.0.15", Kind: lockfiles.SpecRegistry, Type: lockfiles.DepDev, Manifest: "package.json", Line: 9},
		{Name: "evil", Spec: "^2.0.1", Kind: lockfiles.SpecRegistry, Manifest: "packages/a/package.json", Line: 3},
		{Name: "evil", Spec: "next", Kind: lockfiles.SpecRegistry, Type: lockfiles.DepPeer, Manifest: "packages/b/package.json", Line: 2},
		{Name: "ms", Spec: "beta", Kind: lockfiles.SpecRegistry, Manifest: "package.json", Line: 5},
		{Name: "relay", Spec: "https://cdn.giftshop.club/relay-1.0.0.tgz", Kind: lockfiles.SpecURL, Manifest: "package.json", Line: 6},
	}}
	fs, st := x.MatchDeclared("svc", "svc/package.json", decl)
	var got []string
	for _, f := range fs {
		got = append(got, strings.Join([]string{f.Severity.String(), f.Lockfile, f.Declared, f.Package.Alias, strings.Join(f.Path, " > "), f.Evidence}, " | "))
		if f.ID == "" || f.Package.Version != "" {
			t.Errorf("finding %+v: want an id and no version", f)
		}
	}
	want := []string{
		`high | svc/package.json | ~1.0.17 | pm | app@1.0.0 > postmark-mcp@~1.0.17 | no lockfile: declared range "~1.0.17" could resolve to an affected version (admits 1.0.17, 1.0.18 of MAL-1's affected versions)`,
		`high | svc/package.json | https://cdn.giftshop.club/relay-1.0.0.tgz |  | app@1.0.0 > relay@https://cdn.giftshop.club/relay-1.0.0.tgz | resolved URL host cdn.giftshop.club is a subdomain of giftshop.club`,
		`medium | svc/packages/a/package.json | ^2.0.1 |  | svc/packages/a > evil@^2.0.1 | no lockfile: declared range "^2.0.1" could resolve to an affected version (overlaps MAL-2's affected range >=2.0.0 <2.0.3)`,
		`medium | svc/packages/b/package.json | next |  | svc/packages/b > evil@next | declared "next", a dist-tag: which version it resolves to is unknown, and it could be an affected version of MAL-2`,
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("MatchDeclared =\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	if st.Dependencies != 6 || strings.Join(st.Unknown, ",") != "evil@next,ms@beta,relay@https://cdn.giftshop.club/relay-1.0.0.tgz" {
		t.Errorf("stats = %+v", st)
	}
}
