package lockfiles

import (
	"context"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"testing/fstest"
)

// TestFindUnitsWithoutGit: outside git checkouts the unit of each file is
// the top-most directory holding a package.json or a lockfile; projects
// without a lockfile are yielded by their package.json (not their
// workspace members), and node_modules with nothing beside it by itself.
func TestFindUnitsWithoutGit(t *testing.T) {
	root := t.TempDir()
	writeTree(t, root,
		"app/package.json", "app/node_modules/.package-lock.json",
		"deploy/node_modules/foo/package.json",
		"git/.git/HEAD", "git/web/package.json",
		"lib/pkgs/x/package.json", "lib/examples/demo/package.json",
		"svc/package-lock.json", "svc/packages/w/package.json",
		"top/mid/package.json", "top/mid/deep/yarn.lock",
	)
	for name, body := range map[string]string{
		"lib/package.json": `{"name":"lib","workspaces":["pkgs/*"]}`,
		"svc/package.json": `{"name":"svc","workspaces":{"packages":["packages/*"]}}`,
	} {
		if err := os.WriteFile(filepath.Join(root, name), []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	got := collectFind(t, context.Background(), root, FindOptions{Manifests: true, NodeModules: true})
	want := []string{
		"found app/node_modules/.package-lock.json project=app repo=app",
		"found deploy/node_modules project=deploy repo=deploy",
		"found git/web/package.json project=git/web repo=git",
		"found lib/package.json project=lib repo=lib",
		"found lib/examples/demo/package.json project=lib/examples/demo repo=lib",
		"found svc/package-lock.json project=svc repo=svc",
		"found top/mid/package.json project=top/mid repo=top/mid",
		"found top/mid/deep/yarn.lock project=top/mid/deep repo=top/mid",
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("Find =\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	// Without the options, only lockfiles, in the same units.
	got = collectFind(t, context.Background(), root, FindOptions{})
	want = []string{
		"found app/node_modules/.package-lock.json project=app repo=app",
		"found svc/package-lock.json project=svc repo=svc",
		"found top/mid/deep/yarn.lock project=top/mid/deep repo=top/mid",
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("Find (lockfiles only) =\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}

// TestReadDeclared reads a package.json npm 11 wrote (npm install --save
// postmark-mcp@1.0.15 with package-lock=false) and one with workspaces,
// aliases and every dependency type.
func TestReadDeclared(t *testing.T) {
	d, err := ReadDeclared(os.DirFS("../testdata/installed/lib-no-lockfile"))
	if err != nil {
		t.Fatal(err)
	}
	if d.Name != "mail-lib" || len(d.Deps) != 1 {
		t.Fatalf("ReadDeclared = %+v", d)
	}
	if got := d.Deps[0]; got != (DeclaredDep{Name: "postmark-mcp", Spec: "^1.0.15", Kind: SpecRegistry, Type: DepProd, Manifest: "package.json", Line: 6}) {
		t.Errorf("dep = %+v", got)
	}

	root := t.TempDir()
	for name, body := range map[string]string{
		"package.json": `{"name":"r","version":"1.0.0",
"dependencies":{"pm":"npm:postmark-mcp@^1.0.15","local":"file:../x"},
"devDependencies":{"tool":"latest"},
"optionalDependencies":{"@s/o":"npm:@s/real@1.x"},
"peerDependencies":{"gh":"user/repo#v1"}}`,
		"pnpm-workspace.yaml":          "packages:\n  - 'apps/*'\n",
		"apps/web/package.json":        `{"name":"web","dependencies":{"r":"workspace:*","t":"https://example.com/t.tgz"}}`,
		"apps/notes.txt":               "",
		"apps/empty/README":            "",
		"apps/web/node_modules/x/a.js": "",
	} {
		p := filepath.Join(root, filepath.FromSlash(name))
		os.MkdirAll(filepath.Dir(p), 0o755)
		if err := os.WriteFile(p, []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	d, err = ReadDeclared(os.DirFS(root))
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, dep := range d.Deps {
		got = append(got, strings.Join([]string{dep.Manifest, dep.Type.String(), dep.Alias, dep.Name, dep.Spec, string(dep.Kind)}, " "))
	}
	want := []string{
		"package.json prod  local file:../x file",
		"package.json prod pm postmark-mcp ^1.0.15 registry",
		"package.json dev  tool latest registry",
		"package.json optional @s/o @s/real 1.x registry",
		"package.json peer  gh user/repo#v1 git",
		"apps/web/package.json prod  r workspace:* workspace",
		"apps/web/package.json prod  t https://example.com/t.tgz url",
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("deps =\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	if len(d.Workspaces) != 1 || d.Workspaces[0] != "apps/web" {
		t.Errorf("workspaces = %q", d.Workspaces)
	}
}

// TestReadManifestFirstValue: a package.json is read as its first JSON
// value, as a json.Decoder reads it (what follows is ignored), whether the
// file is that value alone or not; a malformed one fails with the
// Decoder's error, naming the file.
func TestReadManifestFirstValue(t *testing.T) {
	want := &Manifest{Name: "app", Version: "1.0.0", Dependencies: map[string]string{"postmark-mcp": "^1.0.0"}, Workspaces: Workspaces{"packages/*"}}
	body := `{"name": "app", "version": "1.0.0", "dependencies": {"postmark-mcp": "^1.0.0"}, "workspaces": {"packages": ["packages/*"]}}`
	for _, tc := range []struct {
		name, data string
		wantErr    string
	}{
		{"alone", body, ""},
		{"with spaces", "\n" + body + "\n\n", ""},
		{"followed by more", body + "\n{\"name\": \"other\"}\n", ""},
		{"followed by garbage", body + " <<<<<<< HEAD", ""},
		{"null", "null", ""},
		{"truncated", body[:40], "package.json: unexpected EOF"},
		{"not JSON", "name: app", "package.json: invalid character 'a' in literal null (expecting 'u')"},
		{"wrong type", `{"name": 1}`, "package.json: json: cannot unmarshal number into Go struct field Manifest.name of type string"},
	} {
		fsys := fstest.MapFS{"package.json": {Data: []byte(tc.data)}}
		m, err := ReadManifest(fsys, ".")
		switch {
		case tc.wantErr != "":
			if err == nil || err.Error() != "parse "+tc.wantErr {
				t.Errorf("%s: error %v, want parse %s", tc.name, err, tc.wantErr)
			}
		case err != nil:
			t.Errorf("%s: %v", tc.name, err)
		case tc.name == "null":
			if !reflect.DeepEqual(m, &Manifest{}) {
				t.Errorf("%s: %+v, want an empty manifest", tc.name, m)
			}
		case !reflect.DeepEqual(m, want):
			t.Errorf("%s: %+v, want %+v", tc.name, m, want)
		}
	}
}
