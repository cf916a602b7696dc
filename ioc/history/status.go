package history

import (
	"time"

	"github.com/depsweep/depsweep/ioc"
)

// Statuses of a ref or a repository, as [Result.Status] and
// [Result.RefStatus] give them.
const (
	StatusAffected     = "affected"     // a finding was held
	StatusInconclusive = "inconclusive" // no finding, but the walk cannot rule one out
	StatusClean        = "clean"        // no finding in a history that covers the advisories' windows
)

// inconclusive returns the advisories for which b's walk cannot rule a
// finding out: b stops at a shallow boundary dated after the start of
// their exposure window. An advisory without a window is inconclusive for
// any shallow boundary; with no advisories given, the result is [""].
// It also returns the earliest start of their windows (zero when none is
// known).
func inconclusive(b *Branch, advs []*ioc.Advisory) ([]string, time.Time) {
	if b.Cut != "shallow" || b.Start == nil {
		return nil, time.Time{}
	}
	if len(advs) == 0 {
		return []string{""}, time.Time{}
	}
	var out []string
	var since time.Time
	known := true
	for _, a := range advs {
		if a == nil {
			continue
		}
		from := a.Exposure.From
		if from.IsZero() || b.Start.Date.After(from) {
			out = append(out, a.ID)
			if from.IsZero() {
				known = false
			} else if since.IsZero() || from.Before(since) {
				since = from
			}
		}
	}
	if !known {
		since = time.Time{}
	}
	return out, since
}

// RefStatus returns the status of the walked ref b: affected when an
// exposure names it, inconclusive when its walk cannot rule a finding out,
// clean otherwise.
func (r *Result) RefStatus(b *Branch) string {
	for i := range r.Exposures {
		for _, name := range r.Exposures[i].Refs {
			if name == b.Name {
				return StatusAffected
			}
		}
	}
	if len(b.Inconclusive) > 0 {
		return StatusInconclusive
	}
	return StatusClean
}

// Status returns the repository's status over every ref walked: affected
// when any ref held a finding, else inconclusive when any ref's walk cannot
// rule one out, else clean.
func (r *Result) Status() string {
	if len(r.Exposures) > 0 {
		return StatusAffected
	}
	for i := range r.Branches {
		if len(r.Branches[i].Inconclusive) > 0 {
			return StatusInconclusive
		}
	}
	return StatusClean
}
