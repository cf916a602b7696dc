package report

import (
	"cmp"
	"slices"
	"strings"
	"time"

	"github.com/depsweep/depsweep/ioc"
)

// A Builder assembles the one [Report] of a command from what its inputs
// yield: a scan's event stream (it is an [ioc.Handler] and
// [ioc.RepoHandler]), the histories of 'depsweep history' ([Builder.History])
// and the host traces of 'depsweep scan --host' ([Builder.Trace]). Every
// writer renders the report it finishes; a [Sink] given to
// [Builder.Stream] receives the entries as they are built, for a stream
// written while the scan runs.
//
// Like every Handler a Builder is called from one goroutine and is not safe
// for concurrent use.
type Builder struct {
	r         Report
	findings  chunks[Finding] // r.Findings until Finish
	repos     map[string]int  // path → index into r.Repos
	lockfiles map[string]int  // path → index into r.Lockfiles, for histories
	sink      Sink
}

// A Header is what is known of a report before its inputs are read.
type Header struct {
	Tool    Tool
	Started time.Time
	Roots   []string // the roots as given, as slash paths
	Feeds   []Feed
}

// A Sink receives a report's entries while a [Builder] builds them:
// lockfiles and input errors as the scan reads them, findings as they are
// matched. [JSONLWriter] is the one depsweep streams to.
type Sink interface {
	Lockfile(l *Lockfile) error
	Error(e *Error) error
	Finding(f *Finding) error
}

// NewBuilder returns a Builder whose report starts with header h.
func NewBuilder(h Header) *Builder {
	return &Builder{
		r:         Report{Schema: Schema, Tool: h.Tool, Started: h.Started, Roots: h.Roots, Feeds: h.Feeds},
		repos:     make(map[string]int),
		lockfiles: make(map[string]int),
	}
}

// Stream makes b pass every lockfile, input error and finding of a scan's
// event stream to s as it builds them.
func (b *Builder) Stream(s Sink) { b.sink = s }

// Repo implements [ioc.RepoHandler]. A repository already listed keeps its
// first metadata.
func (b *Builder) Repo(ri *ioc.RepoInfo) error {
	b.addRepo(Repo{Path: ri.Path, Head: ri.Head, Branch: ri.Branch, Remote: ri.Remote})
	return nil
}

func (b *Builder) addRepo(r Repo) *Repo {
	i, ok := b.repos[r.Path]
	if !ok {
		i = len(b.r.Repos)
		b.repos[r.Path] = i
		b.r.Repos = append(b.r.Repos, r)
	}
	return &b.r.Repos[i]
}

// Lockfile implements [ioc.Handler]. A result that is a lockfile (or an
// SBOM given to scan) is listed under Lockfiles; a result with an error is
// listed under Errors too.
func (b *Builder) Lockfile(lf *ioc.LockfileResult) error {
	if lf.Repo != "" {
		b.addRepo(Repo{Path: lf.Repo})
	}
	if l, ok := convertLockfile(lf); ok {
		b.r.Lockfiles = append(b.r.Lockfiles, l)
		if b.sink != nil {
			if err := b.sink.Lockfile(&l); err != nil {
				return err
			}
		}
	}
	if p, ok := ConvertNoLockfile(lf); ok {
		b.r.NoLockfile = append(b.r.NoLockfile, p)
	}
	if lf.Err != nil {
		e := Error{Path: lf.Path, Error: lf.Err.Error()}
		b.r.Errors = append(b.r.Errors, e)
		if b.sink != nil {
			return b.sink.Error(&e)
		}
	}
	return nil
}

// Finding implements [ioc.Handler].
func (b *Builder) Finding(f *ioc.Finding) error {
	rf := b.findings.add(convertFinding(f))
	if b.sink != nil {
		return b.sink.Finding(rf)
	}
	return nil
}

// Error lists an error that is not a scan event: a repository whose history
// git could not read, an output (SBOMs) that could not be written. It is
// not passed to the stream, which carries the errors of inputs as they are
// read.
func (b *Builder) Error(path string, err error) {
	b.r.Errors = append(b.r.Errors, Error{Path: path, Error: err.Error()})
}

// chunks is a list built by appending, stored in arrays of chunkLen
// elements: a fleet's findings (600 bytes each, and thousands of them)
// are never copied while the list grows, as a slice's would be at every
// growth, and are copied once into a slice of the final length.
type chunks[T any] [][]T

const chunkLen = 128

// add appends v and returns where it is held.
func (c *chunks[T]) add(v T) *T {
	if n := len(*c); n == 0 || len((*c)[n-1]) == chunkLen {
		*c = append(*c, make([]T, 0, chunkLen))
	}
	last := &(*c)[len(*c)-1]
	*last = append(*last, v)
	return &(*last)[len(*last)-1]
}

