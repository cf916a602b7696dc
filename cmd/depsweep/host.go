package main

import (
	"os"
	"path/filepath"
	"time"

	"github.com/spf13/pflag"

	"github.com/depsweep/depsweep/ioc"
	"github.com/depsweep/depsweep/ioc/publisher"
	"github.com/depsweep/depsweep/ioc/report"
	"github.com/depsweep/depsweep/lockfiles/host"
)

// hostRepo is the repository of host trace findings, and the prefix of
// their evidence paths: the home directory.
const hostRepo = "~"

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
	if err := fo.validate(e); err != nil {
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
	rs.fo = fo
	defer rs.out.abort()

	b := rs.builder(time.Now().UTC(), []string{home})
	b.Repo(&ioc.RepoInfo{Path: hostRepo})
	b.Machine(machine(e, home))
	res := host.Read(e.ctx, home)
	traces, errs := res.Traces, res.Errors
	interrupted := e.ctx.Err() != nil
	pubs := rs.publishers()
	if res.Publishers.Len() > 0 {
		// The packuments npm cached answer after the flags' sources.
		pubs = publisher.Chain(pubs, publisher.Named(res.Publishers, "npm cache packument"))
		for _, d := range res.Publishers.Dirs() {
			rs.sources = append(rs.sources, "npm-cache:"+hostRepo+"/"+d)
		}
	}
	var stats ioc.MatchStats
	for _, tr := range traces {
		inv := tr.Inventory
		inv.Path = hostRepo + "/" + inv.Path
		fds, st := rs.index.MatchInventory(hostRepo, inv, pubs)
		stats.Packages += st.Packages
		stats.PublisherKnown += st.PublisherKnown
		b.Trace(hostRepo, inv, tr.Times, tr.TimeFrom, fds)
	}
	for _, err := range errs {
		re := b.TraceError(hostRepo, err)
		log.Error().Str("path", re.Path).Str("error", re.Error).Msg(logInputError)
	}
	rep, err := rs.finish(e, log, b, format, interrupted, stats)
	if err != nil {
		return 2, err
	}
	if rep.Summary.Lockfiles == 0 && rep.Summary.Errors == 0 && !interrupted {
		log.Warn().Msg(logNoTraces(filepath.ToSlash(home)))
	}
	return fo.exitCode(rep, false, interrupted), nil
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
