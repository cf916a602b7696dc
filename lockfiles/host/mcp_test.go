package host_test

import (
	"context"
	"errors"
	"slices"
	"strconv"
	"testing"

	"github.com/depsweep/depsweep/lockfiles"
	"github.com/depsweep/depsweep/lockfiles/host"
	"github.com/depsweep/depsweep/lockfiles/host/hosttest"
)

// TestMCPLocations puts one server in each documented client location
// (macOS, Windows and Linux; VS Code stable, Insiders and a profile; the
// settings.json "mcp" key; Copilot's user file) and finds each.
func TestMCPLocations(t *testing.T) {
	home := t.TempDir()
	servers := `{"mcpServers": {"m": {"command": "npx", "args": ["-y", "postmark-mcp@1.0.17"]}}}`
	vscode := `{"servers": {"m": {"type": "stdio", "command": "npx", "args": ["-y", "postmark-mcp@1.0.17"]}}}`
	settings := `{"editor.tabSize": 2, "mcp": {"servers": {"m": {"command": "npx", "args": ["-y", "postmark-mcp@1.0.17"]}}}}`
	files := map[string]string{
		"Library/Application Support/Claude/claude_desktop_config.json":            servers,
		"AppData/Roaming/Claude/claude_desktop_config.json":                        servers,
		".config/Claude/claude_desktop_config.json":                                servers,
		".copilot/mcp-config.json":                                                 servers,
		"Library/Application Support/Code/User/mcp.json":                           vscode,
		"Library/Application Support/Code - Insiders/User/mcp.json":                vscode,
		"AppData/Roaming/Code/User/mcp.json":                                       vscode,
		"AppData/Roaming/Code - Insiders/User/settings.json":                       settings,
		".config/Code/User/profiles/-6c1b2f3a/mcp.json":                            vscode,
		".config/Code - Insiders/User/profiles/4e5d6c7b/settings.json":             settings,
		"Library/Application Support/Code/User/profiles/1a2b3c4d/mcp.json":         vscode,
		".config/Code/User/settings.json":                                          `{"editor.tabSize": 2}`, // no "mcp": nothing
		"Library/Application Support/Code/User/profiles/1a2b3c4d/keybindings.json": vscode,                  // not a config
	}
	for rel, content := range files {
		hosttest.Write(t, home, rel, content)
	}
	traces, errs := host.Scan(context.Background(), home)
	if len(errs) > 0 {
		t.Fatalf("errors: %v", errs)
	}
	var got []string
	for _, tr := range traces {
		if tr.Inventory.Format != host.FormatMCPConfig || len(tr.Inventory.Packages) != 1 || tr.Inventory.Packages[0].ID() != "postmark-mcp@1.0.17" {
			t.Errorf("%s: %s %v, want one postmark-mcp@1.0.17", tr.Inventory.Path, tr.Inventory.Format, tr.Inventory.Packages)
		}
		got = append(got, tr.Inventory.Path)
	}
	var want []string
	for rel := range files {
		if rel != ".config/Code/User/settings.json" && rel != "Library/Application Support/Code/User/profiles/1a2b3c4d/keybindings.json" {
			want = append(want, rel)
		}
	}
	slices.Sort(got)
	slices.Sort(want)
	if !slices.Equal(got, want) {
		t.Errorf("configs read:\n%q\nwant:\n%q", got, want)
	}
}

// TestParseWorkspaceMCP reads the workspace configurations a repository
// holds, each under its client's key.
func TestParseWorkspaceMCP(t *testing.T) {
	for _, c := range []struct{ path, data, want string }{
		{".mcp.json", `{"mcpServers": {"postmark": {"command": "npx", "args": ["-y", "postmark-mcp"]}}}`, "postmark-mcp@ unpinned 1"},
		{"svc/.vscode/mcp.json", "{\n  // JSONC\n  \"servers\": {\n    \"m\": {\"command\": \"npx\", \"args\": [\"-y\", \"postmark-mcp@1.0.18\"]},\n  },\n}", "postmark-mcp@1.0.18  4"},
		{".cursor/mcp.json", `{"mcpServers": {"m": {"command": "pnpm", "args": ["dlx", "postmark-mcp@1.0.16"]}}}`, "postmark-mcp@1.0.16  1"},
		{".vscode/mcp.json", `{"mcpServers": {"m": {"command": "npx", "args": ["-y", "postmark-mcp"]}}}`, ""}, // VS Code reads "servers" only
	} {
		inv, err := host.ParseWorkspaceMCP(c.path, []byte(c.data))
		if err != nil {
			t.Errorf("%s: %v", c.path, err)
			continue
		}
		got := ""
		for _, p := range inv.Packages {
			got = p.ID() + " " + p.Resolved + " " + strconv.Itoa(p.Line)
			if !inv.Paths().Direct(0) {
				t.Errorf("%s: %s is not a direct dependency", c.path, p.Name)
			}
		}
		if got != c.want || inv.Format != host.FormatMCPConfig || inv.Path != c.path {
			t.Errorf("%s: %q (%s %s), want %q", c.path, got, inv.Format, inv.Path, c.want)
		}
	}
	_, err := host.ParseWorkspaceMCP("a/.mcp.json", []byte(`{"mcpServers": `))
	var pe *lockfiles.ParseError
	if !errors.As(err, &pe) || pe.Path != "a/.mcp.json" || err.Error() != "a/.mcp.json: not a valid JSON configuration" {
		t.Errorf("broken config: %v, want a ParseError naming a/.mcp.json", err)
	}
}

func itoa(n int) string {
	return string(rune('0' + n%10)) // lines here are single digits
}

// FuzzParseWorkspaceMCP: any bytes give an inventory whose packages are
// named direct dependencies, or a ParseError naming the file.
func FuzzParseWorkspaceMCP(f *testing.F) {
	f.Add([]byte(`{"mcpServers": {"m": {"command": "npx", "args": ["-y", "postmark-mcp"]}}}`))
	f.Add([]byte("{\n // c\n \"servers\": {\"m\": {\"command\": \"cmd\", \"args\": [\"/c\", \"npx\", \"-y\", \"a@1.0.0\"],},},}"))
	f.Add([]byte(""))
	f.Add([]byte("null"))
	f.Fuzz(func(t *testing.T, data []byte) {
		for _, rel := range []string{".mcp.json", "a/.vscode/mcp.json"} {
			inv, err := host.ParseWorkspaceMCP(rel, data)
			if err != nil {
				var pe *lockfiles.ParseError
				if !errors.As(err, &pe) || pe.Path != rel {
					t.Errorf("%s: error %v does not name the file", rel, err)
				}
				continue
			}
			for i, p := range inv.Packages {
				if p.Name == "" || !inv.Paths().Direct(i) || (p.Version == "" && !host.IsUnpinned(&p)) {
					t.Errorf("%s: package %d = %+v", rel, i, p)
				}
			}
		}
	})
}
