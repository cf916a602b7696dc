package report

import (
	"errors"
	"strings"
	"time"

	"github.com/depsweep/depsweep/ioc"
	"github.com/depsweep/depsweep/lockfiles"
	"github.com/depsweep/depsweep/lockfiles/host"
)

// Trace adds one host trace of 'depsweep scan --host' in repository repo
// (the home directory, "~"): the trace's evidence file as a lockfile
// (tr.Inventory.Path, already under repo), and the findings fs its
// packages matched, each with the trace source and, where the trace
// records it, the time the trace was made.
func (b *Builder) Trace(repo string, tr host.Trace, fs []ioc.Finding) {
	inv := tr.Inventory
	b.addRepo(Repo{Path: repo})
	b.r.Lockfiles = append(b.r.Lockfiles, Lockfile{Path: inv.Path, Repo: repo, Format: inv.Format, Packages: len(inv.Packages)})
	for i := range fs {
		f := convertFinding(&fs[i])
		f.Trace = inv.Format
		f.SeenAt = traceTime(tr, &fs[i])
		b.r.Findings = append(b.r.Findings, f)
	}
}

// TraceError adds an error of [host.Scan], which names its file relative
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
func traceTime(tr host.Trace, f *ioc.Finding) *time.Time {
	for i := range tr.Inventory.Packages {
		p := &tr.Inventory.Packages[i]
		if i < len(tr.Times) && p.Line == f.Package.Line && p.Name == f.Package.Name &&
			p.Version == f.Package.Version && p.Resolved == f.Package.Resolved && !tr.Times[i].IsZero() {
			t := tr.Times[i].UTC()
			return &t
		}
	}
	return nil
}
