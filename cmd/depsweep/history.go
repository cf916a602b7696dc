package main

import (
	"io/fs"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/rs/zerolog"
	"github.com/spf13/pflag"

	"github.com/depsweep/depsweep/feeds"
	"github.com/depsweep/depsweep/ioc"
	"github.com/depsweep/depsweep/ioc/history"
	"github.com/depsweep/depsweep/ioc/report"
	"github.com/depsweep/depsweep/lockfiles"
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
	if !contains(reportFormats, format) {
		return 2, errBadChoice("format", format, reportFormats...)
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
		return 2, usageErrorf("history", "--jobs must be 0 or more, not %d", jobs)
	}
	if pf.installed {
		return 2, usageErrorf("history", "--installed does not apply to history: old lockfile versions have no installed packages")
	}
	for _, r := range refs {
		if r == "" || strings.HasPrefix(r, "-") {
			return 2, usageErrorf("history", "bad --ref %q: give a branch, tag or commit", r)
		}
	}
	repos := fs.Args()
	if len(repos) == 0 {
		repos = []string{"."}
	}
	if err := checkRoots(repos); err != nil {
		return 2, err
	}
	rs, err := setupReport(e, &ff, &pf, &lf, output)
	if err != nil {
		return 2, err
	}
	defer rs.out.abort()
	log := rs.log

	rep := &report.Report{
		Tool:    report.Tool{Name: "depsweep", Version: toolVersion()},
		Started: time.Now().UTC(),
		Roots:   slashAll(repos),
		Feeds:   reportFeeds(rs.fds),
	}
	m := newHistoryMatcher(rs.index)
	opts := history.Options{Refs: refs, Since: sinceT, Publishers: rs.publishers(), Jobs: jobs}
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
		res, err := history.Scan(e.ctx, dir, rel, m, opts)
		if err != nil {
			if e.ctx.Err() != nil {
				interrupted = true
				log.Warn().Msg(logInterrupted)
				break
			}
			log.Error().Str("repo", rel).Str("error", err.Error()).Msg(logHistoryError)
			rep.Errors = append(rep.Errors, report.Error{Path: rel, Error: err.Error()})
			continue
		}
		ri, _ := ioc.ReadRepoInfo(dir) // best effort: a bare repository has no .git
		rep.Repos = append(rep.Repos, report.Repo{Path: rel, Head: ri.Head, Branch: ri.Branch, Remote: ri.Remote,
			History: report.ConvertHistory(res)})
		for i := range res.Exposures {
			rep.Findings = append(rep.Findings, report.ConvertExposure(&res.Exposures[i]))
		}
		for _, fe := range res.Errors {
			rep.Errors = append(rep.Errors, report.Error{Path: fe.Path, Error: fe.Error()})
		}
		log.Info().Str("repo", rel).Int("branches", res.Stats.Branches).Int("commits", res.Stats.Steps).
			Int("versions", res.Stats.Files).Int("parsed", res.Stats.Parsed).Int("findings", len(res.Exposures)).
			Bool("shallow", res.Shallow).Dur("duration", time.Since(start).Round(time.Millisecond)).Msg(logHistoryRepo)
	}
	rep.Lockfiles = m.lockfiles()
	rep.Finished = time.Now().UTC()
	rep.Interrupted = interrupted
	st := m.matchStats()
	rep.Summary.Publisher = report.Coverage{Packages: st.Packages, Known: st.PublisherKnown, Sources: rs.sources}
	report.Normalize(rep)
	if err := rs.write(e, rep, format); err != nil {
		return 2, err
	}
	logSummary(log, rep, rep.Finished.Sub(rep.Started))
	if rep.Summary.Lockfiles == 0 && rep.Summary.Errors == 0 && !interrupted {
		log.Warn().Msg(logNoLockfileHistory(rep.Roots))
	}
	return fo.exitCode(rep, interrupted), nil
}

// A reportSetup is what a command that builds its report in memory (history,
// scan --host) needs before it starts: feeds, index, publisher data, the
// logger and the output.
type reportSetup struct {
	log     zerolog.Logger
	fds     []*feeds.Feed
	index   *ioc.Index
	pubsFor func(fs.FS, string) ioc.Publishers // nil: no publisher data
	sources []string
	out     *output
}

// setupReport loads the feeds and publisher data and opens the output; the
// caller must call out.abort when done.
func setupReport(e *env, ff *feedFlags, pf *pubFlags, lf *logFlags, output string) (*reportSetup, error) {
	var rs reportSetup
	var err error
	if rs.log, _, err = lf.logger(e); err != nil {
		return nil, err
	}
	if rs.fds, err = ff.load(); err != nil {
		return nil, err
	}
	if rs.index, err = compile(rs.fds); err != nil {
		return nil, err
	}
	if rs.pubsFor, rs.sources, err = pf.publishers(rs.log); err != nil {
		return nil, err
	}
	if rs.out, err = openOutput(e, output); err != nil {
		return nil, errOutput(err)
	}
	return &rs, nil
}

// publishers returns the publisher source of a command without --installed
// (one source for every input), nil when there is no publisher data.
func (rs *reportSetup) publishers() ioc.Publishers {
	if rs.pubsFor == nil {
		return nil
	}
	return rs.pubsFor(nil, "")
}

// write renders rep in format and makes the output visible.
func (rs *reportSetup) write(e *env, rep *report.Report, format string) error {
	if err := render(rs.out.w, rep, format, rs.out.color(e)); err != nil {
		return errOutput(err)
	}
	if err := rs.out.commit(); err != nil {
		return errOutput(err)
	}
	return nil
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

// failOnFlag is --fail-on: the lowest severity that makes the exit code 1.
type failOnFlag struct {
	value     string
	threshold ioc.Severity
	none      bool
}

func (f *failOnFlag) register(fs *pflag.FlagSet) {
	fs.StringVar(&f.value, "fail-on", "info", helpFailOn)
}

func (f *failOnFlag) validate() error {
	if strings.EqualFold(f.value, "none") {
		f.none = true
		return nil
	}
	s, err := ioc.ParseSeverity(f.value)
	if err != nil {
		return errBadChoice("fail-on", f.value, "critical", "high", "medium", "low", "info", "none")
	}
	f.threshold = s
	return nil
}

// exitCode maps a finished report to the exit code as scan does: findings
// at or above the threshold win (1), then errors or an interruption (2),
// else 0.
func (f *failOnFlag) exitCode(rep *report.Report, interrupted bool) int {
	switch {
	case !f.none && rep.CountAtOrAbove(f.threshold) > 0:
		return 1
	case rep.Summary.Errors > 0 || interrupted:
		return 2
	}
	return 0
}
