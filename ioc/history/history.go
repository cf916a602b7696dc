// Package history answers "were we affected, and when?": it walks the git
// history of every lockfile of a repository, branch by branch, matches each
// distinct lockfile blob once, and reports for each finding the commit where
// it first appeared on the branch and the one where it went away (or that it
// is still present), with the exposure window to audit: that period
// intersected with the advisory's own window.
//
// History is read through package [gitlog] (the git binary); a shallow
// clone's boundary, or the start of a --since walk, is reported as such
// instead of a false "first seen".
package history

import (
	"cmp"
	"context"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/depsweep/depsweep/ioc"
	"github.com/depsweep/depsweep/lockfiles"
	"github.com/depsweep/depsweep/lockfiles/gitlog"
)

// A Matcher matches the packages of one lockfile. *ioc.Index is the one
// depsweep uses; MatchInventory must be safe for concurrent use.
type Matcher interface {
	MatchInventory(repo string, inv *lockfiles.Inventory, pubs ioc.Publishers) ([]ioc.Finding, ioc.MatchStats)
}

// Options tune [Scan].
type Options struct {
	// Refs names the branches (or other refs) to walk; empty means every
	// local and remote-tracking branch, where branches pointing at the same
	// commit are walked once, under the first name (local before remote).
	Refs []string
	// Since limits the walk to commits after it; what the branch held just
	// before it is reported as present "since" that point. Zero: whole history.
	Since time.Time
	// Publishers supplies publisher data to the matcher; nil for none.
	Publishers ioc.Publishers
	// Jobs is the number of parsing goroutines; 0 means GOMAXPROCS.
	Jobs int
}

// A Span is one uninterrupted period during which a finding was present on
// a branch.
type Span struct {
	From gitlog.Commit  // the commit that brought it in (or the start of the walked history, see Exposure.Before)
	Last gitlog.Commit  // the last commit that still held it (the branch tip when still present)
	To   *gitlog.Commit // the commit that removed it; nil when still present at the tip
}

// An Exposure is one finding's presence on one branch over time.
type Exposure struct {
	// Finding is the finding as matched in the lockfile where it first
	// appeared (its ID is stable across commits: same lockfile path,
	// package, version and indicator).
	Finding ioc.Finding
	Branch  string // short branch name ("main", "origin/release")
	// FirstSeen is the commit where the finding first appeared on the branch.
	FirstSeen gitlog.Commit
	// Before is set when the finding was already present at the start of
	// the walked history, so FirstSeen is not where it appeared: "shallow"
	// (FirstSeen is the shallow clone's boundary) or "since" (FirstSeen is
	// the last commit before Options.Since). "" when FirstSeen is exact.
	Before string
	// LastSeen is the last commit that held it: the branch tip when it is
	// still present.
	LastSeen gitlog.Commit
	// RemovedIn is the commit that last removed it; nil when still present.
	RemovedIn *gitlog.Commit
	// Spans lists every period of presence, oldest first (a package can be
	// removed and come back); FirstSeen, LastSeen and RemovedIn summarise them.
	Spans []Span
	// Present is when the branch held the finding: from FirstSeen's commit
	// date (zero From when Before is set: the start is unknown) to
	// RemovedIn's (zero To: still present).
	Present ioc.Window
	// Window is the exposure to audit: Present intersected with the
	// advisory's Exposure window (Present alone when the advisory has none).
	// Zero when they do not overlap; see Overlaps.
	Window ioc.Window
	// Overlaps reports whether Present and the advisory's window overlap
	// (always true when the advisory has no window).
	Overlaps bool
}

// StillPresent reports whether the branch tip still holds the finding.
func (e *Exposure) StillPresent() bool { return e.RemovedIn == nil }

// A Branch is one branch walked.
type Branch struct {
	Name  string
	Also  []string // other branches pointing at the same commit, not walked again
	Tip   gitlog.Commit
	Steps int // commits that changed a lockfile (plus the starting point of a cut history)
	// Cut says why the history is incomplete ("shallow", "since"), "" when complete;
	// Start is then the commit the walk started from.
	Cut   string
	Start *gitlog.Commit
}

