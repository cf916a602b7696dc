package publisher

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"reflect"
	"testing"
	"time"

	"github.com/depsweep/depsweep/lockfiles"
)

// The sources that read full packuments or manifests know suppliers.
var (
	_ SupplierSource = packumentMap(nil)
	_ SupplierSource = chain(nil)
	_ SupplierSource = (*installedPublishers)(nil)
	_ SupplierSource = (*Registry)(nil)
	_ SupplierSource = (*npmrcPublishers)(nil)
)

type supplierCase struct {
	name, version string
	want          *lockfiles.Supplier // nil: unknown
}

func checkSuppliers(t *testing.T, label string, src Source, wantFrom string, cases []supplierCase) {
	t.Helper()
	ss, ok := src.(SupplierSource)
	if !ok {
		t.Fatalf("%s: %T is not a SupplierSource", label, src)
	}
	for _, c := range cases {
		got, from, ok := ss.Supplier(c.name, c.version)
		switch {
		case c.want == nil && ok:
			t.Errorf("%s: Supplier(%s@%s) = %+v from %q, want unknown", label, c.name, c.version, got, from)
		case c.want != nil && (!ok || !reflect.DeepEqual(got, *c.want) || from != wantFrom):
			t.Errorf("%s: Supplier(%s@%s) = %+v, %q, %v; want %+v from %q", label, c.name, c.version, got, from, ok, *c.want, wantFrom)
		}
	}
}

// The look-alike packuments of the fixtures (written by a real registry,
// verdaccio): per-version author objects and maintainers.
var fixtureSuppliers = []supplierCase{
	{"postmark-mcp", "1.0.16", &lockfiles.Supplier{Name: "Jabal Torres",
		Contacts: []lockfiles.Contact{{Name: "phanpak", Email: "phanpak@example.com"}}}},
	{"postmark-mcp", "1.0.15", &lockfiles.Supplier{Name: "Jabal Torres",
		Contacts: []lockfiles.Contact{{Name: "phanpak", Email: "phanpak@example.com"}}}},
	{"@acme/postmark-mcp", "1.0.16", &lockfiles.Supplier{Name: "ACME",
		Contacts: []lockfiles.Contact{{Name: "alice", Email: "alice@example.com"}}}},
	{"postmark-mcp", "9.9.9", nil}, // no such version
	{"left-pad", "1.3.0", nil},     // no such packument
}

func TestSupplierPackuments(t *testing.T) {
	src, err := LoadPackuments(registryDir)
	if err != nil {
		t.Fatal(err)
	}
	checkSuppliers(t, "fixtures", src, "registry metadata", fixtureSuppliers)
}

// TestSupplierNpmjs reads packuments the npm registry served: the string
// form of an author, an author object with a URL, versions with and
// without maintainers.
func TestSupplierNpmjs(t *testing.T) {
	src, err := LoadPackuments("testdata/npmjs/full")
	if err != nil {
		t.Fatal(err)
	}
	checkSuppliers(t, "npmjs", src, "registry metadata", []supplierCase{
		{"left-pad", "1.3.0", &lockfiles.Supplier{Name: "azer",
			Contacts: []lockfiles.Contact{{Name: "Cameron Westland", Email: "camwest@gmail.com"}}}},
		{"left-pad", "0.0.0", &lockfiles.Supplier{Name: "azer"}}, // no maintainers listed
		{"isarray", "2.0.5", &lockfiles.Supplier{Name: "Julian Gruber", URL: "http://juliangruber.com",
			// No maintainers: the author, who gives an email, is the contact.
			Contacts: []lockfiles.Contact{{Name: "Julian Gruber", Email: "mail@juliangruber.com"}}}},
	})
}

// TestSupplierAbbreviated: the abbreviated packument real npm caches has
// neither author nor maintainers (nor _npmUser): no supplier, no publisher.
func TestSupplierAbbreviated(t *testing.T) {
	src, err := LoadPackuments("testdata/abbreviated")
	if err != nil {
		t.Fatal(err)
	}
	checkSuppliers(t, "abbreviated", src, "", []supplierCase{{"mcp-mail-relay", "2.1.0", nil}})
	if a, _, ok := src.Publisher("mcp-mail-relay", "2.1.0"); ok {
		t.Errorf("Publisher(mcp-mail-relay@2.1.0) = %q from an abbreviated packument, want unknown", a)
	}
}

