package main

import (
	"bufio"
	"errors"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/rs/zerolog"

	"github.com/depsweep/depsweep/feeds"
	"github.com/depsweep/depsweep/ioc"
	"github.com/depsweep/depsweep/ioc/publisher"
	"github.com/depsweep/depsweep/ioc/report"
	"github.com/depsweep/depsweep/lockfiles"
	"github.com/depsweep/depsweep/sbom"
)

// Wiring: what the commands share between their flags and their work.
// The feeds and their index, the publisher sources, the report builder
// and its end, the logger, the roots of a fleet sweep and the scan itself.

// A setup is what a command that matches packages needs before it reads
// its inputs: the feeds, their compiled index and the publisher data, and,
// for a command that writes a findings report, the output.
type setup struct {
	fds     []*feeds.Feed
	index   *ioc.Index
	pubsFor func(fs.FS, string) ioc.Publishers // per project; nil: no publisher data
	sources []string                           // the publisher data sources known before the scan
	pf      *pubFlags
	out     *output     // nil unless opened by setupReport
	fo      *failOnFlag // the ignore rules finish applies; nil: none
}

// setupIndex loads the feeds (--feed, --feed-sha256), compiles their
// indicators and reads the publisher flags.
func setupIndex(ff *feedFlags, pf *pubFlags, log zerolog.Logger) (*setup, error) {
	s := setup{pf: pf}
	var err error
	if s.fds, err = ff.load(); err != nil {
		return nil, err
	}
	if s.index, err = compile(s.fds); err != nil {
		return nil, err
	}
	if s.pubsFor, s.sources, err = pf.publishers(log); err != nil {
		return nil, err
	}
	return &s, nil
}

// setupReport is [setupIndex], then opens the report output (--output, ""
// for standard output). The caller must call out.abort when done.
func setupReport(e *env, ff *feedFlags, pf *pubFlags, log zerolog.Logger, output string) (*setup, error) {
	s, err := setupIndex(ff, pf, log)
	if err != nil {
		return nil, err
	}
	if s.out, err = openOutput(e, output); err != nil {
		return nil, errOutput(err)
	}
	return s, nil
}

// load reads the feeds: the embedded one (unless --no-default-feed), then
// every --feed in order. Pins go one per --feed, in order, or, without
// --feed, one for the embedded feed. A pin that does not match is an
// error.
func (f *feedFlags) load() ([]*feeds.Feed, error) {
	if f.noDefault && len(f.files) == 0 {
		return nil, errNoFeeds()
	}
	var out []*feeds.Feed
	if !f.noDefault {
		fd, err := feeds.Default()
		if err != nil {
			return nil, errFeed(err)
		}
		if len(f.files) == 0 {
			if len(f.pins) > 1 {
				return nil, errFeedSHAcount(1, len(f.pins))
			}
			if len(f.pins) == 1 && !strings.EqualFold(f.pins[0], fd.SHA256) {
				return nil, errFeedSHA(fd.Name, fd.SHA256, f.pins[0])
			}
		}
		out = append(out, fd)
	}
	if len(f.files) == 0 {
		return out, nil
	}
	if len(f.pins) != 0 && len(f.pins) != len(f.files) {
		return nil, errFeedSHAcount(len(f.files), len(f.pins))
	}
	for i, name := range f.files {
		var fd *feeds.Feed
		var err error
		if name == feeds.OSVNPMName {
			pin := ""
			if len(f.pins) > 0 {
				pin = strings.ToLower(f.pins[i])
			}
			if fd, err = cachedOSVFeed(pin); err != nil {
				return nil, err
			}
		} else if len(f.pins) > 0 {
			fd, err = feeds.LoadVerified(name, strings.ToLower(f.pins[i]))
		} else {
			fd, err = feeds.Load(name)
		}
		if err != nil {
			return nil, errFeed(err)
		}
		out = append(out, fd)
	}
	return out, nil
}

// compile compiles the indicators of fds, advisories that share an id or
// alias across feeds made one (see [feeds.Unify]).
func compile(fds []*feeds.Feed) (*ioc.Index, error) {
	inds, err := feeds.Unify(fds...)
	if err != nil {
		return nil, errIndex(err)
	}
	x, err := ioc.NewIndex(inds)
	if err != nil {
		return nil, errIndex(err)
	}
	return x, nil
}

// publishers returns the publisher source of an input with no installed
// packages (history, host traces): one source for every input, nil when
// there is no publisher data.
func (s *setup) publishers() ioc.Publishers {
	if s.pubsFor == nil {
		return nil
	}
	return s.pubsFor(nil, "")
}

// usedSources returns the publisher data sources for the report: those
// known before the scan plus the registries projects' .npmrc files named.
// Call it after the scan.
func (s *setup) usedSources() []string { return s.pf.usedSources(s.sources) }

