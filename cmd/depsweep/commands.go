package main

import (
	"fmt"
	"io"
	"os"
	"runtime"
	"strings"
	"time"

	"github.com/depsweep/depsweep/feeds"
	"github.com/depsweep/depsweep/ioc"
	"github.com/depsweep/depsweep/ioc/report"
	"github.com/depsweep/depsweep/sbom"
)

// cmdSBOM is 'depsweep sbom': the scan pipeline with an SBOM writer and no
// findings report. Findings go into the SBOMs as vulnerabilities (a VDR)
// unless --no-vdr: the matching costs little next to parsing, and an SBOM
// that records the known-bad components is what incident response needs.
func cmdSBOM(e *env, args []string) (int, error) {
	fs := newFlags("sbom")
	var (
		ff    feedFlags
		pf    pubFlags
		lf    logFlags
		sf    scanFlags
		so    sbomOpts
		dir   string
		noVDR bool
	)
	ff.register(fs)
	pf.register(fs)
	lf.register(fs)
	sf.register(fs)
	fs.StringVar(&dir, "output-dir", "", helpOutputDir)
	fs.StringVar(&so.format, "format", "json", helpSBOMFormat)
	fs.StringVar(&so.spec, "spec-version", "1.6", helpSpecVersion)
	fs.BoolVar(&so.deterministic, "deterministic", false, helpDeterminist)
	fs.BoolVar(&noVDR, "no-vdr", false, helpNoVDR)
	if done, err := parseFlags(e, "sbom", fs, args, usageSBOM, usageSBOMTail); done {
		return flagExit(err)
	}
	if dir == "" {
		return 2, usageErrorf("sbom", errOutputDirMissing)
	}
	opts, err := so.options()
	if err != nil {
		return 2, err
	}
	if err := sf.validate("sbom"); err != nil {
		return 2, err
	}
	log, progress, err := lf.logger(e)
	if err != nil {
		return 2, err
	}
	roots := fs.Args()
	if len(roots) == 0 {
		roots = []string{"."}
	}
	if err := checkRoots(roots); err != nil {
		return 2, err
	}
	rs, err := setupIndex(&ff, &pf, log)
	if err != nil {
		return 2, err
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return 2, errSBOM(err)
	}
	opts.Publishers, opts.PublisherSource = rs.publishers(), strings.Join(rs.sources, ", ")
	dw, err := sbom.NewDirWriter(dir, opts)
	if err != nil {
		return 2, errSBOM(err)
	}
	col := report.NewCollector(*rs.header(time.Now().UTC(), roots))
	var sink ioc.Handler = dw
	if noVDR {
		sink = noFindings{dw}
	}
	h := ioc.MultiHandler(col, &logHandler{log: log}, sink)
	cfg := ioc.ScanConfig{
		Roots: roots, Index: rs.index, Publishers: rs.pubsFor, Installed: pf.installed,
		Jobs: sf.jobs, MaxFileSize: sf.maxFileSize << 20, Log: log, Skip: sf.skip(),
	}
	stats, interrupted, err := runScan(e, cfg, ioc.Shard{}, h, progress)
	if err != nil {
		return 2, errScan(err)
	}
	if err := ioc.Flush(h); err != nil {
		return 2, errSBOM(err)
	}
	rep := col.Finish(stats, time.Now().UTC(), interrupted, rs.usedSources())
	log.Info().Str("dir", dir).Int("lockfiles", rep.Summary.Lockfiles).Int("findings", rep.Summary.Findings).
		Int("errors", rep.Summary.Errors).Dur("duration", stats.Duration.Round(time.Millisecond)).Msg(logSBOMDone)
	if rep.Summary.Lockfiles == 0 && rep.Summary.Errors == 0 && !interrupted {
		log.Warn().Msg(logNoLockfiles(rep.Roots))
	}
	if incomplete(rep, interrupted) {
		return 2, nil
	}
	return 0, nil
}

// noFindings passes Lockfile events on and drops findings.
type noFindings struct{ h ioc.Handler }

func (n noFindings) Lockfile(lf *ioc.LockfileResult) error { return n.h.Lockfile(lf) }
func (n noFindings) Finding(*ioc.Finding) error            { return nil }
func (n noFindings) Flush() error                          { return ioc.Flush(n.h) }

// cmdFeed is 'depsweep feed validate|show'.
func cmdFeed(e *env, args []string) (int, error) {
	if len(args) == 0 {
		return 2, errFeedArgs()
	}
	switch args[0] {
	case "validate":
		return feedValidate(e, args[1:])
	case "show":
		return feedShow(e, args[1:])
	case "update":
		return feedUpdate(e, args[1:])
	case "-h", "--help", "help":
		fs := newFlags("feed")
		var ff feedFlags
		ff.register(fs)
		printUsage(e.stdout, fs, usageFeed, "")
		return 0, nil
	}
	return 2, errFeedSubcommand(args[0])
}

