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
	// Refs names the branches, tags (or other refs) to walk; empty means
	// every local and remote-tracking branch, then every tag (lightweight
	// or annotated), where refs pointing at the same commit are walked
	// once, under the first name (local before remote, branches before tags).
	Refs []string
	// NoTags leaves tags out of the default refs (Refs empty).
	NoTags bool
	// Advisories are the advisories matched, for judging a cut history: a
	// shallow boundary dated after the start of an advisory's exposure
	// window (or any boundary, for an advisory without a window) leaves the
	// ref inconclusive for it. Nil: every shallow ref is inconclusive.
	Advisories []*ioc.Advisory
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
	// Introduced is set when From is a merge commit: the commit on the
	// merged side that first held the finding (its branch ran with it from
	// then on). Nil otherwise.
	Introduced *gitlog.Commit
	// Present is when the branch (or, from Introduced, the merged branch)
	// held the finding; Window is Present intersected with the advisory's
	// window, Overlaps whether they meet (see Exposure).
	Present  ioc.Window
	Window   ioc.Window
	Overlaps bool
}

// An Exposure is one finding's presence on one branch over time.
type Exposure struct {
	// Finding is the finding as matched in the lockfile where it first
	// appeared (its ID is stable across commits: same lockfile path,
	// package, version and indicator).
	Finding ioc.Finding
	Branch  string // short ref name ("main", "origin/release", "v1.2.0")
	// Refs names every ref on which the finding has this same history: the
	// branch, then the tags whose walk gives the same first commit (a
	// release tagged while the package was in). Tag marks Branch as a tag.
	Refs []string
	Tag  bool
	// Lockfile is the finding's lockfile path at the last commit that held
	// it; it differs from Finding.Lockfile when the lockfile was moved
	// (git mv), which keeps the history continuous.
	Lockfile string
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
	// Introduced is set when FirstSeen is a merge commit: the commit on
	// the merged side that brought the finding in (Spans[0].Introduced).
	// FirstSeen is then where it "reached" Branch.
	Introduced *gitlog.Commit
	// Spans lists every period of presence, oldest first (a package can be
	// removed and come back); FirstSeen, LastSeen and RemovedIn summarise them.
	Spans []Span
	// Present is when the branch held the finding: from FirstSeen's commit
	// date (Introduced's when set: CI ran the merged branch from then on;
	// zero From when Before is set: the start is unknown) to RemovedIn's
	// (zero To: still present).
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
	Tag   bool     // a tag, not a branch
	Also  []string // other refs pointing at the same commit, not walked again
	Tip   gitlog.Commit
	Steps int // commits that changed a lockfile (plus the starting point of a cut history)
	// Cut says why the history is incomplete ("shallow", "since"), "" when complete;
	// Start is then the commit the walk started from.
	Cut   string
	Start *gitlog.Commit
	// Inconclusive lists the advisories (by ID, "" for all) for which the
	// walk cannot rule the ref out: its shallow boundary is dated after
	// the start of their exposure window, so what the ref held before it
	// is unknown. Empty when the walk is conclusive.
	Inconclusive []string
	// FetchSince is the earliest start of those advisories' windows: how
	// far back the history must go (git fetch --shallow-since). Zero when
	// the walk is conclusive or no window is known.
	FetchSince time.Time
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
	refs, err := selectRefs(ctx, g, opts)
	if err != nil {
		return nil, err
	}
	res := &Result{Repo: repo, Bare: g.Bare(), Shallow: g.Shallow()}
	w := &walker{g: g, repo: repo, m: m, opts: opts, res: res,
		matched: map[gitlog.File][]ioc.Finding{}, failed: map[gitlog.File]error{}, firstCommit: map[gitlog.File]string{},
		read: map[string]*lockfileRead{}}
	logs, err := w.walkRefs(ctx, refs)
	if err != nil {
		return nil, err
	}
	var files []gitlog.File
	seen := map[gitlog.File]bool{}
	for _, lg := range logs {
		res.Stats.Steps += len(lg.Steps)
		for _, s := range lg.Steps {
			for _, f := range s.Files {
				if !seen[f] {
					seen[f] = true
					files = append(files, f)
					w.firstCommit[f] = s.Commit.Hash
				}
			}
		}
	}
	res.Stats.Branches = len(res.Branches)
	res.Stats.Files = len(files)

	// Match every distinct lockfile version once.
	if res.Stats.Parsed, err = w.match(ctx, files); err != nil {
		return nil, err
	}

	// Replay each ref; a tag's exposures that a branch already tells
	// (same finding, same first commit) only add the tag's name.
	type told struct{ key, first, before string }
	byTold := map[told]int{}
	for i, lg := range logs {
		for _, e := range replay(lg, w.matched, w.failed) {
			k := told{contKey(e.Finding.Lockfile, &e.Finding), e.Spans[0].From.Hash, e.Before}
			if j, ok := byTold[k]; ok && res.Branches[i].Tag {
				res.Exposures[j].Refs = append(res.Exposures[j].Refs, lg.Ref.Name)
				continue
			}
			e.Tag = res.Branches[i].Tag
			if _, ok := byTold[k]; !ok {
				byTold[k] = len(res.Exposures)
			}
			res.Exposures = append(res.Exposures, e)
		}
	}
	if err := w.fillLast(ctx); err != nil {
		return nil, err
	}
	if err := w.introductions(ctx); err != nil {
		return nil, err
	}
	if err := w.workspaces(ctx); err != nil {
		return nil, err
	}
	for i := range res.Exposures {
		finish(&res.Exposures[i])
	}
	for i := range res.Branches {
		b := &res.Branches[i]
		b.Inconclusive, b.FetchSince = inconclusive(b, opts.Advisories)
	}
	w.errors()
	res.Lockfiles = lockfilesRead(w.read)
	slices.SortFunc(res.Exposures, func(a, b Exposure) int {
		return cmp.Or(strings.Compare(a.Branch, b.Branch), a.FirstSeen.Date.Compare(b.FirstSeen.Date),
			strings.Compare(a.Finding.Lockfile, b.Finding.Lockfile), strings.Compare(a.Finding.Package.Name, b.Finding.Package.Name),
			strings.Compare(a.Finding.ID, b.Finding.ID))
	})
	return res, nil
}

