package host_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/depsweep/depsweep/lockfiles/host"
	"github.com/depsweep/depsweep/lockfiles/host/hosttest"
)

// realTraces lists what Read finds in a home written by a real client
// (testdata/real, made by gen.sh): "format path:line name@version from time",
// the time left out where it is a file's modification time (a checkout
// sets those).
func realTraces(t *testing.T, client string) ([]string, *host.Result) {
	t.Helper()
	home := filepath.Join("testdata", "real", client, "home")
	if _, err := os.Stat(home); err != nil {
		t.Fatalf("no traces for %s: %v (run testdata/real/gen.sh)", client, err)
	}
	r := host.Read(context.Background(), home)
	for _, err := range r.Errors {
		t.Errorf("%s: %v", client, err)
	}
	var got []string
	for _, tr := range r.Traces {
		if len(tr.Times) != len(tr.Inventory.Packages) || len(tr.TimeFrom) != len(tr.Inventory.Packages) {
			t.Errorf("%s: %d times, %d sources for %d packages", tr.Inventory.Path, len(tr.Times), len(tr.TimeFrom), len(tr.Inventory.Packages))
			continue
		}
		for i, p := range tr.Inventory.Packages {
			s := fmt.Sprintf("%s %s:%d %s %s", tr.Inventory.Format, tr.Inventory.Path, p.Line, p.ID(), tr.TimeFrom[i])
			if host.IsUnpinned(&p) {
				s += " unpinned"
			}
			switch tr.TimeFrom[i] {
			case host.FromFileTime, host.FromDirTime:
				if tr.Times[i].IsZero() {
					t.Errorf("%s: %s has no time", tr.Inventory.Path, p.ID())
				}
			default:
				s += " " + tr.Times[i].Format("15:04:05.000")
			}
			got = append(got, s)
		}
	}
	return got, r
}