// A FileError is a lockfile version that could not be read or parsed. Its
// findings are taken to be those of the same path at the commit before.
type FileError struct {
	Path   string // lockfile path relative to the scan root
	Blob   string // object id of the content
	Commit string // first commit (on the first branch walked) that holds it
	Err    error
}

func (e *FileError) Error() string { return e.Err.Error() + " (in commit " + short(e.Commit) + ")" }
func (e *FileError) Unwrap() error { return e.Err }

// Stats count the work done.
type Stats struct {
	Branches int
	Steps    int // lockfile-changing commits, over all branches
	Files    int // distinct lockfile versions (path and blob)
	Parsed   int // lockfiles parsed: one per distinct blob and lockfile name
}

// A Lockfile is one lockfile path the history held, over every version read.
type Lockfile struct {
	Path     string   // relative to the scan root
	Formats  []string // the formats its versions had, sorted
	Packages int      // distinct name@version over every version that parsed
}

// A Result is the history of one repository.
type Result struct {
	Repo      string // the repository's path as given to Scan
	Bare      bool
	Shallow   bool
	Branches  []Branch   // in walk order: local branches, then remote ones, each by name
	Exposures []Exposure // sorted by branch, first-seen date, lockfile, package, finding ID
	Errors    []FileError
	// Lockfiles lists every lockfile path whose versions were read and
	// parsed, sorted by path: what was checked, findings or not.
	Lockfiles []Lockfile
	// Match sums the publisher coverage of every lockfile version matched.
	Match ioc.MatchStats
	Stats Stats
}

