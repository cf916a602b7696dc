package lockfiles

import "path"

// IsMCPConfig reports whether the slash path rel names an MCP server
// configuration that editors and agents keep in a workspace: .mcp.json at
// a project's root (Claude Code, Copilot), .vscode/mcp.json (VS Code) or
// .cursor/mcp.json (Cursor). Discovery yields them beside lockfiles: a
// server launched with "npx -y <package>" is a dependency no lockfile names.
func IsMCPConfig(rel string) bool {
	dir, name := path.Split(rel)
	switch name {
	case ".mcp.json":
		return true
	case "mcp.json":
		d := path.Base(path.Clean(dir))
		return d == ".vscode" || d == ".cursor"
	}
	return false
}

// mcpProject returns the project directory of the MCP configuration rel:
// the folder holding .mcp.json, .vscode or .cursor.
func mcpProject(rel string) string {
	dir := path.Dir(rel)
	if path.Base(rel) == "mcp.json" {
		dir = path.Dir(dir)
	}
	return dir
}
