package main

// 'depsweep history' over a fleet: repository discovery under the roots,
// --shard, walks side by side, and the inconclusive warning.

import (
	"context"
	"path"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"github.com/rs/zerolog"

	"github.com/depsweep/depsweep/ioc"
	"github.com/depsweep/depsweep/ioc/history"
	"github.com/depsweep/depsweep/ioc/report"
	"github.com/depsweep/depsweep/lockfiles/gitlog"
)

// A historyDirError is a directory under a root that could not be read
// while looking for repositories.
type historyDirError struct {
	path string // slash path as the report shows it
	err  error
}

// A historyTarget is one repository to walk.
type historyTarget struct {
	dir string // OS path
	rel string // slash path as the report shows it
}

// findHistoryRepos returns the repositories to walk under roots, in order,
// keeping those of shard s: each root that is a repository, else the
// repositories found below it (see [gitlog.FindRepos]); a root with none
// below it is walked as given, so that a directory inside a work tree
// works and one outside any repository gets git's own error. Report paths
// are those of scan: relative to the root, prefixed with the root when
// there are several. Directories that could not be read are errors.
func findHistoryRepos(ctx context.Context, roots []string, s ioc.Shard) ([]historyTarget, []historyDirError) {
	var out []historyTarget
	var errs []historyDirError
	seen := map[string]bool{}
	for _, root := range roots {
		prefix := ""
		if len(roots) > 1 {
			prefix = filepath.ToSlash(filepath.Clean(root))
		}
		join := func(rel string) string {
			switch {
			case prefix == "":
				return rel
			case rel == ".":
				return prefix
			}
			return path.Join(prefix, rel)
		}
		found, ferrs := gitlog.FindRepos(ctx, root, nil)
		for _, err := range ferrs {
			errs = append(errs, historyDirError{path: join("."), err: err})
		}
		if len(found) == 0 {
			found = []gitlog.FoundRepo{{Path: "."}}
		}
		for _, f := range found {
			rel := join(f.Path)
			if seen[rel] || !s.Has(rel) {
				continue
			}
			seen[rel] = true
			out = append(out, historyTarget{dir: filepath.Join(root, filepath.FromSlash(f.Path)), rel: rel})
		}
	}
	return out, errs
}

// A historyResult is one repository's walk.
type historyResult struct {
	res  *history.Result
	err  error
	took time.Duration
}

// walkHistories walks the targets, workers at a time, and returns their
// results by index. A target not walked because ctx was cancelled has
// neither a result nor an error.
func walkHistories(ctx context.Context, targets []historyTarget, m history.Matcher, opts history.Options, workers int) []historyResult {
	out := make([]historyResult, len(targets))
	next := make(chan int)
	var wg sync.WaitGroup
	for range workers {
		wg.Go(func() {
			for i := range next {
				start := time.Now()
				res, err := history.Scan(ctx, targets[i].dir, targets[i].rel, m, opts)
				out[i] = historyResult{res: res, err: err, took: time.Since(start)}
			}
		})
	}
	for i := range targets {
		if ctx.Err() != nil {
			break
		}
		next <- i
	}
	close(next)
	wg.Wait()
	return out
}

// warnInconclusive warns on standard error about the refs whose walk
// cannot rule a finding out, with the git command that fetches what the
// walk needs.
func warnInconclusive(log zerolog.Logger, repo string, res *history.Result) {
	var refs []string
	var since time.Time
	for i := range res.Branches {
		b := &res.Branches[i]
		if len(b.Inconclusive) == 0 {
			continue
		}
		refs = append(refs, b.Name)
		if !b.FetchSince.IsZero() && (since.IsZero() || b.FetchSince.Before(since)) {
			since = b.FetchSince
		}
	}
	if len(refs) == 0 {
		return
	}
	log.Warn().Str("repo", repo).Str("refs", strings.Join(refs, ",")).Str("hint", hintUnshallow(since)).Msg(logHistoryInconclusive)
}

// historyInconclusive reports whether a repository of rep has a history
// that cannot rule a finding out.
func historyInconclusive(rep *report.Report) bool {
	for _, r := range rep.Repos {
		if r.History != nil && r.History.Status == history.StatusInconclusive {
			return true
		}
	}
	return false
}
