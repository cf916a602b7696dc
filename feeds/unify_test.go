package feeds

import (
	"errors"
	"fmt"
	"slices"
	"testing"

	"github.com/depsweep/depsweep/ioc"
	"github.com/depsweep/depsweep/lockfiles"
)

// TestUnify: the embedded feed (DEPSWEEP-2025-0001, alias MAL-2025-47604)
// and the OSV record MAL-2025-47604 are one advisory, with both ids, and
// postmark-mcp has one package indicator covering both feeds' versions.
func TestUnify(t *testing.T) {
	def, err := Default()
	if err != nil {
		t.Fatal(err)
	}
	osv, err := Load("../testdata/osv/MAL-2025-47604.json")
	if err != nil {
		t.Fatal(err)
	}
	defAdv, osvAdv := *def.Advisories[0], *osv.Advisories[0]
	inds, err := Unify(def, osv, def)
	if err != nil {
		t.Fatal(err)
	}
	advs := map[*ioc.Advisory]bool{}
	pkgInds := 0
	for _, ind := range inds {
		advs[ind.Advisory] = true
		if ind.Kind == ioc.KindPackage && ind.Value == "postmark-mcp" {
			pkgInds++
		}
	}
	if len(advs) != 1 {
		t.Fatalf("%d advisories, want 1", len(advs))
	}
	if pkgInds != 1 {
		t.Errorf("%d package indicators for postmark-mcp, want 1", pkgInds)
	}
	if len(inds) != len(def.Indicators) {
		t.Errorf("%d indicators, want %d (the embedded feed's; OSV's one is the same package)", len(inds), len(def.Indicators))
	}
	a := inds[0].Advisory
	if a.ID != "DEPSWEEP-2025-0001" || !slices.Contains(a.Aliases, "MAL-2025-47604") {
		t.Errorf("advisory %s aliases %v, want DEPSWEEP-2025-0001 with MAL-2025-47604", a.ID, a.Aliases)
	}
	for _, ref := range osvAdv.References {
		if !slices.Contains(a.References, ref) {
			t.Errorf("reference %s of the OSV record is lost", ref)
		}
	}
	if a.Feed != DefaultName+", ../testdata/osv/MAL-2025-47604.json" {
		t.Errorf("feed = %q", a.Feed)
	}
	// The feeds' own values are untouched.
	if def.Advisories[0].Feed != defAdv.Feed || len(def.Advisories[0].Aliases) != len(defAdv.Aliases) || osv.Advisories[0].ID != osvAdv.ID {
		t.Error("Unify modified its input advisories")
	}

	// One index match per malicious version, none for the clean 1.0.15
	// (the publisher indicator aside).
	x, err := ioc.NewIndex(inds)
	if err != nil {
		t.Fatal(err)
	}
	for v, want := range map[string]int{"1.0.15": 0, "1.0.16": 1, "1.0.18": 1, "1.0.19": 1} {
		inv := &lockfiles.Inventory{Path: "package-lock.json", Format: "npm-v3",
			Packages: []lockfiles.Package{{Name: "postmark-mcp", Version: v, Source: lockfiles.SourceRegistry}}}
		fs, _ := x.MatchInventory(".", inv, nil)
		got := 0
		for _, f := range fs {
			if f.Indicator.Kind == ioc.KindPackage {
				got++
			}
		}
		if got != want {
			t.Errorf("postmark-mcp@%s: %d package findings, want %d", v, got, want)
		}
	}
}

