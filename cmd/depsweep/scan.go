package main

import (
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"time"

	cdx "github.com/CycloneDX/cyclonedx-go"
	"github.com/rs/zerolog"

	"github.com/depsweep/depsweep/ioc"
	"github.com/depsweep/depsweep/ioc/report"
	"github.com/depsweep/depsweep/sbom"
)

// reportFormats are the values of --format, the default first.
var reportFormats = []string{"text", "json", "jsonl", "sarif", "markdown", "csv", "html"}

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

// cmdScan is 'depsweep scan'.
func cmdScan(e *env, args []string) (int, error) {
	fs := newFlags("scan")
	var (
		ff      feedFlags
		pf      pubFlags
		lf      logFlags
		sf      scanFlags
		fl      fleetFlags
		fo      failOnFlag
		so      sbomOpts
		format  string
		output  string
		sbomDir string
		hf      hostFlags
	)
	ff.register(fs)
	pf.register(fs)
	lf.register(fs)
	sf.register(fs)
	fl.register(fs, true)
	fs.StringVar(&format, "format", "text", helpFormat)
	fs.StringVarP(&output, "output", "o", "", helpOutput)
	fo.register(fs)
	fs.StringVar(&sbomDir, "sbom-dir", "", helpSBOMDir)
	fs.StringVar(&so.format, "sbom-format", "json", helpSBOMFormat)
	fs.StringVar(&so.spec, "spec-version", "1.6", helpSpecVersion)
	fs.BoolVar(&so.deterministic, "deterministic", false, helpDeterminist)
	hf.register(fs)
	if done, err := parseFlags(e, "scan", fs, args, usageScan, usageScanTail); done {
		return flagExit(err)
	}
	if hf.on() {
		return scanHost(e, fs, &hf, &ff, &pf, &lf, &fo, format, output)
	}

	// Check every flag before doing any work.
	if err := checkFormat(format); err != nil {
		return 2, err
	}
	if err := fo.validate(); err != nil {
		return 2, err
	}
	if err := sf.validate("scan"); err != nil {
		return 2, err
	}
	if err := fl.validate(e, "scan"); err != nil {
		return 2, err
	}
	started, err := clock(e)
	if err != nil {
		return 2, err
	}
	var sbomOptions sbom.Options
	if sbomDir != "" {
		var err error
		if sbomOptions, err = so.options(); err != nil {
			return 2, err
		}
	}
	log, progress, err := lf.logger(e)
	if err != nil {
		return 2, err
	}
	roots, err := fl.roots(e, fs.Args())
	if err != nil {
		return 2, err
	}
	if err := checkScanRoots(roots); err != nil {
		return 2, err
	}
	rs, err := setupReport(e, &ff, &pf, log, output)
	if err != nil {
		return 2, err
	}
	out := rs.out
	defer out.abort()

	col := report.NewCollector(*rs.header(started, roots))
	handlers := []ioc.Handler{col, &logHandler{log: log}}
	var jsonl *report.JSONLWriter
	// With a baseline, finding lines need their status, known only at the
	// end: the JSONL report is then written whole, after the scan.
	if format == "jsonl" && fl.base == nil {
		jsonl = report.NewJSONLWriter(out.w)
		handlers = append(handlers, jsonl)
	}
	if sbomDir != "" {
		sbomOptions.Publishers, sbomOptions.PublisherSource = rs.publishers(), strings.Join(rs.sources, ", ")
		dw, err := sbom.NewDirWriter(sbomDir, sbomOptions)
		if err != nil {
			return 2, errSBOM(err)
		}
		handlers = append(handlers, dw)
	}
	h := ioc.MultiHandler(handlers...)

	cfg := ioc.ScanConfig{
		Roots: roots, Index: rs.index, Publishers: rs.pubsFor, Installed: pf.installed,
		Jobs: sf.jobs, MaxFileSize: sf.maxFileSize << 20, Log: log, Skip: sf.skip(),
		ReadFile: sbom.ReadBOM,
	}
	stats, interrupted, err := runScan(e, cfg, fl.shard, h, progress)
	if err != nil {
		return 2, errScan(err)
	}
	// Flush even after an interruption: buffered outputs hold what was
	// scanned. An SBOM that could not be written (a full disk) is an error
	// of the report, not a reason to lose the findings.
	flushErr := ioc.Flush(h)
	finished := time.Now().UTC()
	if e.getenv("SOURCE_DATE_EPOCH") != "" {
		finished = started
	}
	rep := col.Finish(stats, finished, interrupted, rs.usedSources())
	if flushErr != nil {
		for _, err := range unjoin(flushErr) {
			log.Error().Str("path", filepath.ToSlash(sbomDir)).Str("error", err.Error()).Msg(logSBOMWrite)
			rep.Errors = append(rep.Errors, report.Error{Path: filepath.ToSlash(sbomDir), Error: err.Error()})
		}
		report.Normalize(rep)
	}
	fl.compare(log, rep)

	if jsonl != nil {
		err = jsonl.WriteSummary(rep)
	} else {
		err = render(out.w, rep, format, out.color(e))
	}
	if err == nil {
		err = out.commit()
	}
	if err != nil {
		return 2, errOutput(err)
	}

	logSummary(log, rep, stats.Duration)
	if rep.Summary.Lockfiles == 0 && rep.Summary.Errors == 0 && !interrupted {
		log.Warn().Msg(logNoLockfiles(rep.Roots))
	}
	return fo.exitCode(rep, fl.failOnNew, interrupted), nil
}

