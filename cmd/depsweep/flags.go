package main

import (
	"errors"
	"io"
	"io/fs"
	"os"
	"path"
	"runtime"
	"strings"
	"time"

	cdx "github.com/CycloneDX/cyclonedx-go"
	"github.com/rs/zerolog"
	"github.com/spf13/pflag"

	"github.com/depsweep/depsweep/ioc"
	"github.com/depsweep/depsweep/ioc/publisher"
	"github.com/depsweep/depsweep/ioc/report"
	"github.com/depsweep/depsweep/sbom"
)

// Flags: each group of flags is a type that registers its flags on a
// command's flag set and checks their values before any work is done.
// What a group builds from its values (feeds, publisher sources, logger,
// roots) is in wiring.go.

// newFlags returns a flag set for command cmd that prints nothing itself:
// errors are returned, and -h/--help is reported as pflag.ErrHelp.
func newFlags(cmd string) *pflag.FlagSet {
	fs := pflag.NewFlagSet("depsweep "+cmd, pflag.ContinueOnError)
	fs.SetOutput(io.Discard)
	fs.SortFlags = true
	fs.BoolP("help", "h", false, helpHelp)
	fs.String("config", "", helpConfig)
	fs.Bool("no-config", false, helpNoConfig)
	return fs
}

// parseFlags parses args; on --help it prints the usage to stdout and
// returns done. After the command line, it sets the flags the command line
// left alone from DEPSWEEP_* variables and the config file
// ([config.apply]).
func parseFlags(e *env, cmd string, fs *pflag.FlagSet, args []string, head, tail string) (done bool, err error) {
	if collecting != nil {
		collecting(cmd, fs, head, tail)
	}
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, pflag.ErrHelp) {
			printUsage(e.stdout, fs, head, tail)
			return true, nil
		}
		return true, errFlag(cmd, fs, err)
	}
	if h, _ := fs.GetBool("help"); h {
		printUsage(e.stdout, fs, head, tail)
		return true, nil
	}
	if err := checkOutputNotFormat(cmd, fs); err != nil {
		return true, err
	}
	path, _ := fs.GetString("config")
	none, _ := fs.GetBool("no-config")
	cfg, err := loadConfig(e, path, none)
	if err != nil {
		return true, errConfig(err)
	}
	e.cfg = cfg
	if err := cfg.apply(e, fs); err != nil {
		return true, errConfig(err)
	}
	return false, nil
}

// checkOutputNotFormat refuses -o json (a format name as the output file)
// when --format was not given: the user meant --format json.
func checkOutputNotFormat(cmd string, fs *pflag.FlagSet) error {
	out, fo := fs.Lookup("output"), fs.Lookup("format")
	if out == nil || fo == nil || fo.Changed || !out.Changed {
		return nil
	}
	v := out.Value.String()
	for _, f := range allFormats() {
		if v == f {
			return errOutputIsFormat(cmd, v)
		}
	}
	return nil
}

// allFormats are the names of every report and SBOM format.
func allFormats() []string {
	return append(report.Formats(), "md", "xml", "cyclonedx", "spdx")
}

func printUsage(w io.Writer, fs *pflag.FlagSet, head, tail string) {
	io.WriteString(w, head)
	io.WriteString(w, fs.FlagUsagesWrapped(100))
	io.WriteString(w, tail)
}

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

// pubFlags are the flags that give publisher data.
type pubFlags struct {
	metadata    string
	registry    string
	cacheDir    string
	timeout     time.Duration
	concurrency int
	installed   bool

	pool *publisher.RegistryPool // set by publishers when --registry is given
}

func (p *pubFlags) register(fs *pflag.FlagSet) {
	fs.StringVar(&p.metadata, "registry-metadata", "", helpRegMeta)
	fs.StringVar(&p.registry, "registry", "", helpRegistry)
	fs.StringVar(&p.cacheDir, "registry-cache", "", helpRegCache)
	fs.DurationVar(&p.timeout, "registry-timeout", 30*time.Second, helpRegTimeout)
	fs.IntVar(&p.concurrency, "registry-concurrency", 8, helpRegistryConc)
	fs.BoolVar(&p.installed, "installed", false, helpInstalled)
}

// failOnFlag is --fail-on: the lowest severity that makes the exit code 1,
// or "none". Every command that writes a findings report reads it.
// It also carries the ignore rules (--ignore-file, --no-ignore): a
// suppressed finding never makes the exit code 1.
type failOnFlag struct {
	value      string
	threshold  ioc.Severity // set by validate
	none       bool         // --fail-on none: findings never make the exit code 1
	ignoreFile string
	noIgnore   bool
	rules      []report.IgnoreRule // set by validate
}

// defaultFailOn is --fail-on's default: info findings (a same-named git,
// file or workspace package) never fail a run unless asked.
const defaultFailOn = "low"

func (f *failOnFlag) register(fs *pflag.FlagSet) { f.registerDefault(fs, defaultFailOn) }

// registerDefault registers --fail-on with default def ("none" for
// convert, which only re-renders unless asked), --ignore-file and --no-ignore.
func (f *failOnFlag) registerDefault(fs *pflag.FlagSet, def string) {
	fs.StringVar(&f.value, "fail-on", def, helpFailOn)
	fs.StringVar(&f.ignoreFile, "ignore-file", "", helpIgnoreFile)
	fs.BoolVar(&f.noIgnore, "no-ignore", false, helpNoIgnore)
}

