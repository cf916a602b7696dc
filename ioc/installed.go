package ioc

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"path"
	"sync"

	"github.com/depsweep/depsweep/lockfiles"
	"github.com/depsweep/depsweep/lockfiles/installed"
)

// Limits of installed-file scanning.
const (
	// maxScanBytes is how much of one installed file is searched, in bytes;
	// the rest of a larger file is not read.
	maxScanBytes = 16 << 20
	// sniffBytes is how much of a file is checked for a NUL byte to tell a
	// binary file (skipped) from text (as git does).
	sniffBytes = 8000
)

var scanBufs = sync.Pool{New: func() any { b := make([]byte, 0, 64<<10); return &b }}

// MatchInstalled scans the packages installed under project's node_modules
// (project is the project directory; projectPath is its slash path relative
// to the scan root, used to name files in findings and errors). Each
// installed package.json is matched as a package, from its name, version
// and, where npm wrote them, _resolved, _integrity and _npmUser; the
// package's files (its nested node_modules excepted, they are packages of
// their own) are searched for domain, e-mail and URL indicators. Files over
// 16 MiB are searched in their first 16 MiB only; binary files are skipped;
// symlinks are not followed.
//
// inv, the project's parsed lockfile, may be nil; when it lists the
// installed package, findings carry its dependency path. Findings name the
// installed file in Lockfile, and the line of the first match in Line.
// Unreadable directories and files and malformed manifests are returned
// as errors; the scan goes on. Safe for concurrent use.
func (x *Index) MatchInstalled(repo, projectPath string, project fs.FS, inv *lockfiles.Inventory) ([]Finding, []error) {
	return x.MatchInstalledWith(repo, projectPath, project, inv, nil)
}

// MatchInstalledWith is [Index.MatchInstalled] with publisher data: an
// installed package whose manifest does not name its publisher (npm does
// not copy _npmUser into node_modules) is looked up in pubs, as the
// lockfile's packages are, so that a publisher indicator hits the
// installed copy too. pubs may be nil.
func (x *Index) MatchInstalledWith(repo, projectPath string, project fs.FS, inv *lockfiles.Inventory, pubs Publishers) ([]Finding, []error) {
	return x.matchInstalled(repo, projectPath, project, inv, pubs, nil)
}

// matchInstalled is [Index.MatchInstalledWith] that also counts, in stats
// (when not nil), the installed packages that publisher data could cover.
func (x *Index) matchInstalled(repo, projectPath string, project fs.FS, inv *lockfiles.Inventory, pubs Publishers, stats *MatchStats) ([]Finding, []error) {
	if project == nil {
		return nil, nil
	}
	var errs []error
	rel := func(p string) string {
		if projectPath == "" || projectPath == "." {
			return p
		}
		return path.Join(projectPath, p)
	}
	addErr := func(err error) {
		var pe *fs.PathError
		if errors.As(err, &pe) {
			err = fmt.Errorf("%s: %v", rel(pe.Path), pe.Err)
		}
		errs = append(errs, err)
	}
	byPath, byID := inventoryIndex(inv)
	var paths *lockfiles.Paths
	if inv != nil {
		paths = inv.Paths()
	}
	bufp := scanBufs.Get().(*[]byte)
	defer scanBufs.Put(bufp)

	var out []Finding
	var hits []hit
	for dir := range installed.Walk(project, "node_modules", addErr) {
		manifest := path.Join(dir, "package.json")
		m, raw, err := installed.ReadManifest(project, manifest, rel(manifest))
		if errors.Is(err, fs.ErrNotExist) {
			continue // not a package (an empty or half-removed directory)
		}
		if err != nil {
			errs = append(errs, err)
			continue
		}
		if m.Name == "" || m.Version == "" {
			continue // a package.json that is not an installed package's (a fixture, a template)
		}
		p := lockfiles.Package{
			Name:      m.Name,
			Version:   m.Version,
			Source:    lockfiles.ResolvedSource(m.Resolved),
			Resolved:  m.Resolved,
			Integrity: m.Integrity,
			Paths:     []string{dir},
		}
		if n := installed.Name(dir); n != m.Name {
			p.Alias = n
		}
		ppubs := pubs // the project's publisher data, unless the manifest names its publisher
		if acct := m.Publisher(); acct != "" {
			ppubs = manifestPublisher(acct)
		}
		var depPath []string
		direct := false
		if inv != nil {
			k, ok := byPath[dir]
			if !ok {
				k, ok = byID[p.ID()]
			}
			if ok {
				depPath, direct = findingPath(inv, paths, k)
				lp := &inv.Packages[k]
				if p.Source == lockfiles.SourceUnknown {
					p.Source = lp.Source
				}
				p.Dev, p.Optional, p.Peer, p.Bundled = lp.Dev, lp.Optional, lp.Peer, lp.Bundled
			}
		}
		if depPath == nil {
			depPath = []string{p.ID()}
		}
		file := rel(manifest)
		if stats != nil && fromRegistry(&p) {
			stats.Packages++
		}
		hits = x.matchPackage(&p, ppubs, stats, hits[:0])
		for k := range hits {
			out = append(out, newFinding(repo, file, 0, &p, &hits[k], depPath, direct))
		}
		if x.text == nil {
			continue
		}
		// The manifest itself (install scripts live there) and every other file.
		out = x.contentFindings(out, repo, file, raw, &p, depPath, direct)
		err = fs.WalkDir(project, dir, func(f string, d fs.DirEntry, err error) error {
			if err != nil {
				addErr(err)
				return nil
			}
			if d.IsDir() {
				if f != dir && d.Name() == "node_modules" {
					return fs.SkipDir
				}
				return nil
			}
			if !d.Type().IsRegular() || f == manifest {
				return nil
			}
			b, binary, err := readText(project, f, (*bufp)[:0])
			*bufp = b[:0]
			if err != nil {
				addErr(err)
				return nil
			}
			if binary {
				return nil
			}
			out = x.contentFindings(out, repo, rel(f), b, &p, depPath, direct)
			return nil
		})
		if err != nil {
			addErr(err)
		}
	}
	yc, yerrs := x.matchYarnCache(repo, project, inv, pubs, rel, bufp, stats)
	out, errs = append(out, yc...), append(errs, yerrs...)
	return sortFindings(out), errs
}

