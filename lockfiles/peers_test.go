package lockfiles

import (
	"fmt"
	"os"
	"path"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"testing"
)

// A peerDiff is one difference between what a peer's test expects of a
// fixture and what we read from it.
type peerDiff struct {
	Suite, Fixture string
	Kind           string // "peer only[ root| project| workspace]", "ours only[ dev]", "groups", "count", "error", "problem"
	ID             string // name@version, or the error text for Kind "error"
}

func (d peerDiff) String() string {
	return fmt.Sprintf("%s %s: %s %s", d.Suite, d.Fixture, d.Kind, d.ID)
}

// TestPeerSuites compares our parsers with the packages that osv-scanner's,
// osv-scalibr's and syft's own lockfile tests expect, on their fixtures read
// from the Go module cache. Every difference must be on the allow-list
// (peer_allow_test.go) with its reason, and every allow-list entry must
// still be needed.
func TestPeerSuites(t *testing.T) {
	if testing.Short() {
		t.Skip("reads the peer modules through the go command")
	}
	dirs := map[string]string{}
	var all []peerCase
	for _, s := range peerSuites {
		key := s.Module + "@" + s.Version
		if dirs[key] == "" {
			dirs[key] = peerModuleDir(t, s.Module, s.Version)
		}
		dir := filepath.Join(dirs[key], filepath.FromSlash(s.Dir))
		n := 0
		for i, file := range s.Tests {
			cs := readPeerCases(t, s, dir, file, s.Family[i])
			if len(cs) == 0 {
				t.Errorf("%s %s: no fixture cases read", s.Name, file)
			}
			for i := range cs {
				cs[i].Fixture = path.Join(filepath.ToSlash(dir), cs[i].Fixture)
			}
			n += len(cs)
			all = append(all, cs...)
		}
		t.Logf("%s@%s %s: %d cases", s.Module, s.Version, s.Dir, n)
	}
	byFixture := peerMerge(all)
	if len(byFixture) < 100 {
		t.Fatalf("only %d peer fixtures read; the readers no longer understand the peer tests", len(byFixture))
	}
	var diffs []peerDiff
	var fixtures []string
	for f := range byFixture {
		fixtures = append(fixtures, f)
	}
	sort.Strings(fixtures)
	for _, fx := range fixtures {
		c := byFixture[fx]
		diffs = append(diffs, comparePeer(t, c)...)
	}
	used := make([]int, len(peerAllow))
	unexplained := 0
	for _, d := range diffs {
		i := slices.IndexFunc(peerAllow, func(a peerAllowed) bool { return a.matches(d) })
		if i < 0 {
			t.Errorf("unexplained difference: %s", d)
			unexplained++
			continue
		}
		used[i]++
		if testing.Verbose() {
			t.Logf("explained: %s", d)
		}
	}
	byReason := map[string]int{}
	for i, n := range used {
		if n == 0 {
			t.Errorf("allow-list entry no longer needed: %+v", peerAllow[i])
		}
		byReason[peerAllow[i].Reason] += n
	}
	var table strings.Builder
	for _, r := range sortedKeys(byReason) {
		fmt.Fprintf(&table, "%5d  %s\n", byReason[r], r)
	}
	t.Logf("%d fixtures, %d differences, %d unexplained; explained by reason:\n%s", len(fixtures), len(diffs), unexplained, table.String())
}

// peerMerge keeps one expectation per fixture: the fullest one (several
// tests may read a fixture with options that drop packages, such as syft's
// dev-dependency exclusion). A short suite name and module-relative
// fixture path identify the case from then on.
func peerMerge(all []peerCase) map[string]peerCase {
	out := map[string]peerCase{}
	for _, c := range all {
		key := c.Fixture
		prev, ok := out[key]
		better := !ok ||
			(prev.Partial && !c.Partial) ||
			(prev.Partial == c.Partial && len(uniqPeer(c.Pkgs)) > len(uniqPeer(prev.Pkgs)))
		if better {
			out[key] = c
		}
	}
	return out
}

func uniqPeer(ps []peerPackage) map[string]peerPackage {
	m := map[string]peerPackage{}
	for _, p := range ps {
		m[p.ID()] = p
	}
	return m
}