// join returns dst followed by every element of c.
func (c chunks[T]) join(dst []T) []T {
	n := len(dst)
	for _, s := range c {
		n += len(s)
	}
	dst = slices.Grow(dst, n-len(dst))
	for _, s := range c {
		dst = append(dst, s...)
	}
	return dst
}

// Finish completes and returns the report: the finish time, whether the
// scan was interrupted, the publisher coverage cov, the summary counts and
// the sort order the contract promises. The Builder must not be used
// afterwards.
func (b *Builder) Finish(finished time.Time, interrupted bool, cov Coverage) *Report {
	b.r.Finished = finished
	b.r.Interrupted = interrupted
	b.r.Summary.Publisher = cov
	b.r.Findings = b.findings.join(b.r.Findings)
	Normalize(&b.r)
	return &b.r
}

// Supplier records the supplier coverage of the SBOMs written along the
// scan (see [Summary.Supplier]); without a call the report has none.
func (b *Builder) Supplier(c Coverage) {
	b.r.Summary.Supplier = &c
}

// ScanCoverage is the publisher coverage of a scan: its stats, and where
// the publisher data came from.
func ScanCoverage(st ioc.ScanStats, sources []string) Coverage {
	return Coverage{Packages: st.PublisherPackages, Known: st.PublisherKnown, Sources: sources}
}

// MatchCoverage is the publisher coverage of packages matched outside a
// scan (histories, host traces): their match stats, and where the publisher
// data came from.
func MatchCoverage(st ioc.MatchStats, sources []string) Coverage {
	return Coverage{Packages: st.Packages, Known: st.PublisherKnown, Sources: sources}
}

// convertLockfile returns the report entry of a Lockfile event, and false
// when the event is not about a lockfile or an SBOM given to scan (a
// directory discovery could not read, or an installed file).
func convertLockfile(lf *ioc.LockfileResult) (Lockfile, bool) {
	if !lf.IsInput() {
		return Lockfile{}, false
	}
	l := Lockfile{Path: lf.Path, Repo: lf.Repo}
	if lf.Inventory != nil {
		l.Format = lf.Inventory.Format
		l.Packages = len(lf.Inventory.Packages)
		for _, p := range lf.Inventory.Problems {
			l.Problems = append(l.Problems, Problem{Line: p.Line, Msg: p.Msg})
		}
	}
	if lf.Err != nil {
		l.Error = lf.Err.Error()
	}
	return l, true
}

// convertFinding returns the report form of a finding.
func convertFinding(f *ioc.Finding) Finding {
	rf := Finding{
		ID:       f.ID,
		Severity: f.Severity.String(),
		Repo:     f.Repo,
		Lockfile: f.Lockfile,
		Line:     f.Line,
		Package: Package{
			Name:      f.Package.Name,
			Version:   f.Package.Version,
			Alias:     f.Package.Alias,
			Source:    string(f.Package.Source),
			Resolved:  f.Package.Resolved,
			Integrity: f.Package.Integrity,
			Dev:       f.Package.Dev,
			Optional:  f.Package.Optional,
			Direct:    f.Direct,
		},
		Path:      slices.Clone(f.Path),
		Evidence:  f.Evidence,
		Collision: f.Collision,
		Declared:  f.Declared,
	}
	if rf.ID == "" {
		rf.ID = ioc.Fingerprint(f)
	}
	if ind := f.Indicator; ind != nil {
		rf.Indicator = Indicator{Kind: string(ind.Kind), Value: ind.Value}
		if a := ind.Advisory; a != nil {
			rf.Advisory = Advisory{
				ID:         a.ID,
				Aliases:    slices.Clone(a.Aliases),
				Title:      a.Title,
				Summary:    a.Summary,
				References: slices.Clone(a.References),
			}
			if !a.Published.IsZero() {
				t := a.Published.UTC()
				rf.Advisory.Published = &t
			}
			if !a.Exposure.From.IsZero() {
				w := &Window{From: a.Exposure.From.UTC()}
				if !a.Exposure.To.IsZero() {
					t := a.Exposure.To.UTC()
					w.To = &t
				}
				rf.Advisory.Exposure = w
			}
			rf.Remediation = slices.Clone(a.Remediation)
		}
	}
	if rf.Path == nil {
		rf.Path = []string{}
	}
	if rf.Advisory.References == nil {
		rf.Advisory.References = []string{}
	}
	return rf
}

