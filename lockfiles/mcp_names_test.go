package lockfiles

import (
	"context"
	"os"
	"path/filepath"
	"slices"
	"testing"
)

func TestIsMCPConfig(t *testing.T) {
	for _, c := range []struct {
		path string
		want bool
	}{
		{".mcp.json", true},
		{"services/api/.mcp.json", true},
		{".vscode/mcp.json", true},
		{"web/.vscode/mcp.json", true},
		{".cursor/mcp.json", true},
		{"mcp.json", false},              // no client reads a bare mcp.json in a workspace
		{"config/mcp.json", false},       // nor one in any other folder
		{".vscode/settings.json", false}, // settings "mcp" is read from the user's settings only
		{"x.mcp.json", false},
	} {
		if got := IsMCPConfig(c.path); got != c.want {
			t.Errorf("IsMCPConfig(%q) = %v, want %v", c.path, got, c.want)
		}
	}
}

// TestFindMCPConfigs: discovery yields workspace MCP configurations beside
// lockfiles, each with the project folder that holds it.
func TestFindMCPConfigs(t *testing.T) {
	root := t.TempDir()
	for _, f := range []string{
		"api/.git/HEAD", "api/.mcp.json", "api/package-lock.json",
		"web/.vscode/mcp.json", "web/.vscode/settings.json",
		"tools/.cursor/mcp.json", "docs/mcp.json",
	} {
		p := filepath.Join(root, filepath.FromSlash(f))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte("{}"), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	var got []string
	for f, err := range Find(context.Background(), root, FindOptions{}) {
		if err != nil {
			t.Fatal(err)
		}
		got = append(got, f.Path+" "+f.Project+" "+f.Repo)
	}
	slices.Sort(got)
	want := []string{
		"api/.mcp.json api api",
		"api/package-lock.json api api",
		"tools/.cursor/mcp.json tools .",
		"web/.vscode/mcp.json web .",
	}
	if !slices.Equal(got, want) {
		t.Errorf("Find = %q, want %q", got, want)
	}
}
