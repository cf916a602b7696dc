package report

import (
	"fmt"
	"strconv"
	"strings"
)

// MaxSARIFResults is the most results [WriteSARIF] puts in a run: GitHub
// code scanning rejects a run with more (and then shows no alert at all).
const MaxSARIFResults = 25000

// SARIFOptions control [WriteSARIFWith].
type SARIFOptions struct {
	// MaxResults caps the results of the run, most severe kept; zero
	// means MaxSARIFResults. A notification says how many were left out.
	MaxResults int
	// FullReport names where the complete report is (a path or URL), for
	// that notification; empty: the notification says how to write one.
	FullReport string
}

func (o SARIFOptions) maxResults() int {
	if o.MaxResults > 0 {
		return o.MaxResults
	}
	return MaxSARIFResults
}

// capNotification says how many results were left out, and where they are.
func capNotification(left, total int, opts SARIFOptions) sarifNotification {
	where := "the JSON report holds every finding (depsweep scan --format json, or depsweep convert --format json REPORT)"
	if opts.FullReport != "" {
		where = "the full report is " + opts.FullReport
	}
	return sarifNotification{
		Level: "warning",
		Message: sarifText{Text: fmt.Sprintf("%d of %d results left out: a run holds at most %d (GitHub code scanning rejects more); the most severe are kept, and %s",
			left, total, opts.maxResults(), where)},
	}
}

// automationDetails identifies the run for code scanning: the category
// (before the last "/") says which kind of depsweep run it is, so that a
// scan's alerts and a history's do not close each other; the rest is the
// start time.
func automationDetails(r *Report) *sarifAutomationDetails {
	kind := "depsweep/scan"
	for _, f := range r.Findings {
		if f.FirstSeen != nil || f.Branch != "" {
			kind = "depsweep/history"
			break
		}
		if f.Trace != "" {
			kind = "depsweep/host"
			break
		}
	}
	id := kind + "/"
	if !r.Started.IsZero() {
		id += r.Started.UTC().Format("20060102T150405Z")
	}
	return &sarifAutomationDetails{ID: id}
}

type sarifAutomationDetails struct {
	ID string `json:"id"`
}

// relativeToRoots rewrites the file URIs of a run scanned over several
// roots: a location under an absolute root becomes a relative URI against
// that root's base id ("ROOT1", "ROOT2", ... in the order of roots), which
// originalUriBaseIds maps to the root's file URI. Code scanning wants
// relative URIs; a file URI from one machine says nothing on another.
func relativeToRoots(run *sarifRun, roots []string) {
	type base struct{ id, uri string }
	var bases []base
	for i, root := range roots {
		if u, ok := rootURI(root); ok {
			bases = append(bases, base{"ROOT" + strconv.Itoa(i+1), u})
		}
	}
	if len(bases) == 0 {
		return
	}
	used := map[string]string{}
	fix := func(l *sarifArtifactLocation) {
		if l.URIBaseID != "" {
			return
		}
		// The longest root first: /srv/a/b before /srv/a.
		best := -1
		for i, b := range bases {
			if strings.HasPrefix(l.URI, b.uri) && (best < 0 || len(b.uri) > len(bases[best].uri)) {
				best = i
			}
		}
		if best < 0 {
			return
		}
		rel := l.URI[len(bases[best].uri):]
		if first, _, _ := strings.Cut(rel, "/"); strings.Contains(first, ":") {
			rel = "./" + rel
		}
		l.URI, l.URIBaseID = rel, bases[best].id
		used[bases[best].id] = bases[best].uri
	}
	for i := range run.Results {
		for j := range run.Results[i].Locations {
			fix(&run.Results[i].Locations[j].PhysicalLocation.ArtifactLocation)
		}
	}
	for i := range run.Invocations {
		for j := range run.Invocations[i].Notifications {
			for k := range run.Invocations[i].Notifications[j].Locations {
				fix(&run.Invocations[i].Notifications[j].Locations[k].PhysicalLocation.ArtifactLocation)
			}
		}
	}
	if len(used) > 0 {
		run.OriginalURIBaseIDs = map[string]sarifArtifactLocation{}
		for id, u := range used {
			run.OriginalURIBaseIDs[id] = sarifArtifactLocation{URI: u}
		}
	}
}
