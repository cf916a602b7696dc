package lockfiles

import (
	"errors"
	"os"
	"path"
	"path/filepath"
	"strings"
	"testing"
)

// The tests in this file read lockfiles written by the real clients
// (testdata/lockfiles/clients, made by its gen.sh against a local registry)
// and the peer fixtures that showed each defect.

// parseClient parses the lockfile of one generated client project, with
// the project directory as its manifests' file system.
func parseClient(t *testing.T, project, name string) *Inventory {
	t.Helper()
	dir := filepath.Join("..", "testdata", "lockfiles", "clients", project)
	data, err := os.ReadFile(filepath.Join(dir, name))
	if err != nil {
		t.Fatal(err)
	}
	inv, err := Parse(Input{Path: project + "/" + name, Data: data, Project: os.DirFS(dir)})
	if err != nil {
		t.Fatal(err)
	}
	checkInvariants(t, inv)
	if len(inv.Problems) > 0 {
		t.Errorf("%s: problems %v", inv.Path, inv.Problems)
	}
	return inv
}

// parsePeer parses one peer fixture from the module cache as the named
// lockfile kind.
func parsePeer(t *testing.T, suite, fixture, name string) (*Inventory, error) {
	t.Helper()
	i := -1
	for k, s := range peerSuites {
		if s.Name == suite {
			i = k
		}
	}
	if i < 0 {
		t.Fatalf("no peer suite %q", suite)
	}
	s := peerSuites[i]
	dir := filepath.Join(peerModuleDir(t, s.Module, s.Version), filepath.FromSlash(s.Dir))
	full := filepath.Join(dir, filepath.FromSlash(fixture))
	data, err := os.ReadFile(full)
	if err != nil {
		t.Fatal(err)
	}
	inv, err := Parse(Input{Path: path.Join(path.Dir(fixture), name), Data: data})
	if inv != nil {
		checkInvariants(t, inv)
	}
	return inv, err
}

// findPkg returns the packages with this name@version.
func findPkg(inv *Inventory, id string) []*Package {
	var out []*Package
	for i := range inv.Packages {
		if inv.Packages[i].ID() == id {
			out = append(out, &inv.Packages[i])
		}
	}
	return out
}

func wantOne(t *testing.T, inv *Inventory, id string) *Package {
	t.Helper()
	ps := findPkg(inv, id)
	if len(ps) != 1 {
		var ids []string
		for i := range inv.Packages {
			ids = append(ids, inv.Packages[i].ID())
		}
		t.Fatalf("%s: %d packages %s, want 1 (have %s)", inv.Path, len(ps), id, strings.Join(ids, " "))
	}
	return ps[0]
}

// TestPnpmRegistryHostKeys: pnpm 5.x keys with a registry host in front
// ("127.0.0.1+47312/is-positive/3.1.0") name the package after the host.
func TestPnpmRegistryHostKeys(t *testing.T) {
	t.Run("pnpm-7.33.7", func(t *testing.T) {
		inv := parseClient(t, "pnpm-v5-registry-host", NamePnpmLock)
		p := wantOne(t, inv, "is-positive@3.1.0")
		if p.Source != SourceRegistry || !strings.Contains(p.Resolved, "127.0.0.1:47312") {
			t.Errorf("is-positive: source %q resolved %q, want the second registry's tarball", p.Source, p.Resolved)
		}
		// The real client also wrote name and version: the key alone must say the same.
		name, version := pnpmV5NameVersion("127.0.0.1+47312/is-positive/3.1.0")
		if name != "is-positive" || version != "3.1.0" {
			t.Errorf("key read as %q %q", name, version)
		}
		wantOne(t, inv, "@foo/bar@1.1.0")
		if d := inv.Root().Deps; len(d) != 2 {
			t.Errorf("root deps %v, want 2 (the host-keyed one resolved too)", d)
		}
	})
	t.Run("osv-scanner exotic.yaml", func(t *testing.T) {
		inv, err := parsePeer(t, "osv-scanner", "fixtures/pnpm/exotic.yaml", NamePnpmLock)
		if err != nil {
			t.Fatal(err)
		}
		for _, id := range []string{"foo@1.1.0", "@foo/bar@1.1.0", "foo@1.2.0", "foo@1.3.0"} {
			wantOne(t, inv, id)
		}
		if len(findPkg(inv, "foo@bar")) != 0 {
			t.Errorf("/foo/bar read as foo@bar: bar is not a version")
		}
	})
}