// Normalize sorts r's lists into the contract's order, makes empty lists
// non-nil (they encode as [] rather than null), and recomputes the summary
// counts from the lists (Summary.Publisher is kept). Reports built by a
// [Builder] and read back by [Read] are normalized, so equal scans encode
// to equal bytes.
func Normalize(r *Report) {
	if r.Schema == "" {
		r.Schema = Schema
	}
	sortFindings(r.Findings)
	r.Findings = slices.CompactFunc(r.Findings, func(a, b Finding) bool { return a.ID == b.ID && findingOrder(&a, &b) == 0 })
	slices.SortStableFunc(r.Errors, func(a, b Error) int {
		return cmp.Or(cmp.Compare(a.Path, b.Path), cmp.Compare(a.Error, b.Error))
	})
	r.Errors = slices.Compact(r.Errors)
	slices.SortStableFunc(r.Repos, func(a, b Repo) int { return cmp.Compare(a.Path, b.Path) })
	r.Repos = slices.CompactFunc(r.Repos, func(a, b Repo) bool { return a.Path == b.Path })
	slices.SortStableFunc(r.Lockfiles, func(a, b Lockfile) int { return cmp.Compare(a.Path, b.Path) })
	slices.SortStableFunc(r.NoLockfile, func(a, b NoLockfileProject) int { return cmp.Compare(a.Path, b.Path) })
	if r.Roots == nil {
		r.Roots = []string{}
	}
	if r.Feeds == nil {
		r.Feeds = []Feed{}
	}
	if r.Findings == nil {
		r.Findings = []Finding{}
	}
	if r.Errors == nil {
		r.Errors = []Error{}
	}
	if r.Repos == nil {
		r.Repos = []Repo{}
	}
	if r.Lockfiles == nil {
		r.Lockfiles = []Lockfile{}
	}
	s := &r.Summary
	s.Repos = len(r.Repos)
	s.Lockfiles = len(r.Lockfiles)
	s.Packages = 0
	for _, l := range r.Lockfiles {
		s.Packages += l.Packages
	}
	s.Errors = len(r.Errors)
	s.BySeverity = make(map[string]int, len(ioc.Severities))
	for _, sev := range ioc.Severities {
		s.BySeverity[sev.String()] = 0
	}
	Recount(r) // findings resolved since a baseline are listed, not counted
}

// findingOrder orders findings by severity (highest first), repo,
// lockfile, line, package, indicator, advisory, branch (history reports)
// and id.
func findingOrder(a, b *Finding) int {
	// One comparison after the other rather than cmp.Or, which compares
	// every field of every pair.
	if c := cmp.Compare(severityRank(b.Severity), severityRank(a.Severity)); c != 0 {
		return c
	}
	for _, p := range [...][2]string{
		{a.Repo, b.Repo},
		{a.Lockfile, b.Lockfile},
	} {
		if c := strings.Compare(p[0], p[1]); c != 0 {
			return c
		}
	}
	if c := cmp.Compare(a.Line, b.Line); c != 0 {
		return c
	}
	for _, p := range [...][2]string{
		{a.Package.Name, b.Package.Name},
		{a.Package.Version, b.Package.Version},
		{a.Package.Alias, b.Package.Alias},
		{a.Indicator.Kind, b.Indicator.Kind},
		{a.Indicator.Value, b.Indicator.Value},
		{a.Advisory.ID, b.Advisory.ID},
		{a.Branch, b.Branch},
		{a.ID, b.ID},
	} {
		if c := strings.Compare(p[0], p[1]); c != 0 {
			return c
		}
	}
	return 0
}

// sortFindings sorts fs stably by findingOrder. It sorts indices, then
// moves each finding once into place: a Finding is some 600 bytes, which
// a stable sort of the values moved many times over.
func sortFindings(fs []Finding) {
	from := make([]int32, len(fs)) // from[i]: the finding that belongs at i
	for i := range from {
		from[i] = int32(i)
	}
	slices.SortStableFunc(from, func(a, b int32) int { return findingOrder(&fs[a], &fs[b]) })
	// Follow each cycle of that permutation, holding one finding aside.
	for i := range fs {
		if from[i] < 0 || int(from[i]) == i {
			continue
		}
		held := fs[i]
		j := i
		for {
			k := int(from[j])
			from[j] = -1
			if k == i {
				fs[j] = held
				break
			}
			fs[j] = fs[k]
			j = k
		}
	}
}

// CountAtOrAbove returns how many findings of r have severity min or higher.
func (r *Report) CountAtOrAbove(min ioc.Severity) int {
	n := 0
	for _, f := range r.Findings {
		s, err := ioc.ParseSeverity(f.Severity)
		if err == nil && s >= min {
			n++
		}
	}
	return n
}
