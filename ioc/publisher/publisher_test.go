package publisher

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"testing/fstest"
)

const registryDir = "../../testdata/fixtures/registry"

func TestLoadPackuments(t *testing.T) {
	pubs, err := LoadPackuments(registryDir)
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name, version, want string
		ok                  bool
	}{
		{"postmark-mcp", "1.0.0", "phanpak", true},
		{"postmark-mcp", "1.0.15", "phanpak", true},
		{"postmark-mcp", "1.0.18", "phanpak", true},
		{"postmark-mcp", "9.9.9", "", false},
		{"mcp-mail-relay", "2.1.0", "phanpak", true},
		{"mail-toolkit", "2.0.0", "alice", true},
		{"mail-toolkit", "3.0.0", "alice", true},
		{"@acme/postmark-mcp", "1.0.16", "alice", true},
		{"left-pad", "1.3.0", "", false},
	}
	for _, tc := range tests {
		got, _, ok := pubs.Publisher(tc.name, tc.version)
		if got != tc.want || ok != tc.ok {
			t.Errorf("Publisher(%q, %q) = %q, %v, want %q, %v", tc.name, tc.version, got, ok, tc.want, tc.ok)
		}
	}
}

func TestLoadPackumentsErrors(t *testing.T) {
	dir := t.TempDir()
	if _, err := LoadPackuments(dir); err == nil || !strings.Contains(err.Error(), "no packument files") {
		t.Errorf("LoadPackuments(empty dir) error = %v, want \"no packument files\"", err)
	}
	bad := filepath.Join(dir, "bad.json")
	os.WriteFile(bad, []byte("{\n  \"name\": \"x\",\n  \"versions\": [oops]\n}"), 0o644)
	_, err := LoadPackuments(dir)
	if err == nil || !strings.HasPrefix(err.Error(), bad+":3:") || strings.Contains(err.Error(), "oops") {
		t.Errorf("LoadPackuments(bad file) error = %v, want %s:3:<col>: ... without the file's content", err, bad)
	}
	if _, err := LoadPackuments(filepath.Join(dir, "missing")); err == nil {
		t.Error("LoadPackuments(missing dir) error = nil")
	}
}

func TestPackumentFallbacks(t *testing.T) {
	dir := t.TempDir()
	os.MkdirAll(filepath.Join(dir, "@s"), 0o755)
	// No name: the file name names it. No _npmUser: the single maintainer;
	// two maintainers: unknown. Old string form of a user.
	os.WriteFile(filepath.Join(dir, "@s", "x.json"), []byte(`{"versions": {
		"1.0.0": {"maintainers": [{"name": "bob"}]},
		"1.0.1": {"maintainers": [{"name": "bob"}, {"name": "carol"}]},
		"1.0.2": {"_npmUser": "dave <dave@example.com>"}}}`), 0o644)
	pubs, err := LoadPackuments(dir)
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct{ v, want string }{{"1.0.0", "bob"}, {"1.0.1", ""}, {"1.0.2", "dave"}} {
		if got, _, _ := pubs.Publisher("@s/x", tc.v); got != tc.want {
			t.Errorf("Publisher(\"@s/x\", %q) = %q, want %q", tc.v, got, tc.want)
		}
	}
}

func TestInstalled(t *testing.T) {
	fsys := fstest.MapFS{
		"node_modules/a/package.json":                            {Data: []byte(`{"name":"a","version":"1.0.0","_npmUser":{"name":"phanpak"}}`)},
		"node_modules/a/node_modules/b/package.json":             {Data: []byte(`{"name":"b","version":"2.0.0","_npmUser":{"name":"alice"}}`)},
		"node_modules/@s/c/package.json":                         {Data: []byte(`{"name":"@s/c","version":"3.0.0","_npmUser":{"name":"carol"}}`)},
		"node_modules/.pnpm/d@4.0.0/node_modules/d/package.json": {Data: []byte(`{"name":"d","version":"4.0.0","_npmUser":{"name":"dave"}}`)},
		"node_modules/e/package.json":                            {Data: []byte(`{"name":"e","version":"5.0.0"}`)},
		"node_modules/f/package.json":                            {Data: []byte(`{not json`)},
	}
	pubs := Installed(fsys)
	tests := []struct{ name, version, want string }{
		{"a", "1.0.0", "phanpak"},
		{"a", "1.0.1", ""},
		{"b", "2.0.0", "alice"},
		{"@s/c", "3.0.0", "carol"},
		{"d", "4.0.0", "dave"},
		{"e", "5.0.0", ""},
		{"f", "1.0.0", ""},
		{"g", "1.0.0", ""},
	}
	for _, tc := range tests {
		got, _, ok := pubs.Publisher(tc.name, tc.version)
		if got != tc.want || ok != (tc.want != "") {
			t.Errorf("Publisher(%q, %q) = %q, %v, want %q", tc.name, tc.version, got, ok, tc.want)
		}
	}
	// The npm 6 fixture's installed manifest carries no _npmUser.
	real := Installed(os.DirFS("../../testdata/fixtures/npm6-direct-nested-lockv1"))
	if got, _, ok := real.Publisher("postmark-mcp", "1.0.16"); ok {
		t.Errorf("Publisher(postmark-mcp 1.0.16) from npm 6 install = %q, want unknown", got)
	}
}

func TestChain(t *testing.T) {
	first := fakePublishers{"a@1.0.0": "alice"}
	second := fakePublishers{"a@1.0.0": "mallory", "b@1.0.0": "bob"}
	c := Chain(nil, first, nil, second)
	for _, tc := range []struct{ name, want string }{{"a", "alice"}, {"b", "bob"}, {"c", ""}} {
		if got, _, _ := c.Publisher(tc.name, "1.0.0"); got != tc.want {
			t.Errorf("Publisher(%q) = %q, want %q", tc.name, got, tc.want)
		}
	}
	if Chain(nil, nil) != nil {
		t.Error("Chain(nil, nil) != nil")
	}
}
