package ioc

import (
	"github.com/depsweep/depsweep/lockfiles"
	"github.com/depsweep/depsweep/lockfiles/bom"
)

// parseInput turns the content of one input into an inventory: the one
// place where the scan picks a parser. An MCP configuration kept in a
// repository (.mcp.json, .vscode/mcp.json, .cursor/mcp.json) goes to
// [lockfiles.ParseMCP]; lockfiles found by discovery go to
// [lockfiles.Parse], which picks npm, Yarn or pnpm by name and content. A
// scan root that is a regular file (fileRoot) is read by what it holds,
// whatever its name: the type forced (depsweep scan --type), else a
// lockfile's name, else what [lockfiles.Sniff] tells from its content; an
// SBOM (CycloneDX, SPDX) is read by [bom.Read], and isBOM is then true
// (the inventory has no project directory).
//
// The choice is made here rather than through a format registry in
// lockfiles: lockfiles/bom imports lockfiles, so lockfiles cannot call it,
// and a registration hook would make which formats a scan reads depend on
// which packages happen to be linked in.
func parseInput(in lockfiles.Input, fileRoot bool, forced lockfiles.FileType) (inv *lockfiles.Inventory, isBOM bool, err error) {
	path, data := in.Path, in.Data
	if !fileRoot && lockfiles.IsMCPConfig(path) {
		inv, err = lockfiles.ParseMCP(path, data)
		return inv, false, err
	}
	if !fileRoot || forced == "" && lockfiles.IsLockfile(path) {
		inv, err = lockfiles.Parse(in)
		return inv, false, err
	}
	t := forced
	if t == "" {
		if t, err = lockfiles.Sniff(data); err != nil {
			return nil, false, &lockfiles.ParseError{Path: path, Err: err}
		}
	}
	if t.IsSBOM() {
		inv, err = bom.Read(path, data)
		return inv, true, err
	}
	inv, err = lockfiles.ParseAs(t, in)
	return inv, false, err
}
