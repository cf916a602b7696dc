package ioc

import (
	"strings"
	"testing"

	"github.com/depsweep/depsweep/lockfiles"
	"github.com/depsweep/depsweep/lockfiles/host"
)

// An unpinned launch ("npx -y postmark-mcp") hits the package indicator at
// high severity; a version-less package that is not an unpinned launch (a
// packument fetched into the npm cache) does not, and neither does an
// unpinned launch of another package or a pinned clean version.
func TestUnpinnedLaunch(t *testing.T) {
	x := postmarkIndex(t)
	tests := []struct {
		name string
		pkg  lockfiles.Package
		want string // short(finding), "" for none
	}{
		{"unpinned", lockfiles.Package{Name: "postmark-mcp", Source: lockfiles.SourceRegistry, Resolved: host.Unpinned, Line: 11},
			"postmark-mcp@ package high"},
		{"unpinned other package", lockfiles.Package{Name: "@modelcontextprotocol/server-filesystem", Source: lockfiles.SourceRegistry, Resolved: host.Unpinned}, ""},
		{"packument fetch", lockfiles.Package{Name: "postmark-mcp", Source: lockfiles.SourceRegistry, Resolved: reg + "postmark-mcp"}, ""},
		{"no version, no resolved", lockfiles.Package{Name: "postmark-mcp", Source: lockfiles.SourceRegistry}, ""},
		{"pinned clean", lockfiles.Package{Name: "postmark-mcp", Version: "1.0.15", Source: lockfiles.SourceRegistry, Resolved: host.Unpinned}, ""},
		{"pinned malicious", lockfiles.Package{Name: "postmark-mcp", Version: "1.0.16", Source: lockfiles.SourceRegistry}, "postmark-mcp@1.0.16 package critical"},
		{"unpinned from git", lockfiles.Package{Name: "postmark-mcp", Source: lockfiles.SourceGit, Resolved: host.Unpinned}, "postmark-mcp@ package info collision"},
	}
	for _, tc := range tests {
		inv := &lockfiles.Inventory{Path: "~/.config/Claude/claude_desktop_config.json", Format: "mcp-config",
			Importers: []lockfiles.Importer{{Path: ".", Deps: []lockfiles.Dep{{To: 0}}}},
			Packages:  []lockfiles.Package{tc.pkg}}
		got, _ := x.MatchInventory("~", inv, nil)
		var g []string
		for _, f := range got {
			if f.Indicator.Kind == KindPackage {
				g = append(g, short(f))
			}
		}
		want := []string{}
		if tc.want != "" {
			want = []string{tc.want}
		}
		if strings.Join(g, "; ") != strings.Join(want, "; ") {
			t.Errorf("%s: MatchInventory = %q, want %q", tc.name, g, want)
		}
		if tc.name == "unpinned" && len(got) == 1 {
			if f := got[0]; !strings.Contains(f.Evidence, "unpinned: resolves to latest") || f.Line != 11 || f.Lockfile != inv.Path {
				t.Errorf("unpinned: evidence %q at %s:%d, want \"unpinned: resolves to latest\" at %s:11", f.Evidence, f.Lockfile, f.Line, inv.Path)
			}
		}
	}
}

// An indicator with its own severity caps an unpinned hit at that severity,
// never above high.
func TestUnpinnedSeverityOverride(t *testing.T) {
	for _, tc := range []struct {
		override *Severity
		want     Severity
	}{
		{nil, SeverityHigh},
		{ptr(SeverityLow), SeverityLow},
		{ptr(SeverityCritical), SeverityHigh},
	} {
		inds := postmarkIndicators()[:1]
		inds[0].Severity = tc.override
		x, err := NewIndex(inds)
		if err != nil {
			t.Fatal(err)
		}
		inv := &lockfiles.Inventory{Path: "cfg", Format: "mcp-config",
			Packages: []lockfiles.Package{{Name: "postmark-mcp", Source: lockfiles.SourceRegistry, Resolved: host.Unpinned}}}
		got, _ := x.MatchInventory("~", inv, nil)
		if len(got) != 1 || got[0].Severity != tc.want {
			t.Errorf("override %v: findings %q, want one at %v", tc.override, shorts(got), tc.want)
		}
	}
}

func ptr[T any](v T) *T { return &v }