// readText reads up to maxScanBytes of a file into buf, unless its first
// sniffBytes hold a NUL byte: then it is binary, and the rest is not read.
func readText(fsys fs.FS, name string, buf []byte) (b []byte, binary bool, err error) {
	f, err := fsys.Open(name)
	if err != nil {
		return buf, false, err
	}
	defer f.Close()
	w := bytes.NewBuffer(buf)
	if _, err := w.ReadFrom(io.LimitReader(f, sniffBytes)); err != nil {
		return w.Bytes(), false, &fs.PathError{Op: "read", Path: name, Err: err}
	}
	if bytes.IndexByte(w.Bytes(), 0) >= 0 {
		return w.Bytes(), true, nil
	}
	if _, err := w.ReadFrom(io.LimitReader(f, maxScanBytes-sniffBytes)); err != nil {
		return w.Bytes(), false, &fs.PathError{Op: "read", Path: name, Err: err}
	}
	return w.Bytes(), false, nil
}

// contentFindings appends a finding per indicator found in the content b
// of an installed file (the first occurrence gives the line).
func (x *Index) contentFindings(out []Finding, repo, file string, b []byte, p *lockfiles.Package, depPath []string, direct bool) []Finding {
	var hits []hit
	seen := map[*Indicator]bool{}
	scanText(x.text, b, func(pat *textPattern, start, end int) {
		for _, ind := range pat.inds {
			if seen[ind] {
				continue
			}
			seen[ind] = true
			line := 1 + bytes.Count(b[:start], []byte{'\n'})
			h := hit{ind: ind, line: line}
			switch pat.kind {
			case KindDomain:
				h.host = pat.text
				h.evidence = fmt.Sprintf("%s:%d mentions the domain %s (or a subdomain)", file, line, pat.text)
			case KindEmail:
				h.evidence = fmt.Sprintf("%s:%d mentions the address %s", file, line, pat.text)
			default:
				h.evidence = fmt.Sprintf("%s:%d mentions the URL %s", file, line, ind.Value)
			}
			hits = append(hits, h)
		}
	})
	if len(hits) == 0 {
		return out
	}
	hits = foldUnderDomains(hits, 0)
	for k := range hits {
		out = append(out, newFinding(repo, file, 0, p, &hits[k], depPath, direct))
	}
	return out
}

// inventoryIndex maps install paths and name@version to package indexes.
func inventoryIndex(inv *lockfiles.Inventory) (byPath, byID map[string]int) {
	byPath, byID = map[string]int{}, map[string]int{}
	if inv == nil {
		return
	}
	for i := range inv.Packages {
		p := &inv.Packages[i]
		for _, ip := range p.Paths {
			if _, ok := byPath[ip]; !ok {
				byPath[ip] = i
			}
		}
		if _, ok := byID[p.ID()]; !ok {
			byID[p.ID()] = i
		}
	}
	return byPath, byID
}

// manifestPublisher is the publisher an installed manifest names for itself.
type manifestPublisher string

func (m manifestPublisher) Publisher(string, string) (string, string, bool) {
	return string(m), "installed package.json", true
}

func (manifestPublisher) Prefetch([]lockfiles.Package) {}