// Scan walks the history of the repository in dir. repo is its path
// relative to the scan root, used in findings and lockfile paths ("." for
// the scan root itself). Errors reading git (not a repository, a ref that
// does not exist) fail the scan; lockfiles that do not parse are listed in
// Result.Errors and the scan goes on.
func Scan(ctx context.Context, dir, repo string, m Matcher, opts Options) (*Result, error) {
	if repo == "" {
		repo = "."
	}
	g, err := gitlog.Open(ctx, dir)
	if err != nil {
		return nil, err
	}
	var refs []gitlog.Ref
	if len(opts.Refs) == 0 {
		if refs, err = g.Branches(ctx); err != nil {
			return nil, err
		}
	} else {
		for _, name := range opts.Refs {
			ref, err := g.Resolve(ctx, name)
			if err != nil {
				return nil, err
			}
			refs = append(refs, ref)
		}
	}
	res := &Result{Repo: repo, Bare: g.Bare(), Shallow: g.Shallow()}
	byTip := map[string]int{} // tip → index into res.Branches
	logs := make([]*gitlog.Log, 0, len(refs))
	var files []gitlog.File
	seen := map[gitlog.File]bool{}
	firstCommit := map[gitlog.File]string{}
	for _, ref := range refs {
		if i, dup := byTip[ref.Hash]; dup && len(opts.Refs) == 0 {
			res.Branches[i].Also = append(res.Branches[i].Also, ref.Name)
			continue
		}
		byTip[ref.Hash] = len(res.Branches)
		lg, err := g.Log(ctx, ref, gitlog.WalkOptions{Since: opts.Since})
		if err != nil {
			return nil, err
		}
		logs = append(logs, lg)
		res.Branches = append(res.Branches, Branch{Name: ref.Name, Tip: lg.Tip, Steps: len(lg.Steps), Cut: lg.Cut, Start: lg.Start})
		res.Stats.Steps += len(lg.Steps)
		for _, s := range lg.Steps {
			for _, f := range s.Files {
				if !seen[f] {
					seen[f] = true
					files = append(files, f)
					firstCommit[f] = s.Commit.Hash
				}
			}
		}
	}
	res.Stats.Branches = len(res.Branches)
	res.Stats.Files = len(files)

	// Match every distinct lockfile version once.
	var mu sync.Mutex
	matched := make(map[gitlog.File][]ioc.Finding, len(files))
	failed := map[gitlog.File]error{}
	read := map[string]*lockfileRead{} // by inventory path
	res.Stats.Parsed, err = g.Parse(ctx, files, gitlog.ParseOptions{Jobs: opts.Jobs, Prefix: repo}, func(f gitlog.File, inv *lockfiles.Inventory, err error) {
		var fs []ioc.Finding
		var st ioc.MatchStats
		if err == nil {
			fs, st = m.MatchInventory(repo, inv, opts.Publishers)
		}
		mu.Lock()
		defer mu.Unlock()
		if err != nil {
			failed[f] = err
			return
		}
		matched[f] = fs
		res.Match.Packages += st.Packages
		res.Match.PublisherKnown += st.PublisherKnown
		read[inv.Path] = read[inv.Path].add(inv)
	})
	if err != nil {
		return nil, err
	}
	res.Lockfiles = lockfilesRead(read)
	for f, err := range failed {
		res.Errors = append(res.Errors, FileError{Path: joinPath(repo, f.Path), Blob: f.Blob, Commit: firstCommit[f], Err: err})
	}
	slices.SortFunc(res.Errors, func(a, b FileError) int {
		return cmp.Or(strings.Compare(a.Path, b.Path), strings.Compare(a.Commit, b.Commit), strings.Compare(a.Blob, b.Blob))
	})

	// Replay each branch, then fill in the commits before each removal.
	for _, lg := range logs {
		res.Exposures = append(res.Exposures, replay(lg, matched, failed)...)
	}
	var need []string
	needSeen := map[string]bool{}
	for i := range res.Exposures {
		for _, s := range res.Exposures[i].Spans {
			if s.To != nil && s.Last.Hash == "" && s.To.Parent != "" && !needSeen[s.To.Parent] {
				needSeen[s.To.Parent] = true
				need = append(need, s.To.Parent)
			}
		}
	}
	parents, err := g.Commits(ctx, need)
	if err != nil {
		return nil, err
	}
	for i := range res.Exposures {
		e := &res.Exposures[i]
		for k := range e.Spans {
			if s := &e.Spans[k]; s.To != nil && s.Last.Hash == "" {
				s.Last = parents[s.To.Parent]
			}
		}
		finish(e)
	}
	slices.SortFunc(res.Exposures, func(a, b Exposure) int {
		return cmp.Or(strings.Compare(a.Branch, b.Branch), a.FirstSeen.Date.Compare(b.FirstSeen.Date),
			strings.Compare(a.Finding.Lockfile, b.Finding.Lockfile), strings.Compare(a.Finding.Package.Name, b.Finding.Package.Name),
			strings.Compare(a.Finding.ID, b.Finding.ID))
	})
	return res, nil
}

// replay walks one branch's steps and returns its exposures with spans set
// (Span.Last is left empty for closed spans: the caller resolves it).
func replay(lg *gitlog.Log, matched map[gitlog.File][]ioc.Finding, failed map[gitlog.File]error) []Exposure {
	type open struct {
		exp  *Exposure
		span Span
	}
	var order []*Exposure
	byID := map[string]*Exposure{}
	current := map[string]*open{}
	prevByPath := map[string][]ioc.Finding{}
	for i, s := range lg.Steps {
		present := map[string]*ioc.Finding{}
		byPath := make(map[string][]ioc.Finding, len(s.Files))
		for _, f := range s.Files {
			fs := matched[f]
			if _, bad := failed[f]; bad {
				// Unknown content: assume what the path held before.
				fs = prevByPath[f.Path]
			}
			byPath[f.Path] = fs
			for k := range fs {
				if _, dup := present[fs[k].ID]; !dup {
					present[fs[k].ID] = &fs[k]
				}
			}
		}
		prevByPath = byPath
		for id, o := range current {
			if present[id] == nil {
				c := s.Commit
				o.span.To = &c
				o.exp.Spans = append(o.exp.Spans, o.span)
				delete(current, id)
			}
		}
		ids := make([]string, 0, len(present))
		for id := range present {
			ids = append(ids, id)
		}
		slices.Sort(ids)
		for _, id := range ids {
			if current[id] != nil {
				continue
			}
			e := byID[id]
			if e == nil {
				e = &Exposure{Finding: *present[id], Branch: lg.Ref.Name}
				if i == 0 && lg.Start != nil && s.Commit.Hash == lg.Start.Hash {
					e.Before = lg.Cut
				}
				byID[id] = e
				order = append(order, e)
			}
			current[id] = &open{exp: e, span: Span{From: s.Commit}}
		}
	}
	for _, o := range current {
		o.span.Last = lg.Tip
		o.exp.Spans = append(o.exp.Spans, o.span)
	}
	out := make([]Exposure, 0, len(order))
	for _, e := range order {
		slices.SortFunc(e.Spans, func(a, b Span) int { return a.From.Date.Compare(b.From.Date) })
		out = append(out, *e)
	}
	return out
}

