package sbom

import (
	"net/url"
	"slices"
	"strings"
	"testing"

	cdx "github.com/CycloneDX/cyclonedx-go"

	"github.com/depsweep/depsweep/lockfiles"
)

// The fast paths of the builder must answer exactly what the general code
// answers. These are the general code, kept as the reference.

func slowIsURL(s string) bool {
	if s == "" || strings.ContainsAny(s, " \t\r\n\\\"<>{}|^`") {
		return false
	}
	u, err := url.Parse(s)
	return err == nil && u.Scheme != "" && (u.Host != "" || u.Opaque != "")
}

func slowRegistryURL(name, resolved string) string {
	if !strings.HasPrefix(resolved, "http://") && !strings.HasPrefix(resolved, "https://") {
		return ""
	}
	u, err := url.Parse(resolved)
	if err != nil || u.Host == "" || defaultRegistries[strings.ToLower(u.Hostname())] {
		return ""
	}
	return registryURL(name, resolved) // not a default registry: the same code runs
}

func slowHashes(integrity string) []cdx.Hash {
	var out []cdx.Hash
	for _, h := range lockfiles.ParseIntegrity(integrity) {
		if alg, ok := hashAlgorithms[h.Algorithm]; ok {
			hx := cdx.Hash{Algorithm: alg, Value: h.Hex()}
			if !slices.Contains(out, hx) {
				out = append(out, hx)
			}
		}
	}
	return out
}

// fastPathURLs are resolved URLs at the edges of the fast paths.
var fastPathURLs = []string{
	"https://registry.npmjs.org/ms/-/ms-2.1.3.tgz",
	"HTTPS://Registry.NPMJS.org/ms/-/ms-2.1.3.tgz",
	"https://registry.yarnpkg.com/@babel/core/-/core-7.0.0.tgz#abc",
	"https://registry.npmjs.org/x/-/x-1.0.0.tgz?a=b&c=%zz",
	"https://registry.npmjs.org/x/-/%zz.tgz",
	"https://registry.npmjs.org/x/-/%41.tgz",
	"https://registry.npmjs.org/x/-/x\x7f.tgz",
	"https://registry.npmjs.org/x/-/é.tgz",
	"https://registry.npmjs.org:8080/x/-/x-1.0.0.tgz",
	"https://registry.npmjs.org.evil.example/x/-/x-1.0.0.tgz",
	"https://registry.npmjs.org@evil.example/x/-/x-1.0.0.tgz",
	"https://registry.yarnp\u212ag.com/x/-/x-1.0.0.tgz",
	"https://registry.npmjs.org",
	"https://registry.npmjs.org/",
	"http://registry.npmjs.org/ms/-/ms-2.1.3.tgz",
	"https://npm.example.com/repo/ms/-/ms-2.1.3.tgz",
	"git+ssh://git@github.com/acme/mylib.git#0123abc",
	"ms@npm:2.1.3",
	"left-pad@npm:1.3.0",
	"npm:1.0.0",
	"1npm:x",
	"a1+-.:opaque",
	":nothing",
	"c:\\x",
	"workspace:packages/a",
	"link:../b",
	"github:acme/lib#abc",
	"noscheme",
	"file:../x",
	"",
}

// fastPathIntegrities are integrity strings at the edges of singleHash.
var fastPathIntegrities = []string{
	sri("sha512", sha512a),
	sri("sha1", sha1a),
	sri("sha256", strings.Repeat("ab", 32)),
	sri("sha384", strings.Repeat("ab", 48)),
	sri("sha512", sha512a) + " " + sri("sha1", sha1a),
	sri("sha512", sha512a) + "?opt",
	"SHA512" + sri("sha512", sha512a)[6:],
	strings.TrimRight(sri("sha512", sha512a), "="),
	sri("sha512", sha512a)[:20],
	"sha512-" + strings.Repeat("!", 88),
	"sha512-" + strings.Repeat("=", 88),
	"md5-" + strings.Repeat("A", 24),
	"sha1-",
	"nodash",
	"",
}

func TestFastPaths(t *testing.T) {
	urls := slices.Clone(fastPathURLs)
	integrities := slices.Clone(fastPathIntegrities)
	names := []string{"ms", "@babel/core", "x"}
	if !testing.Short() {
		for _, f := range loadCorpus(t) {
			inv, err := parse(f)
			if err != nil {
				continue
			}
			for _, p := range inv.Packages {
				urls = append(urls, p.Resolved)
				integrities = append(integrities, p.Integrity)
				names = append(names, p.Name)
			}
		}
	}
	for _, u := range urls {
		if got, want := isURL(u), slowIsURL(u); got != want {
			t.Errorf("isURL(%q) = %v, want %v", u, got, want)
		}
		for _, n := range names[:3] {
			if got, want := registryURL(n, u), slowRegistryURL(n, u); got != want {
				t.Errorf("registryURL(%q, %q) = %q, want %q", n, u, got, want)
			}
		}
	}
	for i, u := range urls[len(fastPathURLs):] {
		n := names[3+i]
		if got, want := registryURL(n, u), slowRegistryURL(n, u); got != want {
			t.Errorf("registryURL(%q, %q) = %q, want %q", n, u, got, want)
		}
	}
	for _, s := range integrities {
		if got, want := hashesOf(s), slowHashes(s); !slices.Equal(got, want) {
			t.Errorf("hashesOf(%q) = %v, want %v", s, got, want)
		}
	}
	if len(urls) == len(fastPathURLs) && !testing.Short() {
		t.Fatal("no corpus package checked")
	}
}
