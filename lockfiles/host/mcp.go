package host

import (
	"path"
	"slices"

	"github.com/depsweep/depsweep/lockfiles"
)

// mcpConfigFiles are the MCP client configurations read, relative to the
// home directory, with the JSON key holding the servers (a dotted path).
// Claude Code's ~/.claude.json also holds servers per project
// (projects.<dir>.mcpServers). The locations are the clients' documented
// ones: Claude Desktop's claude_desktop_config.json (macOS, Windows
// %APPDATA%, and Linux builds' ~/.config); VS Code's user mcp.json and
// settings.json "mcp" (stable and Insiders, per OS; profiles are listed by
// scanner.mcpConfigFiles); Copilot's portable ~/.copilot/mcp-config.json.
var mcpConfigFiles = func() []struct{ path, key string } {
	files := []struct{ path, key string }{
		{"Library/Application Support/Claude/claude_desktop_config.json", "mcpServers"},                                               // Claude Desktop, macOS
		{".config/Claude/claude_desktop_config.json", "mcpServers"},                                                                   // Claude Desktop, Linux
		{"AppData/Roaming/Claude/claude_desktop_config.json", "mcpServers"},                                                           // Claude Desktop, Windows
		{".claude.json", "mcpServers"},                                                                                                // Claude Code
		{".cursor/mcp.json", "mcpServers"},                                                                                            // Cursor
		{".codeium/windsurf/mcp_config.json", "mcpServers"},                                                                           // Windsurf
		{".gemini/settings.json", "mcpServers"},                                                                                       // Gemini CLI
		{".copilot/mcp-config.json", "mcpServers"},                                                                                    // Copilot portable format, user
		{".config/Code/User/globalStorage/saoudrizwan.claude-dev/settings/cline_mcp_settings.json", "mcpServers"},                     // Cline, Linux
		{"Library/Application Support/Code/User/globalStorage/saoudrizwan.claude-dev/settings/cline_mcp_settings.json", "mcpServers"}, // Cline, macOS
	}
	for _, user := range vscodeUserDirs {
		files = append(files,
			struct{ path, key string }{user + "/mcp.json", "servers"},
			struct{ path, key string }{user + "/settings.json", "mcp.servers"})
	}
	return files
}()

// vscodeUserDirs are VS Code's user folders, stable and Insiders, on
// Linux, macOS and Windows (%APPDATA%).
var vscodeUserDirs = []string{
	".config/Code/User", ".config/Code - Insiders/User",
	"Library/Application Support/Code/User", "Library/Application Support/Code - Insiders/User",
	"AppData/Roaming/Code/User", "AppData/Roaming/Code - Insiders/User",
}

func (s *scanner) mcpConfigs() {
	for _, c := range s.mcpConfigFiles() {
		data, ok := s.readFile(c.path)
		if !ok {
			continue
		}
		pkgs, err := lockfiles.MCPPackages(data, c.key, c.path == ".claude.json")
		if err != nil {
			s.fail(c.path, err)
			continue
		}
		s.add(c.path, FormatMCPConfig, pkgs, nil)
	}
}

// mcpConfigFiles returns the MCP client configurations to read: the fixed
// ones, plus each VS Code profile's (User/profiles/<id>/mcp.json and
// settings.json), for VS Code and VS Code Insiders on every OS.
func (s *scanner) mcpConfigFiles() []struct{ path, key string } {
	files := slices.Clone(mcpConfigFiles)
	for _, user := range vscodeUserDirs {
		profiles := path.Join(user, "profiles")
		for _, id := range sortedNames(s.readDir(profiles)) {
			files = append(files,
				struct{ path, key string }{path.Join(profiles, id, "mcp.json"), "servers"},
				struct{ path, key string }{path.Join(profiles, id, "settings.json"), "mcp.servers"})
		}
	}
	return files
}

// ParseWorkspaceMCP is [lockfiles.ParseMCP]: an MCP configuration kept in a
// repository.
func ParseWorkspaceMCP(rel string, data []byte) (*lockfiles.Inventory, error) {
	return lockfiles.ParseMCP(rel, data)
}