// TestSupplierTopLevel: a version without author or maintainers takes the
// document's; odd author and maintainer values cost the supplier, never
// the document (the publisher of the other versions is still read).
func TestSupplierTopLevel(t *testing.T) {
	dir := t.TempDir()
	doc := `{
  "name": "pkg",
  "author": "Ann Author <ann@example.org> (https://example.org/ann)",
  "maintainers": [{"name": "ann", "email": "ann@example.org"}, {"name": "bob", "email": "bob@example.org"}],
  "versions": {
    "1.0.0": {"_npmUser": {"name": "ann"}},
    "2.0.0": {"_npmUser": {"name": "bob"}, "author": {"name": "Bob", "url": "javascript:alert(1)"}, "maintainers": [{"name": "bob", "email": "not an email"}]},
    "3.0.0": {"_npmUser": {"name": "bob"}, "author": 42, "maintainers": {"weird": true}},
    "4.0.0": {"_npmUser": {"name": "bob"}, "author": ["x"], "maintainers": "carol <carol@example.org>"}
  }
}`
	if err := os.WriteFile(filepath.Join(dir, "pkg.json"), []byte(doc), 0o644); err != nil {
		t.Fatal(err)
	}
	src, err := LoadPackuments(dir)
	if err != nil {
		t.Fatal(err)
	}
	both := []lockfiles.Contact{{Name: "ann", Email: "ann@example.org"}, {Name: "bob", Email: "bob@example.org"}}
	checkSuppliers(t, "top-level", src, "registry metadata", []supplierCase{
		{"pkg", "1.0.0", &lockfiles.Supplier{Name: "Ann Author", URL: "https://example.org/ann", Contacts: both}},
		// A javascript: URL and a malformed email are left out.
		{"pkg", "2.0.0", &lockfiles.Supplier{Name: "Bob", Contacts: []lockfiles.Contact{{Name: "bob"}}}},
		// An author that is a number is no author: the document's is used;
		// maintainers that are an object are one maintainer with nothing
		// known, so the author, who gives an email, is the contact.
		{"pkg", "3.0.0", &lockfiles.Supplier{Name: "Ann Author", URL: "https://example.org/ann",
			Contacts: []lockfiles.Contact{{Name: "Ann Author", Email: "ann@example.org"}}}},
		// A lone maintainer in the string form.
		{"pkg", "4.0.0", &lockfiles.Supplier{Name: "Ann Author", URL: "https://example.org/ann",
			Contacts: []lockfiles.Contact{{Name: "carol", Email: "carol@example.org"}}}},
	})
	for v, want := range map[string]string{"1.0.0": "ann", "2.0.0": "bob", "3.0.0": "bob", "4.0.0": "bob"} {
		if a, _, _ := src.Publisher("pkg", v); a != want {
			t.Errorf("Publisher(pkg@%s) = %q, want %q", v, a, want)
		}
	}
}

func TestParsePerson(t *testing.T) {
	for _, c := range []struct {
		in   string
		want person
	}{
		{`"azer"`, person{Name: "azer"}},
		{`"Ann <ann@example.org>"`, person{Name: "Ann", Email: "ann@example.org"}},
		{`"Ann (https://example.org)"`, person{Name: "Ann", URL: "https://example.org"}},
		{`"Ann Author <ann@example.org> (https://example.org/ann)"`, person{Name: "Ann Author", Email: "ann@example.org", URL: "https://example.org/ann"}},
		{`"<ann@example.org>"`, person{Email: "ann@example.org"}},
		{`"Ann <unclosed"`, person{Name: "Ann"}},
		{`{"name": "Ann", "email": "ann@example.org", "url": "https://example.org"}`, person{Name: "Ann", Email: "ann@example.org", URL: "https://example.org"}},
		{`{"name": 7, "email": ["x"]}`, person{}},
		{`null`, person{}},
		{`[1, 2]`, person{}},
		{`12`, person{}},
	} {
		var got person
		if err := json.Unmarshal([]byte(c.in), &got); err != nil || got != c.want {
			t.Errorf("person(%s) = %+v, %v; want %+v", c.in, got, err, c.want)
		}
	}
}

func TestPlainEmailAndWebURL(t *testing.T) {
	for in, want := range map[string]bool{
		"ann@example.org": true, "a.b+c@sub.example.org": true, "x@localhost": true,
		"": false, "ann": false, "@example.org": false, "ann@": false, ".ann@example.org": false,
		"a..b@example.org": false, "ann@exa_mple.org": false, "ann@-example.org": false,
		"ann smith@example.org": false, "ann@例え.jp": false, `"ann"@example.org`: false,
	} {
		if got := plainEmail(in) != ""; got != want {
			t.Errorf("plainEmail(%q) kept = %v, want %v", in, got, want)
		}
	}
	for in, want := range map[string]bool{
		"http://juliangruber.com": true, "https://example.org/a?b=c": true,
		"": false, "javascript:alert(1)": false, "example.org": false, "https://user:pw@example.org": false,
		"https://example.org/a b": false, "ftp://example.org": false, "https://": false,
	} {
		if got := webURL(in) != ""; got != want {
			t.Errorf("webURL(%q) kept = %v, want %v", in, got, want)
		}
	}
}

// TestSupplierInstalled: the installed package.json npm 6 wrote carries
// the author (and no maintainers, no _npmUser).
func TestSupplierInstalled(t *testing.T) {
	src := Installed(os.DirFS("../../testdata/fixtures/npm6-direct-nested-lockv1"))
	checkSuppliers(t, "installed", src, "installed package.json", []supplierCase{
		{"postmark-mcp", "1.0.16", &lockfiles.Supplier{Name: "Jabal Torres"}},
		{"postmark-mcp", "1.0.15", nil},
		{"mail-toolkit", "2.0.0", nil},
	})
}