// TestPnpmNotYAML: a pnpm-lock.yaml that is not YAML is an error at its
// position, not an empty lockfile.
func TestPnpmNotYAML(t *testing.T) {
	t.Run("syft corrupt/pnpm-lock.yaml", func(t *testing.T) {
		_, err := parsePeer(t, "syft", "testdata/corrupt/pnpm-lock.yaml", NamePnpmLock)
		var pe *ParseError
		if !errors.As(err, &pe) || pe.Line != 3 || pe.Col != 1 || !strings.Contains(pe.Error(), "not valid YAML") {
			t.Fatalf("err = %v, want a ParseError at 3:1 saying the file is not valid YAML", err)
		}
	})
	// The real client's output cut and spliced the way a bad merge or a
	// truncated copy does: the first keys of the file, then the middle of a
	// package entry.
	data, err := os.ReadFile(filepath.Join("..", "testdata", "lockfiles", "clients", "pnpm-v5-registry-host", NamePnpmLock))
	if err != nil {
		t.Fatal(err)
	}
	s := string(data)
	for _, tc := range []struct {
		name      string
		data      string
		line, col int
	}{
		{"bare word", s[:strings.Index(s, "specifiers:")+7] + "\n" + s[strings.Index(s, "  /@foo/bar"):], 3, 1},
		{"indented under a value", strings.Replace(s, "    dev: false\n", "    dev: false\n      name: x\n", 1), 16, 7},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Parse(Input{Path: "x/pnpm-lock.yaml", Data: []byte(tc.data)})
			var pe *ParseError
			if !errors.As(err, &pe) || pe.Line != tc.line || pe.Col != tc.col {
				t.Fatalf("err = %v, want a ParseError at %d:%d", err, tc.line, tc.col)
			}
		})
	}
}

// TestNPMLinkDevScope: npm records a dev-only file: dependency's "dev" on
// the link target's entry; the link is dev.
func TestNPMLinkDevScope(t *testing.T) {
	t.Run("npm-11", func(t *testing.T) {
		inv := parseClient(t, "npm-link-dev", NamePackageLock)
		etag := wantOne(t, inv, "etag@1.8.0")
		if !etag.Dev || etag.Source != SourceLink {
			t.Errorf("etag: dev=%v source=%q, want a dev link", etag.Dev, etag.Source)
		}
		if w := wantOne(t, inv, "wrappy@1.0.2"); w.Dev {
			t.Errorf("wrappy is a dependency, read as dev")
		}
	})
	t.Run("root devDependencies", func(t *testing.T) {
		// The same lockfile with the target's "dev" removed: the root's
		// devDependencies still say the link is dev.
		data, err := os.ReadFile(filepath.Join("..", "testdata", "lockfiles", "clients", "npm-link-dev", NamePackageLock))
		if err != nil {
			t.Fatal(err)
		}
		s := strings.Replace(string(data), "\"version\": \"1.8.0\",\n      \"dev\": true", "\"version\": \"1.8.0\"", 1)
		if s == string(data) {
			t.Fatal("the generated lockfile no longer has dev on the link target")
		}
		inv, err := Parse(Input{Path: "npm-link-dev/package-lock.json", Data: []byte(s)})
		if err != nil {
			t.Fatal(err)
		}
		if etag := wantOne(t, inv, "etag@1.8.0"); !etag.Dev {
			t.Errorf("etag declared only in devDependencies read as prod")
		}
	})
}

// TestYarnAliasResolutions: a yarn classic resolutions override to an npm
// alias installs the alias target under the original name.
func TestYarnAliasResolutions(t *testing.T) {
	t.Run("yarn-1.22.22", func(t *testing.T) {
		inv := parseClient(t, "yarn-alias-resolutions", NameYarnLock)
		for _, c := range []struct{ id, alias, absent string }{
			{"@4lolo/resize-observer-polyfill@1.5.2", "resize-observer-polyfill", "resize-observer-polyfill@1.5.2"},
			{"postmark-mcp@1.0.17", "foo", "foo@1.0.17"},
		} {
			p := wantOne(t, inv, c.id)
			if p.Alias != c.alias || p.Source != SourceRegistry {
				t.Errorf("%s: alias %q source %q, want alias %q from the registry", c.id, p.Alias, p.Source, c.alias)
			}
			if len(findPkg(inv, c.absent)) != 0 {
				t.Errorf("%s reported: that version was never installed", c.absent)
			}
		}
	})
	t.Run("syft yarn-dups", func(t *testing.T) {
		inv, err := parsePeer(t, "syft", "testdata/yarn-dups/yarn.lock", NameYarnLock)
		if err != nil {
			t.Fatal(err)
		}
		p := wantOne(t, inv, "@4lolo/resize-observer-polyfill@1.5.2")
		if p.Alias != "resize-observer-polyfill" {
			t.Errorf("alias %q", p.Alias)
		}
	})
}
