package host

import (
	"encoding/json"
	"errors"
	"path"
	"slices"
	"strings"

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

// An mcpServer is one server entry of a client config.
type mcpServer struct {
	Command string            `json:"command"`
	Args    []json.RawMessage `json:"args"` // strings, but a hand-edited config may hold a number ("--port", 8080)
}

// args returns the server's arguments as strings; a number or other
// non-string argument is its JSON text.
func (m *mcpServer) args() []string {
	out := make([]string, 0, len(m.Args))
	for _, raw := range m.Args {
		var s string
		if json.Unmarshal(raw, &s) != nil {
			s = string(raw)
		}
		out = append(out, s)
	}
	return out
}

func (s *scanner) mcpConfigs() {
	for _, c := range s.mcpConfigFiles() {
		data, ok := s.readFile(c.path)
		if !ok {
			continue
		}
		pkgs, err := mcpPackages(data, c.key, c.path == ".claude.json")
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

// errMCPConfig is the error of an MCP configuration that is not JSON (or
// JSONC): the content is never quoted.
var errMCPConfig = errors.New("not a valid JSON configuration")

// mcpPackages returns the packages the servers of one configuration
// launch, from the servers under key (a dotted path). claudeProjects also
// reads Claude Code's per-project servers (projects.<dir>.mcpServers).
func mcpPackages(data []byte, key string, claudeProjects bool) ([]lockfiles.Package, error) {
	clean := stripJSONC(data) // VS Code's files allow comments and trailing commas
	var doc map[string]json.RawMessage
	if err := json.Unmarshal(clean, &doc); err != nil {
		return nil, errMCPConfig
	}
	pkgs := mcpServers(nil, data, doc, key)
	if claudeProjects {
		// Each project apart, so that one that is not an object does
		// not hide the others (as in mcpServers).
		var projects map[string]json.RawMessage
		if raw, ok := doc["projects"]; ok && json.Unmarshal(raw, &projects) == nil {
			dirs := make([]string, 0, len(projects))
			for d := range projects {
				dirs = append(dirs, d)
			}
			slices.Sort(dirs)
			for _, d := range dirs {
				var project map[string]json.RawMessage
				if json.Unmarshal(projects[d], &project) == nil {
					pkgs = mcpServers(pkgs, data, project, "mcpServers")
				}
			}
		}
	}
	return pkgs, nil
}

// ParseWorkspaceMCP reads an MCP configuration kept in a repository, as
// 'depsweep scan' finds them (see [lockfiles.IsMCPConfig]): .vscode/mcp.json
// (servers under "servers"), .cursor/mcp.json and .mcp.json (under
// "mcpServers"). Each server launched through a package runner is a
// package of the inventory, a direct dependency of its root; one launched
// without an exact version is [Unpinned]. rel (a slash path) names the
// file in the inventory and in errors.
func ParseWorkspaceMCP(rel string, data []byte) (*lockfiles.Inventory, error) {
	key := "mcpServers"
	if path.Base(rel) == "mcp.json" && path.Base(path.Dir(rel)) == ".vscode" {
		key = "servers"
	}
	pkgs, err := mcpPackages(data, key, false)
	if err != nil {
		return nil, &lockfiles.ParseError{Path: rel, Err: err}
	}
	inv := &lockfiles.Inventory{Path: rel, Format: FormatMCPConfig, Packages: pkgs}
	root := inv.Root()
	for i := range pkgs {
		root.Deps = append(root.Deps, lockfiles.Dep{To: i})
	}
	return inv, nil
}

// mcpServers appends the packages launched by the servers under key (a
// dotted path) of doc. data is the file as read, for line numbers.
func mcpServers(pkgs []lockfiles.Package, data []byte, doc map[string]json.RawMessage, key string) []lockfiles.Package {
	raw, ok := doc[key]
	if !ok {
		first, rest, dotted := strings.Cut(key, ".")
		var sub map[string]json.RawMessage
		if !dotted || json.Unmarshal(doc[first], &sub) != nil {
			return pkgs
		}
		return mcpServers(pkgs, data, sub, rest)
	}
	// Why each entry apart: decoded as one map, a single malformed entry
	// (args as a string, a number in args, an entry that is not an object)
	// failed the whole map and hid every other server in the file.
	var servers map[string]json.RawMessage
	if json.Unmarshal(raw, &servers) != nil {
		return pkgs
	}
	names := make([]string, 0, len(servers))
	for n := range servers {
		names = append(names, n)
	}
	slices.Sort(names)
	for _, n := range names {
		var srv mcpServer
		if json.Unmarshal(servers[n], &srv) != nil {
			continue
		}
		spec, ok := launchedPackage(srv.Command, srv.args())
		if !ok {
			continue
		}
		p, ok := specPackage(spec)
		if !ok {
			continue
		}
		if at := lineOf(data, n, 0); at > 0 {
			p.Line = lineOf(data, spec, offsetOfLine(data, at))
		}
		pkgs = append(pkgs, p)
	}
	return pkgs
}

// launchedPackage returns the package spec a server command runs through a
// package runner: npx, pnpx, bunx, "npm exec", "pnpm dlx", "yarn dlx" (also
// behind "cmd /c" on Windows, and with a path or .cmd suffix).
func launchedPackage(command string, args []string) (string, bool) {
	argv := append([]string{command}, args...)
	for {
		if len(argv) == 0 {
			return "", false
		}
		switch runner(argv[0]) {
		case "cmd":
			if len(argv) > 1 && strings.EqualFold(argv[1], "/c") {
				argv = argv[2:]
				continue
			}
			return "", false
		case "npx", "pnpx", "bunx":
			return packageArg(argv[1:])
		case "npm":
			if len(argv) > 1 && (argv[1] == "exec" || argv[1] == "x") {
				return packageArg(argv[2:])
			}
		case "pnpm", "yarn", "bun":
			if len(argv) > 1 && (argv[1] == "dlx" || argv[1] == "x") {
				return packageArg(argv[2:])
			}
		}
		return "", false
	}
}

// runner names the program of a command: the base name, lowercased, without
// a Windows extension.
func runner(cmd string) string {
	cmd = strings.ToLower(path.Base(strings.ReplaceAll(cmd, `\`, "/")))
	for _, ext := range []string{".cmd", ".exe", ".bat", ".ps1"} {
		cmd = strings.TrimSuffix(cmd, ext)
	}
	return cmd
}

// packageArg returns the package a runner's arguments name: the value of
// -p/--package if given, else the first argument that is not a flag.
func packageArg(args []string) (string, bool) {
	for i := 0; i < len(args); i++ {
		a := args[i]
		switch {
		case a == "--":
			if i+1 < len(args) {
				return args[i+1], true
			}
			return "", false
		case a == "-p" || a == "--package":
			if i+1 < len(args) {
				return args[i+1], true
			}
			return "", false
		case strings.HasPrefix(a, "--package="):
			return strings.TrimPrefix(a, "--package="), true
		case strings.HasPrefix(a, "-"):
			continue
		default:
			return a, true
		}
	}
	return "", false
}

// offsetOfLine returns the byte offset where 1-based line n starts.
func offsetOfLine(data []byte, n int) int {
	off := 0
	for l := 1; l < n && off < len(data); l++ {
		i := strings.IndexByte(string(data[off:]), '\n')
		if i < 0 {
			return len(data)
		}
		off += i + 1
	}
	return off
}

// stripJSONC blanks out // and /* */ comments and trailing commas, keeping
// every newline so that line numbers stay right.
func stripJSONC(data []byte) []byte {
	out := make([]byte, len(data))
	copy(out, data)
	inStr := false
	for i := 0; i < len(out); i++ {
		c := out[i]
		switch {
		case inStr:
			if c == '\\' {
				i++
			} else if c == '"' {
				inStr = false
			}
		case c == '"':
			inStr = true
		case c == '/' && i+1 < len(out) && out[i+1] == '/':
			for ; i < len(out) && out[i] != '\n'; i++ {
				out[i] = ' '
			}
		case c == '/' && i+1 < len(out) && out[i+1] == '*':
			out[i], out[i+1] = ' ', ' '
			for i += 2; i < len(out) && !(out[i] == '*' && i+1 < len(out) && out[i+1] == '/'); i++ {
				if out[i] != '\n' {
					out[i] = ' '
				}
			}
			if i+1 < len(out) {
				out[i], out[i+1] = ' ', ' '
				i++
			}
		case c == ',':
			// A comma followed only by blanks before } or ] is a trailing comma.
			j := i + 1
			for j < len(out) && (out[j] == ' ' || out[j] == '\t' || out[j] == '\n' || out[j] == '\r') {
				j++
			}
			if j < len(out) && (out[j] == '}' || out[j] == ']') {
				out[i] = ' '
			}
		}
	}
	return out
}
