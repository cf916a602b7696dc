package publisher

import (
	"bytes"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/depsweep/depsweep/lockfiles"
)

func TestParseNpmrc(t *testing.T) {
	tests := []struct {
		name, in string
		registry string
		scopes   string // "@a=URL @b=URL", sorted
		problems string // "line:message" joined by "|"
	}{
		{"plain", "registry=https://npm.corp.example/\n", "https://npm.corp.example/", "", ""},
		{"spaces and no slash", "  registry = https://npm.corp.example  \n", "https://npm.corp.example/", "", ""},
		{"normalised", "registry=HTTPS://NPM.Corp.Example:443/api/npm\n", "https://npm.corp.example/api/npm/", "", ""},
		{"double quotes", `registry="https://npm.corp.example/"`, "https://npm.corp.example/", "", ""},
		{"single quotes", `registry='https://npm.corp.example/'`, "https://npm.corp.example/", "", ""},
		{"quoted key", `"registry"=https://npm.corp.example/`, "https://npm.corp.example/", "", ""},
		{"comments", "; registry=https://a.example/\n# registry=https://b.example/\nregistry=https://c.example/ ; inline\n",
			"https://c.example/", "", ""},
		{"hash comment", "registry=https://a.example/npm#x\n", "https://a.example/npm/", "", ""},
		{"crlf and bom", "\ufeffregistry=https://a.example/\r\n@corp:registry=https://corp.example/npm/\r\n",
			"https://a.example/", "@corp=https://corp.example/npm/", ""},
		{"scopes", "@corp:registry=https://corp.example/\n@Other:registry = http://10.0.0.1:4873\n",
			"", "@corp=https://corp.example/ @other=http://10.0.0.1:4873/", ""},
		{"last wins", "registry=https://a.example/\nregistry=https://b.example/\n", "https://b.example/", "", ""},
		{"section keys are not top-level", "[other]\nregistry=https://a.example/\n", "", "", ""},
		{"auth lines skipped", "//npm.corp.example/:_authToken=s3cr3t\n_auth=czNjcjN0\n//npm.corp.example/:_password=s3cr3t\n" +
			"username=bob\nemail=bob@corp.example\n@corp:_authToken=s3cr3t\nalways-auth=true\n", "", "", ""},
		{"env reference", "registry=${NPM_REGISTRY}\n@corp:registry=https://corp.example/\n", "",
			"@corp=https://corp.example/", "1:registry ignored: URL refers to an environment variable, which depsweep does not expand"},
		{"env reference in a scope", "registry=https://a.example/\n@corp:registry=https://${HOST}/npm/\n", "https://a.example/", "",
			"2:@corp:registry ignored: URL refers to an environment variable, which depsweep does not expand"},
		{"a later bad line wins", "registry=https://a.example/\nregistry=${R}\n", "", "",
			"2:registry ignored: URL refers to an environment variable, which depsweep does not expand"},
		{"not http", "registry=file:///srv/npm/\n@a:registry=git+ssh://h/x\n", "", "",
			"1:registry ignored: not an http or https URL|2:@a:registry ignored: not an http or https URL"},
		{"credentials in the URL", "registry=https://bob:s3cr3t@npm.corp.example/\n", "", "",
			"1:registry ignored: URL carries credentials"},
		{"empty", "registry=\n", "", "", "1:registry ignored: empty URL"},
		{"query", "registry=https://a.example/?token=x\n", "", "", "1:registry ignored: URL has a query or fragment"},
		{"no host", "registry=https:///npm/\n", "", "", "1:registry ignored: URL has no host"},
		{"bare key", "registry\n", "", "", ""},
		// The escape keeps "#x", which is then a fragment.
		{"escaped comment char", `registry=https://a.example/\#x`, "", "", "1:registry ignored: URL has a query or fragment"},
		{"escaped semicolon", `@a:registry=https://a.example/\;x`, "", "@a=https://a.example/;x/", ""},
	}
	for _, tc := range tests {
		n := parseNpmrc([]byte(tc.in))
		var scopes []string
		for s, u := range n.Scopes {
			scopes = append(scopes, s+"="+u)
		}
		slices.Sort(scopes)
		var probs []string
		for _, e := range n.Problems {
			var pe *lockfiles.ParseError
			if !errors.As(e, &pe) || pe.Path != NpmrcName {
				t.Errorf("%s: problem %v is not a ParseError on %s", tc.name, e, NpmrcName)
				continue
			}
			probs = append(probs, fmt.Sprintf("%d:%v", pe.Line, pe.Err))
		}
		if n.Registry != tc.registry || strings.Join(scopes, " ") != tc.scopes || strings.Join(probs, "|") != tc.problems {
			t.Errorf("%s: parseNpmrc(%q) = registry %q, scopes %q, problems %q; want %q, %q, %q",
				tc.name, tc.in, n.Registry, strings.Join(scopes, " "), strings.Join(probs, "|"), tc.registry, tc.scopes, tc.problems)
		}
		// No secret of the input survives in what is kept or said.
		if all := fmt.Sprintf("%#v %v", n, n.Problems); strings.Contains(all, "s3cr3t") || strings.Contains(all, "czNjcjN0") {
			t.Errorf("%s: parseNpmrc kept a credential: %s", tc.name, all)
		}
	}
}

