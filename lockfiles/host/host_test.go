package host_test

import (
	"context"
	"crypto/sha1"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/depsweep/depsweep/ioc"
	"github.com/depsweep/depsweep/lockfiles"
	"github.com/depsweep/depsweep/lockfiles/host"
)

func write(t *testing.T, home, rel, content string) {
	t.Helper()
	full := filepath.Join(home, filepath.FromSlash(rel))
	if err := os.MkdirAll(filepath.Dir(full), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(full, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
}

// cacacheEntry returns a bucket file's path (relative to the cache) and its
// line for key, as cacache writes them: the bucket is named by the SHA-256
// of the key, the line is "<sha1 of the JSON>\t<JSON>".
func cacacheEntry(key, integrity string, when time.Time) (string, string) {
	sum := sha256.Sum256([]byte(key))
	h := hex.EncodeToString(sum[:])
	js := fmt.Sprintf(`{"key":%q,"integrity":%q,"time":%d,"size":4096,"metadata":{"url":%q,"reqHeaders":{},"resHeaders":{"content-type":"application/octet-stream"},"options":{"compress":true}}}`,
		key, integrity, when.UnixMilli(), strings.TrimPrefix(key, "make-fetch-happen:request-cache:"))
	line := fmt.Sprintf("%x\t%s", sha1.Sum([]byte(js)), js)
	return "_cacache/index-v5/" + h[:2] + "/" + h[2:4] + "/" + h[4:], line
}

const npxLock = `{
  "name": "2a7f1c0d6b9e4f35",
  "lockfileVersion": 3,
  "requires": true,
  "packages": {
    "": {
      "dependencies": {
        "postmark-mcp": "^1.0.16"
      }
    },
    "node_modules/postmark-mcp": {
      "version": "1.0.16",
      "resolved": "https://registry.npmjs.org/postmark-mcp/-/postmark-mcp-1.0.16.tgz",
      "integrity": "sha512-mmjRPbuLq6aOmdGFfcUWkSsbXK6eOyvfNl/4LJfEO3SAy5YPWm0JQ/qfFGwuHkMhK+jfeW0qFHNIcTWCTyjhxA==",
      "license": "MIT",
      "bin": {
        "postmark-mcp": "index.js"
      }
    }
  }
}
`

const claudeConfig = `{
  "mcpServers": {
    "filesystem": {
      "command": "npx",
      "args": ["-y", "@modelcontextprotocol/server-filesystem", "/home/dev/projects"]
    },
    "postmark": {
      "command": "npx",
      "args": [
        "-y",
        "postmark-mcp"
      ],
      "env": {
        "POSTMARK_SERVER_TOKEN": "redacted",
        "DEFAULT_SENDER_EMAIL": "ops@example.com"
      }
    }
  }
}
`

// vscodeSettings is JSONC: comments and trailing commas, as VS Code allows.
const vscodeSettings = `{
  // editor
  "editor.tabSize": 2,
  "mcp": {
    "servers": {
      /* a look-alike under a scope: not the malicious package */
      "mail": {"command": "pnpm", "args": ["dlx", "@acme/postmark-mcp@1.0.16"],},
    },
  },
}
`

// home builds the acceptance home: an npx cache entry for postmark-mcp
// 1.0.16, a Claude Desktop config launching "npx -y postmark-mcp", a
// cacache index line for the 1.0.17 tarball, a Yarn cache zip for 1.0.18,
// and clean traces beside them.
func home(t *testing.T) (dir, bucket string) {
	dir = t.TempDir()
	write(t, dir, ".npm/_npx/2a7f1c0d6b9e4f35/package.json", `{"dependencies":{"postmark-mcp":"^1.0.16"},"_npx":{"packages":["postmark-mcp@1.0.16"]}}`)
	write(t, dir, ".npm/_npx/2a7f1c0d6b9e4f35/package-lock.json", npxLock)
	// An older entry without a lockfile: only the requested spec is known.
	write(t, dir, ".npm/_npx/9c0ffee000000001/package.json", `{"_npx":{"packages":["chalk@4.1.2"]}}`)
	write(t, dir, ".config/Claude/claude_desktop_config.json", claudeConfig)
	write(t, dir, ".config/Code/User/settings.json", vscodeSettings)
	bucket, line := cacacheEntry("make-fetch-happen:request-cache:https://registry.npmjs.org/postmark-mcp/-/postmark-mcp-1.0.17.tgz",
		"sha512-ZmFrZQ==", time.Date(2025, 9, 18, 8, 30, 0, 0, time.UTC))
	bucket = ".npm/" + bucket
	write(t, dir, bucket, "\n"+line+"\n")
	pk, pline := cacacheEntry("make-fetch-happen:request-cache:https://registry.npmjs.org/chalk", "sha512-Y2hhbGs=", time.Date(2025, 9, 1, 0, 0, 0, 0, time.UTC))
	write(t, dir, ".npm/"+pk, "\n"+pline+"\n")
	write(t, dir, ".yarn/berry/cache/postmark-mcp-npm-1.0.18-4b1e6f1c2d-3a9d2c1e0f.zip", "PK\x05\x06"+strings.Repeat("\x00", 18))
	write(t, dir, ".yarn/berry/cache/@acme-postmark-mcp-npm-1.0.16-a1b2c3d4e5-0f1e2d3c4b.zip", "PK\x05\x06"+strings.Repeat("\x00", 18))
	write(t, dir, ".local/share/pnpm/store/v10/index/3f/a9c1d2e3f4b5a6c7d8e9f0-chalk@4.1.2.json", `{"name":"chalk","version":"4.1.2","files":{}}`)
	return dir, bucket
}

var advisory = &ioc.Advisory{ID: "MAL-2025-47604", Severity: ioc.SeverityCritical}

var indicator = ioc.Indicator{Kind: ioc.KindPackage, Ecosystem: "npm", Value: "postmark-mcp",
	Versions: ioc.Versions{Exact: []string{"1.0.16", "1.0.17", "1.0.18"}}, Advisory: advisory}

// match is the matching rule the host traces need: an exact version in the
// indicator's set, or an unpinned launch of the indicator's package (it
// resolves to whatever is latest).
func match(tr host.Trace) []string {
	var out []string
	for _, p := range tr.Inventory.Packages {
		if p.Name != indicator.Value {
			continue
		}
		switch {
		case host.IsUnpinned(&p):
			out = append(out, fmt.Sprintf("%s %s:%d %s unpinned: resolves to latest", tr.Inventory.Format, tr.Inventory.Path, p.Line, p.Name))
		case slices.Contains(indicator.Versions.Exact, p.Version):
			out = append(out, fmt.Sprintf("%s %s:%d %s", tr.Inventory.Format, tr.Inventory.Path, p.Line, p.ID()))
		}
	}
	return out
}

func TestScan(t *testing.T) {
	dir, bucket := home(t)
	traces, errs := host.Scan(context.Background(), dir)
	for _, err := range errs {
		t.Errorf("error: %v", err)
	}
	var got []string
	for _, tr := range traces {
		if len(tr.Times) != len(tr.Inventory.Packages) {
			t.Errorf("%s: %d times for %d packages", tr.Inventory.Path, len(tr.Times), len(tr.Inventory.Packages))
		}
		got = append(got, match(tr)...)
	}
	want := []string{
		"npx-cache .npm/_npx/2a7f1c0d6b9e4f35/package-lock.json:11 postmark-mcp@1.0.16",
		"npm-cacache " + bucket + ":2 postmark-mcp@1.0.17",
		"mcp-config .config/Claude/claude_desktop_config.json:11 postmark-mcp unpinned: resolves to latest",
		"yarn-cache .yarn/berry/cache/postmark-mcp-npm-1.0.18-4b1e6f1c2d-3a9d2c1e0f.zip:0 postmark-mcp@1.0.18",
	}
	if !slices.Equal(got, want) {
		t.Errorf("findings:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}

	// Every source was read, clean traces included.
	formats := map[string][]string{}
	for _, tr := range traces {
		for _, p := range tr.Inventory.Packages {
			formats[tr.Inventory.Format] = append(formats[tr.Inventory.Format], p.Name+"@"+p.Version)
		}
	}
	wantFormats := map[string][]string{
		host.FormatNpxCache:  {"postmark-mcp@1.0.16", "chalk@4.1.2"},
		host.FormatCacache:   {"postmark-mcp@1.0.17", "chalk@"},
		host.FormatMCPConfig: {"@modelcontextprotocol/server-filesystem@", "postmark-mcp@", "@acme/postmark-mcp@1.0.16"},
		host.FormatYarnCache: {"@acme/postmark-mcp@1.0.16", "postmark-mcp@1.0.18"},
		host.FormatPnpmStore: {"chalk@4.1.2"},
	}
	for f, w := range wantFormats {
		g := formats[f]
		slices.Sort(g)
		slices.Sort(w)
		if !slices.Equal(g, w) {
			t.Errorf("%s packages = %v, want %v", f, g, w)
		}
	}
	for _, tr := range traces {
		if tr.Inventory.Format == host.FormatCacache && tr.Inventory.Packages[0].Version == "1.0.17" {
			if want := time.Date(2025, 9, 18, 8, 30, 0, 0, time.UTC); !tr.Times[0].Equal(want) {
				t.Errorf("cacache time = %v, want %v", tr.Times[0], want)
			}
		}
	}
}

// TestScanIndex runs the pinned traces through the real matcher.
func TestScanIndex(t *testing.T) {
	idx, err := ioc.NewIndex([]ioc.Indicator{indicator})
	if err != nil {
		if strings.Contains(err.Error(), "not written yet") {
			t.Skip("the matcher is not built into this tree yet")
		}
		t.Fatal(err)
	}
	dir, _ := home(t)
	traces, _ := host.Scan(context.Background(), dir)
	var got []string
	for _, tr := range traces {
		fs, _ := idx.MatchInventory(".", tr.Inventory, nil)
		for _, f := range fs {
			got = append(got, f.Lockfile+" "+f.Package.ID())
		}
	}
	if len(got) < 3 {
		t.Errorf("matcher findings = %v, want at least the npx, cacache and yarn traces", got)
	}
}

func TestScanErrors(t *testing.T) {
	dir := t.TempDir()
	write(t, dir, ".cursor/mcp.json", `{"mcpServers": {"x": `)
	write(t, dir, ".npm/_npx/abc/package-lock.json", "{\n  \"packages\": [\n")
	if err := os.Symlink("/etc/passwd", filepath.Join(dir, ".gemini")); err != nil {
		t.Fatal(err)
	}
	_, errs := host.Scan(context.Background(), dir)
	var msgs []string
	for _, err := range errs {
		msgs = append(msgs, err.Error())
	}
	if len(msgs) != 2 || !strings.HasPrefix(msgs[0], ".npm/_npx/abc/package-lock.json:") || msgs[1] != ".cursor/mcp.json: not a valid JSON configuration" {
		t.Errorf("errors = %q, want the broken npx lockfile and Cursor config", msgs)
	}
	if traces, errs := host.Scan(context.Background(), filepath.Join(dir, "missing")); len(traces) != 0 || len(errs) != 0 {
		t.Errorf("Scan(missing home) = %v, %v; want nothing", traces, errs)
	}
}

// specsConfig launches servers through every package runner form.
const specsConfig = `{"mcpServers": {
  "a": {"command": "npx", "args": ["-y", "postmark-mcp@1.0.17"]},
  "b": {"command": "C:\\Program Files\\nodejs\\npx.cmd", "args": ["--yes", "postmark-mcp@latest"]},
  "c": {"command": "cmd", "args": ["/c", "npx", "-y", "@scope/tool@2.0.0-beta.1"]},
  "d": {"command": "pnpm", "args": ["dlx", "postmark-mcp@^1.0.0"]},
  "e": {"command": "yarn", "args": ["dlx", "-p", "postmark-mcp@1.0.18", "postmark"]},
  "f": {"command": "npm", "args": ["exec", "--", "postmark-mcp@1.0.16"]},
  "g": {"command": "node", "args": ["/opt/postmark-mcp/index.js"]},
  "h": {"command": "npx", "args": ["-y", "github:someone/postmark-mcp"]},
  "i": {"command": "bunx", "args": ["npm:postmark-mcp@1.0.15"]},
  "k": {"command": "npx", "args": ["-y", "@scope/port-server@3.1.0", "--port", 8080]},
  "l": {"command": "npx", "args": "-y postmark-mcp"},
  "j": {"url": "https://mcp.example.com/sse"}
}}`

func TestSpecs(t *testing.T) {
	dir := t.TempDir()
	write(t, dir, ".cursor/mcp.json", specsConfig)
	traces, errs := host.Scan(context.Background(), dir)
	if len(errs) > 0 || len(traces) != 1 {
		t.Fatalf("Scan = %d traces, errors %v; want one trace", len(traces), errs)
	}
	var got []string
	for _, p := range traces[0].Inventory.Packages {
		got = append(got, fmt.Sprintf("%d %s@%s %s", p.Line, p.Name, p.Version, p.Resolved))
	}
	want := []string{
		"2 postmark-mcp@1.0.17 ",
		"3 postmark-mcp@ unpinned",
		"4 @scope/tool@2.0.0-beta.1 ",
		"5 postmark-mcp@ unpinned",
		"6 postmark-mcp@1.0.18 ",
		"7 postmark-mcp@1.0.16 ",
		"10 postmark-mcp@1.0.15 ",
		"11 @scope/port-server@3.1.0 ", // a number among the args is still an argument
		// "l" (args a string, not a list) is skipped, and hides no other server.
	}
	if !slices.Equal(got, want) {
		t.Errorf("packages:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	if traces[0].Inventory.Path != ".cursor/mcp.json" || traces[0].Inventory.Format != host.FormatMCPConfig {
		t.Errorf("trace %s %s, want .cursor/mcp.json mcp-config", traces[0].Inventory.Path, traces[0].Inventory.Format)
	}
}

func TestCacheNames(t *testing.T) {
	dir := t.TempDir()
	for _, n := range []string{
		"typescript-npm-5.4.5-8f9c1e1d2b-0a1b2c3d4e.zip",
		"@types-node-npm-20.11.30-7c3e9a1b0f-1f2e3d4c5b.zip",
		"left-pad-npm-1.3.0-rc.1-1234567890-abcdef0123.zip",
		"typescript-patch-11d3f3a1b2-9e8d7c6b5a.zip", // a patched package: not an npm download
		"notes.txt",
	} {
		write(t, dir, ".yarn/berry/cache/"+n, "")
	}
	write(t, dir, ".local/share/pnpm/store/v10/index/0a/1b2c3d4e5f60718293-@babel+core@7.24.0.json", "{}")
	write(t, dir, ".local/share/pnpm/store/v10/index/0a/not-an-index.json", "{}")
	traces, _ := host.Scan(context.Background(), dir)
	var got []string
	for _, tr := range traces {
		for _, p := range tr.Inventory.Packages {
			got = append(got, tr.Inventory.Format+" "+p.ID())
		}
	}
	want := []string{
		"yarn-cache @types/node@20.11.30",
		"yarn-cache left-pad@1.3.0-rc.1",
		"yarn-cache typescript@5.4.5",
		"pnpm-store @babel/core@7.24.0",
	}
	if !slices.Equal(got, want) {
		t.Errorf("cache packages = %v, want %v", got, want)
	}
}

// The inventories carry what the matcher needs: registry source, root deps.
func TestInventoryShape(t *testing.T) {
	dir, _ := home(t)
	traces, _ := host.Scan(context.Background(), dir)
	for _, tr := range traces {
		inv := tr.Inventory
		if len(inv.Importers) == 0 {
			t.Errorf("%s: no importer", inv.Path)
		}
		for i, p := range inv.Packages {
			if p.Name == "" || p.Source != lockfiles.SourceRegistry && inv.Format != host.FormatNpxCache {
				t.Errorf("%s: package %d = %+v, want a named registry package", inv.Path, i, p)
			}
			if inv.Format != host.FormatNpxCache && !inv.Direct(i) {
				t.Errorf("%s: package %s is not a direct dependency of the trace", inv.Path, p.Name)
			}
		}
	}
}