// builder returns the report builder of a command, with what is known
// before the scan: the tool, the start time, the roots (as slash paths) and
// the feeds.
func (s *setup) builder(started time.Time, roots []string) *report.Builder {
	return report.NewBuilder(report.Header{
		Tool:    report.Tool{Name: "depsweep", Version: toolVersion()},
		Started: started,
		Roots:   slashAll(roots),
		Feeds:   reportFeeds(s.fds),
	})
}

// finish completes the report of a command that matched outside a scan
// (history, scan --host): it records the end time, the interruption and
// the publisher coverage st, writes the report in format to the output and
// logs the summary.
func (s *setup) finish(e *env, log zerolog.Logger, b *report.Builder, format string, interrupted bool, st ioc.MatchStats) (*report.Report, error) {
	rep := b.Finish(time.Now().UTC(), interrupted, report.MatchCoverage(st, s.usedSources()))
	if s.fo != nil {
		s.fo.suppress(e, log, rep)
	}
	if err := s.out.write(e, rep, format); err != nil {
		return nil, err
	}
	logSummary(e, log, rep, rep.Finished.Sub(rep.Started))
	return rep, nil
}

// reportFeeds describes fds for the report.
func reportFeeds(fds []*feeds.Feed) []report.Feed {
	var out []report.Feed
	for _, fd := range fds {
		rf := report.Feed{Name: fd.Name, Advisories: len(fd.Advisories), Indicators: len(fd.Indicators), SHA256: fd.SHA256}
		if c := fd.Counts(); len(c) > 0 {
			rf.ByKind = make(map[string]int, len(c))
			for k, n := range c {
				rf.ByKind[string(k)] = n
			}
		}
		out = append(out, rf)
	}
	return out
}

func slashAll(paths []string) []string {
	out := make([]string, len(paths))
	for i, p := range paths {
		out[i] = filepath.ToSlash(p)
	}
	return out
}

// publishers returns the per-project publisher source for ioc.ScanConfig,
// nil when there is no publisher data, and the coverage sources (see
// usedSources for those known only after the scan). With --registry, each
// project's .npmrc chooses the registry of its packages; log receives the
// problems with those files.
func (p *pubFlags) publishers(log zerolog.Logger) (func(fs.FS, string) ioc.Publishers, []string, error) {
	var static []publisher.Source
	var sources []string
	if p.installed {
		sources = append(sources, "installed")
	}
	if p.metadata != "" {
		pk, err := publisher.LoadPackuments(p.metadata)
		if err != nil {
			return nil, nil, errRegistryMetadata(p.metadata, err)
		}
		static = append(static, pk)
		sources = append(sources, "registry-metadata:"+filepath.ToSlash(p.metadata))
	}
	if p.registry != "" {
		cache := p.cacheDir
		if cache == "" {
			if d, err := os.UserCacheDir(); err == nil {
				cache = filepath.Join(d, "depsweep", "registry")
			}
		}
		warn := func(err error) {
			msg := logRegistryFail
			var pe *lockfiles.ParseError
			if errors.As(err, &pe) { // a project's .npmrc, by its path
				msg = logNpmrc
			}
			log.Warn().Str("error", err.Error()).Msg(msg)
		}
		pool, err := publisher.NewRegistryPool(publisher.RegistryOptions{URL: p.registry, CacheDir: cache, Timeout: p.timeout, Concurrency: p.concurrency}, warn)
		if err != nil {
			return nil, nil, errRegistry(err)
		}
		p.pool = pool
		sources = append(sources, "registry:"+p.registry)
	}
	if len(static) == 0 && !p.installed && p.pool == nil {
		return nil, nil, nil
	}
	installed, pool := p.installed, p.pool
	return func(project fs.FS, projectPath string) ioc.Publishers {
		// Installed manifests first: they describe exactly what is on disk.
		var ps []publisher.Source
		if installed && project != nil { // nil for an SBOM: nothing is installed
			ps = append(ps, publisher.Installed(project))
		}
		ps = append(ps, static...)
		if pool != nil {
			ps = append(ps, pool.Publishers(project, projectPath))
		}
		if len(ps) == 1 {
			return ps[0]
		}
		return publisher.Chain(ps...)
	}, sources, nil
}

// usedSources returns sources plus the registries that projects' .npmrc
// files named and that were used. Call it after the scan.
func (p *pubFlags) usedSources(sources []string) []string {
	if p.pool == nil {
		return sources
	}
	out := slices.Clip(sources)
	for _, s := range p.pool.Sources() {
		if !slices.Contains(out, s) {
			out = append(out, s)
		}
	}
	return out
}