func TestRegistryFor(t *testing.T) {
	n := Npmrc{Registry: "https://npm.corp.example/", Scopes: map[string]string{"@acme": "https://acme.example/"}}
	tests := []struct{ name, want string }{
		{"postmark-mcp", "https://npm.corp.example/"},
		{"@acme/postmark-mcp", "https://acme.example/"},
		{"@other/x", "https://npm.corp.example/"},
		{"@acme", "https://npm.corp.example/"}, // not a scoped name
	}
	for _, tc := range tests {
		if got := n.RegistryFor(tc.name); got != tc.want {
			t.Errorf("RegistryFor(%q) = %q, want %q", tc.name, got, tc.want)
		}
	}
	if got := (Npmrc{}).RegistryFor("@acme/x"); got != "" {
		t.Errorf("zero Npmrc: RegistryFor(%q) = %q, want \"\"", "@acme/x", got)
	}
}

func TestReadNpmrc(t *testing.T) {
	fsys := fstest.MapFS{
		"ok/.npmrc":      {Data: []byte("registry=https://npm.corp.example/\n//npm.corp.example/:_authToken=s3cr3t\n")},
		"big/.npmrc":     {Data: []byte("registry=https://a.example/\n" + strings.Repeat("#", maxNpmrcSize))},
		"dir/.npmrc/x":   {Data: []byte("x")},
		"none/lock.json": {Data: []byte("{}")},
	}
	sub := func(dir string) Npmrc {
		t.Helper()
		n, err := ReadNpmrc(subFS(t, fsys, dir))
		if err != nil {
			t.Errorf("ReadNpmrc(%s) error = %v", dir, err)
		}
		return n
	}
	if n := sub("ok"); n.Registry != "https://npm.corp.example/" {
		t.Errorf("ReadNpmrc(ok).Registry = %q, want https://npm.corp.example/", n.Registry)
	}
	if n := sub("none"); !n.empty() || n.Problems != nil {
		t.Errorf("ReadNpmrc(no .npmrc) = %+v, want the zero Npmrc", n)
	}
	for dir, want := range map[string]string{
		"big": ".npmrc: larger than 1 MiB, not read",
		"dir": ".npmrc: not a regular file",
	} {
		_, err := ReadNpmrc(subFS(t, fsys, dir))
		var pe *lockfiles.ParseError
		if err == nil || err.Error() != want || !errors.As(err, &pe) {
			t.Errorf("ReadNpmrc(%s) error = %v, want %q", dir, err, want)
		}
	}
}

// TestReadNpmrcFixtures reads the .npmrc of every fixture project: each
// names the local registry the lockfiles were written against.
func TestReadNpmrcFixtures(t *testing.T) {
	files, err := filepath.Glob("../../testdata/fixtures/*/.npmrc")
	if err != nil || len(files) == 0 {
		t.Fatalf("no fixture .npmrc: %v", err)
	}
	for _, f := range files {
		n, err := ReadNpmrc(os.DirFS(filepath.Dir(f)))
		if err != nil || n.Registry != "http://127.0.0.1:4873/" || len(n.Problems) != 0 {
			t.Errorf("ReadNpmrc(%s) = %+v, %v, want registry http://127.0.0.1:4873/", f, n, err)
		}
	}
}