// A walker holds one repository's scan state: the lockfile versions matched
// so far (the main walk's, then those only merged sides hold).
type walker struct {
	g    *gitlog.Repo
	repo string
	m    Matcher
	opts Options
	res  *Result

	mu          sync.Mutex
	matched     map[gitlog.File][]ioc.Finding
	failed      map[gitlog.File]error
	firstCommit map[gitlog.File]string   // first commit (first ref walked) holding each version
	read        map[string]*lockfileRead // every lockfile path parsed, by inventory path
}

// match parses and matches the files not matched yet, and returns the
// number of parses made.
func (w *walker) match(ctx context.Context, files []gitlog.File) (int, error) {
	var todo []gitlog.File
	for _, f := range files {
		if _, ok := w.matched[f]; ok {
			continue
		}
		if _, ok := w.failed[f]; ok {
			continue
		}
		todo = append(todo, f)
	}
	if len(todo) == 0 {
		return 0, nil
	}
	return w.g.Parse(ctx, todo, gitlog.ParseOptions{Jobs: w.opts.Jobs, Prefix: w.repo}, func(f gitlog.File, inv *lockfiles.Inventory, err error) {
		var fs []ioc.Finding
		var st ioc.MatchStats
		if err == nil {
			fs, st = w.m.MatchInventory(w.repo, inv, w.opts.Publishers)
		}
		w.mu.Lock()
		defer w.mu.Unlock()
		if err != nil {
			w.failed[f] = err
			return
		}
		w.matched[f] = fs
		w.res.Match.Packages += st.Packages
		w.res.Match.PublisherKnown += st.PublisherKnown
		w.read[inv.Path] = w.read[inv.Path].add(inv)
	})
}

// errors lists the lockfile versions that failed, sorted.
func (w *walker) errors() {
	for f, err := range w.failed {
		w.res.Errors = append(w.res.Errors, FileError{Path: joinPath(w.repo, f.Path), Blob: f.Blob, Commit: w.firstCommit[f], Err: err})
	}
	slices.SortFunc(w.res.Errors, func(a, b FileError) int {
		return cmp.Or(strings.Compare(a.Path, b.Path), strings.Compare(a.Commit, b.Commit), strings.Compare(a.Blob, b.Blob))
	})
}

// fillLast sets Span.Last of closed spans: the first parent of the
// commit that removed the finding.
func (w *walker) fillLast(ctx context.Context) error {
	var need []string
	needSeen := map[string]bool{}
	for i := range w.res.Exposures {
		for _, s := range w.res.Exposures[i].Spans {
			if s.To != nil && s.Last.Hash == "" && s.To.Parent != "" && !needSeen[s.To.Parent] {
				needSeen[s.To.Parent] = true
				need = append(need, s.To.Parent)
			}
		}
	}
	parents, err := w.g.Commits(ctx, need)
	if err != nil {
		return err
	}
	for i := range w.res.Exposures {
		e := &w.res.Exposures[i]
		for k := range e.Spans {
			if s := &e.Spans[k]; s.To != nil && s.Last.Hash == "" {
				s.Last = parents[s.To.Parent]
			}
		}
	}
	return nil
}

