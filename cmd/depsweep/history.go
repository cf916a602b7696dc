package main

import (
	"runtime"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/depsweep/depsweep/ioc"
	"github.com/depsweep/depsweep/ioc/history"
	"github.com/depsweep/depsweep/ioc/report"
	"github.com/depsweep/depsweep/lockfiles"
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
	if err := fo.validate(); err != nil {
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
	defer rs.out.abort()

	rep := rs.header(time.Now().UTC(), roots)
	m := newHistoryMatcher(rs.index)
	var advs []*ioc.Advisory
	for _, fd := range rs.fds {
		advs = append(advs, fd.Advisories...)
	}
	if jobs == 0 {
		jobs = runtime.GOMAXPROCS(0)
	}
	targets, derr := findHistoryRepos(e.ctx, roots, fl.shard)
	for _, d := range derr {
		log.Error().Str("repo", d.Path).Str("error", d.Error).Msg(logHistoryError)
	}
	rep.Errors = append(rep.Errors, derr...)
	// Repositories are walked side by side, jobs at a time; each walk's
	// parsers share the jobs left (a single repository gets them all).
	workers := min(jobs, max(1, len(targets)))
	opts := history.Options{Refs: refs, NoTags: noTags, Since: sinceT, Publishers: rs.publishers(),
		Jobs: max(1, jobs/workers), Advisories: advs}
	results := walkHistories(e.ctx, targets, m, opts, workers)
	interrupted := false
	for i, t := range targets {
		r := results[i]
		if r.err == nil && r.res == nil || e.ctx.Err() != nil && r.err != nil {
			interrupted = true
			continue
		}
		if r.err != nil {
			log.Error().Str("repo", t.rel).Str("error", r.err.Error()).Msg(logHistoryError)
			rep.Errors = append(rep.Errors, report.Error{Path: t.rel, Error: r.err.Error()})
			continue
		}
		res := r.res
		ri, _ := ioc.ReadRepoInfo(t.dir) // best effort: a bare repository has no .git
		rep.Repos = append(rep.Repos, report.Repo{Path: t.rel, Head: ri.Head, Branch: ri.Branch, Remote: ri.Remote,
			History: report.ConvertHistory(res)})
		for i := range res.Exposures {
			rep.Findings = append(rep.Findings, report.ConvertExposure(&res.Exposures[i]))
		}
		for _, fe := range res.Errors {
			rep.Errors = append(rep.Errors, report.Error{Path: fe.Path, Error: fe.Error()})
		}
		log.Info().Str("repo", t.rel).Int("refs", res.Stats.Branches).Int("commits", res.Stats.Steps).
			Int("versions", res.Stats.Files).Int("parsed", res.Stats.Parsed).Int("findings", len(res.Exposures)).
			Bool("shallow", res.Shallow).Str("status", res.Status()).Dur("duration", r.took.Round(time.Millisecond)).Msg(logHistoryRepo)
		warnInconclusive(log, t.rel, res)
	}
	if interrupted {
		log.Warn().Msg(logInterrupted)
	}
	rep.Lockfiles = m.lockfiles()
	if err := rs.finish(e, log, rep, format, interrupted, m.matchStats()); err != nil {
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

// A historyMatcher is the index as [history.Scan] uses it, noting on the
// way which lockfiles the history held: history.Scan reports findings, and
// the report also lists what was checked.
type historyMatcher struct {
	x     *ioc.Index
	mu    sync.Mutex
	files map[string]*historyFile // by lockfile path (relative to the scan root)
	stats ioc.MatchStats
}

// historyFile is one lockfile path over its history.
type historyFile struct {
	repo     string
	formats  []string
	packages map[string]struct{} // distinct name@version over every version
}

func newHistoryMatcher(x *ioc.Index) *historyMatcher {
	return &historyMatcher{x: x, files: map[string]*historyFile{}}
}

// MatchInventory implements [history.Matcher]; it is safe for concurrent use.
func (m *historyMatcher) MatchInventory(repo string, inv *lockfiles.Inventory, pubs ioc.Publishers) ([]ioc.Finding, ioc.MatchStats) {
	fs, st := m.x.MatchInventory(repo, inv, pubs)
	ids := make([]string, len(inv.Packages))
	for i := range inv.Packages {
		ids[i] = inv.Packages[i].Name + "@" + inv.Packages[i].Version
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	f := m.files[inv.Path]
	if f == nil {
		f = &historyFile{repo: repo, packages: map[string]struct{}{}}
		m.files[inv.Path] = f
	}
	if !slices.Contains(f.formats, inv.Format) {
		f.formats = append(f.formats, inv.Format)
	}
	for _, id := range ids {
		f.packages[id] = struct{}{}
	}
	m.stats.Packages += st.Packages
	m.stats.PublisherKnown += st.PublisherKnown
	return fs, st
}

// Rematch implements [history.Rematcher]: it matches a lockfile version
// read again (with its project's package.json files) without counting it.
func (m *historyMatcher) Rematch(repo string, inv *lockfiles.Inventory, pubs ioc.Publishers) []ioc.Finding {
	fs, _ := m.x.MatchInventory(repo, inv, pubs)
	return fs
}

// lockfiles lists every lockfile path the history held: its formats over
// time and its distinct packages over every version.
func (m *historyMatcher) lockfiles() []report.Lockfile {
	m.mu.Lock()
	defer m.mu.Unlock()
	out := make([]report.Lockfile, 0, len(m.files))
	for p, f := range m.files {
		formats := slices.Clone(f.formats)
		slices.Sort(formats)
		out = append(out, report.Lockfile{Path: p, Repo: f.repo, Format: strings.Join(formats, ","), Packages: len(f.packages)})
	}
	return out
}

// matchStats returns the publisher coverage summed over every version matched.
func (m *historyMatcher) matchStats() ioc.MatchStats {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.stats
}
