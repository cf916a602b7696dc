package history

import (
	"context"

	"github.com/depsweep/depsweep/lockfiles/gitlog"
)

// maxMergeDepth bounds how many merges deep the introduction of a finding
// is followed (a branch merged into a branch merged into main is two).
const maxMergeDepth = 8

// introductions sets Span.Introduced for each span that starts at a merge
// commit: the commit on the merged side (its own first-parent chain, the
// commits the merge brought in) that first held the finding. The merged
// branch may be deleted since: the merge commit still names it.
func (w *walker) introductions(ctx context.Context) error {
	cache := map[string]map[string]gitlog.Commit{} // merge commit → finding key → introduction
	for i := range w.res.Exposures {
		e := &w.res.Exposures[i]
		for k := range e.Spans {
			sp := &e.Spans[k]
			if len(sp.From.Parents) < 2 || (k == 0 && e.Before != "") {
				continue
			}
			key := contKey(e.Finding.Lockfile, &e.Finding)
			c, ok, err := w.introducedIn(ctx, sp.From, key, cache, 0)
			if err != nil {
				if ctx.Err() != nil {
					return ctx.Err()
				}
				// The merged side cannot be read (a shallow or partial
				// clone): the finding stays first seen at the merge.
				continue
			}
			if ok {
				sp.Introduced = &c
			}
		}
	}
	return nil
}

// introducedIn returns the commit that brought the finding key into merge's
// merged side, following merges on that side down to maxMergeDepth.
func (w *walker) introducedIn(ctx context.Context, merge gitlog.Commit, key string, cache map[string]map[string]gitlog.Commit, depth int) (gitlog.Commit, bool, error) {
	intro, ok := cache[merge.Hash]
	if !ok {
		intro = map[string]gitlog.Commit{}
		cache[merge.Hash] = intro
		for _, side := range merge.Parents[1:] {
			lg, err := w.g.Log(ctx, gitlog.Ref{Name: side, Hash: side}, gitlog.WalkOptions{Not: merge.Parents[0]})
			if err != nil {
				return gitlog.Commit{}, false, err
			}
			var files []gitlog.File
			for _, s := range lg.Steps {
				files = append(files, s.Files...)
			}
			n, err := w.match(ctx, files)
			if err != nil {
				return gitlog.Commit{}, false, err
			}
			w.res.Stats.Parsed += n
			for _, x := range replay(lg, w.matched, w.failed) {
				if x.Before != "" {
					continue // held where the side forked: not brought in by it
				}
				first := x.Spans[0].From
				xkey := contKey(x.Finding.Lockfile, &x.Finding)
				if len(first.Parents) > 1 && depth < maxMergeDepth {
					if c, ok, err := w.introducedIn(ctx, first, xkey, cache, depth+1); err != nil {
						return gitlog.Commit{}, false, err
					} else if ok {
						first = c
					}
				}
				if old, dup := intro[xkey]; !dup || first.Date.Before(old.Date) {
					intro[xkey] = first
				}
			}
		}
	}
	c, ok := intro[key]
	return c, ok, nil
}
