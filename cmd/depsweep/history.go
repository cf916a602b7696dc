package main

import (
	"path/filepath"
	"strings"
	"time"

	"github.com/depsweep/depsweep/ioc"
	"github.com/depsweep/depsweep/ioc/history"
	"github.com/depsweep/depsweep/lockfiles/gitlog"
)

// cmdHistory is 'depsweep history': for each repository, the git history of
// every lockfile, matched version by version, and per finding and branch
// the commits where it appeared and went away.
func cmdHistory(e *env, args []string) (int, error) {
	fs := newFlags("history")
	var (
		ff     feedFlags
		pf     pubFlags
		lf     logFlags
		fo     failOnFlag
		refs   []string
		since  string
		format string
		output string
		jobs   int
	)
	ff.register(fs)
	pf.register(fs)
	lf.register(fs)
	fo.register(fs)
	fs.StringArrayVar(&refs, "ref", nil, helpRef)
	fs.StringVar(&since, "since", "", helpSince)
	fs.StringVar(&format, "format", "text", helpFormat)
	fs.StringVarP(&output, "output", "o", "", helpOutput)
	fs.IntVarP(&jobs, "jobs", "j", 0, helpHistoryJobs)
	if done, err := parseFlags(e, "history", fs, args, usageHistory, usageHistoryTail); done {
		return flagExit(err)
	}

	// Check every flag before doing any work.
	if err := checkFormat(format); err != nil {
		return 2, err
	}
	if err := fo.validate(e); err != nil {
		return 2, err
	}
	var sinceT time.Time
	if since != "" {
		var err error
		if sinceT, err = parseSince(since); err != nil {
			return 2, errBadSince(since)
		}
	}
	if jobs < 0 {
		return 2, errJobs("history", jobs)
	}
	if pf.installed {
		return 2, errHistoryInstalled()
	}
	for _, r := range refs {
		if r == "" || strings.HasPrefix(r, "-") {
			return 2, errBadRef(r)
		}
	}
	repos := fs.Args()
	if len(repos) == 0 {
		repos = []string{"."}
	}
	if err := checkRoots(repos); err != nil {
		return 2, err
	}
	log, _, err := lf.logger(e)
	if err != nil {
		return 2, err
	}
	rs, err := setupReport(e, &ff, &pf, log, output)
	if err != nil {
		return 2, err
	}
	rs.fo = &fo
	defer rs.out.abort()

	b := rs.builder(time.Now().UTC(), repos)
	opts := history.Options{Refs: refs, Since: sinceT, Publishers: rs.publishers(), Jobs: jobs}
	var match ioc.MatchStats
	interrupted := false
	for _, dir := range repos {
		if e.ctx.Err() != nil {
			interrupted = true
			break
		}
		rel := "."
		if len(repos) > 1 {
			rel = filepath.ToSlash(filepath.Clean(dir))
		}
		start := time.Now()
		res, err := history.Scan(e.ctx, dir, rel, rs.index, opts)
		if err != nil {
			if e.ctx.Err() != nil {
				interrupted = true
				log.Warn().Msg(logInterrupted)
				break
			}
			log.Error().Str("repo", rel).Str("error", err.Error()).Msg(logHistoryError)
			b.Error(rel, err)
			continue
		}
		m, _ := gitlog.ReadMeta(dir) // best effort: a bare repository has no .git
		b.Repo(&ioc.RepoInfo{Path: rel, Head: m.Head, Branch: m.Branch, Remote: m.Remote})
		b.History(res)
		match.Packages += res.Match.Packages
		match.PublisherKnown += res.Match.PublisherKnown
		log.Info().Str("repo", rel).Int("branches", res.Stats.Branches).Int("commits", res.Stats.Steps).
			Int("versions", res.Stats.Files).Int("parsed", res.Stats.Parsed).Int("findings", len(res.Exposures)).
			Bool("shallow", res.Shallow).Dur("duration", time.Since(start).Round(time.Millisecond)).Msg(logHistoryRepo)
	}
	rep, err := rs.finish(e, log, b, format, interrupted, match)
	if err != nil {
		return 2, err
	}
	if rep.Summary.Lockfiles == 0 && rep.Summary.Errors == 0 && !interrupted {
		log.Warn().Msg(logNoLockfileHistory(rep.Roots))
	}
	return fo.exitCode(rep, false, interrupted), nil
}

// parseSince reads --since: a date (2025-09-01, midnight UTC) or an RFC 3339 time.
func parseSince(s string) (time.Time, error) {
	if t, err := time.Parse(time.DateOnly, s); err == nil {
		return t, nil
	}
	return time.Parse(time.RFC3339, s)
}
