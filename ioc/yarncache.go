package ioc

import (
	"archive/zip"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"path"
	"sort"
	"strings"

	"github.com/depsweep/depsweep/lockfiles"
	"github.com/depsweep/depsweep/lockfiles/installed"
)

// yarnCacheDir is where Yarn 2+ keeps a project's packages as zip archives
// (Plug'n'Play, or enableGlobalCache: false).
const yarnCacheDir = ".yarn/cache"

// maxYarnZip is the largest cache archive read, in bytes: each holds one
// package, so a larger one is reported, not read.
const maxYarnZip = 256 << 20

// matchYarnCache matches the packages in project's .yarn/cache zips as
// [Index.MatchInstalled] matches node_modules: each archive's
// node_modules/<name>/package.json as a package, its files for domain,
// e-mail and URL indicators. Files are named as Yarn's own virtual paths
// do (".yarn/cache/<zip>/node_modules/<name>/index.js"). A zip that cannot
// be read is an error naming it; the others are still read.
func (x *Index) matchYarnCache(repo string, project fs.FS, inv *lockfiles.Inventory, pubs Publishers, rel func(string) string, bufp *[]byte, stats *MatchStats) ([]Finding, []error) {
	ents, err := fs.ReadDir(project, yarnCacheDir)
	if err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			return nil, nil
		}
		return nil, []error{fmt.Errorf("%s: %v", rel(yarnCacheDir), lockfiles.WithoutPath(err))}
	}
	sort.Slice(ents, func(i, j int) bool { return ents[i].Name() < ents[j].Name() })
	_, byID := inventoryIndex(inv)
	var paths *lockfiles.Paths
	if inv != nil {
		paths = inv.Paths()
	}
	var out []Finding
	var errs []error
	var hits []hit
	for _, e := range ents {
		if !e.Type().IsRegular() || !strings.HasSuffix(e.Name(), ".zip") {
			continue
		}
		zipPath := path.Join(yarnCacheDir, e.Name())
		zr, closer, err := openZip(project, zipPath)
		if err != nil {
			errs = append(errs, fmt.Errorf("%s: %v", rel(zipPath), err))
			continue
		}
		manifests, _ := fs.Glob(zr, "node_modules/*/package.json")
		scoped, _ := fs.Glob(zr, "node_modules/@*/*/package.json")
		for _, manifest := range append(manifests, scoped...) {
			dir := path.Dir(manifest)
			file := rel(path.Join(zipPath, manifest))
			m, raw, err := installed.ReadManifest(zr, manifest, file)
			if err != nil {
				errs = append(errs, err)
				continue
			}
			if m.Name == "" || m.Version == "" {
				continue
			}
			p := lockfiles.Package{Name: m.Name, Version: m.Version, Paths: []string{path.Join(zipPath, dir)}}
			if strings.Contains(e.Name(), "-npm-") {
				// <name>-npm-<version>-<hash>-<checksum>.zip: Yarn fetched
				// it through the npm protocol, from a registry.
				p.Source = lockfiles.SourceRegistry
			}
			lookup := pubs
			if acct := m.Publisher(); acct != "" {
				lookup = manifestPublisher(acct)
			}
			depPath, direct := []string{p.ID()}, false
			if k, ok := byID[p.ID()]; ok && paths != nil {
				if dp, d := findingPath(inv, paths, k); dp != nil {
					depPath, direct = dp, d
				}
				lp := &inv.Packages[k]
				p.Dev, p.Optional, p.Peer = lp.Dev, lp.Optional, lp.Peer
			}
			if stats != nil && fromRegistry(&p) {
				stats.Packages++
			}
			hits = x.matchPackage(&p, lookup, stats, hits[:0])
			for k := range hits {
				out = append(out, newFinding(repo, file, 0, &p, &hits[k], depPath, direct))
			}
			if x.text == nil {
				continue
			}
			out = x.contentFindings(out, repo, file, raw, &p, depPath, direct)
			fs.WalkDir(zr, dir, func(f string, d fs.DirEntry, err error) error {
				if err != nil || d.IsDir() || f == manifest {
					return nil
				}
				b, binary, err := readText(zr, f, (*bufp)[:0])
				*bufp = b[:0]
				if err != nil {
					errs = append(errs, fmt.Errorf("%s: %v", rel(path.Join(zipPath, f)), err))
					return nil
				}
				if !binary {
					out = x.contentFindings(out, repo, rel(path.Join(zipPath, f)), b, &p, depPath, direct)
				}
				return nil
			})
		}
		closer.Close()
	}
	return out, errs
}

// openZip opens a zip archive of fsys for reading in place when the file
// allows random access (a real file), else reads it into memory.
func openZip(fsys fs.FS, name string) (*zip.Reader, io.Closer, error) {
	f, err := fsys.Open(name)
	if err != nil {
		return nil, nil, lockfiles.WithoutPath(err)
	}
	st, err := f.Stat()
	if err != nil {
		f.Close()
		return nil, nil, err
	}
	if st.Size() > maxYarnZip {
		f.Close()
		return nil, nil, fmt.Errorf("larger than %d MiB, not read", maxYarnZip>>20)
	}
	ra, ok := f.(io.ReaderAt)
	if !ok {
		f.Close()
		return nil, nil, errors.New("cannot be read in place")
	}
	zr, err := zip.NewReader(ra, st.Size())
	if err != nil {
		f.Close()
		return nil, nil, err
	}
	return zr, f, nil
}
