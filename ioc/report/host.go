package report

import (
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/depsweep/depsweep/ioc"
	"github.com/depsweep/depsweep/lockfiles"
)

// Trace adds one host trace of 'depsweep scan --host' in repository repo
// (the home directory, "~"): the evidence file as a lockfile (inv.Path,
// already under repo; inv.Format names the trace source), and the findings
// fs its packages matched, each with the trace source and, where times
// records it, when the trace was made and where that time comes from.
// times and from hold a time and its source per package of inv (zero and
// "" when unknown), as lockfiles/host gives them.
func (b *Builder) Trace(repo string, inv *lockfiles.Inventory, times []time.Time, from []string, fs []ioc.Finding) {
	b.addRepo(Repo{Path: repo})
	b.r.Lockfiles = append(b.r.Lockfiles, Lockfile{Path: inv.Path, Repo: repo, Format: inv.Format, Packages: len(inv.Packages)})
	for i := range fs {
		f := convertFinding(&fs[i])
		f.Trace = inv.Format
		f.SeenAt, f.SeenAtFrom = traceTime(inv, times, from, &fs[i])
		b.findings.add(f)
	}
}

// Machine records the machine and user a 'scan --host' report reads.
func (b *Builder) Machine(m *Machine) { b.r.Machine = m }

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

// traceTime returns when the trace of f's package was made and where that
// time comes from; nil and "" when unknown.
func traceTime(inv *lockfiles.Inventory, times []time.Time, from []string, f *ioc.Finding) (*time.Time, string) {
	for i := range inv.Packages {
		p := &inv.Packages[i]
		if i < len(times) && p.Line == f.Package.Line && p.Name == f.Package.Name &&
			p.Version == f.Package.Version && p.Resolved == f.Package.Resolved && !times[i].IsZero() {
			t := times[i].UTC()
			src := ""
			if i < len(from) {
				src = from[i]
			}
			return &t, src
		}
	}
	return nil, ""
}

// seenFrom says, in words, where a host trace's time comes from, when it
// is not the trace's own record of the fetch: " (directory time)".
func seenFrom(from string) string {
	switch from {
	case "", "npm-cache-entry":
		return ""
	case "file-mtime":
		return " (file time)"
	case "dir-mtime":
		return " (directory time)"
	case "log-file-name":
		return " (npm run start)"
	case "dlx-dir-name":
		return " (dlx directory made)"
	}
	return " (" + clean(from) + ")"
}

// machineLines describes the machines of a host report, one line each: the
// machine a 'scan --host' report read, or each machine of a merged one
// with its counts.
func machineLines(r *Report) []string {
	if len(r.Summary.Machines) == 0 {
		if r.Machine != nil {
			return []string{clean(r.Machine.Label())}
		}
		return nil
	}
	var out []string
	for _, m := range r.Summary.Machines {
		v := fmt.Sprintf("%s: %s", clean(m.Machine), plural(m.Findings, "finding", "findings"))
		if m.Findings > 0 {
			v += " (" + bySeverityPlain(m.BySeverity) + ")"
		}
		v += fmt.Sprintf(", %s, %s", plural(m.Lockfiles, "trace file", "trace files"), plural(m.Errors, "error", "errors"))
		out = append(out, v)
	}
	return out
}

// bySeverityPlain renders non-zero severity counts, highest first: "1 critical, 2 high".
func bySeverityPlain(by map[string]int) string {
	var parts []string
	for _, sev := range []string{"critical", "high", "medium", "low", "info"} {
		if by[sev] > 0 {
			parts = append(parts, fmt.Sprintf("%d %s", by[sev], sev))
		}
	}
	return strings.Join(parts, ", ")
}
