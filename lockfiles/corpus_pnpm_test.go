package lockfiles

import (
	"bytes"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/depsweep/depsweep/internal/lockref"
)

// Differences between our pnpm-lock.yaml package sets and osv-scanner
// pkg/lockfile v1.9.2's, each with the reason pkg/lockfile is wrong. Its
// pnpm reader decodes only the first YAML document with yaml.v3, reads only
// "packages", and splits 6.x keys on "/" before matching ^(.+)@([\d.]+)$.
// (It fails outright on "5.4-inlineSpecifiers", which the differential
// table shows as "pkg/lockfile failed".)
func init() {
	diffRules = append(diffRules,
		diffRule{Name: "pnpm: pkg/lockfile ignores packages recorded only under snapshots", Explains: pnpmSnapshotsOnly},
		diffRule{Name: "pnpm: pkg/lockfile drops 6.x/7.x keys with a peer suffix or a non-numeric version", Explains: pnpmDropsSuffixedKey},
		diffRule{Name: "pnpm: pkg/lockfile reads only the first YAML document", Explains: pnpmFirstDocumentOnly},
		diffRule{Name: "pnpm: pkg/lockfile reports the Node.js runtime as the npm package node", Explains: pnpmRuntime},
	)
}

// pkgLockfileReadsV6Key mirrors pkg/lockfile's reading of a 6.x key: it only
// yields a package for "/name@<digits and dots>" with nothing after.
var pkgLockfileV6Version = regexp.MustCompile(`^[\d.]+$`)

func pnpmPackageIndex(inv *Inventory, id string) int {
	for i := range inv.Packages {
		if inv.Packages[i].ID() == id {
			return i
		}
	}
	return -1
}

// pnpmDropsSuffixedKey: a package of a 6.x/7.x file that pkg/lockfile
// misses because none of its keys is a bare "/name@1.2.3": every key has a
// peer or patch suffix ("(@jimp/custom@0.22.10)"), or the version is a
// prerelease ("1.0.0-beta.2").
func pnpmDropsSuffixedKey(f corpusFile, inv *Inventory, id string, onlyOurs bool) bool {
	if !onlyOurs || !(strings.HasPrefix(inv.Format, "pnpm-6.") || strings.HasPrefix(inv.Format, "pnpm-7.")) {
		return false
	}
	i := pnpmPackageIndex(inv, id)
	if i < 0 {
		return false
	}
	p := inv.Packages[i]
	if !pkgLockfileV6Version.MatchString(p.Version) {
		return true
	}
	return !bytes.Contains(pnpmSection(f.Data, "packages"), []byte("\n  /"+p.Name+"@"+p.Version+":"))
}

// pnpmSection returns the text of a top-level section, up to the next
// top-level key ("time:" repeats every key with a date).
func pnpmSection(data []byte, name string) []byte {
	i := bytes.Index(data, []byte("\n"+name+":"))
	if i < 0 {
		return nil
	}
	s := data[i+1:]
	for j := bytes.IndexByte(s, '\n'); j >= 0 && j+1 < len(s); j = bytes.IndexByte(s[j+1:], '\n') + j + 1 {
		if c := s[j+1]; c != ' ' && c != '\n' && c != '\r' {
			return s[:j+1]
		}
		if bytes.IndexByte(s[j+1:], '\n') < 0 {
			break
		}
	}
	return s
}

// pnpmFirstDocumentOnly: a package of a multi-document file (pnpm 11)
// whose entry is after the second "---": pkg/lockfile decodes one document.
func pnpmFirstDocumentOnly(f corpusFile, inv *Inventory, id string, onlyOurs bool) bool {
	if !onlyOurs {
		return false
	}
	i := pnpmPackageIndex(inv, id)
	second := pnpmSecondDocumentLine(f.Data)
	return i >= 0 && second > 0 && inv.Packages[i].Line > second
}

// pnpmSecondDocumentLine returns the line of the second "---" marker, 0
// when the file has one document.
func pnpmSecondDocumentLine(data []byte) int {
	n := 0
	for l, line := range bytes.Split(data, []byte("\n")) {
		if string(bytes.TrimRight(line, "\r")) == "---" {
			n++
			if n == 2 {
				return l + 1
			}
		}
	}
	return 0
}

