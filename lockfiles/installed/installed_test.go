package installed_test

import (
	"errors"
	"io/fs"
	"slices"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/depsweep/depsweep/lockfiles"
	"github.com/depsweep/depsweep/lockfiles/installed"
)

func TestWalk(t *testing.T) {
	pkg := &fstest.MapFile{Data: []byte(`{}`)}
	fsys := fstest.MapFS{
		"node_modules/b/package.json":                            pkg,
		"node_modules/a/package.json":                            pkg,
		"node_modules/a/node_modules/c/package.json":             pkg,
		"node_modules/@s/x/package.json":                         pkg,
		"node_modules/.bin/tool":                                 pkg,
		"node_modules/.pnpm/d@4.0.0/node_modules/d/package.json": pkg,
		"node_modules/link":                                      &fstest.MapFile{Mode: fs.ModeSymlink | fs.ModeDir},
	}
	var got []string
	for dir := range installed.Walk(fsys, "node_modules", func(err error) { t.Errorf("onErr(%v)", err) }) {
		got = append(got, dir)
	}
	want := []string{
		"node_modules/.pnpm/d@4.0.0/node_modules/d",
		"node_modules/@s/x",
		"node_modules/a",
		"node_modules/a/node_modules/c",
		"node_modules/b",
	}
	if !slices.Equal(got, want) {
		t.Errorf("Walk = %q, want %q", got, want)
	}
	for dir := range installed.Walk(fsys, "missing/node_modules", func(err error) { t.Errorf("onErr(%v) for a missing node_modules", err) }) {
		t.Errorf("Walk(missing) yielded %q", dir)
	}
	if n := installed.Name("node_modules/a/node_modules/@s/x"); n != "@s/x" {
		t.Errorf("Name = %q, want @s/x", n)
	}
}

func TestReadManifest(t *testing.T) {
	fsys := fstest.MapFS{
		"old/package.json": {Data: []byte(`{"name":"a","version":"1.0.0","_npmUser":"phanpak <phan@giftshop.club>"}`)},
		"new/package.json": {Data: []byte(`{"name":"b","version":"2.0.0","_npmUser":{"name":"alice"},"_resolved":"https://r/b/-/b-2.0.0.tgz"}`)},
		"bad/package.json": {Data: []byte("{\n  \"name\": 5}")},
		"big/package.json": {Data: []byte(strings.Repeat(" ", installed.MaxManifestSize+1))},
		"dir/package.json": {Mode: fs.ModeDir},
	}
	for _, c := range []struct{ dir, user string }{{"old", "phanpak"}, {"new", "alice"}} {
		m, raw, err := installed.ReadManifest(fsys, c.dir+"/package.json", c.dir)
		if err != nil || m.Publisher() != c.user || len(raw) == 0 {
			t.Errorf("ReadManifest(%s) = %+v, %d bytes, %v; want publisher %s", c.dir, m, len(raw), err, c.user)
		}
	}
	for dir, want := range map[string]string{
		"bad": "bad:2:12: name: want string, got json number",
		"big": "big: larger than 4 MiB, not read",
		"dir": "dir: not a regular file",
	} {
		_, _, err := installed.ReadManifest(fsys, dir+"/package.json", dir)
		if err == nil || err.Error() != want {
			t.Errorf("ReadManifest(%s) error = %v, want %q", dir, err, want)
		}
	}
	if _, _, err := installed.ReadManifest(fsys, "none/package.json", "none"); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("ReadManifest(missing) error = %v, want fs.ErrNotExist", err)
	}
	var pe *lockfiles.ParseError
	if _, _, err := installed.ReadManifest(fsys, "bad/package.json", "bad"); !errors.As(err, &pe) || pe.Line != 2 {
		t.Errorf("ReadManifest(bad) error = %v, want a ParseError at line 2", err)
	}
}
