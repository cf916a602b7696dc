package main

import (
	"os"
	"path/filepath"
	"time"

	"github.com/spf13/pflag"

	"github.com/depsweep/depsweep/ioc"
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
	traces, errs := host.Scan(e.ctx, home)
	interrupted := e.ctx.Err() != nil
	pubs := rs.publishers()
	var stats ioc.MatchStats
	for _, tr := range traces {
		inv := tr.Inventory
		inv.Path = hostRepo + "/" + inv.Path
		fds, st := rs.index.MatchInventory(hostRepo, inv, pubs)
		stats.Packages += st.Packages
		stats.PublisherKnown += st.PublisherKnown
		b.Trace(hostRepo, inv, tr.Times, fds)
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

// homeDir is the user's home directory as scan --host reads it: $HOME, else
// what the OS says.
func homeDir(e *env) string {
	if h := e.getenv("HOME"); h != "" {
		return h
	}
	h, _ := os.UserHomeDir()
	return h
}
