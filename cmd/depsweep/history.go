package main

import (
	"runtime"
	"strings"
	"time"

	"github.com/depsweep/depsweep/ioc"
	"github.com/depsweep/depsweep/ioc/history"
	"github.com/depsweep/depsweep/lockfiles/gitlog"
)

// cmdHistory is 'depsweep history': for each repository found under the
// roots, the git history of every lockfile on every branch and tag,
// matched version by version, and per finding and ref the commits where
// it appeared and went away.
func cmdHistory(e *env, args []string) (int, error) {
	fs := newFlags("history")
	var (
		ff     feedFlags
		pf     pubFlags
		lf     logFlags
		fo     failOnFlag
		fl     fleetFlags
		refs   []string
		since  string
		format string
		output string
		jobs   int
		noTags bool
	)
	ff.register(fs)
	pf.register(fs)
	lf.register(fs)
	fo.register(fs)
	fs.StringArrayVar(&refs, "ref", nil, helpRef)
	fs.BoolVar(&noTags, "no-tags", false, helpNoTags)
	fs.StringVar(&since, "since", "", helpSince)
	fs.StringVar(&format, "format", "text", helpFormat)
	fs.StringVarP(&output, "output", "o", "", helpOutput)
	fs.IntVarP(&jobs, "jobs", "j", 0, helpHistoryJobs)
	fs.StringVar(&fl.reposFrom, "repos-from", "", helpHistoryReposFrom)
	fs.StringVar(&fl.shardArg, "shard", "", helpHistoryShard)
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
	if err := fl.validate(e, "history"); err != nil {
		return 2, err
	}
	roots, err := fl.roots(e, fs.Args())
	if err != nil {
		return 2, err
	}
	if err := checkRoots(roots); err != nil {
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

	b := rs.builder(time.Now().UTC(), roots)
	var advs []*ioc.Advisory
	for _, fd := range rs.fds {
		advs = append(advs, fd.Advisories...)
	}
	if jobs == 0 {
		jobs = runtime.GOMAXPROCS(0)
	}
	targets, derr := findHistoryRepos(e.ctx, roots, fl.shard)
	for _, d := range derr {
		log.Error().Str("repo", d.path).Str("error", d.err.Error()).Msg(logHistoryError)
		b.Error(d.path, d.err)
	}
	// Repositories are walked side by side, jobs at a time; each walk's
	// parsers share the jobs left (a single repository gets them all).
	workers := min(jobs, max(1, len(targets)))
	opts := history.Options{Refs: refs, NoTags: noTags, Since: sinceT, Publishers: rs.publishers(),
		Jobs: max(1, jobs/workers), Advisories: advs}
	results := walkHistories(e.ctx, targets, rs.index, opts, workers)
	var match ioc.MatchStats
	interrupted := false
	for i, t := range targets {
		r := results[i]
		if r.err == nil && r.res == nil || e.ctx.Err() != nil && r.err != nil {
			interrupted = true
			continue
		}
		if r.err != nil {
			log.Error().Str("repo", t.rel).Str("error", r.err.Error()).Msg(logHistoryError)
			b.Error(t.rel, r.err)
			continue
		}
		res := r.res
		m, _ := gitlog.ReadMeta(t.dir) // best effort: a bare repository has no .git
		b.Repo(&ioc.RepoInfo{Path: t.rel, Head: m.Head, Branch: m.Branch, Remote: m.Remote})
		b.History(res)
		match.Packages += res.Match.Packages
		match.PublisherKnown += res.Match.PublisherKnown
		log.Info().Str("repo", t.rel).Int("refs", res.Stats.Branches).Int("commits", res.Stats.Steps).
			Int("versions", res.Stats.Files).Int("parsed", res.Stats.Parsed).Int("findings", len(res.Exposures)).
			Bool("shallow", res.Shallow).Str("status", res.Status()).Dur("duration", r.took.Round(time.Millisecond)).Msg(logHistoryRepo)
		warnInconclusive(log, t.rel, res)
	}
	if interrupted {
		log.Warn().Msg(logInterrupted)
	}
	rep, err := rs.finish(e, log, b, format, interrupted, match)
	if err != nil {
		return 2, err
	}
	if rep.Summary.Lockfiles == 0 && rep.Summary.Errors == 0 && !interrupted {
		log.Warn().Msg(logNoLockfileHistory(rep.Roots))
	}
	code := fo.exitCode(rep, false, interrupted)
	if code == 0 && len(rep.Findings) == 0 && historyInconclusive(rep) {
		// Never "clean" for a history that cannot rule the package out.
		code = 2
	}
	return code, nil
}

// parseSince reads --since: a date (2025-09-01, midnight UTC) or an RFC 3339 time.
func parseSince(s string) (time.Time, error) {
	if t, err := time.Parse(time.DateOnly, s); err == nil {
		return t, nil
	}
	return time.Parse(time.RFC3339, s)
}