// incomplete reports whether rep covers less than the inputs: an input
// could not be read, a lockfile's parser skipped entries, or the scan was
// interrupted. Exit 0 means "checked and clean", so a lockfile read only in
// part must not end in it: the skipped entries may be the malicious ones.
func incomplete(rep *report.Report, interrupted bool) bool {
	if rep.Summary.Errors > 0 || interrupted {
		return true
	}
	for _, lf := range rep.Lockfiles {
		if len(lf.Problems) > 0 {
			return true
		}
	}
	return false
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

// logSummary logs the final summary event.
func logSummary(log zerolog.Logger, rep *report.Report, d time.Duration) {
	type feedLog struct {
		Name   string `json:"name"`
		SHA256 string `json:"sha256"`
	}
	var fl []feedLog
	for _, f := range rep.Feeds {
		fl = append(fl, feedLog{f.Name, f.SHA256})
	}
	log.Info().
		Int("repos", rep.Summary.Repos).
		Int("lockfiles", rep.Summary.Lockfiles).
		Int("packages", rep.Summary.Packages).
		Int("findings", rep.Summary.Findings).
		Int("errors", rep.Summary.Errors).
		Dur("duration", d.Round(time.Millisecond)).
		Interface("feeds", fl).
		Msg(logScanDone)
}

// A logHandler logs every input that could not be read.
type logHandler struct{ log zerolog.Logger }

func (l *logHandler) Lockfile(lf *ioc.LockfileResult) error {
	if lf.Err != nil {
		msg := logInputError
		if _, ok := report.ConvertLockfile(lf); ok {
			msg = logLockfileError
		}
		l.log.Error().Str("path", lf.Path).Str("error", lf.Err.Error()).Msg(msg)
	}
	if lf.Inventory != nil && len(lf.Inventory.Problems) > 0 {
		pb := lf.Inventory.Problems[0]
		where := lf.Path
		if pb.Line > 0 {
			where = fmt.Sprintf("%s:%d", lf.Path, pb.Line)
		}
		l.log.Warn().Str("path", lf.Path).Int("skipped", len(lf.Inventory.Problems)).
			Str("first", where+": "+pb.Msg).Msg(logPartlyRead)
	}
	return nil
}

func (l *logHandler) Finding(*ioc.Finding) error { return nil }

// render writes rep in format.
func render(w io.Writer, rep *report.Report, format string, color bool) error {
	switch format {
	case "json":
		return report.WriteJSON(w, rep)
	case "jsonl":
		return report.WriteJSONL(w, rep)
	case "sarif":
		return report.WriteSARIF(w, rep)
	case "markdown":
		return report.WriteMarkdown(w, rep)
	case "csv":
		return report.WriteCSV(w, rep)
	case "html":
		return report.WriteHTML(w, rep)
	}
	return report.WriteText(w, rep, report.TextOptions{Color: color})
}

// An output is where a report goes: standard output, or a temporary file
// renamed over the target on commit, so that a reader never sees half a
// report and a failed run leaves the previous one in place.
type output struct {
	w      io.Writer
	f      *os.File // the temporary file, nil for standard output or a direct write
	direct *os.File // a device or FIFO written in place
	final  string
	closed bool
}

func openOutput(e *env, name string) (*output, error) {
	if name == "" || name == "-" {
		return &output{w: e.stdout}, nil
	}
	if st, err := os.Stat(name); err == nil && !st.Mode().IsRegular() {
		// A device, FIFO or socket (/dev/null, a named pipe): write to it
		// directly. Renaming a file over it would replace the device.
		f, err := os.OpenFile(name, os.O_WRONLY, 0)
		if err != nil {
			return nil, err
		}
		return &output{w: f, direct: f}, nil
	}
	if real, err := filepath.EvalSymlinks(name); err == nil {
		name = real // replace the file a symlink points at, not the link
	}
	f, err := os.CreateTemp(filepath.Dir(name), "."+filepath.Base(name)+".*.tmp")
	if err != nil {
		return nil, err
	}
	return &output{w: f, f: f, final: name}, nil
}

// color reports whether a text report here should be coloured: on a
// terminal only, unless NO_COLOR is set.
func (o *output) color(e *env) bool {
	return o.f == nil && o.direct == nil && isTerminal(e.stdout) && e.getenv("NO_COLOR") == ""
}

// commit makes the report visible under its name.
func (o *output) commit() error {
	if o.direct != nil {
		return o.direct.Close()
	}
	if o.f == nil {
		return nil
	}
	o.closed = true
	if err := o.f.Chmod(0o644); err != nil {
		o.f.Close()
		os.Remove(o.f.Name())
		return err
	}
	if err := o.f.Close(); err != nil {
		os.Remove(o.f.Name())
		return err
	}
	if err := os.Rename(o.f.Name(), o.final); err != nil {
		os.Remove(o.f.Name())
		return err
	}
	return nil
}

// write renders rep in format and makes the report visible under its name.
func (o *output) write(e *env, rep *report.Report, format string) error {
	if err := render(o.w, rep, format, o.color(e)); err != nil {
		return errOutput(err)
	}
	if err := o.commit(); err != nil {
		return errOutput(err)
	}
	return nil
}

// writeReport writes rep in format to the output named name (see
// [openOutput]).
func writeReport(e *env, name string, rep *report.Report, format string) error {
	out, err := openOutput(e, name)
	if err != nil {
		return errOutput(err)
	}
	defer out.abort()
	return out.write(e, rep, format)
}

// abort removes an uncommitted temporary file.
func (o *output) abort() {
	if o.direct != nil {
		o.direct.Close()
	}
	if o.f != nil && !o.closed {
		o.f.Close()
		os.Remove(o.f.Name())
	}
}

// checkFormat checks the value of --format.
func checkFormat(format string) error {
	if !contains(reportFormats, format) {
		return errBadChoice("format", format, reportFormats...)
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

func slashAll(paths []string) []string {
	out := make([]string, len(paths))
	for i, p := range paths {
		out[i] = filepath.ToSlash(p)
	}
	return out
}

// unjoin returns the errors an errors.Join holds, or err itself.
func unjoin(err error) []error {
	if j, ok := err.(interface{ Unwrap() []error }); ok {
		var out []error
		for _, e := range j.Unwrap() {
			if e != nil {
				out = append(out, e)
			}
		}
		return out
	}
	return []error{err}
}
