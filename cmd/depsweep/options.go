package main

import (
	"errors"
	"io"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/mattn/go-isatty"
	"github.com/rs/zerolog"
	"github.com/spf13/pflag"

	"github.com/depsweep/depsweep/feeds"
	"github.com/depsweep/depsweep/ioc"
	"github.com/depsweep/depsweep/ioc/report"
	"github.com/depsweep/depsweep/lockfiles"
	"github.com/depsweep/depsweep/sbom"
)

// feedFlags are the flags that choose the indicator feeds.
type feedFlags struct {
	files     []string
	pins      []string
	noDefault bool
}

func (f *feedFlags) register(fs *pflag.FlagSet) {
	fs.StringArrayVar(&f.files, "feed", nil, helpFeed)
	fs.StringArrayVar(&f.pins, "feed-sha256", nil, helpFeedSHA256)
	fs.BoolVar(&f.noDefault, "no-default-feed", false, helpNoDefaultFeed)
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

// A setup is what a command that matches packages needs before it reads
// its inputs: the feeds, their compiled index and the publisher data, and,
// for a command that writes a findings report, the output.
type setup struct {
	fds     []*feeds.Feed
	index   *ioc.Index
	pubsFor func(fs.FS, string) ioc.Publishers // per project; nil: no publisher data
	sources []string                           // the publisher data sources known before the scan
	pf      *pubFlags
	out     *output // nil unless opened by setupReport
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

// header returns a report with what is known before the scan: the tool,
// the start time, the roots (as slash paths) and the feeds.
func (s *setup) header(started time.Time, roots []string) *report.Report {
	return &report.Report{
		Tool:    report.Tool{Name: "depsweep", Version: toolVersion()},
		Started: started,
		Roots:   slashAll(roots),
		Feeds:   reportFeeds(s.fds),
	}
}

// finish completes a report built in memory (history, scan --host): it
// records the end time, the interruption and the publisher coverage st,
// normalises rep, writes it in format to the output and logs the summary.
func (s *setup) finish(e *env, log zerolog.Logger, rep *report.Report, format string, interrupted bool, st ioc.MatchStats) error {
	rep.Finished = time.Now().UTC()
	rep.Interrupted = interrupted
	rep.Summary.Publisher = report.Coverage{Packages: st.Packages, Known: st.PublisherKnown, Sources: s.usedSources()}
	report.Normalize(rep)
	if err := s.out.write(e, rep, format); err != nil {
		return err
	}
	logSummary(log, rep, rep.Finished.Sub(rep.Started))
	return nil
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

// kindCounts renders a feed's indicator counts per kind ("package 1, domain 1").
func kindCounts(fd *feeds.Feed) string {
	c := fd.Counts()
	var parts []string
	for _, k := range ioc.Kinds {
		if c[k] > 0 {
			parts = append(parts, string(k)+" "+itoa(c[k]))
		}
	}
	return strings.Join(parts, ", ")
}

// pubFlags are the flags that give publisher data.
type pubFlags struct {
	metadata    string
	registry    string
	cacheDir    string
	timeout     time.Duration
	concurrency int
	installed   bool

	pool *ioc.RegistryPool // set by publishers when --registry is given
}

func (p *pubFlags) register(fs *pflag.FlagSet) {
	fs.StringVar(&p.metadata, "registry-metadata", "", helpRegMeta)
	fs.StringVar(&p.registry, "registry", "", helpRegistry)
	fs.StringVar(&p.cacheDir, "registry-cache", "", helpRegCache)
	fs.DurationVar(&p.timeout, "registry-timeout", 30*time.Second, helpRegTimeout)
	fs.IntVar(&p.concurrency, "registry-concurrency", 8, helpRegistryConc)
	fs.BoolVar(&p.installed, "installed", false, helpInstalled)
}

// publishers returns the per-project publisher source for ioc.ScanConfig,
// nil when there is no publisher data, and the coverage sources (see
// usedSources for those known only after the scan). With --registry, each
// project's .npmrc chooses the registry of its packages; log receives the
// problems with those files.
func (p *pubFlags) publishers(log zerolog.Logger) (func(fs.FS, string) ioc.Publishers, []string, error) {
	var static []ioc.Publishers
	var sources []string
	if p.installed {
		sources = append(sources, "installed")
	}
	if p.metadata != "" {
		pk, err := ioc.LoadPackuments(p.metadata)
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
		pool, err := ioc.NewRegistryPool(ioc.RegistryOptions{URL: p.registry, CacheDir: cache, Timeout: p.timeout, Concurrency: p.concurrency}, warn)
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
		var ps []ioc.Publishers
		if installed && project != nil { // nil for an SBOM: nothing is installed
			ps = append(ps, ioc.InstalledPublishers(project))
		}
		ps = append(ps, static...)
		if pool != nil {
			ps = append(ps, pool.Publishers(project, projectPath))
		}
		if len(ps) == 1 {
			return ps[0]
		}
		return ioc.ChainPublishers(ps...)
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

// failOnFlag is --fail-on: the lowest severity that makes the exit code 1,
// or "none". Every command that writes a findings report reads it.
type failOnFlag struct {
	value     string
	threshold ioc.Severity // set by validate
	none      bool         // --fail-on none: findings never make the exit code 1
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
		return errBadChoice("fail-on", f.value, failOnChoices...)
	}
	f.threshold = s
	return nil
}

// exitCode maps a finished report to the exit code: 1 when a finding of
// this run is at or above the threshold (a finding resolved since the
// baseline does not count and, with onlyNew, only a new one does), else 2
// when the report covers less than the inputs ([incomplete]), else 0.
func (f *failOnFlag) exitCode(rep *report.Report, onlyNew, interrupted bool) int {
	hits := 0
	for _, fd := range rep.Findings {
		if fd.Status == report.StatusResolved || (onlyNew && fd.Status != report.StatusNew) {
			continue
		}
		if s, err := ioc.ParseSeverity(fd.Severity); err == nil && s >= f.threshold {
			hits++
		}
	}
	switch {
	case !f.none && hits > 0:
		return 1
	case incomplete(rep, interrupted || rep.Interrupted):
		return 2
	}
	return 0
}

// logFlags are the diagnostics flags.
type logFlags struct {
	format string
	level  string
	quiet  bool
}

func (l *logFlags) register(fs *pflag.FlagSet) {
	fs.StringVar(&l.format, "log-format", "console", helpLogFormat)
	fs.StringVar(&l.level, "log-level", "info", helpLogLevel)
	fs.BoolVarP(&l.quiet, "quiet", "q", false, helpQuiet)
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

// isTerminal reports whether w is a terminal.
func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	return ok && (isatty.IsTerminal(f.Fd()) || isatty.IsCygwinTerminal(f.Fd()))
}

// A progressWriter owns a terminal's stderr during a scan: it draws a
// progress line and clears it before any log line, so the two never mix.
type progressWriter struct {
	mu   sync.Mutex
	w    io.Writer
	line string
}

// Write writes a log line above the progress line.
func (p *progressWriter) Write(b []byte) (int, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.line != "" {
		io.WriteString(p.w, "\r\x1b[K")
	}
	n, err := p.w.Write(b)
	if p.line != "" {
		io.WriteString(p.w, p.line)
	}
	return n, err
}

// set replaces the progress line ("" clears it).
func (p *progressWriter) set(line string) {
	p.mu.Lock()
	defer p.mu.Unlock()
	io.WriteString(p.w, "\r\x1b[K"+line)
	p.line = line
}

// run draws prog every interval until stop is closed, then clears the line.
func (p *progressWriter) run(prog *ioc.ScanProgress, stop <-chan struct{}, done chan<- struct{}) {
	defer close(done)
	t := time.NewTicker(200 * time.Millisecond)
	defer t.Stop()
	for {
		select {
		case <-stop:
			p.set("")
			return
		case <-t.C:
			p.set(progressLine(prog.Done.Load(), prog.Discovered.Load(), prog.Findings.Load()))
		}
	}
}

// scanFlags are the discovery flags shared by scan and sbom.
type scanFlags struct {
	jobs        int
	exclude     []string
	maxFileSize int64
}

func (s *scanFlags) register(fs *pflag.FlagSet) {
	fs.IntVarP(&s.jobs, "jobs", "j", 0, helpJobs)
	fs.StringArrayVar(&s.exclude, "exclude", nil, helpExclude)
	fs.Int64Var(&s.maxFileSize, "max-file-size", ioc.DefaultMaxFileSize>>20, helpMaxFileSize)
}

func (s *scanFlags) validate(cmd string) error {
	if s.jobs < 0 {
		return errJobs(cmd, s.jobs)
	}
	if s.maxFileSize <= 0 {
		return errMaxFileSize(cmd)
	}
	for _, g := range s.exclude {
		if _, err := path.Match(g, ""); err != nil {
			return errExclude(cmd, g, err)
		}
	}
	if s.jobs == 0 {
		s.jobs = runtime.GOMAXPROCS(0)
	}
	return nil
}

// skip returns the Skip function of the --exclude patterns, nil for none.
func (s *scanFlags) skip() func(string) bool {
	if len(s.exclude) == 0 {
		return nil
	}
	pats := s.exclude
	return func(rel string) bool {
		for _, g := range pats {
			if ok, _ := path.Match(g, path.Base(rel)); ok {
				return true
			}
			if ok, _ := path.Match(g, rel); ok {
				return true
			}
		}
		return false
	}
}

// checkRoots makes sure every root is a readable directory.
func checkRoots(roots []string) error {
	for _, r := range roots {
		st, err := os.Stat(r)
		if err == nil && !st.IsDir() {
			err = errNotDir
		}
		if err != nil {
			return errRoot(r, unwrapPath(err))
		}
	}
	return nil
}

// checkScanRoots makes sure every root of a scan is a readable directory,
// or a regular file that is a lockfile or looks like an SBOM.
func checkScanRoots(roots []string) error {
	for _, r := range roots {
		st, err := os.Stat(r)
		switch {
		case err != nil:
		case st.IsDir():
			continue
		case !st.Mode().IsRegular():
			err = errNotDirOrFile
		case !lockfiles.IsLockfile(r) && !sbom.IsBOM(r):
			err = errNotScannable
		}
		if err != nil {
			return errScanRoot(r, unwrapPath(err))
		}
	}
	return nil
}

func itoa(n int) string { return strconv.Itoa(n) }