// contKey identifies a finding across the moves of its lockfile: the path
// it had when first seen (origin), and what matched, without the current
// path that Finding.ID includes.
func contKey(origin string, f *ioc.Finding) string {
	kind, value, adv := "", "", ""
	if f.Indicator != nil {
		kind, value = string(f.Indicator.Kind), f.Indicator.Value
		if f.Indicator.Advisory != nil {
			adv = f.Indicator.Advisory.ID
		}
	}
	return strings.Join([]string{origin, f.Package.Name, f.Package.Version, f.Package.Alias, kind, value, adv}, "\x00")
}

// replay walks one ref's steps and returns its exposures with spans set
// (Span.Last is left empty for closed spans: the caller resolves it). A
// lockfile moved by a step keeps its findings' history: they are keyed by
// the path the lockfile had when the walk first met it.
func replay(lg *gitlog.Log, matched map[gitlog.File][]ioc.Finding, failed map[gitlog.File]error) []Exposure {
	type open struct {
		exp  *Exposure
		span Span
	}
	var order []*Exposure
	byKey := map[string]*Exposure{}
	current := map[string]*open{}
	prevByPath := map[string][]ioc.Finding{}
	origin := map[string]string{} // lockfile path → the path it had when first met
	for i, s := range lg.Steps {
		for to, from := range s.Renames {
			o := from
			if x, ok := origin[from]; ok {
				o = x
			}
			origin[to] = o
			prevByPath[to] = prevByPath[from]
		}
		type hit struct {
			f    *ioc.Finding
			path string
		}
		present := map[string]hit{}
		byPath := make(map[string][]ioc.Finding, len(s.Files))
		for _, f := range s.Files {
			fs := matched[f]
			if _, bad := failed[f]; bad {
				// Unknown content: assume what the path held before.
				fs = prevByPath[f.Path]
			}
			byPath[f.Path] = fs
			o, ok := origin[f.Path]
			if !ok {
				o = f.Path
			}
			for k := range fs {
				// A finding read under a moved path is keyed by the origin.
				key := contKey(joinPath(fs[k].Repo, o), &fs[k])
				if _, dup := present[key]; !dup {
					present[key] = hit{&fs[k], fs[k].Lockfile}
				}
			}
		}
		prevByPath = byPath
		for key, o := range current {
			if h, ok := present[key]; ok {
				o.exp.Lockfile = h.path
				continue
			}
			c := s.Commit
			o.span.To = &c
			o.exp.Spans = append(o.exp.Spans, o.span)
			delete(current, key)
		}
		keys := make([]string, 0, len(present))
		for key := range present {
			keys = append(keys, key)
		}
		slices.Sort(keys)
		for _, key := range keys {
			if current[key] != nil {
				continue
			}
			e := byKey[key]
			if e == nil {
				e = &Exposure{Finding: *present[key].f, Branch: lg.Ref.Name, Refs: []string{lg.Ref.Name}}
				if i == 0 && lg.Start != nil && s.Commit.Hash == lg.Start.Hash {
					e.Before = lg.Cut
				}
				byKey[key] = e
				order = append(order, e)
			}
			e.Lockfile = present[key].path
			current[key] = &open{exp: e, span: Span{From: s.Commit}}
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

// finish sets the summary fields of e from its spans and the advisory's
// window, and each span's own window.
func finish(e *Exposure) {
	first, last := e.Spans[0], e.Spans[len(e.Spans)-1]
	e.FirstSeen, e.LastSeen, e.RemovedIn, e.Introduced = first.From, last.Last, last.To, first.Introduced
	var adv ioc.Window
	if e.Finding.Indicator != nil && e.Finding.Indicator.Advisory != nil {
		adv = e.Finding.Indicator.Advisory.Exposure
	}
	for k := range e.Spans {
		sp := &e.Spans[k]
		sp.Present = ioc.Window{From: sp.From.Date}
		if sp.Introduced != nil && sp.Introduced.Date.Before(sp.From.Date) {
			sp.Present.From = sp.Introduced.Date
		}
		if k == 0 && e.Before != "" {
			sp.Present.From = time.Time{}
		}
		if sp.To != nil {
			sp.Present.To = sp.To.Date
		}
		sp.Window, sp.Overlaps = Intersect(sp.Present, adv)
	}
	e.Present = ioc.Window{From: e.Spans[0].Present.From, To: e.Spans[len(e.Spans)-1].Present.To}
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
