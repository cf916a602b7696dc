package lockfiles

import (
	"encoding/json"
	"path"
	"strings"
	"sync"
	"testing"

	"github.com/depsweep/depsweep/internal/lockref"
)

// The differences between our npm package sets and osv-scanner pkg/lockfile
// v1.9.2's, each a known fault of pkg/lockfile. Every rule checks the reason
// in the raw file (read with encoding/json, independently of our scanner)
// and in our inventory, so that it explains nothing else.
func init() {
	diffRules = append(diffRules,
		diffRule{Name: "npm: pkg/lockfile lists a link entry without its version", Explains: explainNPMLink},
		diffRule{Name: "npm: pkg/lockfile lists a project directory as a package", Explains: explainNPMDir},
		diffRule{Name: "npm: pkg/lockfile lists an entry that has no version", Explains: explainNPMVersionless},
		diffRule{Name: "npm: pkg/lockfile blanks the commit of a v1 git dependency", Explains: explainNPMGit},
		diffRule{Name: "npm: pkg/lockfile takes a v1 tarball URL for a version", Explains: explainNPMURL},
	)
}

// rawNPMEntry is a lockfile entry as encoding/json reads it, with the name
// pkg/lockfile gives it.
type rawNPMEntry struct {
	Path     string // "packages" key, or the install path a v1 entry stands for
	Name     string // as pkg/lockfile names it: "name" field, else from the path
	Version  string
	Resolved string
	Link     bool
}

var (
	rawNPMMu    sync.Mutex
	rawNPMCache = map[string][]rawNPMEntry{}
)

type rawV1Dep struct {
	Version      string              `json:"version"`
	Resolved     string              `json:"resolved"`
	Dependencies map[string]rawV1Dep `json:"dependencies"`
}

// rawNPMEntries reads f's entries with encoding/json; nil for other families.
func rawNPMEntries(f corpusFile) []rawNPMEntry {
	if family(f.Path) != "npm" {
		return nil
	}
	rawNPMMu.Lock()
	defer rawNPMMu.Unlock()
	if out, ok := rawNPMCache[f.Path]; ok {
		return out
	}
	var doc struct {
		Packages map[string]struct {
			Name, Version, Resolved string
			Link                    bool
		} `json:"packages"`
		Dependencies map[string]rawV1Dep `json:"dependencies"`
	}
	var out []rawNPMEntry
	if json.Unmarshal(f.Data, &doc) == nil {
		if doc.Packages != nil {
			for k, e := range doc.Packages {
				name := e.Name
				if name == "" {
					name = path.Base(k)
					if scope := path.Base(path.Dir(k)); strings.HasPrefix(scope, "@") {
						name = scope + "/" + name
					}
				}
				out = append(out, rawNPMEntry{Path: k, Name: name, Version: e.Version, Resolved: e.Resolved, Link: e.Link})
			}
		} else {
			var walk func(parent string, deps map[string]rawV1Dep)
			walk = func(parent string, deps map[string]rawV1Dep) {
				for name, d := range deps {
					p := strings.TrimPrefix(parent+"/node_modules/"+name, "/")
					out = append(out, rawNPMEntry{Path: p, Name: name, Version: d.Version, Resolved: d.Resolved})
					walk(p, d.Dependencies)
				}
			}
			walk("", doc.Dependencies)
		}
	}
	rawNPMCache[f.Path] = out
	return out
}

func npmSplitID(id string) (name, version string) {
	at := strings.LastIndexByte(id, '@')
	if at <= 0 {
		return id, ""
	}
	return id[:at], id[at+1:]
}