func checkReal(t *testing.T, client string, want []string) *host.Result {
	t.Helper()
	got, r := realTraces(t, client)
	if !slices.Equal(got, want) {
		t.Errorf("%s traces:\n%s\nwant:\n%s", client, strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	return r
}

// TestRealNpm reads what npm 10 left after 'npx -y postmark-mcp', 'npm
// cache add postmark-mcp@1.0.17' and 'npm view mcp-mail-relay': the npx
// entry dated by its tarball's cache entry, the cache index with URL and
// pacote:tarball keys, the debug logs with the command line (unpinned) and
// the tarball fetches, and publishers from the full packuments npm cached.
func TestRealNpm(t *testing.T) {
	r := checkReal(t, "npm10", []string{
		"npx-cache .npm/_npx/36584b3cdb3b9e8d/package-lock.json:11 postmark-mcp@1.0.18 npm-cache-entry 17:03:26.979",
		"npm-cacache .npm/_cacache/index-v5/23/78/c2cb1869134f509e6975fff9207caf2f33a81caafe218f2fa99aee7366a4:2 postmark-mcp@1.0.17 npm-cache-entry 17:03:29.993",
		"npm-cacache .npm/_cacache/index-v5/24/c7/1a434f722d7ffced218dca45f465b66b5dd24433187bd0bb943e561974a3:2 mcp-mail-relay@2.1.0 npm-cache-entry 17:03:31.920",
		"npm-cacache .npm/_cacache/index-v5/85/d3/b23d54d785c0429e5a78f251391a582932f8e118e9e74c8aa5653ff68973:2 postmark-mcp@1.0.17 npm-cache-entry 17:03:29.991",
		"npm-cacache .npm/_cacache/index-v5/9d/0d/55e6ff78cc2232d3de5bab0fa255d3d2fd9f41474acec72ef836f85a2a50:2 mcp-mail-relay@ npm-cache-entry 17:03:31.904",
		"npm-cacache .npm/_cacache/index-v5/9d/0d/55e6ff78cc2232d3de5bab0fa255d3d2fd9f41474acec72ef836f85a2a50:3 mcp-mail-relay@ npm-cache-entry 17:03:31.947",
		"npm-cacache .npm/_cacache/index-v5/a2/27/a13fbebe749393fbcd4f8214300d64faf82e255a47bac4705e90fd5100d7:2 postmark-mcp@ npm-cache-entry 17:03:26.933",
		"npm-cacache .npm/_cacache/index-v5/a2/27/a13fbebe749393fbcd4f8214300d64faf82e255a47bac4705e90fd5100d7:3 postmark-mcp@ npm-cache-entry 17:03:29.973",
		"npm-cacache .npm/_cacache/index-v5/a2/27/a13fbebe749393fbcd4f8214300d64faf82e255a47bac4705e90fd5100d7:4 postmark-mcp@ npm-cache-entry 17:03:30.020",
		"npm-cacache .npm/_cacache/index-v5/d8/82/64a7ebe1ce181e4675e3c9ff4a43a6e7d921816b248f193967c16aa2ad9e:2 mcp-mail-relay@2.1.0 npm-cache-entry 17:03:31.922",
		"npm-cacache .npm/_cacache/index-v5/de/36/5693c971358e5f12fa0a87819fecc2da2e898e6f9d9ce660cbe6506550fa:2 postmark-mcp@1.0.18 npm-cache-entry 17:03:26.979",
		"npm-log .npm/_logs/2026-12-04T17_03_24_690Z-debug-0.log:8 postmark-mcp@ log-file-name unpinned 17:03:24.690",
		"npm-log .npm/_logs/2026-12-04T17_03_24_690Z-debug-0.log:23 postmark-mcp@1.0.18 log-file-name 17:03:24.690",
		"npm-log .npm/_logs/2026-12-04T17_03_28_360Z-debug-0.log:8 postmark-mcp@1.0.17 log-file-name 17:03:28.360",
		"npm-log .npm/_logs/2026-12-04T17_03_28_360Z-debug-0.log:15 postmark-mcp@1.0.17 log-file-name 17:03:28.360",
		"npm-log .npm/_logs/2026-12-04T17_03_30_658Z-debug-0.log:8 mcp-mail-relay@2.1.0 log-file-name 17:03:30.658",
		"npm-log .npm/_logs/2026-12-04T17_03_30_658Z-debug-0.log:15 mcp-mail-relay@2.1.0 log-file-name 17:03:30.658",
	})
	for _, c := range []struct{ name, version, want string }{
		{"postmark-mcp", "1.0.18", "phanpak"},
		{"postmark-mcp", "1.0.15", "phanpak"},
		{"mcp-mail-relay", "2.1.0", "phanpak"},
	} {
		if a, ok := r.Publishers.Publisher(c.name, c.version); !ok || a != c.want {
			t.Errorf("Publisher(%s@%s) = %q, %v; want %q from the cached packument", c.name, c.version, a, ok, c.want)
		}
	}
	if _, ok := r.Publishers.Publisher("left-pad", "1.3.0"); ok {
		t.Errorf("Publisher(left-pad) known, want unknown: no packument of it is cached")
	}
}

// TestRealNpm11 is npm 11: 'npx -y postmark-mcp@1.0.16' and 'npm cache add
// @acme/postmark-mcp@1.0.16' (a pacote:tarball key for a scoped name).
func TestRealNpm11(t *testing.T) {
	r := checkReal(t, "npm11", []string{
		"npx-cache .npm/_npx/db2673468ba962c6/package-lock.json:11 postmark-mcp@1.0.16 npm-cache-entry 17:03:35.330",
		"npm-cacache .npm/_cacache/index-v5/1d/3c/7a304f56f9cabb01bfd4e558306513920017f6b49aceed677221e8158e25:2 @acme/postmark-mcp@ npm-cache-entry 17:03:38.179",
		"npm-cacache .npm/_cacache/index-v5/1d/3c/7a304f56f9cabb01bfd4e558306513920017f6b49aceed677221e8158e25:3 @acme/postmark-mcp@ npm-cache-entry 17:03:38.297",
		"npm-cacache .npm/_cacache/index-v5/a2/27/a13fbebe749393fbcd4f8214300d64faf82e255a47bac4705e90fd5100d7:2 postmark-mcp@ npm-cache-entry 17:03:34.662",
		"npm-cacache .npm/_cacache/index-v5/a2/27/a13fbebe749393fbcd4f8214300d64faf82e255a47bac4705e90fd5100d7:3 postmark-mcp@ npm-cache-entry 17:03:35.265",
		"npm-cacache .npm/_cacache/index-v5/a8/12/a9a685cce503ab0766f36a04f2475a6ddd385b0929b43d6d237a77ab986d:2 @acme/postmark-mcp@1.0.16 npm-cache-entry 17:03:38.250",
		"npm-cacache .npm/_cacache/index-v5/ed/51/c96d9a74b9fcc7de90e71b9a07c6f68c2691cd5bd667d95e005e7ab6c922:2 postmark-mcp@1.0.16 npm-cache-entry 17:03:35.330",
		"npm-cacache .npm/_cacache/index-v5/f0/98/68e7e33ef0405d89e8e054eb1f9eebaf2687855bada09c59eb1f32001f70:2 @acme/postmark-mcp@1.0.16 npm-cache-entry 17:03:38.262",
		"npm-log .npm/_logs/2026-12-04T17_03_32_614Z-debug-0.log:8 postmark-mcp@1.0.16 log-file-name 17:03:32.614",
		"npm-log .npm/_logs/2026-12-04T17_03_32_614Z-debug-0.log:23 postmark-mcp@1.0.16 log-file-name 17:03:32.614",
		"npm-log .npm/_logs/2026-12-04T17_03_36_264Z-debug-0.log:8 @acme/postmark-mcp@1.0.16 log-file-name 17:03:36.264",
		"npm-log .npm/_logs/2026-12-04T17_03_36_264Z-debug-0.log:15 @acme/postmark-mcp@1.0.16 log-file-name 17:03:36.264",
	})
	if a, ok := r.Publishers.Publisher("@acme/postmark-mcp", "1.0.16"); !ok || a != "alice" {
		t.Errorf("Publisher(@acme/postmark-mcp@1.0.16) = %q, %v; want alice", a, ok)
	}
}

// TestRealPnpm reads 'pnpm dlx' traces: pnpm 10's dlx cache and v10 store
// index, pnpm 9's dlx cache and v3 store (index files named by hash only).
func TestRealPnpm(t *testing.T) {
	noPublishers(t, "pnpm10", ".cache/pnpm/metadata-v1.3/*/postmark-mcp.json")
	checkReal(t, "pnpm10", []string{
		"pnpm-store .local/share/pnpm/store/v10/index/86/2d6b3bc0eecab88c0257e5217bd3f8ddf544659995ceee0f62a4e3b098e9d4-postmark-mcp@1.0.17.json:0 postmark-mcp@1.0.17 file-mtime",
		"pnpm-dlx .cache/pnpm/dlx/3366c2fe2a29bbfc14ed176de28ff94d9559b513a5338b04cf6b65c8e3d06f78/1a24202fe99-5b94/pnpm-lock.yaml:17 postmark-mcp@1.0.17 dlx-dir-name 17:03:42.233",
	})
	checkReal(t, "pnpm9", []string{
		"pnpm-store .local/share/pnpm/store/v3/files/87/c65df94c1e7935c62f882610880a6d87a1813d0c7ed5a481f79ac907c27d88ecfff5d56522ef837be86a3f7a4f7ae848607bc802e0167f3a5596bf589be87c-index.json:1 postmark-mcp@1.0.16 file-mtime",
		"pnpm-dlx .cache/pnpm/dlx/vqaacxlh4d2ucqiz5qwqnmj2um/1a242031213-5c20/pnpm-lock.yaml:17 postmark-mcp@1.0.16 dlx-dir-name 17:03:47.219",
	})
}

// TestRealYarn reads the global cache zips 'yarn dlx' and 'yarn install'
// left: Yarn 4 names them <slug>-npm-<version>-<checksum>-10c0.zip, Yarn 3
// <...>-8.zip. Their short cache keys used to hide every real zip.
func TestRealYarn(t *testing.T) {
	noPublishers(t, "yarn4", ".yarn/berry/metadata/npm/*/*/postmark-mcp.json")
	checkReal(t, "yarn4", []string{
		"yarn-cache .yarn/berry/cache/postmark-mcp-npm-1.0.16-fc0ff33698-10c0.zip:0 postmark-mcp@1.0.16 file-mtime",
		"yarn-cache .yarn/berry/cache/postmark-mcp-npm-1.0.18-1691c20d04-10c0.zip:0 postmark-mcp@1.0.18 file-mtime",
	})
	checkReal(t, "yarn3", []string{
		"yarn-cache .yarn/berry/cache/postmark-mcp-npm-1.0.16-fc0ff33698-8.zip:0 postmark-mcp@1.0.16 file-mtime",
		"yarn-cache .yarn/berry/cache/postmark-mcp-npm-1.0.17-8bda88b68b-8.zip:0 postmark-mcp@1.0.17 file-mtime",
	})
}

// TestRealYarnProjectCache reads the names Yarn writes to a project's
// .yarn/cache (checksum and a 10-digit cache key).
func TestRealYarnProjectCache(t *testing.T) {
	for _, c := range []struct{ dir, want string }{
		{"testdata/real/yarn4/home/src/mailer/.yarn/cache", "postmark-mcp@1.0.16"},
		{"testdata/real/yarn3/home/src/mailer/.yarn/cache", "postmark-mcp@1.0.17"},
	} {
		zips, _ := filepath.Glob(filepath.Join(c.dir, "*.zip"))
		if len(zips) != 1 {
			t.Fatalf("%s: %d zips, want 1", c.dir, len(zips))
		}
		home := t.TempDir()
		data, err := os.ReadFile(zips[0])
		if err != nil {
			t.Fatal(err)
		}
		hosttest.Write(t, home, ".yarn/berry/cache/"+filepath.Base(zips[0]), string(data))
		traces, _ := host.Scan(context.Background(), home)
		if len(traces) != 1 || traces[0].Inventory.Packages[0].ID() != c.want {
			t.Errorf("%s: traces %v, want %s", filepath.Base(zips[0]), traces, c.want)
		}
	}
}

// noPublishers checks what the README says of pnpm's and Yarn's metadata
// caches: the documents the client cached (glob, under its home) are the
// abbreviated ones, without _npmUser, so they give no publisher.
func noPublishers(t *testing.T, client, glob string) {
	t.Helper()
	home := filepath.Join("testdata", "real", client, "home")
	docs, _ := filepath.Glob(filepath.Join(home, filepath.FromSlash(glob)))
	if len(docs) == 0 {
		t.Fatalf("%s: no metadata cache matches %s", client, glob)
	}
	for _, d := range docs {
		data, err := os.ReadFile(d)
		if err != nil {
			t.Fatal(err)
		}
		if strings.Contains(string(data), "_npmUser") || !strings.Contains(string(data), `"versions"`) {
			t.Errorf("%s: %s is not an abbreviated packument", client, d)
		}
	}
	if r := host.Read(context.Background(), home); r.Publishers.Len() != 0 {
		t.Errorf("%s: %d publishers, want none", client, r.Publishers.Len())
	}
}