// pnpmSnapshotsOnly: a package of a file older than 7.0 whose only entry is
// under a "snapshots" section, which pkg/lockfile does not read.
func pnpmSnapshotsOnly(f corpusFile, inv *Inventory, id string, onlyOurs bool) bool {
	if !onlyOurs || !strings.HasPrefix(inv.Format, "pnpm-6.") {
		return false
	}
	i := pnpmPackageIndex(inv, id)
	s := bytes.Index(f.Data, []byte("\nsnapshots:"))
	if i < 0 || s < 0 {
		return false
	}
	return inv.Packages[i].Line > bytes.Count(f.Data[:s+1], []byte("\n"))
}

// pnpmRuntime: pkg/lockfile reports node@runtime:<v> as a package "node"
// with version "runtime:<v>"; we keep it as node@<v> with source runtime.
func pnpmRuntime(f corpusFile, inv *Inventory, id string, onlyOurs bool) bool {
	name, version, ok := strings.Cut(id, "@")
	if !ok || name != "node" {
		return false
	}
	if !onlyOurs {
		id = "node@" + strings.TrimPrefix(version, "runtime:")
	}
	i := pnpmPackageIndex(inv, id)
	return i >= 0 && inv.Packages[i].Source == SourceRuntime
}

// pnpmCase parses a txtar case with both parsers.
func pnpmCase(t *testing.T, name string) (f corpusFile, inv *Inventory, ours, theirs []string, terr error) {
	t.Helper()
	f = corpusFile{Path: NamePnpmLock, Data: txtarSection(t, "../testdata/lockfiles/pnpm/"+name, NamePnpmLock)}
	inv, err := Parse(Input{Path: f.Path, Data: f.Data})
	if err != nil {
		t.Fatal(err)
	}
	theirs, terr = lockref.Packages(f.Path, f.Data)
	return f, inv, ourIDs(inv), theirs, terr
}

// TestPnpmDiffRules shows each rule's difference on a small case: what
// pkg/lockfile reports, what the file really holds, and that the rule
// explains exactly the difference and nothing else.
func TestPnpmDiffRules(t *testing.T) {
	for _, tc := range []struct {
		file       string
		rule       func(corpusFile, *Inventory, string, bool) bool
		onlyOurs   []string
		onlyTheirs []string
	}{
		{"peer-suffixes.v6.txtar", pnpmDropsSuffixedKey, []string{"@jimp/plugin-blit@0.22.10", "ts-tool@1.0.0-beta.2"}, nil},
		{"multi-document.v9.txtar", pnpmFirstDocumentOnly, []string{"node@22.1.0", "postmark-mcp@1.0.18"}, nil},
		{"snapshots-in-v6.v6.txtar", pnpmSnapshotsOnly, []string{"debug@4.3.4"}, nil},
		{"runtime.v9.txtar", pnpmRuntime, []string{"node@22.1.0"}, []string{"node@runtime:22.1.0"}},
	} {
		t.Run(tc.file, func(t *testing.T) {
			f, inv, ours, theirs, terr := pnpmCase(t, tc.file)
			if terr != nil {
				t.Fatalf("pkg/lockfile: %v", terr)
			}
			if got := setDiff(ours, theirs); !slices.Equal(got, tc.onlyOurs) {
				t.Errorf("only ours = %q, want %q", got, tc.onlyOurs)
			}
			if got := setDiff(theirs, ours); !slices.Equal(got, tc.onlyTheirs) {
				t.Errorf("only pkg/lockfile = %q, want %q", got, tc.onlyTheirs)
			}
			for _, id := range tc.onlyOurs {
				if !tc.rule(f, inv, id, true) {
					t.Errorf("rule does not explain %s (ours only)", id)
				}
			}
			for _, id := range tc.onlyTheirs {
				if !tc.rule(f, inv, id, false) {
					t.Errorf("rule does not explain %s (pkg/lockfile only)", id)
				}
			}
			// The rule must not explain what both parsers agree on.
			for _, id := range ours {
				if slices.Contains(theirs, id) && tc.rule(f, inv, id, true) {
					t.Errorf("rule explains %s, which both report", id)
				}
			}
		})
	}
}

// TestPnpmInlineSpecifiersReference records that pkg/lockfile cannot read a
// 5.4-inlineSpecifiers file at all, while we read every package.
func TestPnpmInlineSpecifiersReference(t *testing.T) {
	_, inv, ours, _, terr := pnpmCase(t, "inline-specifiers.v5.4.txtar")
	if terr == nil {
		t.Errorf("pkg/lockfile read 5.4-inlineSpecifiers without error; the differential table assumes it fails")
	}
	if len(ours) != 7 || len(inv.Problems) != 0 {
		t.Errorf("ours = %q, problems %v; want 7 packages and no problems", ours, inv.Problems)
	}
}
