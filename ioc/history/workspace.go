package history

import (
	"cmp"
	"context"
	"path"
	"slices"
	"strings"
	"testing/fstest"

	"github.com/depsweep/depsweep/ioc"
	"github.com/depsweep/depsweep/lockfiles"
	"github.com/depsweep/depsweep/lockfiles/gitlog"
)

// maxManifests caps the package.json files read for one lockfile's project
// (a monorepo's workspaces); beyond it the workspace names are not read.
const maxManifests = 2000

// workspaces gives each finding the dependency path scan gives it: the
// lockfile where it was first seen is parsed again with the package.json
// files of its project at that commit (blobs have no directory to read
// them from), so a finding in a workspace names the workspace
// ("@fx/api@1.0.0") rather than ".". When the project has no package.json
// at that commit, or the re-read fails, the finding keeps what the
// lockfile alone says.
func (w *walker) workspaces(ctx context.Context) error {
	type at struct{ commit, path string }
	groups := map[at][]int{}
	var order []at
	for i := range w.res.Exposures {
		e := &w.res.Exposures[i]
		k := at{e.Spans[0].From.Hash, stripRepo(w.repo, e.Finding.Lockfile)}
		if _, ok := groups[k]; !ok {
			order = append(order, k)
		}
		groups[k] = append(groups[k], i)
	}
	slices.SortFunc(order, func(a, b at) int { return cmp.Or(strings.Compare(a.commit, b.commit), strings.Compare(a.path, b.path)) })
	trees := map[string][]gitlog.File{}
	for _, k := range order {
		files, ok := trees[k.commit]
		if !ok {
			var err error
			if files, err = w.g.Tree(ctx, k.commit); err != nil {
				return err
			}
			trees[k.commit] = files
		}
		i := slices.IndexFunc(files, func(f gitlog.File) bool { return f.Path == k.path })
		if i < 0 {
			continue
		}
		lock := files[i]
		dir := path.Dir(k.path)
		if path.Base(k.path) == lockfiles.NameHiddenLock {
			dir = path.Dir(dir) // node_modules/.package-lock.json: the project is above node_modules
		}
		mans, err := w.g.Manifests(ctx, k.commit, dir)
		if err != nil {
			return err
		}
		if len(mans) == 0 || len(mans) > maxManifests {
			continue
		}
		// Why fstest.MapFS: it is the standard library's in-memory fs.FS,
		// with the directories between files made up, which is what the
		// parsers' workspace globs walk.
		project := fstest.MapFS{}
		blobs := []string{lock.Blob}
		names := map[string][]string{}
		for _, m := range mans {
			rel := m.Path
			if dir != "." {
				rel = strings.TrimPrefix(m.Path, dir+"/")
			}
			if _, ok := names[m.Blob]; !ok && m.Blob != lock.Blob {
				blobs = append(blobs, m.Blob)
			}
			names[m.Blob] = append(names[m.Blob], rel)
		}
		var data []byte
		err = w.g.ReadBlobs(ctx, blobs, func(blob string, b []byte, err error) error {
			if err != nil {
				return nil // a missing manifest: the parse goes without it
			}
			if blob == lock.Blob && data == nil {
				data = append([]byte(nil), b...)
			}
			for _, n := range names[blob] {
				project[n] = &fstest.MapFile{Data: append([]byte(nil), b...), Mode: 0o644}
			}
			return nil
		})
		if err != nil {
			return err
		}
		if data == nil {
			continue
		}
		inv, err := lockfiles.Parse(lockfiles.Input{Path: joinPath(w.repo, k.path), Data: data, Project: project})
		if err != nil {
			continue
		}
		// Matched again, not counted again: coverage and the lockfile list
		// are counted in [walker.match] only.
		fs, _ := w.m.MatchInventory(w.repo, inv, w.opts.Publishers)
		byKey := make(map[string]*ioc.Finding, len(fs))
		for j := range fs {
			byKey[contKey(fs[j].Lockfile, &fs[j])] = &fs[j]
		}
		for _, i := range groups[k] {
			e := &w.res.Exposures[i]
			if f := byKey[contKey(e.Finding.Lockfile, &e.Finding)]; f != nil {
				e.Finding.Path, e.Finding.Direct = f.Path, f.Direct
			}
		}
	}
	return nil
}

// stripRepo returns p (a path relative to the scan root) relative to the
// repository repo.
func stripRepo(repo, p string) string {
	if repo == "" || repo == "." {
		return p
	}
	return strings.TrimPrefix(p, strings.TrimSuffix(repo, "/")+"/")
}
