package host_test

import (
	"bytes"
	"context"
	"encoding/json"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/depsweep/depsweep/lockfiles/host"
	"github.com/depsweep/depsweep/lockfiles/host/hosttest"
)

// The fuzz targets write their input where a trace source lives in a fresh
// home directory and run the real Scan over it. The property, for every
// source: Scan does not panic; every package has a name, and a version or a
// stated reason for having none (an unpinned launch, or a cacache packument
// fetch, which names the package and its URL only); Times has one entry per
// package; lines point into the file; and every error names its file first,
// relative to the home directory.

// scanOne writes files (slash paths relative to home) into the home dir,
// which holds nothing else, scans it, checks the property, and removes the
// files again.
//
// Why one home per target rather than t.TempDir per input: creating and
// removing a directory tree for every input made fuzzing several times
// slower. The inputs of one fuzz worker run one at a time, and each worker
// is a process of its own with its own f.TempDir.
func scanOne(t *testing.T, dir string, files map[string][]byte) []host.Trace {
	t.Helper()
	for rel, data := range files {
		full := filepath.Join(dir, filepath.FromSlash(rel))
		if err := os.MkdirAll(filepath.Dir(full), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(full, data, 0o644); err != nil {
			t.Fatal(err)
		}
		defer func() {
			if err := os.Remove(full); err != nil {
				t.Fatal(err)
			}
		}()
	}
	traces, errs := host.Scan(context.Background(), dir)
	for _, err := range errs {
		msg := err.Error()
		named := false
		for rel := range files {
			named = named || strings.HasPrefix(msg, rel+":")
		}
		if !named {
			t.Errorf("error does not start with the file it is about: %q", msg)
		}
		if strings.Contains(msg, dir) {
			t.Errorf("error names the absolute home directory: %q", msg)
		}
	}
	for _, tr := range traces {
		inv := tr.Inventory
		data, ok := files[inv.Path]
		if !ok {
			t.Errorf("trace of %q, a file that was not written", inv.Path)
		}
		if len(inv.Packages) == 0 {
			t.Errorf("%s: a trace with no package", inv.Path)
		}
		if len(tr.Times) != len(inv.Packages) {
			t.Errorf("%s: %d times for %d packages", inv.Path, len(tr.Times), len(inv.Packages))
		}
		lines := bytes.Count(data, []byte{'\n'}) + 1
		for i := range inv.Packages {
			p := &inv.Packages[i]
			if p.Name == "" {
				t.Errorf("%s: package %d has no name: %+v", inv.Path, i, *p)
			}
			if p.Version == "" && !host.IsUnpinned(p) && !packument(inv.Format, p.Resolved) {
				t.Errorf("%s: package %q has no version and is not marked unpinned: %+v", inv.Path, p.Name, *p)
			}
			if host.IsUnpinned(p) && p.Version != "" {
				t.Errorf("%s: package %q is both pinned to %q and unpinned", inv.Path, p.Name, p.Version)
			}
			if p.Line < 0 || p.Line > lines {
				t.Errorf("%s: package %q at line %d of a %d-line file", inv.Path, p.Name, p.Line, lines)
			} else if p.Line > 0 && (inv.Format == host.FormatMCPConfig || inv.Format == host.FormatNpxCache) &&
				!bytes.Contains(bytes.Split(data, []byte{'\n'})[p.Line-1], []byte(p.Name)) {
				// The spec that names the package is a JSON string on that line.
				t.Errorf("%s: package %q at line %d, which does not name it", inv.Path, p.Name, p.Line)
			}
		}
	}
	return traces
}

// packument reports whether resolved is the URL of a cacache packument
// fetch: its path has no "/-/", which a tarball URL's has. Neither the host
// ("//-/x") nor a ".tgz" suffix ("@babel%2fcore-7.24.0.tgz" can be a
// package name) tells them apart.
func packument(format, resolved string) bool {
	if format != host.FormatCacache || resolved == "" {
		return false
	}
	u, err := url.Parse(resolved)
	return err == nil && !strings.Contains(u.EscapedPath(), "/-/")
}

// addSeeds adds the byte seeds every target gets besides its own.
func addSeeds(f *testing.F, seeds ...string) {
	f.Helper()
	if len(seeds) == 0 {
		f.Fatal("no seeds")
	}
	for _, s := range append(seeds, "", "null", "[]", "{}") {
		f.Add([]byte(s))
	}
}

// mcpSeedFiles are where an MCP configuration is read as plain JSON with
// "mcpServers", as JSON with comments under "mcp.servers" (VS Code
// settings), and as Claude Code's file with per-project servers.
var mcpSeedFiles = []string{
	".config/Claude/claude_desktop_config.json",
	".config/Code/User/settings.json",
	".claude.json",
}

func FuzzMCPConfig(f *testing.F) {
	addSeeds(f, hosttest.ClaudeConfig, hosttest.VSCodeSettings, specsConfig,
		`{"projects": {"/home/dev/app": {"mcpServers": {"pm": {"command": "npx", "args": ["-y", "postmark-mcp@1.0.16"]}}}, "/x": null}}`,
		`{"mcp": {"servers": {"a": {"command": "npx", "args": []}, "b": {"command": "cmd", "args": ["/c"]}, "c": {"command": "npm", "args": ["exec", "-p"]}}}}`,
		"{/* open comment", `{"mcpServers": {"a": {"command": "npx", "args": ["-y", "a\"b@1.0.0"]}}} // tail`,
		`{"mcpServers": {"x": {"command": "npx", "args": ["--", "@scope/pkg@v1.2.3-rc.1+build"]},}}`,
	)
	dir := f.TempDir()
	f.Fuzz(func(t *testing.T, data []byte) {
		files := map[string][]byte{}
		for _, rel := range mcpSeedFiles {
			files[rel] = data
		}
		for _, tr := range scanOne(t, dir, files) {
			if tr.Inventory.Format != host.FormatMCPConfig {
				t.Errorf("%s: format %q from an MCP configuration", tr.Inventory.Path, tr.Inventory.Format)
			}
		}
	})
}

// FuzzMCPServerEntry puts its input as one server entry beside a server
// that launches postmark-mcp 1.0.16, and as one project of Claude Code's
// config beside a project with that server. Besides the common property:
// however malformed the one entry, its sibling is still found.
func FuzzMCPServerEntry(f *testing.F) {
	addSeeds(f, `{"command": "npx", "args": ["-y", "@modelcontextprotocol/server-filesystem", "/home/dev/projects"]}`,
		`{"command": "npx", "args": ["-y", "some-server", "--port", 8080]}`,
		`{"command": "node", "args": "/opt/server/index.js"}`,
		`{"command": ["npx"], "args": []}`, `{"url": "https://mcp.example.com/sse", "headers": {"Authorization": "Bearer x"}}`,
		`"npx -y postmark-mcp"`, `7`, `true`)
	dir := f.TempDir()
	f.Fuzz(func(t *testing.T, entry []byte) {
		if !json.Valid(entry) {
			return // then the file is not JSON, which FuzzMCPConfig covers
		}
		const pm = `"pm": {"command": "npx", "args": ["-y", "postmark-mcp@1.0.16"]}`
		files := map[string][]byte{
			mcpSeedFiles[0]: []byte("{\"mcpServers\": {\n\"a\": " + string(entry) + ",\n" + pm + "}}\n"),
			".claude.json":  []byte("{\"projects\": {\n\"/a\": " + string(entry) + ",\n\"/b\": {\"mcpServers\": {" + pm + "}}}}\n"),
		}
		found := map[string]bool{}
		for _, tr := range scanOne(t, dir, files) {
			for _, p := range tr.Inventory.Packages {
				found[tr.Inventory.Path] = found[tr.Inventory.Path] || p.ID() == "postmark-mcp@1.0.16"
			}
		}
		for rel := range files {
			if !found[rel] {
				t.Errorf("%s: postmark-mcp@1.0.16 not found beside the entry %q", rel, entry)
			}
		}
	})
}

// npxEntry is the npx cache entry the npx target writes into.
const npxEntry = ".npm/_npx/2a7f1c0d6b9e4f35/"

func FuzzNpxPackageJSON(f *testing.F) {
	addSeeds(f,
		`{"dependencies":{"postmark-mcp":"^1.0.16"},"_npx":{"packages":["postmark-mcp@1.0.16"]}}`,
		`{"_npx":{"packages":["chalk@4.1.2"]}}`,
		`{"_npx":{"packages":["npm:@scope/x@v1.2.3","github:someone/tool","","@","@scope/","x@latest","x@^1.0.0"]}}`,
		`{"_npx":{"packages":null}}`, `{"_npx":[]}`, `{"_npx":{"packages":[1,2]}}`,
	)
	dir := f.TempDir()
	f.Fuzz(func(t *testing.T, data []byte) {
		scanOne(t, dir, map[string][]byte{npxEntry + "package.json": data})
	})
}

func FuzzCacache(f *testing.F) {
	when := time.Date(2025, 9, 18, 8, 30, 0, 0, time.UTC)
	var seeds []string
	for _, e := range []struct{ key, integrity string }{
		{"make-fetch-happen:request-cache:https://registry.npmjs.org/postmark-mcp/-/postmark-mcp-1.0.17.tgz", "sha512-ZmFrZQ=="},
		{"make-fetch-happen:request-cache:https://registry.npmjs.org/chalk", "sha512-Y2hhbGs="},
		{"make-fetch-happen:request-cache:https://registry.npmjs.org/@babel%2fcore/-/core-7.24.0.tgz", "sha512-YmFiZWw="},
		{"make-fetch-happen:request-cache:https://registry.npmjs.org/@babel%2fcore", "sha512-YmFiZWw="},
		{"make-fetch-happen:request-cache:https://mirror.example.com/npm/left-pad/-/left-pad-1.3.0.tgz", "sha1-bGVmdA=="},
		{"pacote:tarball:postmark-mcp@1.0.16", "sha512-ZmFrZQ=="},
	} {
		_, line := hosttest.CacacheEntry(e.key, e.integrity, when)
		seeds = append(seeds, "\n"+line+"\n")
	}
	seeds = append(seeds,
		strings.Join(seeds, ""),
		"\n0123abcd\t{\"key\":\"make-fetch-happen:request-cache:https://registry.npmjs.org/x/-/x-1.0.0.tgz\",\"integrity\":null,\"time\":1}\n",
		"\n0123abcd\t{\"key\":\"make-fetch-happen:request-cache:https://registry.npmjs.org/x/-/x-1.0.0.tgz\",\"integrity\":\"sha512-eA==\",\"time\":-5}",
		"torn line without a tab\n\t\n\t{}\n",
	)
	addSeeds(f, seeds...)
	dir := f.TempDir()
	f.Fuzz(func(t *testing.T, data []byte) {
		scanOne(t, dir, map[string][]byte{".npm/_cacache/index-v5/3c/0a/16f6068f8e4bb6b683d5040370f9050f37a4ee3fce8ed041d871eec3f886": data})
	})
}

// cacheNameSeeds are Yarn cache and pnpm store index file names, good and bad.
var cacheNameSeeds = []string{
	"postmark-mcp-npm-1.0.18-4b1e6f1c2d-3a9d2c1e0f.zip",
	"@acme-postmark-mcp-npm-1.0.16-a1b2c3d4e5-0f1e2d3c4b.zip",
	"typescript-npm-5.4.5-8f9c1e1d2b-0a1b2c3d4e.zip",
	"@types-node-npm-20.11.30-7c3e9a1b0f-1f2e3d4c5b.zip",
	"left-pad-npm-1.3.0-rc.1-1234567890-abcdef0123.zip",
	"typescript-patch-11d3f3a1b2-9e8d7c6b5a.zip",
	"a9c1d2e3f4b5a6c7d8e9f0-chalk@4.1.2.json",
	"1b2c3d4e5f60718293-@babel+core@7.24.0.json",
	"not-an-index.json", "notes.txt", "-npm-.zip", "@-npm-1.0.0-abcdef01.zip", "00000000-@.json",
}

// cacheFile turns a fuzzed name into one a directory can hold, or reports
// that it cannot be one.
func cacheFile(name string) (string, bool) {
	if name == "" || name == "." || name == ".." || len(name) > 255 || strings.ContainsAny(name, "/\x00") {
		return "", false
	}
	return name, true
}

func FuzzYarnCacheName(f *testing.F) {
	for _, s := range cacheNameSeeds {
		f.Add(s)
	}
	dir := f.TempDir()
	f.Fuzz(func(t *testing.T, name string) {
		name, ok := cacheFile(name)
		if !ok {
			return
		}
		rel := ".yarn/berry/cache/" + name
		for _, tr := range scanOne(t, dir, map[string][]byte{rel: []byte("PK\x05\x06")}) {
			if tr.Inventory.Path != rel || len(tr.Inventory.Packages) != 1 || tr.Inventory.Packages[0].Version == "" {
				t.Errorf("cache file %q read as %+v, want one pinned package", name, tr.Inventory)
			}
		}
	})
}

func FuzzPnpmStoreName(f *testing.F) {
	for _, s := range cacheNameSeeds {
		f.Add(s)
	}
	dir := f.TempDir()
	f.Fuzz(func(t *testing.T, name string) {
		name, ok := cacheFile(name)
		if !ok {
			return
		}
		rel := ".local/share/pnpm/store/v10/index/3f/" + name
		for _, tr := range scanOne(t, dir, map[string][]byte{rel: []byte(`{"files":{}}`)}) {
			if tr.Inventory.Path != rel || len(tr.Inventory.Packages) != 1 || tr.Inventory.Packages[0].Version == "" {
				t.Errorf("store index %q read as %+v, want one pinned package", name, tr.Inventory)
			}
		}
	})
}
