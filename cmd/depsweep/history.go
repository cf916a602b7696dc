package main

import (
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/depsweep/depsweep/ioc"
	"github.com/depsweep/depsweep/ioc/history"
	"github.com/depsweep/depsweep/ioc/report"
	"github.com/depsweep/depsweep/lockfiles"
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
	defer rs.out.abort()

	rep := rs.header(time.Now().UTC(), repos)
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
		ri, _ := gitlog.ReadMeta(dir) // best effort: a bare repository has no .git
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
	if err := rs.finish(e, log, rep, format, interrupted, m.matchStats()); err != nil {
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
