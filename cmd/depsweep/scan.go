package main

import (
	"path/filepath"
	"strings"
	"time"

	"github.com/depsweep/depsweep/ioc"
	"github.com/depsweep/depsweep/ioc/report"
	"github.com/depsweep/depsweep/lockfiles"
	"github.com/depsweep/depsweep/sbom"
)

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
	var fileType string
	fs.StringVar(&fileType, "type", "", helpType)
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
	if err := fo.validate(e); err != nil {
		return 2, err
	}
	ftype, err := checkFileType(fileType)
	if err != nil {
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
	if err := checkScanRoots(roots, fl.listed); err != nil {
		return 2, err
	}
	rs, err := setupReport(e, &ff, &pf, log, output)
	if err != nil {
		return 2, err
	}
	out := rs.out
	defer out.abort()

	b := rs.builder(started, roots)
	handlers := []ioc.Handler{b, &logHandler{log: log}}
	var jsonl *report.JSONLWriter
	// With a baseline, finding lines need their status, known only at the
	// end: the JSONL report is then written whole, after the scan. So do
	// ignore rules: a suppressed finding's line says so.
	if format == "jsonl" && fl.base == nil && len(fo.rules) == 0 {
		jsonl = report.NewJSONLWriter(out.w)
		b.Stream(jsonl)
	}
	var dw *sbom.DirWriter
	if sbomDir != "" {
		sbomOptions.Publishers, sbomOptions.PublisherSource = rs.publishers(), strings.Join(rs.sources, ", ")
		dw, err = sbom.NewDirWriter(sbomDir, sbomOptions)
		if err != nil {
			return 2, errSBOM(err)
		}
		handlers = append(handlers, dw)
	}
	h := ioc.MultiHandler(handlers...)

	cfg := ioc.ScanConfig{
		Roots: roots, Index: rs.index, Publishers: rs.pubsFor, Installed: pf.installed, Declared: true,
		Jobs: sf.jobs, MaxFileSize: sf.maxFileSize << 20, Log: log, Skip: sf.skip(),
		FileType: ftype,
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
	if flushErr != nil {
		for _, err := range unjoin(flushErr) {
			log.Error().Str("path", filepath.ToSlash(sbomDir)).Str("error", err.Error()).Msg(logSBOMWrite)
			b.Error(filepath.ToSlash(sbomDir), err)
		}
	}
	if dw != nil {
		b.Supplier(supplierCoverage(dw, rs.usedSources()))
	}
	rep := b.Finish(finished, interrupted, report.ScanCoverage(stats, rs.usedSources()))
	if fl.shardArg != "" {
		rep.Shard = &report.Shard{Index: fl.shard.I, Count: fl.shard.N}
	}
	fl.compare(log, rep)
	fo.suppress(e, log, rep)

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

	logSummary(e, log, rep, stats.Duration)
	if n := len(rep.NoLockfile); n > 0 {
		log.Warn().Int("projects", n).Msg(logNoLockfileProjects(n))
	} else if rep.Summary.Lockfiles == 0 && rep.Summary.Errors == 0 && !interrupted {
		log.Warn().Msg(logNoLockfiles(rep.Roots))
	}
	return fo.exitCode(rep, fl.failOnNew, interrupted), nil
}

// checkFileType checks the value of --type.
func checkFileType(s string) (lockfiles.FileType, error) {
	if s == "" {
		return "", nil
	}
	t, err := lockfiles.ParseFileType(s)
	if err != nil {
		types := make([]string, len(lockfiles.FileTypes))
		for i, t := range lockfiles.FileTypes {
			types[i] = string(t)
		}
		return "", errBadChoice("type", s, types...)
	}
	return t, nil
}
