package report

import (
	"fmt"
	"os"
	"path"
	"strings"
)

// Finding statuses set by [Compare].
const (
	StatusNew      = "new"      // not in the baseline
	StatusPresent  = "present"  // in the baseline too
	StatusResolved = "resolved" // in the baseline only, and this scan read where it was
)

// A BaselineSummary counts the outcome of comparing a scan with a baseline.
type BaselineSummary struct {
	New      int `json:"new"`
	Present  int `json:"present"`
	Resolved int `json:"resolved"`
	// NotScanned counts the baseline's findings that are neither present nor
	// resolved because this scan did not read where they were: a repository
	// outside this scan (another shard, a root not given, a repository with
	// no lockfile left), a lockfile or directory that could not be read, or
	// any finding not seen when the scan was interrupted. They are not
	// listed: a finding is only called resolved when the scan could see it
	// is gone.
	NotScanned int `json:"not_scanned"`
}

// Compare compares the current report with a baseline (an earlier report
// of the same fleet) by finding ID, and records the result in current: each
// of its findings gets Status "new" or "present"; each baseline finding
// whose lockfile this scan read and no longer shows is added to current
// with Status "resolved"; Summary.Baseline gets the counts. Findings the
// baseline itself listed as resolved are ignored.
//
// current's summary counts (Findings, BySeverity) keep counting only its own
// findings, not the resolved ones, and the findings are put back in the
// contract's order. The baseline is not modified. Compare returns the counts.
func Compare(baseline, current *Report) BaselineSummary {
	var sum BaselineSummary
	prev := make(map[string]bool, len(baseline.Findings))
	for _, f := range baseline.Findings {
		if f.Status != StatusResolved {
			prev[f.ID] = true
		}
	}
	now := make(map[string]bool, len(current.Findings))
	kept := current.Findings[:0]
	for _, f := range current.Findings {
		if f.Status == StatusResolved {
			continue // from an earlier comparison: not a finding of this scan
		}
		now[f.ID] = true
		if prev[f.ID] {
			f.Status = StatusPresent
			sum.Present++
		} else {
			f.Status = StatusNew
			sum.New++
		}
		kept = append(kept, f)
	}
	current.Findings = kept
	sc := newScope(current)
	for _, f := range baseline.Findings {
		if f.Status == StatusResolved || now[f.ID] {
			continue
		}
		now[f.ID] = true // a baseline listing one ID twice resolves it once
		if !sc.read(f) {
			sum.NotScanned++
			continue
		}
		f.Status = StatusResolved
		f.Path = append([]string{}, f.Path...)
		current.Findings = append(current.Findings, f)
		sum.Resolved++
	}
	current.Summary.Baseline = &sum
	Normalize(current)
	Recount(current)
	return sum
}

// Recount sets r's finding counts (Summary.Findings and BySeverity) from its
// findings that are not resolved: a finding resolved since the baseline is
// listed but no longer counts. It also sets each repository's Summary
// (see [RepoLines]). [Normalize] calls it.
func Recount(r *Report) {
	s := &r.Summary
	s.Findings, s.Suppressed = 0, 0
	for k := range s.BySeverity {
		s.BySeverity[k] = 0
	}
	for _, f := range r.Findings {
		if f.Status == StatusResolved {
			continue
		}
		if f.Suppressed != nil {
			s.Suppressed++
			continue
		}
		s.Findings++
		s.BySeverity[f.Severity]++
	}
	summarizeRepos(r)
}

// scope says which places a report read completely.
type scope struct {
	interrupted bool
	repos       map[string]bool
	lockOK      map[string]bool // lockfiles read without error
	failed      []string        // paths of lockfiles and directories that could not be read
}

func newScope(r *Report) *scope {
	sc := &scope{interrupted: r.Interrupted, repos: make(map[string]bool), lockOK: make(map[string]bool)}
	for _, rp := range r.Repos {
		sc.repos[rp.Path] = true
	}
	for _, l := range r.Lockfiles {
		if l.Error == "" {
			sc.lockOK[l.Path] = true
		} else {
			sc.failed = append(sc.failed, l.Path)
		}
	}
	for _, p := range r.NoLockfile {
		sc.lockOK[p.Path] = true // its declared ranges were read
	}
	for _, e := range r.Errors {
		sc.failed = append(sc.failed, e.Path)
	}
	return sc
}

// read reports whether the scan read the place where baseline finding f
// was: its lockfile, or (for a lockfile now gone) its repository, with
// nothing on the way unreadable.
func (sc *scope) read(f Finding) bool {
	if sc.interrupted {
		return false
	}
	for _, p := range sc.failed {
		if under(f.Lockfile, p) {
			return false
		}
	}
	return sc.lockOK[f.Lockfile] || sc.repos[f.Repo]
}

// under reports whether slash path p is dir or below it.
func under(p, dir string) bool {
	p, dir = path.Clean(p), path.Clean(dir)
	return p == dir || dir == "." || strings.HasPrefix(p, dir+"/")
}

// ReadFile reads a saved report (JSON or JSONL, see [Read]); "-" is not
// special. Errors start with the file name.
func ReadFile(name string) (*Report, error) {
	f, err := os.Open(name)
	if err != nil {
		return nil, err // *PathError: names the file
	}
	defer f.Close()
	r, err := Read(f)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	return r, nil
}