// explainNPMLink: a `"link": true` entry has no version of its own;
// pkg/lockfile lists it as "name@". We list the link with its target's
// version (and the target's dependencies).
func explainNPMLink(f corpusFile, inv *Inventory, id string, onlyOurs bool) bool {
	name, version := npmSplitID(id)
	if onlyOurs || version != "" {
		return false
	}
	for _, e := range rawNPMEntries(f) {
		if e.Link && e.Name == name && e.Version == "" {
			for _, p := range inv.Packages {
				if p.Paths[0] == e.Path && (p.Source == SourceLink || p.Source == SourceWorkspace) {
					return true
				}
			}
		}
	}
	return false
}

// explainNPMDir: keys that are not install paths ("packages/a", "../lib")
// are project directories (workspaces, link targets). We list them as
// importers; pkg/lockfile lists them as packages named after the directory.
func explainNPMDir(f corpusFile, inv *Inventory, id string, onlyOurs bool) bool {
	name, version := npmSplitID(id)
	if onlyOurs {
		return false
	}
	for _, e := range rawNPMEntries(f) {
		if e.Path == "" || e.Name != name || e.Version != version {
			continue
		}
		if _, install := npmInstallName(e.Path); install {
			continue
		}
		for _, imp := range inv.Importers[1:] {
			if imp.Path == e.Path {
				return true
			}
		}
	}
	return false
}

// explainNPMVersionless: an installed entry with neither a version nor a
// non-registry source is not a package anyone can match or list in an SBOM;
// we skip it and record a Problem, pkg/lockfile lists "name@".
func explainNPMVersionless(f corpusFile, inv *Inventory, id string, onlyOurs bool) bool {
	name, version := npmSplitID(id)
	if onlyOurs || version != "" || !npmHasProblem(inv, "no version") {
		return false
	}
	for _, e := range rawNPMEntries(f) {
		if e.Name != name || e.Version != "" || e.Link || ResolvedSource(e.Resolved) != SourceUnknown && ResolvedSource(e.Resolved) != SourceRegistry {
			continue
		}
		kept := false
		for _, p := range inv.Packages {
			kept = kept || p.Paths[0] == e.Path
		}
		if !kept {
			return true
		}
	}
	return false
}

func npmHasProblem(inv *Inventory, substr string) bool {
	for _, p := range inv.Problems {
		if strings.Contains(p.Msg, substr) {
			return true
		}
	}
	return false
}

// explainNPMGit: a v1 git dependency pins a commit in its version field
// ("git+https://host/repo.git#<sha>"). We record the commit as the version;
// pkg/lockfile records an empty version.
func explainNPMGit(f corpusFile, inv *Inventory, id string, onlyOurs bool) bool {
	name, version := npmSplitID(id)
	for _, e := range rawNPMEntries(f) {
		if e.Name != name || ResolvedSource(e.Version) != SourceGit {
			continue
		}
		_, commit, _ := strings.Cut(e.Version, "#")
		want := ""
		if onlyOurs {
			want = commit
		}
		if version != want || commit == "" {
			continue
		}
		for _, p := range inv.Packages {
			if p.Paths[0] == e.Path && p.Source == SourceGit && p.Version == commit {
				return true
			}
		}
	}
	return false
}

// explainNPMURL: a v1 dependency declared by tarball URL has the URL in its
// version field. pkg/lockfile takes the URL for the version; we record no
// version, the URL as Resolved and the tarball source.
func explainNPMURL(f corpusFile, inv *Inventory, id string, onlyOurs bool) bool {
	name, version := npmSplitID(id)
	for _, e := range rawNPMEntries(f) {
		if e.Name != name || !npmHasPrefix(e.Version, "http://", "https://") {
			continue
		}
		if (onlyOurs && version != "") || (!onlyOurs && version != e.Version) {
			continue
		}
		for _, p := range inv.Packages {
			if p.Paths[0] == e.Path && p.Source == SourceTarball && p.Version == "" && p.Resolved == e.Version {
				return true
			}
		}
	}
	return false
}

