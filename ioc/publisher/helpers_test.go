package publisher

import (
	"fmt"
	"testing"
	"time"

	"github.com/depsweep/depsweep/ioc"
	"github.com/depsweep/depsweep/lockfiles"
)

// Every source is an ioc.Publishers, the interface the matcher declares.
var (
	_ ioc.Publishers = packumentMap(nil)
	_ ioc.Publishers = chain(nil)
	_ ioc.Publishers = (*installedPublishers)(nil)
	_ ioc.Publishers = (*Registry)(nil)
	_ ioc.Publishers = (*npmrcPublishers)(nil)
)

// postmarkIndex indexes the postmark-mcp incident as the embedded feed
// describes it: MAL-2025-47604, critical.
func postmarkIndex(t testing.TB) *ioc.Index {
	t.Helper()
	adv := &ioc.Advisory{
		ID:        "MAL-2025-47604",
		Title:     "Malicious code in postmark-mcp (npm)",
		Published: time.Date(2025, 9, 26, 4, 14, 45, 0, time.UTC),
		Severity:  ioc.SeverityCritical,
	}
	x, err := ioc.NewIndex([]ioc.Indicator{
		{Kind: ioc.KindPackage, Ecosystem: "npm", Value: "postmark-mcp", Versions: ioc.Versions{Exact: []string{"1.0.16", "1.0.17", "1.0.18"}}, Advisory: adv},
		{Kind: ioc.KindPublisher, Ecosystem: "npm", Value: "phanpak", Advisory: adv},
		{Kind: ioc.KindDomain, Value: "giftshop.club", Advisory: adv},
		{Kind: ioc.KindEmail, Value: "phan@giftshop.club", Advisory: adv},
	})
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

// shorts describes findings for comparisons: "name@version kind sev".
func shorts(fs []ioc.Finding) []string {
	var out []string
	for _, f := range fs {
		out = append(out, fmt.Sprintf("%s %s %s", f.Package.ID(), f.Indicator.Kind, f.Severity))
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
			{Name: "postmark-mcp", Version: "1.0.16", Source: lockfiles.SourceRegistry, Resolved: reg + "postmark-mcp/-/postmark-mcp-1.0.16.tgz", Line: 20},
			{Name: "postmark-mcp", Version: "1.0.15", Source: lockfiles.SourceRegistry, Resolved: reg + "postmark-mcp/-/postmark-mcp-1.0.15.tgz", Line: 30,
				Paths: []string{"node_modules/mail-toolkit/node_modules/postmark-mcp"}},
			{Name: "postmark-mcp", Version: "1.0.17", Alias: "pm", Source: lockfiles.SourceRegistry, Resolved: reg + "postmark-mcp/-/postmark-mcp-1.0.17.tgz", Line: 40},
		},
		Edges: []lockfiles.Edge{{From: 0, To: 2}},
	}
}
