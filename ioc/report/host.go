package report

import (
	"errors"
	"strings"
	"time"

	"github.com/depsweep/depsweep/ioc"
	"github.com/depsweep/depsweep/lockfiles"
)

// Trace adds one host trace of 'depsweep scan --host' in repository repo
// (the home directory, "~"): the evidence file as a lockfile (inv.Path,
// already under repo; inv.Format names the trace source), and the findings
// fs its packages matched, each with the trace source and, where times
// records it, when the trace was made. times holds a time per package of
// inv (zero when unknown), as lockfiles/host gives them.
func (b *Builder) Trace(repo string, inv *lockfiles.Inventory, times []time.Time, fs []ioc.Finding) {
	b.addRepo(Repo{Path: repo})
	b.r.Lockfiles = append(b.r.Lockfiles, Lockfile{Path: inv.Path, Repo: repo, Format: inv.Format, Packages: len(inv.Packages)})
	for i := range fs {
		f := convertFinding(&fs[i])
		f.Trace = inv.Format
		f.SeenAt = traceTime(inv, times, &fs[i])
		b.r.Findings = append(b.r.Findings, f)
	}
}

// TraceError adds an error of a host trace scan (lockfiles/host), which names its file relative
// to the home directory at the front of the message: the path and the
// message both get the prefix repo+"/" that trace paths have. It returns
// the entry, for the caller's log.
func (b *Builder) TraceError(repo string, err error) Error {
	e := Error{Error: repo + "/" + err.Error()}
	var pe *lockfiles.ParseError
	if errors.As(err, &pe) && pe.Path != "" {
		e.Path = repo + "/" + pe.Path
	} else {
		path, _, _ := strings.Cut(err.Error(), ": ")
		e.Path = repo + "/" + path
	}
	b.r.Errors = append(b.r.Errors, e)
	return e
}

// traceTime returns when the trace of f's package was made, nil when unknown.
func traceTime(inv *lockfiles.Inventory, times []time.Time, f *ioc.Finding) *time.Time {
	for i := range inv.Packages {
		p := &inv.Packages[i]
		if i < len(times) && p.Line == f.Package.Line && p.Name == f.Package.Name &&
			p.Version == f.Package.Version && p.Resolved == f.Package.Resolved && !times[i].IsZero() {
			t := times[i].UTC()
			return &t
		}
	}
	return nil
}
