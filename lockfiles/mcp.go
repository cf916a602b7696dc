package lockfiles

// MCP server configurations: the servers an AI client launches, read as
// packages. An MCP configuration kept in a repository (.mcp.json,
// .vscode/mcp.json, .cursor/mcp.json) is an input of the scan like a
// lockfile ([ParseMCP]); lockfiles/host reads the clients' own
// configurations on a machine with [MCPPackages].

import (
	"bytes"
	"encoding/json"
	"errors"
	"path"
	"regexp"
	"slices"
	"strings"
	"sync"
)

// FormatMCPConfig is the Inventory.Format of an MCP configuration.
const FormatMCPConfig = "mcp-config"

// IsExactVersion reports whether v is an exact semantic version, as a
// package runner pins one ("1.0.16", "v1.0.16").
func IsExactVersion(v string) bool { return exactVersion().MatchString(v) }

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

// errMCPConfig is the error of an MCP configuration that is not JSON (or
// JSONC): the content is never quoted.
var errMCPConfig = errors.New("not a valid JSON configuration")

// mcpPackages returns the packages the servers of one configuration
// launch, from the servers under key (a dotted path). claudeProjects also
// reads Claude Code's per-project servers (projects.<dir>.mcpServers).
func MCPPackages(data []byte, key string, claudeProjects bool) ([]Package, error) {
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
// 'depsweep scan' finds them (see [IsMCPConfig]): .vscode/mcp.json
// (servers under "servers"), .cursor/mcp.json and .mcp.json (under
// "mcpServers"). Each server launched through a package runner is a
// package of the inventory, a direct dependency of its root; one launched
// without an exact version is [Unpinned]. rel (a slash path) names the
// file in the inventory and in errors.
func ParseMCP(rel string, data []byte) (*Inventory, error) {
	key := "mcpServers"
	if path.Base(rel) == "mcp.json" && path.Base(path.Dir(rel)) == ".vscode" {
		key = "servers"
	}
	pkgs, err := MCPPackages(data, key, false)
	if err != nil {
		return nil, &ParseError{Path: rel, Err: err}
	}
	inv := &Inventory{Path: rel, Format: FormatMCPConfig, Packages: pkgs}
	root := inv.Root()
	for i := range pkgs {
		root.Deps = append(root.Deps, Dep{To: i})
	}
	return inv, nil
}

// mcpServers appends the packages launched by the servers under key (a
// dotted path) of doc. data is the file as read, for line numbers.
func mcpServers(pkgs []Package, data []byte, doc map[string]json.RawMessage, key string) []Package {
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
		spec, ok := LaunchedPackage(srv.Command, srv.args())
		if !ok {
			continue
		}
		p, ok := SpecPackage(spec)
		if !ok {
			continue
		}
		if at := LineOf(data, n, 0); at > 0 {
			p.Line = LineOf(data, spec, offsetOfLine(data, at))
		}
		pkgs = append(pkgs, p)
	}
	return pkgs
}

// launchedPackage returns the package spec a server command runs through a
// package runner: npx, pnpx, bunx, "npm exec", "pnpm dlx", "yarn dlx" (also
// behind "cmd /c" on Windows, and with a path or .cmd suffix).
func LaunchedPackage(command string, args []string) (string, bool) {
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
			return PackageArg(argv[1:])
		case "npm":
			if len(argv) > 1 && (argv[1] == "exec" || argv[1] == "x") {
				return PackageArg(argv[2:])
			}
		case "pnpm", "yarn", "bun":
			if len(argv) > 1 && (argv[1] == "dlx" || argv[1] == "x") {
				return PackageArg(argv[2:])
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
func PackageArg(args []string) (string, bool) {
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

// validName reports whether s is an npm package name (lowercase, as the
// registry requires for new packages; old mixed-case names are accepted).
func ValidName(s string) bool {
	return len(s) <= 214 && nameRE().MatchString(strings.ToLower(s))
}

// specPackage reads a package spec as npx, pnpm dlx and yarn dlx take it:
// "name", "name@1.2.3", "@scope/name@latest", "npm:name@1.2.3". An exact
// version pins it; anything else (no version, a tag, a range) is
// [Unpinned]. Git, file and URL specs are not registry packages and are
// left out.
func SpecPackage(spec string) (Package, bool) {
	spec = strings.TrimPrefix(spec, "npm:")
	at := strings.LastIndexByte(spec, '@')
	name, ver := spec, ""
	if at > 0 {
		name, ver = spec[:at], spec[at+1:]
	}
	if !ValidName(name) {
		return Package{}, false
	}
	if IsExactVersion(ver) {
		return Package{Name: name, Version: strings.TrimPrefix(ver, "v"), Source: SourceRegistry}, true
	}
	return Package{Name: name, Source: SourceRegistry, Resolved: Unpinned}, true
}

// lineOf returns the 1-based line of the first JSON string equal to s at or
// after byte offset from, or 0.
func LineOf(data []byte, s string, from int) int {
	q, _ := json.Marshal(s)
	if from > len(data) {
		return 0
	}
	i := bytes.Index(data[from:], q)
	if i < 0 {
		return 0
	}
	return 1 + bytes.Count(data[:from+i], []byte{'\n'})
}

var (
	nameRE = sync.OnceValue(func() *regexp.Regexp {
		return regexp.MustCompile(`^(@[a-z0-9][a-z0-9._~-]*/)?[a-z0-9._~-][a-z0-9._~-]*$`)
	})
	exactVersion = sync.OnceValue(func() *regexp.Regexp {
		return regexp.MustCompile(`^v?\d+\.\d+\.\d+(-[0-9A-Za-z.-]+)?(\+[0-9A-Za-z.-]+)?$`)
	})
)

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
