package main

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/spf13/pflag"

	"github.com/depsweep/depsweep/ioc"
	"github.com/depsweep/depsweep/ioc/report"
	"github.com/depsweep/depsweep/lockfiles"
	"github.com/depsweep/depsweep/lockfiles/host"
)

// hostRepo is the repository of host trace findings, and the prefix of
// their evidence paths: the home directory.
const hostRepo = "~"

// hostFlags are scan's flags for host traces.
type hostFlags struct {
	host bool
	home string
}

func (h *hostFlags) register(fs *pflag.FlagSet) {
	fs.BoolVar(&h.host, "host", false, helpHost)
	fs.StringVar(&h.home, "home", "", helpHome)
}

// on reports whether scan should read host traces instead of repositories.
func (h *hostFlags) on() bool { return h.host || h.home != "" }

// scanHost is 'depsweep scan --host' and 'scan --home DIR': the npx cache,
// the npm cache index, MCP client configs, Yarn Berry caches and the pnpm
// store index under the home directory, matched against the same index and
// written as the same report as a repository scan. Each trace is a
// "lockfile" named by its evidence file ("~/.npm/_npx/.../package-lock.json").
// fs holds scan's parsed flags.
func scanHost(e *env, fs *pflag.FlagSet, h *hostFlags, ff *feedFlags, pf *pubFlags, lf *logFlags, fo *failOnFlag, format, output string) (int, error) {
	// Check every flag before doing any work.
	if fs.NArg() > 0 {
		return 2, errHostArgs()
	}
	for _, name := range []string{"sbom-dir", "installed", "exclude", "max-file-size"} {
		if fs.Changed(name) {
			return 2, errHostFlag(name)
		}
	}
	if err := checkFormat(format); err != nil {
		return 2, err
	}
	if err := fo.validate(); err != nil {
		return 2, err
	}
	home := h.home
	if home == "" {
		if home = homeDir(e); home == "" {
			return 2, errNoHome()
		}
	}
	if err := checkRoots([]string{home}); err != nil {
		return 2, err
	}
	log, _, err := lf.logger(e)
	if err != nil {
		return 2, err
	}
	rs, err := setupReport(e, ff, pf, log, output)
	if err != nil {
		return 2, err
	}
	defer rs.out.abort()

	rep := rs.header(time.Now().UTC(), []string{home})
	rep.Repos = []report.Repo{{Path: hostRepo}}
	rep.Machine = machine(e, home)
	res := host.Read(e.ctx, home)
	traces, errs := res.Traces, res.Errors
	interrupted := e.ctx.Err() != nil
	pubs := rs.publishers()
	if res.Publishers.Len() > 0 {
		// The packuments npm cached answer after the flags' sources.
		pubs = ioc.ChainPublishers(pubs, ioc.NamedPublishers(res.Publishers, "npm cache packument"))
		for _, d := range res.Publishers.Dirs() {
			rs.sources = append(rs.sources, "npm-cache:"+hostRepo+"/"+d)
		}
	}
	var stats ioc.MatchStats
	for _, tr := range traces {
		inv := tr.Inventory
		inv.Path = hostRepo + "/" + inv.Path
		rep.Lockfiles = append(rep.Lockfiles, report.Lockfile{Path: inv.Path, Repo: hostRepo, Format: inv.Format, Packages: len(inv.Packages)})
		fds, st := rs.index.MatchInventory(hostRepo, inv, pubs)
		stats.Packages += st.Packages
		stats.PublisherKnown += st.PublisherKnown
		for i := range fds {
			f := report.ConvertFinding(&fds[i])
			f.Trace = inv.Format
			f.SeenAt, f.SeenAtFrom = traceTime(tr, &fds[i])
			rep.Findings = append(rep.Findings, f)
		}
	}
	for _, err := range errs {
		re := hostError(err)
		rep.Errors = append(rep.Errors, re)
		log.Error().Str("path", re.Path).Str("error", re.Error).Msg(logInputError)
	}
	if err := rs.finish(e, log, rep, format, interrupted, stats); err != nil {
		return 2, err
	}
	if rep.Summary.Lockfiles == 0 && rep.Summary.Errors == 0 && !interrupted {
		log.Warn().Msg(logNoTraces(filepath.ToSlash(home)))
	}
	return fo.exitCode(rep, false, interrupted), nil
}

// hostError returns the report entry of an error of [host.Scan], which
// names its file relative to home at the front of the message: the path
// and the message both get the "~/" prefix that trace paths have.
func hostError(err error) report.Error {
	msg := hostRepo + "/" + err.Error()
	var pe *lockfiles.ParseError
	if errors.As(err, &pe) && pe.Path != "" {
		return report.Error{Path: hostRepo + "/" + pe.Path, Error: msg}
	}
	path, _, _ := strings.Cut(err.Error(), ": ")
	return report.Error{Path: hostRepo + "/" + path, Error: msg}
}

// traceTime returns when the trace of f's package was made and where that
// time comes from; nil and "" when unknown.
func traceTime(tr host.Trace, f *ioc.Finding) (*time.Time, string) {
	for i := range tr.Inventory.Packages {
		p := &tr.Inventory.Packages[i]
		if i < len(tr.Times) && p.Line == f.Package.Line && p.Name == f.Package.Name &&
			p.Version == f.Package.Version && p.Resolved == f.Package.Resolved && !tr.Times[i].IsZero() {
			t := tr.Times[i].UTC()
			from := ""
			if i < len(tr.TimeFrom) {
				from = tr.TimeFrom[i]
			}
			return &t, from
		}
	}
	return nil, ""
}

// machine names the machine and user whose home scan --host reads: the
// host name, the user from $USER (Unix) or $USERNAME (Windows), else the
// home directory's base name, and the home directory as an absolute path.
func machine(e *env, home string) *report.Machine {
	name, _ := os.Hostname()
	user := e.getenv("USER")
	if user == "" {
		user = e.getenv("USERNAME")
	}
	if user == "" {
		user = filepath.Base(home)
	}
	if abs, err := filepath.Abs(home); err == nil {
		home = abs
	}
	return &report.Machine{Name: name, User: user, Home: filepath.ToSlash(home)}
}

// homeDir is the user's home directory as scan --host reads it: $HOME, else
// what the OS says.
func homeDir(e *env) string {
	if h := e.getenv("HOME"); h != "" {
		return h
	}
	h, _ := os.UserHomeDir()
	return h
}
