package ioc

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"strings"
	"sync"

	"github.com/depsweep/depsweep/lockfiles"
)

// DeclaredStats sum up the declared dependencies of a project without a
// lockfile, for the report's list of such projects.
type DeclaredStats struct {
	Manifests    int // package.json files read (the project's and its workspaces')
	Dependencies int // dependencies declared in them
	// Unknown lists, as "name@spec", the dependencies whose version cannot
	// be told from the spec: dist-tags, URLs, git and other protocols.
	Unknown []string
}

// MatchDeclared matches the declared dependencies of a project without a
// lockfile (decl, read from the package.json at manifestPath, a slash path
// as reports show it) against the package indicators. A dependency whose
// range admits an affected version ("^1.0.15" admits 1.0.16 to 1.0.18) is
// a finding: it could resolve to an affected version at the next install.
// Its severity is one step below the advisory's, its evidence names the
// range and the affected versions it admits (the indicator's exact versions
// it admits, and its OSV ranges it overlaps). A dist-tag ("latest") on an
// indicator's package is a finding too: what it resolves to is unknown. An
// exact clean pin or a range that excludes every affected version is not a
// finding; a git, file or URL spec under an indicator's name is a name
// collision (info). Safe for concurrent use.
func (x *Index) MatchDeclared(repo, manifestPath string, decl *lockfiles.Declared) ([]Finding, DeclaredStats) {
	var st DeclaredStats
	if decl == nil {
		return nil, st
	}
	st.Manifests = 1 + len(decl.Workspaces)
	st.Dependencies = len(decl.Deps)
	projectDir := path.Dir(manifestPath)
	root := cmpOr(decl.Name, projectDir)
	if decl.Name != "" && decl.Version != "" {
		root = decl.Name + "@" + decl.Version
	}
	var out []Finding
	for i := range decl.Deps {
		d := &decl.Deps[i]
		var rng NPMRange
		isRange := false
		switch d.Kind {
		case lockfiles.SpecRegistry:
			rng, isRange = ParseNPMRange(d.Spec)
			if !isRange {
				st.Unknown = append(st.Unknown, d.Name+"@"+d.Spec)
			}
		case lockfiles.SpecURL, lockfiles.SpecGit, lockfiles.SpecOther:
			st.Unknown = append(st.Unknown, d.Name+"@"+d.Spec)
		}
		file := path.Join(projectDir, d.Manifest)
		from := root
		if dir := path.Dir(d.Manifest); dir != "." {
			from = path.Join(projectDir, dir)
		}
		if d.Kind == lockfiles.SpecURL || d.Kind == lockfiles.SpecGit {
			// The spec is where the code comes from: match it as a
			// resolved URL (domain, e-mail and URL indicators).
			src := lockfiles.SourceTarball
			if d.Kind == lockfiles.SpecGit {
				src = lockfiles.SourceGit
			}
			up := lockfiles.Package{Name: d.Name, Alias: d.Alias, Source: src, Resolved: d.Spec}
			for _, h := range x.matchPackage(&up, nil, nil, nil) {
				f := newFinding(repo, file, d.Line, &up, &h, []string{from, d.Name + "@" + d.Spec}, true)
				f.Declared = d.Spec
				out = append(out, f)
			}
		}
		entries := x.npm[d.Name]
		if len(entries) == 0 {
			continue
		}
		p := lockfiles.Package{
			Name: d.Name, Alias: d.Alias, Source: lockfiles.SourceRegistry,
			Dev: d.Type == lockfiles.DepDev, Optional: d.Type == lockfiles.DepOptional, Peer: d.Type == lockfiles.DepPeer,
		}
		spec := d.Spec
		if spec == "" {
			spec = `""`
		}
		depPath := []string{from, d.Name + "@" + spec}
		for k := range entries {
			e := &entries[k]
			adv := e.ind.Advisory
			h := hit{ind: e.ind}
			switch {
			case d.Kind == lockfiles.SpecWorkspace:
				continue // a workspace of the project itself
			case d.Kind != lockfiles.SpecRegistry:
				p.Source = lockfiles.Source(d.Kind)
				h.collision = true
				h.evidence = fmt.Sprintf("%s is declared as %q (%s), not from a registry: it only shares its name with the package of %s",
					d.Name, d.Spec, d.Kind, adv.ID)
			case !isRange:
				h.evidence = fmt.Sprintf("declared %q, a dist-tag: which version it resolves to is unknown, and it could be an affected version of %s",
					d.Spec, adv.ID)
			default:
				what, ok := admitted(rng, &e.vers, adv)
				if !ok {
					continue
				}
				h.evidence = fmt.Sprintf("no lockfile: declared range %q could resolve to an affected version (%s)", rng.String(), what)
			}
			f := newFinding(repo, file, d.Line, &p, &h, depPath, true)
			if !h.collision {
				f.Severity = stepDown(f.Severity)
			}
			f.Declared = cmpOr(d.Spec, `""`)
			// The id of a declared range: the range in place of a version.
			idf := f
			idf.Package.Version = "declared:" + d.Spec
			f.ID = Fingerprint(&idf)
			out = append(out, f)
		}
	}
	return sortFindings(out), st
}