// finish sets the summary fields of e from its spans and the advisory's window.
func finish(e *Exposure) {
	first, last := e.Spans[0], e.Spans[len(e.Spans)-1]
	e.FirstSeen, e.LastSeen, e.RemovedIn = first.From, last.Last, last.To
	if e.Before == "" {
		e.Present.From = e.FirstSeen.Date
	}
	if e.RemovedIn != nil {
		e.Present.To = e.RemovedIn.Date
	}
	var adv ioc.Window
	if e.Finding.Indicator != nil && e.Finding.Indicator.Advisory != nil {
		adv = e.Finding.Indicator.Advisory.Exposure
	}
	e.Window, e.Overlaps = Intersect(e.Present, adv)
}

// Intersect returns the intersection of two windows, where a zero From is
// "since always" and a zero To "still open", and whether they overlap. A
// zero b (no advisory window) leaves a as it is.
func Intersect(a, b ioc.Window) (ioc.Window, bool) {
	if b.From.IsZero() && b.To.IsZero() {
		return a, true
	}
	w := a
	if w.From.IsZero() || b.From.After(w.From) {
		w.From = b.From
	}
	if w.To.IsZero() || !b.To.IsZero() && b.To.Before(w.To) {
		w.To = b.To
	}
	if !w.From.IsZero() && !w.To.IsZero() && !w.From.Before(w.To) {
		return ioc.Window{}, false
	}
	return w, true
}

// lockfileRead is one lockfile path while its versions are read.
type lockfileRead struct {
	formats  []string
	packages map[string]struct{} // distinct name@version over every version
}

// add notes one parsed version of the path; r may be nil for the first.
func (r *lockfileRead) add(inv *lockfiles.Inventory) *lockfileRead {
	if r == nil {
		r = &lockfileRead{packages: map[string]struct{}{}}
	}
	if !slices.Contains(r.formats, inv.Format) {
		r.formats = append(r.formats, inv.Format)
	}
	for i := range inv.Packages {
		r.packages[inv.Packages[i].Name+"@"+inv.Packages[i].Version] = struct{}{}
	}
	return r
}

// lockfilesRead lists the paths read, sorted.
func lockfilesRead(read map[string]*lockfileRead) []Lockfile {
	out := make([]Lockfile, 0, len(read))
	for p, r := range read {
		formats := slices.Clone(r.formats)
		slices.Sort(formats)
		out = append(out, Lockfile{Path: p, Formats: formats, Packages: len(r.packages)})
	}
	slices.SortFunc(out, func(a, b Lockfile) int { return strings.Compare(a.Path, b.Path) })
	return out
}

func joinPath(repo, p string) string {
	if repo == "" || repo == "." {
		return p
	}
	return strings.TrimSuffix(repo, "/") + "/" + p
}

func short(h string) string {
	if len(h) > 12 {
		return h[:12]
	}
	return h
}