// logger builds the diagnostics logger on stderr. w is the writer to give
// a progress line, nil when there is none.
func (l *logFlags) logger(e *env) (zerolog.Logger, *progressWriter, error) {
	lvl, err := zerolog.ParseLevel(l.level)
	if err != nil || l.level == "" {
		return zerolog.Nop(), nil, errBadChoice("log-level", l.level, "debug", "info", "warn", "error")
	}
	if l.quiet && lvl < zerolog.WarnLevel {
		lvl = zerolog.WarnLevel
	}
	tty := isTerminal(e.stderr)
	switch l.format {
	case "json":
		return zerolog.New(e.stderr).Level(lvl).With().Timestamp().Logger(), nil, nil
	case "console":
		e.humanLog = true
		var pw *progressWriter
		var out io.Writer = e.stderr
		if tty && !l.quiet {
			pw = &progressWriter{w: e.stderr}
			out = pw
		}
		cw := zerolog.ConsoleWriter{
			Out:          out,
			NoColor:      !tty || e.getenv("NO_COLOR") != "",
			PartsExclude: []string{zerolog.TimestampFieldName},
		}
		return zerolog.New(cw).Level(lvl), pw, nil
	}
	return zerolog.Nop(), nil, errBadChoice("log-format", l.format, "console", "json")
}

// roots returns the scan roots: the PATH arguments, then the --repos-from
// list. With neither, the current directory.
func (f *fleetFlags) roots(e *env, args []string) ([]string, error) {
	roots := append([]string(nil), args...)
	if f.reposFrom != "" {
		var in io.Reader = e.stdin
		if f.reposFrom != "-" {
			fh, err := os.Open(f.reposFrom)
			if err != nil {
				return nil, errReposFrom(f.reposFrom, unwrapPath(err))
			}
			defer fh.Close()
			in = fh
		}
		listed, err := readRepoList(in)
		if err != nil {
			return nil, errReposFrom(f.reposFrom, err)
		}
		if len(listed) == 0 {
			return nil, errReposFrom(f.reposFrom, errNoRepoPaths)
		}
		f.listed = make(map[string]bool, len(listed))
		for _, l := range listed {
			f.listed[l] = true
		}
		roots = append(roots, listed...)
	}
	if len(roots) == 0 {
		roots = []string{"."}
	}
	return roots, nil
}

// maxRepoLine caps one line of a --repos-from list (a path).
const maxRepoLine = 64 << 10

// readRepoList reads one path per line; surrounding blanks, blank lines
// and lines starting with # are ignored.
func readRepoList(r io.Reader) ([]string, error) {
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 0, 4096), maxRepoLine)
	var out []string
	n := 0
	for sc.Scan() {
		n++
		line := strings.TrimSpace(sc.Text())
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		if strings.ContainsRune(line, 0) {
			return nil, errRepoLineNUL(n)
		}
		out = append(out, line)
	}
	if err := sc.Err(); err != nil {
		if errors.Is(err, bufio.ErrTooLong) {
			return nil, errRepoLineLong(n+1, maxRepoLine)
		}
		return nil, err
	}
	return out, nil
}

// compare compares rep with the baseline, if there is one, and logs the
// counts.
func (f *fleetFlags) compare(log zerolog.Logger, rep *report.Report) {
	if f.base == nil {
		return
	}
	if f.noBase {
		log.Warn().Str("baseline", f.baseline).Msg(logNoBaseline)
	}
	d := report.Compare(f.base, rep)
	log.Info().Str("baseline", f.baseline).Int("new", d.New).Int("present", d.Present).
		Int("resolved", d.Resolved).Int("not_scanned", d.NotScanned).Msg(logBaselineDone)
}

// clock returns the time to record in reports: now, or the time
// SOURCE_DATE_EPOCH (seconds since 1970, UTC) gives, so that identical
// inputs give identical reports (https://reproducible-builds.org/specs/source-date-epoch/).
func clock(e *env) (time.Time, error) {
	v := e.getenv("SOURCE_DATE_EPOCH")
	if v == "" {
		return time.Now().UTC(), nil
	}
	t, err := sbom.ParseSourceDateEpoch(v)
	if err != nil {
		return time.Time{}, errSourceDateEpoch()
	}
	return t, nil
}

// testHookScan, when set, may change the scan configuration just before a
// scan starts. It is nil outside tests, which use it to act at a chosen
// point of a scan (a file vanishing after discovery, an interruption).
var testHookScan func(*ioc.ScanConfig)

// runScan runs the pipeline with a progress line when there is one. A
// cancelled context is an interruption, not an error.
func runScan(e *env, cfg ioc.ScanConfig, shard ioc.Shard, h ioc.Handler, pw *progressWriter) (ioc.ScanStats, bool, error) {
	if testHookScan != nil {
		testHookScan(&cfg)
	}
	if pw != nil {
		cfg.Progress = new(ioc.ScanProgress)
		stop, done := make(chan struct{}), make(chan struct{})
		go pw.run(cfg.Progress, stop, done)
		defer func() { close(stop); <-done }()
	}
	stats, err := ioc.ScanShard(e.ctx, cfg, shard, h)
	if err != nil && (errors.Is(err, e.ctx.Err()) && e.ctx.Err() != nil) {
		cfg.Log.Warn().Msg(logInterrupted)
		return stats, true, nil
	}
	return stats, false, err
}