// admitted says which affected versions of vs the range r admits: the
// exact versions it admits, and the OSV ranges it overlaps. ok is false
// when it admits none.
func admitted(r NPMRange, vs *versionSet, adv *Advisory) (string, bool) {
	if vs.all {
		return "every version is affected by " + adv.ID, true
	}
	var parts []string
	var exact []string
	for _, e := range vs.exact {
		if e.ok && r.admits(e.v) {
			exact = append(exact, e.v.String())
		}
	}
	if len(exact) > 0 {
		parts = append(parts, "admits "+strings.Join(exact, ", ")+" of "+adv.ID+"'s affected versions")
	}
	for i := range vs.ranges {
		c := &vs.ranges[i]
		if r.overlaps(c) {
			parts = append(parts, "overlaps "+adv.ID+"'s affected range "+c.String())
		}
	}
	return strings.Join(parts, "; "), len(parts) > 0
}

// String renders an OSV range as comparators (">=1.0.16 <1.0.19").
func (c *compiledRange) String() string {
	if c.everything {
		return "every version"
	}
	var s []string
	if c.hasLo {
		s = append(s, ">="+c.lo.String())
	}
	if c.hasHi {
		s = append(s, "<"+c.hi.String())
	}
	if c.hasLast {
		s = append(s, "<="+c.last.String())
	}
	if len(s) == 0 {
		return ">=0.0.0"
	}
	return strings.Join(s, " ")
}

// stepDown is the severity one step below s (info stays info).
func stepDown(s Severity) Severity {
	if s == SeverityInfo {
		return s
	}
	return s - 1
}

func cmpOr(a, b string) string {
	if a != "" {
		return a
	}
	return b
}

// checkProject reads a project without a lockfile: its declared ranges
// (a Found with Manifest set) and, with cfg.Installed, what is installed
// under its node_modules (also for a Found with NodeModules set).
func checkProject(cfg ScanConfig, j job, relPath string, projects *sync.Map, r *result) {
	projectDir := filepath.Join(j.root, filepath.FromSlash(j.found.Project))
	project := lockfiles.DirFS(projectDir)
	projectPath := joinPrefix(j.prefix, j.found.Project)
	if j.found.Manifest {
		decl, err := lockfiles.ReadDeclared(project)
		if err != nil {
			r.lockfile.Err = declaredError(err, projectPath)
		} else {
			var st DeclaredStats
			r.findings, st = cfg.Index.MatchDeclared(j.repo.Path, relPath, decl)
			r.lockfile.Declared = &st
		}
	}
	if !cfg.Installed {
		nm := j.found.NodeModules
		if !nm {
			st, err := os.Lstat(filepath.Join(projectDir, "node_modules"))
			nm = err == nil && st.IsDir()
		}
		if nm {
			// Never silent: what is installed there was not looked at.
			cfg.Log.Warn().Str("path", path.Join(projectPath, "node_modules")).
				Msg("node_modules without a lockfile beside it was not read: pass --installed to match what is installed")
		}
		if j.found.NodeModules {
			r.repo, r.lockfile.Repo = nil, "" // nothing was read: no repository to count
		}
		return
	}
	if cfg.Installed {
		if _, dup := projects.LoadOrStore(projectDir, struct{}{}); !dup {
			var pubs Publishers
			if cfg.Publishers != nil {
				pubs = cfg.Publishers(project, projectPath)
			}
			// With no lockfile, the installed packages are what publisher
			// data covers: they count toward the report's coverage.
			inst, errs := cfg.Index.matchInstalled(j.repo.Path, projectPath, project, nil, pubs, &r.stats)
			r.findings = append(r.findings, inst...)
			for _, e := range errs {
				r.extra = append(r.extra, LockfileResult{Path: errorPath(e, projectPath), Repo: j.repo.Path, Err: e})
			}
		}
	}
	for i := range r.findings {
		if r.findings[i].ID == "" {
			r.findings[i].ID = Fingerprint(&r.findings[i])
		}
	}
}

// declaredError names the manifest of an error of [lockfiles.ReadDeclared]
// by its path as reports show it.
func declaredError(err error, projectPath string) error {
	var pe *lockfiles.ParseError
	if errors.As(err, &pe) {
		return &lockfiles.ParseError{Path: path.Join(projectPath, pe.Path), Line: pe.Line, Err: pe.Err}
	}
	var fe *fs.PathError
	if errors.As(err, &fe) {
		return &lockfiles.ParseError{Path: path.Join(projectPath, fe.Path), Err: fmt.Errorf("%s: %w", fe.Op, fe.Err)}
	}
	return &lockfiles.ParseError{Path: path.Join(projectPath, "package.json"), Err: err}
}

// hasProject reports whether dir holds a package.json, a lockfile or a
// node_modules directory: outside git checkouts, the top-most such
// directory is a unit of the fleet (see [lockfiles.Found.Repo]).
func hasProject(dir string) bool {
	for _, n := range []string{"package.json", lockfiles.NamePackageLock, lockfiles.NameShrinkwrap,
		lockfiles.NameYarnLock, lockfiles.NamePnpmLock} {
		if st, err := os.Lstat(filepath.Join(dir, n)); err == nil && st.Mode().IsRegular() {
			return true
		}
	}
	st, err := os.Lstat(filepath.Join(dir, "node_modules"))
	return err == nil && st.IsDir()
}