// TestUnifyTransitive: A (alias X) and C (alias Y) are joined by B, which
// has both aliases, although B comes last.
func TestUnifyTransitive(t *testing.T) {
	mk := func(feed, id string, sev ioc.Severity, versions []string, aliases ...string) *Feed {
		a := &ioc.Advisory{ID: id, Aliases: aliases, Title: id, Severity: sev, Feed: feed, References: []string{"https://x/" + id}}
		return &Feed{Name: feed, Advisories: []*ioc.Advisory{a}, Indicators: []ioc.Indicator{
			{Kind: ioc.KindPackage, Ecosystem: "npm", Value: "evil", Versions: ioc.Versions{Exact: versions}, Advisory: a},
			{Kind: ioc.KindDomain, Value: "evil.example", Advisory: a},
		}}
	}
	a := mk("a", "A-1", ioc.SeverityHigh, []string{"1.0.0"}, "X-1")
	c := mk("c", "C-1", ioc.SeverityCritical, []string{"2.0.0"}, "Y-1")
	b := mk("b", "B-1", ioc.SeverityMedium, []string{"3.0.0"}, "x-1", "Y-1")
	other := mk("d", "D-1", ioc.SeverityLow, nil)
	inds, err := Unify(a, c, other, b)
	if err != nil {
		t.Fatal(err)
	}
	if len(inds) != 4 {
		t.Fatalf("%d indicators, want 4 (evil and evil.example for the joined advisory, and for D-1)", len(inds))
	}
	j := inds[0].Advisory
	if j.ID != "A-1" || j.Severity != ioc.SeverityCritical || !slices.Equal(j.Aliases, []string{"X-1", "C-1", "Y-1", "B-1"}) {
		t.Errorf("joined advisory = %s %v aliases %v", j.ID, j.Severity, j.Aliases)
	}
	if got := inds[0].Versions.Exact; !slices.Equal(got, []string{"1.0.0", "2.0.0", "3.0.0"}) {
		t.Errorf("versions = %v, want the union", got)
	}
	if inds[2].Advisory.ID != "D-1" || !inds[2].Versions.All() {
		t.Errorf("D-1 = %+v", inds[2])
	}
	if _, err := Unify(&Feed{Name: "a"}, &Feed{Name: "b"}); !errors.Is(err, ErrNoIndicators) {
		t.Errorf("Unify(empty, empty) = %v, want ErrNoIndicators", err)
	}
}

// TestUnifyManyIndicators: an incident with more indicators than a short
// scan covers still gets one indicator per package, in the order first
// met, with the versions of both feeds; a package listed twice in one
// record is one indicator too.
func TestUnifyManyIndicators(t *testing.T) {
	feed := func(name, id, alias, version string, from, to int) *Feed {
		adv := &ioc.Advisory{ID: id, Title: id, Feed: name}
		if alias != "" {
			adv.Aliases = []string{alias}
		}
		f := &Feed{Name: name, Advisories: []*ioc.Advisory{adv}}
		for i := from; i < to; i++ {
			f.Indicators = append(f.Indicators, ioc.Indicator{Kind: ioc.KindPackage, Ecosystem: "npm",
				Value: fmt.Sprintf("p%d", i), Versions: ioc.Versions{Exact: []string{version}}, Advisory: adv})
		}
		return f
	}
	a := feed("a", "MAL-1", "", "1.0.0", 0, 40)
	a.Indicators = append(a.Indicators, ioc.Indicator{Kind: ioc.KindPackage, Ecosystem: "NPM", Value: "p3",
		Versions: ioc.Versions{Exact: []string{"1.0.1"}}, Advisory: a.Advisories[0]})
	b := feed("b", "GHSA-1", "MAL-1", "2.0.0", 20, 60)
	inds, err := Unify(a, b)
	if err != nil {
		t.Fatal(err)
	}
	if len(inds) != 60 {
		t.Fatalf("%d indicators, want 60", len(inds))
	}
	for i, ind := range inds {
		want := []string{"1.0.0"}
		switch {
		case i == 3:
			want = []string{"1.0.0", "1.0.1"}
		case i >= 40:
			want = []string{"2.0.0"}
		case i >= 20:
			want = []string{"1.0.0", "2.0.0"}
		}
		if ind.Value != fmt.Sprintf("p%d", i) || !slices.Equal(ind.Versions.Exact, want) || ind.Advisory.ID != "MAL-1" {
			t.Errorf("indicator %d = %s %v of %s, want p%d %v of MAL-1", i, ind.Value, ind.Versions.Exact, ind.Advisory.ID, i, want)
		}
	}
}