// loadIgnore reads the ignore rules: --ignore-file's, then the config
// file's ignore: list; none with --no-ignore.
func (f *failOnFlag) loadIgnore(e *env) error {
	f.rules = nil
	if f.noIgnore {
		return nil
	}
	if f.ignoreFile != "" {
		data, err := readSmallFile(f.ignoreFile)
		if err != nil {
			return errIgnoreFile(f.ignoreFile, unwrapPath(err))
		}
		rules, err := report.ParseIgnore(data, f.ignoreFile)
		if err != nil {
			return &exitError{code: 2, msg: err.Error(), hint: "an entry needs a reason and one of id, advisory, package"}
		}
		f.rules = append(f.rules, rules...)
	}
	if e.cfg != nil {
		f.rules = append(f.rules, e.cfg.ignore...)
	}
	return nil
}

// suppress applies the ignore rules to rep (as of today, or
// SOURCE_DATE_EPOCH's day) and warns about expired and unused rules.
func (f *failOnFlag) suppress(e *env, log zerolog.Logger, rep *report.Report) {
	if len(f.rules) == 0 {
		return
	}
	now, err := clock(e)
	if err != nil {
		now = time.Now()
	}
	report.Suppress(rep, f.rules, now)
	for _, x := range rep.Suppressions.Expired {
		log.Warn().Str("rule", x.Source).Str("until", x.Until).Msg(logIgnoreExpired)
	}
	for _, x := range rep.Suppressions.Unused {
		log.Warn().Str("rule", x.Source).Msg(logIgnoreUnused)
	}
}

func (f *failOnFlag) validate(e *env) error {
	if err := f.loadIgnore(e); err != nil {
		return err
	}
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

// sbomOpts are the SBOM encoding flags shared by scan (--sbom-*) and sbom.
type sbomOpts struct {
	format        string
	spec          string
	deterministic bool
}

func (o *sbomOpts) options() (sbom.Options, error) {
	opts := sbom.Options{Deterministic: o.deterministic, ToolVersion: toolVersion()}
	switch o.format {
	case "json":
		opts.Format = cdx.BOMFileFormatJSON
	case "xml":
		opts.Format = cdx.BOMFileFormatXML
	default:
		return opts, errBadChoice("sbom-format", o.format, "json", "xml")
	}
	switch o.spec {
	case "1.6":
		opts.SpecVersion = cdx.SpecVersion1_6
	case "1.7":
		opts.SpecVersion = cdx.SpecVersion1_7
	default:
		return opts, errBadChoice("spec-version", o.spec, "1.6", "1.7")
	}
	return opts, nil
}

// fleetFlags are the flags for sweeping a fleet and auditing it on a schedule.
type fleetFlags struct {
	reposFrom string
	shardArg  string
	baseline  string
	failOnNew bool

	shard ioc.Shard
	base  *report.Report
	// noBase is set when --baseline names a file that does not exist yet
	// (the first night of an audit): every finding is new.
	noBase bool
	// listed holds the roots --repos-from gave.
	listed map[string]bool
}

func (f *fleetFlags) register(fs *pflag.FlagSet, withScan bool) {
	if withScan {
		fs.StringVar(&f.reposFrom, "repos-from", "", helpReposFrom)
		fs.StringVar(&f.shardArg, "shard", "", helpShard)
		fs.StringVar(&f.baseline, "baseline", "", helpBaseline)
	} else {
		fs.StringVar(&f.baseline, "baseline", "", helpMergeBase)
	}
	fs.BoolVar(&f.failOnNew, "fail-on-new", false, helpFailOnNew)
}

// validate checks the flags and reads the baseline; cmd names the command
// for usage errors.
func (f *fleetFlags) validate(e *env, cmd string) error {
	if f.failOnNew && f.baseline == "" {
		return errFailOnNew(cmd)
	}
	if f.shardArg != "" {
		s, err := ioc.ParseShard(f.shardArg, e.getenv)
		if err != nil {
			return errShard(err)
		}
		f.shard = s
	}
	if f.baseline != "" {
		b, err := report.ReadFile(f.baseline)
		switch {
		case errors.Is(err, fs.ErrNotExist):
			f.noBase = true
			f.base = new(report.Report) // an empty baseline: every finding is new
		case err != nil:
			return errBaseline(f.baseline, unwrapPath(err))
		default:
			f.base = b
		}
	}
	return nil
}

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

// checkFormat checks the value of --format.
func checkFormat(format string) error {
	if formats := report.Formats(); !contains(formats, format) {
		return errBadChoice("format", format, formats...)
	}
	return nil
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
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

// checkScanRoots makes sure every root of a scan is a readable directory
// or a regular file. A file is read by what it holds, whatever its name
// (see lockfiles.Sniff); one that is neither a lockfile nor an SBOM is an
// error of the scan that names it, like any unreadable input.
func checkScanRoots(roots []string, listed map[string]bool) error {
	for _, r := range roots {
		st, err := os.Stat(r)
		switch {
		case err != nil && listed[r]:
			// A --repos-from entry that is gone (a repository deleted since
			// the list was made) is an error of the report, not of the
			// command: the sweep goes on, and the walker reports it.
			continue
		case err != nil:
		case st.IsDir():
			continue
		case !st.Mode().IsRegular():
			err = errNotDirOrFile
		}
		if err != nil {
			return errScanRoot(r, unwrapPath(err))
		}
	}
	return nil
}

// unwrapPath drops the path an *fs.PathError repeats: messages name the
// file once, themselves.
func unwrapPath(err error) error {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return pe.Err
	}
	return err
}