func subFS(t *testing.T, fsys fs.FS, dir string) fs.FS {
	t.Helper()
	sub, err := fs.Sub(fsys, dir)
	if err != nil {
		t.Fatal(err)
	}
	return sub
}

func TestNormalizeRegistryURL(t *testing.T) {
	tests := []struct{ in, want string }{
		{"https://registry.npmjs.org", "https://registry.npmjs.org/"},
		{"https://registry.npmjs.org/", "https://registry.npmjs.org/"},
		{"https://Registry.NPMJS.org:443/", "https://registry.npmjs.org/"},
		{"http://127.0.0.1:80", "http://127.0.0.1/"},
		{"http://127.0.0.1:4873", "http://127.0.0.1:4873/"},
		{"https://h.example:80/x", "https://h.example:80/x/"},
		{"https://h.example/api/npm/npm-virtual", "https://h.example/api/npm/npm-virtual/"},
		{"https://[::1]:8443/npm/", "https://[::1]:8443/npm/"},
		{"ftp://h.example/", ""},
		{"h.example", ""},
		{"//h.example/", ""},
		{"https://u:p@h.example/", ""},
		{"https://h.example/#x", ""},
		{"https://${HOST}/", ""},
		{"", ""},
	}
	for _, tc := range tests {
		got, err := NormalizeRegistryURL(tc.in)
		if got != tc.want || (err == nil) != (tc.want != "") {
			t.Errorf("NormalizeRegistryURL(%q) = %q, %v, want %q", tc.in, got, err, tc.want)
		}
		if err != nil && tc.in != "" && strings.Contains(err.Error(), tc.in) {
			t.Errorf("NormalizeRegistryURL(%q) error %q quotes the URL", tc.in, err)
		}
	}
}

// FuzzParseNpmrc checks properties of any .npmrc: every URL kept is in its
// normal form and http or https, every problem names a line of the file,
// and no value of a line that is not a registry setting is kept.
func FuzzParseNpmrc(f *testing.F) {
	files, _ := filepath.Glob("../../testdata/fixtures/*/.npmrc")
	if len(files) == 0 {
		f.Fatal("no fixture .npmrc to seed with")
	}
	for _, name := range files {
		b, err := os.ReadFile(name)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
	f.Add([]byte("registry=${R}\n@a:registry='https://a.example/x'\n//h/:_authToken=SECRET\n[s]\nregistry=https://b.example\n"))
	f.Add([]byte(""))
	f.Fuzz(func(t *testing.T, data []byte) {
		n := parseNpmrc(data)
		lines := bytes.Count(data, []byte("\n")) + 1
		check := func(what, u string) {
			if norm, err := NormalizeRegistryURL(u); err != nil || norm != u {
				t.Errorf("%s %q is not a normal registry URL (%q, %v)", what, u, norm, err)
			}
		}
		if n.Registry != "" {
			check("registry", n.Registry)
		}
		for s, u := range n.Scopes {
			if !strings.HasPrefix(s, "@") {
				t.Errorf("scope %q lacks its @", s)
			}
			check("scope registry", u)
		}
		for _, e := range n.Problems {
			var pe *lockfiles.ParseError
			if !errors.As(e, &pe) || pe.Line < 1 || pe.Line > lines {
				t.Errorf("problem %v does not name a line of the file (1..%d)", e, lines)
			}
		}
		// What a line that sets no registry holds must not survive, unless
		// a registry line holds it too.
		lineList := strings.Split(string(data), "\n")
		out := fmt.Sprint(n.Registry, n.Scopes, n.Problems)
		for _, line := range lineList {
			k, v, ok := strings.Cut(line, "=")
			v = strings.TrimSpace(v)
			if !ok || strings.Contains(k, "registry") || len(v) < 8 || !strings.Contains(out, v) {
				continue
			}
			inRegistryLine := false
			for _, other := range lineList {
				if key, _, _ := strings.Cut(other, "="); strings.Contains(key, "registry") && strings.Contains(other, v) {
					inRegistryLine = true
				}
			}
			if !inRegistryLine {
				t.Errorf("the value of a non-registry line (key %q) was kept", k)
			}
		}
	})
}