func feedValidate(e *env, args []string) (int, error) {
	fs := newFlags("feed")
	if done, err := parseFlags(e, "feed", fs, args, usageFeed, ""); done {
		return flagExit(err)
	}
	if fs.NArg() == 0 {
		return 2, errValidateArgs()
	}
	bad := 0
	for _, name := range fs.Args() {
		fd, err := feeds.Load(name)
		if err != nil {
			bad++
			fmt.Fprintf(e.stderr, "depsweep: %v\n", err)
			continue
		}
		fmt.Fprintln(e.stdout, feedOK(name, len(fd.Advisories), len(fd.Indicators), kindCounts(fd), fd.SHA256))
	}
	if bad > 0 {
		return 2, errFeedInvalid(bad)
	}
	return 0, nil
}

func feedShow(e *env, args []string) (int, error) {
	fs := newFlags("feed")
	var ff feedFlags
	ff.register(fs)
	if done, err := parseFlags(e, "feed", fs, args, usageFeed, ""); done {
		return flagExit(err)
	}
	if fs.NArg() > 0 {
		return 2, errShowArgs()
	}
	fds, err := ff.load()
	if err != nil {
		return 2, err
	}
	for i, fd := range fds {
		if i > 0 {
			fmt.Fprintln(e.stdout)
		}
		writeFeed(e.stdout, fd)
	}
	return 0, nil
}

// writeFeed prints one feed: digest, counts, and each advisory with its indicators.
func writeFeed(w io.Writer, fd *feeds.Feed) {
	fmt.Fprintf(w, "feed %s\n", fd.Name)
	fmt.Fprintf(w, "  sha256      %s\n", fd.SHA256)
	fmt.Fprintf(w, "  advisories  %d\n", len(fd.Advisories))
	fmt.Fprintf(w, "  indicators  %d (%s)\n", len(fd.Indicators), kindCounts(fd))
	for _, a := range fd.Advisories {
		fmt.Fprintf(w, "\n%s  %s  %s\n", a.ID, a.Severity, a.Title)
		if len(a.Aliases) > 0 {
			fmt.Fprintf(w, "  aliases     %s\n", strings.Join(a.Aliases, ", "))
		}
		if !a.Published.IsZero() {
			fmt.Fprintf(w, "  published   %s\n", a.Published.Format(time.DateOnly))
		}
		if !a.Exposure.From.IsZero() {
			to := "open"
			if !a.Exposure.To.IsZero() {
				to = a.Exposure.To.Format(time.DateOnly)
			}
			fmt.Fprintf(w, "  exposure    %s to %s\n", a.Exposure.From.Format(time.DateOnly), to)
		}
		for _, ind := range fd.Indicators {
			if ind.Advisory != a {
				continue
			}
			fmt.Fprintf(w, "  %-10s  %s\n", ind.Kind, indicatorText(&ind))
		}
	}
}

// indicatorText describes an indicator's value and versions.
func indicatorText(ind *ioc.Indicator) string {
	s := ind.Value
	if ind.Ecosystem != "" {
		s = ind.Ecosystem + " " + s
	}
	if ind.Kind != ioc.KindPackage {
		return s
	}
	if ind.Versions.All() {
		return s + " (every version)"
	}
	var vs []string
	vs = append(vs, ind.Versions.Exact...)
	for _, r := range ind.Versions.Ranges {
		var parts []string
		if r.Introduced != "" && r.Introduced != "0" {
			parts = append(parts, ">="+r.Introduced)
		}
		if r.Fixed != "" {
			parts = append(parts, "<"+r.Fixed)
		}
		if r.LastAffected != "" {
			parts = append(parts, "<="+r.LastAffected)
		}
		if len(parts) == 0 {
			parts = append(parts, "every version")
		}
		vs = append(vs, strings.Join(parts, " "))
	}
	return s + " " + strings.Join(vs, ", ")
}

// cmdConvert is 'depsweep convert'.
func cmdConvert(e *env, args []string) (int, error) {
	fs := newFlags("convert")
	var format, output string
	fs.StringVar(&format, "format", "text", helpConvFormat)
	fs.StringVarP(&output, "output", "o", "", helpOutput)
	if done, err := parseFlags(e, "convert", fs, args, usageConvert, usageConvertTail); done {
		return flagExit(err)
	}
	if fs.NArg() != 1 {
		return 2, errConvertArgs()
	}
	if err := checkFormat(format); err != nil {
		return 2, err
	}
	name := fs.Arg(0)
	var in io.Reader = e.stdin
	if name != "-" {
		f, err := os.Open(name)
		if err != nil {
			return 2, errReadReport(name, unwrapPath(err))
		}
		defer f.Close()
		in = f
	}
	rep, err := report.Read(in)
	if err != nil {
		return 2, errReadReport(name, err)
	}
	if err := writeReport(e, output, rep, format); err != nil {
		return 2, err
	}
	return 0, nil
}

// cmdVersion is 'depsweep version'.
func cmdVersion(e *env, args []string) (int, error) {
	fs := newFlags("version")
	if done, err := parseFlags(e, "version", fs, args, usageVersion, ""); done {
		return flagExit(err)
	}
	if fs.NArg() > 0 {
		return 2, errVersionArgs()
	}
	fmt.Fprintf(e.stdout, "depsweep %s\n", toolVersion())
	fmt.Fprintf(e.stdout, "%s %s/%s\n", runtime.Version(), runtime.GOOS, runtime.GOARCH)
	fmt.Fprintf(e.stdout, "embedded feed sha256 %s\n", feeds.DefaultSHA256())
	return 0, nil
}