// peerInputName is the lockfile name a fixture is parsed under.
func peerInputName(fam string) string {
	switch fam {
	case "yarn":
		return NameYarnLock
	case "pnpm":
		return NamePnpmLock
	}
	return NamePackageLock
}

// shortFixture names a fixture by the module-relative path after the
// module directory ("pkg/lockfile/fixtures/npm/files.v2.json").
func shortFixture(full string) string {
	i := strings.Index(full, "@v")
	if i < 0 {
		return full
	}
	j := strings.Index(full[i:], "/")
	if j < 0 {
		return full
	}
	return full[i+j+1:]
}

func comparePeer(t *testing.T, c peerCase) []peerDiff {
	t.Helper()
	data, err := os.ReadFile(filepath.FromSlash(c.Fixture))
	if err != nil {
		t.Fatal(err)
	}
	dir := path.Dir(c.Fixture)
	in := Input{Path: path.Join(shortFixture(dir), peerInputName(c.Family)), Data: data, Project: os.DirFS(filepath.FromSlash(dir))}
	inv, perr := Parse(in)
	fx := shortFixture(c.Fixture)
	var diffs []peerDiff
	add := func(kind, id string) {
		diffs = append(diffs, peerDiff{Suite: c.Suite, Fixture: fx, Kind: kind, ID: id})
	}
	failed := perr != nil || (inv != nil && len(inv.Problems) > 0)
	switch {
	case c.WantErr && !failed:
		add("error", "peer expects an error, we read it without one")
	case !c.WantErr && perr != nil:
		add("error", "we fail: "+perr.Error())
	case !c.WantErr && failed:
		seen := map[string]bool{}
		for _, pb := range inv.Problems {
			if !seen[pb.Msg] {
				seen[pb.Msg] = true
				add("problem", pb.Msg)
			}
		}
	}
	type ourPkg struct{ dev, optional bool }
	ours := map[string]*ourPkg{}
	if inv != nil {
		checkInvariants(t, inv)
		for _, p := range inv.Packages {
			o := ours[p.ID()]
			if o == nil {
				o = &ourPkg{dev: true, optional: true}
				ours[p.ID()] = o
			}
			o.dev = o.dev && p.Dev
			o.optional = o.optional && p.Optional
		}
	}
	theirs := uniqPeer(c.Pkgs)
	gitMatched := map[string]bool{} // our name@commit IDs paired with a peer's versionless git package
	for _, id := range sortedKeys(theirs) {
		p := theirs[id]
		o, ok := ours[id]
		if !ok && p.Version == "" && inv != nil {
			for _, q := range inv.Packages {
				if q.Name == p.Name && q.Source == SourceGit {
					gitMatched[q.ID()] = true
					ok = true
				}
			}
			if ok {
				add("git version", p.Name)
				continue
			}
		}
		if !ok {
			add(peerOnlyKind(inv, p), id)
			continue
		}
		if p.Groups != nil {
			dev, opt := slices.Contains(p.Groups, "dev"), slices.Contains(p.Groups, "optional")
			if dev != o.dev || opt != o.optional {
				add("groups", fmt.Sprintf("%s peer %v, ours dev=%v optional=%v", id, p.Groups, o.dev, o.optional))
			}
		}
	}
	if !c.Partial {
		for _, id := range sortedKeys(ours) {
			if _, ok := theirs[id]; !ok && !gitMatched[id] {
				kind := "ours only"
				if ours[id].dev {
					kind = "ours only dev"
				}
				add(kind, id)
			}
		}
	} else if c.Count > 0 && len(ours) != c.Count {
		add("count", fmt.Sprintf("peer %d, ours %d", c.Count, len(ours)))
	}
	return diffs
}

// peerOnlyKind classifies a package only the peer reports: one of our
// importers (the root project, or a workspace or other project directory,
// possibly under yarn berry's placeholder version 0.0.0-use.local), or
// something else.
func peerOnlyKind(inv *Inventory, p peerPackage) string {
	if inv == nil {
		return "peer only"
	}
	for i, imp := range inv.Importers {
		if imp.Name != p.Name {
			continue
		}
		switch {
		case p.Version == "0.0.0-use.local":
			return "peer only workspace"
		case imp.Version == p.Version && i == 0:
			return "peer only root"
		case imp.Version == p.Version:
			return "peer only project"
		}
	}
	return "peer only"
}

func sortedKeys[V any](m map[string]V) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}
