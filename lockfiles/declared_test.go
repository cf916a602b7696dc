package lockfiles

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
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
		"found deploy/node_modules project=deploy repo=.",
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
