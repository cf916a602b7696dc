// Package hosttest builds synthetic home directories for tests of host
// trace scanning: files under a home, npm cacache index entries as npm
// writes them, and the acceptance home of the postmark-mcp incident.
package hosttest

import (
	"crypto/sha1"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// Write writes content to the file rel (a slash path relative to home),
// creating its directories. It fails the test on any error.
func Write(t testing.TB, home, rel, content string) {
	t.Helper()
	full := filepath.Join(home, filepath.FromSlash(rel))
	if err := os.MkdirAll(filepath.Dir(full), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(full, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
}

// CacacheEntry returns a bucket file's path (relative to the npm cache
// directory, ~/.npm) and its line for key, as cacache writes them: the
// bucket is named by the SHA-256 of the key, the line is
// "<sha1 of the JSON>\t<JSON>". A request-cache key
// ("make-fetch-happen:request-cache:URL") records URL as the entry's URL.
func CacacheEntry(key, integrity string, when time.Time) (bucket, line string) {
	sum := sha256.Sum256([]byte(key))
	h := hex.EncodeToString(sum[:])
	js := fmt.Sprintf(`{"key":%q,"integrity":%q,"time":%d,"size":4096,"metadata":{"url":%q,"reqHeaders":{},"resHeaders":{"content-type":"application/octet-stream"},"options":{"compress":true}}}`,
		key, integrity, when.UnixMilli(), strings.TrimPrefix(key, "make-fetch-happen:request-cache:"))
	line = fmt.Sprintf("%x\t%s", sha1.Sum([]byte(js)), js)
	return "_cacache/index-v5/" + h[:2] + "/" + h[2:4] + "/" + h[4:], line
}

// Home builds the acceptance home: an npx cache entry for postmark-mcp
// 1.0.16, a Claude Desktop config launching "npx -y postmark-mcp", a
// cacache index line for the 1.0.17 tarball, a Yarn cache zip for 1.0.18,
// and clean traces beside them. bucket is the
// cacache index file of the 1.0.17 tarball, relative to dir.
func Home(t testing.TB) (dir, bucket string) {
	t.Helper()
	dir = t.TempDir()
	Write(t, dir, ".npm/_npx/2a7f1c0d6b9e4f35/package.json", `{"dependencies":{"postmark-mcp":"^1.0.16"},"_npx":{"packages":["postmark-mcp@1.0.16"]}}`)
	Write(t, dir, ".npm/_npx/2a7f1c0d6b9e4f35/package-lock.json", npxLock)
	// An older entry without a lockfile: only the requested spec is known.
	Write(t, dir, ".npm/_npx/9c0ffee000000001/package.json", `{"_npx":{"packages":["chalk@4.1.2"]}}`)
	Write(t, dir, ".config/Claude/claude_desktop_config.json", ClaudeConfig)
	Write(t, dir, ".config/Code/User/settings.json", VSCodeSettings)
	bucket, line := CacacheEntry("make-fetch-happen:request-cache:https://registry.npmjs.org/postmark-mcp/-/postmark-mcp-1.0.17.tgz",
		"sha512-ZmFrZQ==", time.Date(2025, 9, 18, 8, 30, 0, 0, time.UTC))
	bucket = ".npm/" + bucket
	Write(t, dir, bucket, "\n"+line+"\n")
	pk, pline := CacacheEntry("make-fetch-happen:request-cache:https://registry.npmjs.org/chalk", "sha512-Y2hhbGs=", time.Date(2025, 9, 1, 0, 0, 0, 0, time.UTC))
	Write(t, dir, ".npm/"+pk, "\n"+pline+"\n")
	Write(t, dir, ".yarn/berry/cache/postmark-mcp-npm-1.0.18-4b1e6f1c2d-3a9d2c1e0f.zip", "PK\x05\x06"+strings.Repeat("\x00", 18))
	Write(t, dir, ".yarn/berry/cache/@acme-postmark-mcp-npm-1.0.16-a1b2c3d4e5-0f1e2d3c4b.zip", "PK\x05\x06"+strings.Repeat("\x00", 18))
	Write(t, dir, ".local/share/pnpm/store/v10/index/3f/a9c1d2e3f4b5a6c7d8e9f0-chalk@4.1.2.json", `{"name":"chalk","version":"4.1.2","files":{}}`)
	return dir, bucket
}

// npxLock is the lockfile npx wrote for "npx -y postmark-mcp@1.0.16".
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

// ClaudeConfig is a Claude Desktop configuration that launches an
// unpinned postmark-mcp through npx, beside a clean server.
const ClaudeConfig = `{
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

// VSCodeSettings is JSONC: comments and trailing commas, as VS Code allows.
const VSCodeSettings = `{
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
