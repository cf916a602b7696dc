package history

import (
	"context"

	"github.com/depsweep/depsweep/lockfiles/gitlog"
)

// selectRefs returns the refs to walk: those opts.Refs names, or every
// branch (local, then remote-tracking) and, unless opts.NoTags, every tag.
func selectRefs(ctx context.Context, g *gitlog.Repo, opts Options) ([]gitlog.Ref, error) {
	if len(opts.Refs) > 0 {
		refs := make([]gitlog.Ref, 0, len(opts.Refs))
		for _, name := range opts.Refs {
			ref, err := g.Resolve(ctx, name)
			if err != nil {
				return nil, err
			}
			refs = append(refs, ref)
		}
		return refs, nil
	}
	refs, err := g.Branches(ctx)
	if err != nil {
		return nil, err
	}
	if !opts.NoTags {
		tags, err := g.Tags(ctx)
		if err != nil {
			return nil, err
		}
		refs = append(refs, tags...)
	}
	return refs, nil
}

// walkRefs reads the lockfile history of each ref and records the refs in
// w.res.Branches. Refs at a commit already walked are only named (Also),
// unless they were named explicitly. A ref whose commit lies on the
// first-parent chain of a ref already walked (a release tag on main, a
// branch merged by fast-forward) is not walked again: its history is the
// beginning of that one's, cut at its commit.
func (w *walker) walkRefs(ctx context.Context, refs []gitlog.Ref) ([]*gitlog.Log, error) {
	byTip := map[string]int{} // tip → index into res.Branches
	var logs []*gitlog.Log
	type chain struct {
		lg  *gitlog.Log
		pos map[string]int // commit → distance from lg's tip along the first-parent chain
	}
	var chains []*chain // of the refs walked by git log, built when first needed
	built := false
	addChain := func(lg *gitlog.Log) error {
		fp, err := w.g.FirstParents(ctx, lg.Tip.Hash)
		if err != nil {
			return err
		}
		c := &chain{lg: lg, pos: make(map[string]int, len(fp))}
		for k, h := range fp {
			c.pos[h] = k
		}
		chains = append(chains, c)
		return nil
	}
	type derived struct {
		i   int // index into logs
		c   *chain
		ref gitlog.Ref
	}
	var later []derived
	for _, ref := range refs {
		if i, dup := byTip[ref.Hash]; dup && len(w.opts.Refs) == 0 {
			w.res.Branches[i].Also = append(w.res.Branches[i].Also, ref.Name)
			continue
		}
		byTip[ref.Hash] = len(w.res.Branches)
		if w.opts.Since.IsZero() && len(logs) > 0 {
			if !built {
				built = true
				for _, lg := range logs {
					if err := addChain(lg); err != nil {
						return nil, err
					}
				}
			}
			var on *chain
			for _, c := range chains {
				if _, ok := c.pos[ref.Hash]; ok {
					on = c
					break
				}
			}
			if on != nil {
				later = append(later, derived{len(logs), on, ref})
				logs = append(logs, nil)
				w.res.Branches = append(w.res.Branches, Branch{Name: ref.Name, Tag: ref.Tag})
				continue
			}
		}
		lg, err := w.g.Log(ctx, ref, gitlog.WalkOptions{Since: w.opts.Since})
		if err != nil {
			return nil, err
		}
		if built {
			if err := addChain(lg); err != nil {
				return nil, err
			}
		}
		logs = append(logs, lg)
		w.res.Branches = append(w.res.Branches, Branch{Name: ref.Name, Tag: ref.Tag, Tip: lg.Tip, Steps: len(lg.Steps), Cut: lg.Cut, Start: lg.Start})
	}
	if len(later) == 0 {
		return logs, nil
	}
	tips := make([]string, 0, len(later))
	for _, d := range later {
		tips = append(tips, d.ref.Hash)
	}
	commits, err := w.g.Commits(ctx, tips)
	if err != nil {
		return nil, err
	}
	for _, d := range later {
		at := d.c.pos[d.ref.Hash]
		base := d.c.lg
		lg := &gitlog.Log{Ref: d.ref, Tip: commits[d.ref.Hash], Start: base.Start, Cut: base.Cut}
		for _, s := range base.Steps {
			if p, ok := d.c.pos[s.Commit.Hash]; ok && p >= at {
				lg.Steps = append(lg.Steps, s)
			}
		}
		logs[d.i] = lg
		b := &w.res.Branches[d.i]
		b.Tip, b.Steps, b.Cut, b.Start = lg.Tip, len(lg.Steps), lg.Cut, lg.Start
	}
	return logs, nil
}
