package gitlog

import (
	"context"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
)

// A FoundRepo is a repository found under a root by [FindRepos].
type FoundRepo struct {
	Path string // slash path relative to the root, "." for the root itself
	Bare bool   // a bare repository (no work tree)
}

// FindRepos returns the git repositories at and under root, in lexical
// path order: directories holding .git (a directory, or the file of
// worktrees and submodules), and bare repositories (a directory holding
// HEAD, objects/ and refs/). It walks as scan's discovery does: it never
// follows symbolic links, never descends into .git, node_modules or a bare
// repository, and skips directories skip names (a slash path relative to
// the root; skip may be nil). Repositories nested in a work tree (a
// submodule, a vendored checkout) are found too. Unreadable directories
// are returned as errors beside the repositories found; the walk goes on.
func FindRepos(ctx context.Context, root string, skip func(relDir string) bool) ([]FoundRepo, []error) {
	var repos []FoundRepo
	var errs []error
	var walk func(rel string)
	walk = func(rel string) {
		if ctx.Err() != nil {
			return
		}
		dir := filepath.Join(root, filepath.FromSlash(rel))
		entries, err := os.ReadDir(dir)
		if err != nil {
			errs = append(errs, err)
			return
		}
		if isBare(entries) {
			repos = append(repos, FoundRepo{Path: rel, Bare: true})
			return
		}
		if slices.ContainsFunc(entries, func(e fs.DirEntry) bool { return e.Name() == ".git" }) {
			repos = append(repos, FoundRepo{Path: rel})
		}
		for _, e := range entries {
			name := e.Name()
			if !e.IsDir() || e.Type()&fs.ModeSymlink != 0 || name == ".git" || name == "node_modules" {
				continue
			}
			p := name
			if rel != "." {
				p = rel + "/" + name
			}
			if skip != nil && skip(p) {
				continue
			}
			walk(p)
		}
	}
	st, err := os.Stat(root)
	if err != nil {
		return nil, []error{err}
	}
	if !st.IsDir() {
		return nil, []error{&fs.PathError{Op: "open", Path: root, Err: errors.New("not a directory")}}
	}
	walk(".")
	return repos, errs
}

// isBare reports whether a directory with these entries looks like a bare
// repository: HEAD, objects/ and refs/ at its top.
func isBare(entries []fs.DirEntry) bool {
	var head, objects, refs bool
	for _, e := range entries {
		switch e.Name() {
		case "HEAD":
			head = e.Type().IsRegular()
		case "objects":
			objects = e.IsDir()
		case "refs":
			refs = e.IsDir()
		}
	}
	return head && objects && refs
}
