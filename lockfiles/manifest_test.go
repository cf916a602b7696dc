package lockfiles

import (
	"io/fs"
	"os"
	"path/filepath"
	"reflect"
	"testing"
)

// checkDecodeManifest fails when decodeManifest decodes data and its
// result differs from encoding/json's, and returns whether it decoded it.
func checkDecodeManifest(t *testing.T, data []byte) bool {
	t.Helper()
	got, ok := decodeManifest(data)
	if !ok {
		return false
	}
	want, err := decodeManifestStd(data)
	if err != nil {
		t.Fatalf("decodeManifest read %q, encoding/json fails: %v", data, err)
	}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("decodeManifest(%q) = %#v, encoding/json gives %#v", data, got, want)
	}
	return true
}

// manifestSeeds are package.json files npm, yarn and pnpm projects hold:
// every one under testdata (fixtures, the demo fleet, installed packages).
func manifestSeeds(t testing.TB) map[string][]byte {
	out := map[string][]byte{}
	err := filepath.WalkDir("../testdata", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.Name() != "package.json" || !d.Type().IsRegular() {
			return err
		}
		data, err := os.ReadFile(p)
		out[p] = data
		return err
	})
	if err != nil || len(out) < 30 {
		t.Fatalf("%d package.json files under testdata: %v", len(out), err)
	}
	return out
}

// TestDecodeManifest: the package.json files under testdata decode
// without encoding/json, to its result; so do the plain forms below, and
// each form encoding/json decodes its own way is left to it.
func TestDecodeManifest(t *testing.T) {
	for p, data := range manifestSeeds(t) {
		if !checkDecodeManifest(t, data) {
			t.Errorf("%s: left to encoding/json", p)
		}
	}
	for _, tc := range []struct {
		data string
		fast bool
	}{
		{`{}`, true},
		{` {"name": "a", "version": "1.0.0"} `, true},
		{`{"dependencies": {}, "devDependencies": {"x": "1", "x": "2"}}`, true},
		{`{"workspaces": []}`, true},
		{`{"workspaces": {}}`, true},
		{`{"workspaces": {"packages": ["p/*"], "nohoist": ["**/x"]}}`, true},
		{`{"name": "a\u00e9\n", "scripts": {"t": "x"}, "files": [1, true, null, {"a": [-1.5e3]}]}`, true},
		{`{"nAme": "x"}`, false},                       // encoding/json matches keys case-insensitively
		{`{"dependencieſ": {"x": "1"}}`, false},        // and with Unicode folding
		{`{"name": "a", "name": "b"}`, false},          // a field twice
		{`{"name": null}`, false},                      // null leaves a field as it is
		{`{"name": 1}`, false},                         // a type error
		{`{"dependencies": {"x": 1}}`, false},          // a type error
		{`{"dependencies": {"x": null}}`, false},       // null in a map
		{`{"workspaces": {"Packages": ["a"]}}`, false}, // case-insensitive again
		{`{"workspaces": "p/*"}`, false},               // an error
		{"{\"name\": \"\xff\"}", false},                // encoding/json writes U+FFFD
		{"\xef\xbb\xbf{}", false},                      // a byte order mark
		{`{} {}`, false},                               // a second value
		{`null`, false},
		{`[]`, false},
		{`{"name": "a",}`, false},
	} {
		if fast := checkDecodeManifest(t, []byte(tc.data)); fast != tc.fast {
			t.Errorf("%s: decoded without encoding/json %v, want %v", tc.data, fast, tc.fast)
		}
	}
}

// FuzzDecodeManifest: whatever decodeManifest decodes, encoding/json
// decodes to the same Manifest.
func FuzzDecodeManifest(f *testing.F) {
	for _, data := range manifestSeeds(f) {
		f.Add(data)
	}
	f.Add([]byte(`{"workspaces": {"packages": ["a"], "nohoist": []}, "NAME": "x", "dependencies": {"\ud800": "\u0041"}}`))
	f.Fuzz(func(t *testing.T, data []byte) { checkDecodeManifest(t, data) })
}