// TestSupplierChain: the first source that knows the supplier answers,
// even when another answered the publisher.
func TestSupplierChain(t *testing.T) {
	pk, err := LoadPackuments(registryDir)
	if err != nil {
		t.Fatal(err)
	}
	c := Chain(fakePublishers{"postmark-mcp@1.0.16": "someone"}, pk)
	if a, _, _ := c.Publisher("postmark-mcp", "1.0.16"); a != "someone" {
		t.Errorf("Publisher = %q, want the first source's", a)
	}
	checkSuppliers(t, "chain", c, "registry metadata", fixtureSuppliers)
}

// TestSupplierRegistry: the online registry answers suppliers from the
// packument it fetched for publishers (no second request), and from its
// cache, whose files are the registry's documents as before.
func TestSupplierRegistry(t *testing.T) {
	rr, srv := newReplay(t, 0)
	cache := t.TempDir()
	pool, err := NewRegistryPool(RegistryOptions{URL: srv.URL, CacheDir: cache, Timeout: 5 * time.Second}, nil)
	if err != nil {
		t.Fatal(err)
	}
	src := pool.Publishers(nil, "")
	src.Prefetch([]lockfiles.Package{
		{Name: "postmark-mcp", Version: "1.0.16", Source: lockfiles.SourceRegistry},
		{Name: "@acme/postmark-mcp", Version: "1.0.16", Source: lockfiles.SourceRegistry},
	})
	if a, _, _ := src.Publisher("postmark-mcp", "1.0.16"); a != "phanpak" {
		t.Errorf("Publisher(postmark-mcp@1.0.16) = %q, want phanpak", a)
	}
	host := srv.Listener.Addr().String()
	checkSuppliers(t, "registry", src, "registry "+host, fixtureSuppliers)
	// One request per name: postmark-mcp, @acme/postmark-mcp, left-pad (404).
	if n := rr.requests.Load(); n != 3 {
		t.Errorf("requests = %d, want 3 (one per name)", n)
	}

	// A new pool on the same cache answers from the cached documents.
	pool2, err := NewRegistryPool(RegistryOptions{URL: srv.URL, CacheDir: cache, Timeout: 5 * time.Second}, nil)
	if err != nil {
		t.Fatal(err)
	}
	checkSuppliers(t, "registry cache", pool2.Publishers(nil, ""), "registry "+host, fixtureSuppliers[:3])
	if st := pool2.Stats(); st.CacheHits != 2 || st.Requests != 0 {
		t.Errorf("cached pool Stats = %+v, want 2 cache hits, no request", st)
	}
}

// FuzzPackumentSupplier: any document decodes or fails with an error, never
// a panic; every supplier it gives holds only what an SBOM may carry: plain
// emails, http(s) URLs, names without control characters, and never an
// empty one.
func FuzzPackumentSupplier(f *testing.F) {
	var seeds []string
	for _, glob := range []string{registryDir + "/*.json", registryDir + "/@*/*.json", "testdata/npmjs/full/*.json", "testdata/abbreviated/*.json"} {
		m, _ := filepath.Glob(glob)
		if len(m) == 0 {
			f.Fatalf("no seed matches %s", glob)
		}
		seeds = append(seeds, m...)
	}
	for _, s := range seeds {
		data, err := os.ReadFile(s)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(data)
	}
	for _, s := range []string{"", "null", "[]", `{"versions":{"1.0.0":{"author":"A <a@b.c> (http://x.y)","maintainers":"m"}}}`} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		p, err := decodePackument("fuzz.json", bytes.NewReader(data))
		if err != nil {
			return
		}
		for v, vi := range versionsOf(p) {
			s := vi.supplier
			if s == nil {
				continue
			}
			if s.IsZero() {
				t.Fatalf("%s: empty supplier", v)
			}
			if s.URL != "" && webURL(s.URL) != s.URL {
				t.Errorf("%s: URL %q is not a web URL", v, s.URL)
			}
			if cleanField(s.Name) != s.Name {
				t.Errorf("%s: name %q not clean", v, s.Name)
			}
			for _, c := range s.Contacts {
				if c == (lockfiles.Contact{}) || cleanField(c.Name) != c.Name || (c.Email != "" && plainEmail(c.Email) != c.Email) {
					t.Errorf("%s: contact %+v", v, c)
				}
			}
		}
	})
}

// TestSupplierChainContacts: installed manifests first, as a scan chains
// them: the npm 6 manifest names only the author, so the packument's
// supplier, with the maintainers as contacts, wins; a package only the
// manifest knows keeps the manifest's.
func TestSupplierChainContacts(t *testing.T) {
	pk, err := LoadPackuments(registryDir)
	if err != nil {
		t.Fatal(err)
	}
	inst := Installed(os.DirFS("../../testdata/fixtures/npm6-direct-nested-lockv1"))
	checkSuppliers(t, "installed, packuments", Chain(inst, pk), "registry metadata", fixtureSuppliers)
	empty := packumentMap{}
	checkSuppliers(t, "installed, nothing", Chain(inst, empty), "installed package.json", []supplierCase{
		{"postmark-mcp", "1.0.16", &lockfiles.Supplier{Name: "Jabal Torres"}},
	})
}