// TestNPMDiffRules shows on a small lockfile per rule that the rule explains
// the difference it is about, nothing else is different, and our answer is
// the right one.
func TestNPMDiffRules(t *testing.T) {
	for _, tc := range []struct {
		rule, lock string
		check      func(inv *Inventory) string // "" when our answer is right
	}{
		{
			rule: "link entry",
			lock: `{"lockfileVersion": 3, "packages": {
				"": {"workspaces": ["packages/*"]},
				"node_modules/a": {"resolved": "packages/a", "link": true},
				"packages/a": {"name": "a", "version": "1.2.0"}}}`,
			check: func(inv *Inventory) string {
				if p := inv.Packages[0]; p.ID() != "a@1.2.0" || p.Source != SourceWorkspace {
					return "link not listed as a@1.2.0 from the workspace"
				}
				return ""
			},
		},
		{
			rule: "project directory",
			lock: `{"lockfileVersion": 2, "packages": {
				"": {},
				"../lib/j": {"version": "1.0.0"},
				"../lib": {}}}`,
			check: func(inv *Inventory) string {
				if len(inv.Importers) != 3 || inv.Importers[1].Version != "1.0.0" || inv.Importers[2].Path != "../lib" || len(inv.Packages) != 0 {
					return "directories are not importers"
				}
				return ""
			},
		},
		{
			rule: "has no version",
			lock: `{"lockfileVersion": 3, "packages": {"node_modules/a": {}, "node_modules/b": {"version": "1.0.0"}}}`,
			check: func(inv *Inventory) string {
				if len(inv.Packages) != 1 || !npmHasProblem(inv, "no version") || inv.Problems[0].Line != 1 {
					return "versionless entry not skipped with a problem"
				}
				return ""
			},
		},
		{
			rule: "commit",
			lock: `{"lockfileVersion": 1, "dependencies": {"g": {"version": "git+https://example.com/g.git#0123456789abcdef0123456789abcdef01234567"}}}`,
			check: func(inv *Inventory) string {
				if p := inv.Packages[0]; p.Version != "0123456789abcdef0123456789abcdef01234567" || p.Source != SourceGit {
					return "commit not kept as the version"
				}
				return ""
			},
		},
		{
			rule: "tarball URL",
			lock: `{"lockfileVersion": 1, "dependencies": {"r": {"version": "https://registry.npmjs.org/abbrev/-/abbrev-1.1.1.tgz"}}}`,
			check: func(inv *Inventory) string {
				if p := inv.Packages[0]; p.Version != "" || p.Source != SourceTarball || p.Resolved == "" {
					return "URL dependency not a tarball with the URL as Resolved"
				}
				return ""
			},
		},
	} {
		f := corpusFile{Path: "rule-" + strings.ReplaceAll(tc.rule, " ", "-") + "/package-lock.json", Data: []byte(tc.lock)}
		inv, err := Parse(Input{Path: f.Path, Data: f.Data})
		if err != nil {
			t.Fatalf("%s: %v", tc.rule, err)
		}
		if msg := tc.check(inv); msg != "" {
			t.Errorf("%s: %s", tc.rule, msg)
		}
		theirs, err := lockref.Packages(f.Path, f.Data)
		if err != nil {
			t.Fatalf("%s: %v", tc.rule, err)
		}
		ours := ourIDs(inv)
		n := 0
		for _, side := range []struct {
			ids      []string
			onlyOurs bool
		}{{setDiff(ours, theirs), true}, {setDiff(theirs, ours), false}} {
			for _, id := range side.ids {
				n++
				var by []string
				for _, r := range diffRules {
					if r.Explains(f, inv, id, side.onlyOurs) {
						by = append(by, r.Name)
					}
				}
				if len(by) != 1 || !strings.Contains(by[0], tc.rule) {
					t.Errorf("%s: difference %s (ours only: %v) explained by %q, want only the %q rule", tc.rule, id, side.onlyOurs, by, tc.rule)
				}
			}
		}
		if n == 0 {
			t.Errorf("%s: no difference with pkg/lockfile; the rule has nothing to explain", tc.rule)
		}
	}
}
