package report

import (
	"cmp"
	"slices"
	"time"

	"github.com/depsweep/depsweep/ioc"
	"github.com/depsweep/depsweep/lockfiles"
)

// A Collector is an [ioc.Handler] (and [ioc.RepoHandler]) that builds a
// *Report from a scan's event stream. Like every Handler it is called from
// one goroutine and is not safe for concurrent use.
type Collector struct {
	r     Report
	repos map[string]bool
}

// NewCollector returns a Collector whose report starts with the given
// header: Tool, Started, Roots and Feeds are kept; the rest is filled by the
// events and by [Collector.Finish].
func NewCollector(header Report) *Collector {
	c := &Collector{r: header, repos: make(map[string]bool)}
	c.r.Schema = Schema
	c.r.Findings, c.r.Errors, c.r.Repos, c.r.Lockfiles = nil, nil, nil, nil
	return c
}

// Repo implements [ioc.RepoHandler].
func (c *Collector) Repo(ri *ioc.RepoInfo) error {
	c.addRepo(Repo{Path: ri.Path, Head: ri.Head, Branch: ri.Branch, Remote: ri.Remote})
	return nil
}

func (c *Collector) addRepo(r Repo) {
	if !c.repos[r.Path] {
		c.repos[r.Path] = true
		c.r.Repos = append(c.r.Repos, r)
	}
}

// Lockfile implements [ioc.Handler]. A result that is a lockfile is listed
// under Lockfiles; a result with an error is listed under Errors too.
func (c *Collector) Lockfile(lf *ioc.LockfileResult) error {
	if lf.Repo != "" {
		c.addRepo(Repo{Path: lf.Repo})
	}
	if l, ok := ConvertLockfile(lf); ok {
		c.r.Lockfiles = append(c.r.Lockfiles, l)
	}
	if p, ok := ConvertNoLockfile(lf); ok {
		c.r.NoLockfile = append(c.r.NoLockfile, p)
	}
	if lf.Err != nil {
		c.r.Errors = append(c.r.Errors, Error{Path: lf.Path, Error: lf.Err.Error()})
	}
	return nil
}

// Finding implements [ioc.Handler].
func (c *Collector) Finding(f *ioc.Finding) error {
	c.r.Findings = append(c.r.Findings, ConvertFinding(f))
	return nil
}

// Finish completes and returns the report: the finish time, whether the scan
// was interrupted, the publisher coverage from stats, the summary counts and
// the sort order the contract promises. sources names where publisher data
// came from. The Collector must not be used afterwards.
func (c *Collector) Finish(stats ioc.ScanStats, finished time.Time, interrupted bool, sources []string) *Report {
	c.r.Finished = finished
	c.r.Interrupted = interrupted
	c.r.Summary.Publisher = Coverage{Packages: stats.PublisherPackages, Known: stats.PublisherKnown, Sources: sources}
	Normalize(&c.r)
	return &c.r
}

// ConvertLockfile returns the report entry of a Lockfile event, and false
// when the event is not about a lockfile or an SBOM given to scan (a
// directory discovery could not read, or an installed file).
func ConvertLockfile(lf *ioc.LockfileResult) (Lockfile, bool) {
	if !lf.SBOM && !lf.Named && !lockfiles.IsLockfile(lf.Path) {
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

// ConvertFinding returns the report form of a finding.
func ConvertFinding(f *ioc.Finding) Finding {
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
// [Collector] and read back by [Read] are normalized, so equal scans encode
// to equal bytes.
func Normalize(r *Report) {
	if r.Schema == "" {
		r.Schema = Schema
	}
	slices.SortStableFunc(r.Findings, findingOrder)
	r.Findings = slices.CompactFunc(r.Findings, func(a, b Finding) bool { return a.ID == b.ID && findingOrder(a, b) == 0 })
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
func findingOrder(a, b Finding) int {
	return cmp.Or(
		cmp.Compare(severityRank(b.Severity), severityRank(a.Severity)),
		cmp.Compare(a.Repo, b.Repo),
		cmp.Compare(a.Lockfile, b.Lockfile),
		cmp.Compare(a.Line, b.Line),
		cmp.Compare(a.Package.Name, b.Package.Name),
		cmp.Compare(a.Package.Version, b.Package.Version),
		cmp.Compare(a.Package.Alias, b.Package.Alias),
		cmp.Compare(a.Indicator.Kind, b.Indicator.Kind),
		cmp.Compare(a.Indicator.Value, b.Indicator.Value),
		cmp.Compare(a.Advisory.ID, b.Advisory.ID),
		cmp.Compare(a.Branch, b.Branch),
		cmp.Compare(a.ID, b.ID),
	)
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
