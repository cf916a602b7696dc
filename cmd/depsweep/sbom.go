package main

import (
	"os"
	"strings"
	"time"

	"github.com/depsweep/depsweep/ioc"
	"github.com/depsweep/depsweep/ioc/report"
	"github.com/depsweep/depsweep/lockfiles"
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
		out   string
		noVDR bool
	)
	ff.register(fs)
	pf.register(fs)
	lf.register(fs)
	sf.register(fs)
	fs.StringVar(&dir, "output-dir", "", helpOutputDir)
	fs.StringVarP(&out, "output", "o", "", helpSBOMOutput)
	fs.StringVar(&so.format, "format", "json", helpSBOMFormat)
	fs.StringVar(&so.spec, "spec-version", "1.6", helpSpecVersion)
	fs.BoolVar(&so.deterministic, "deterministic", false, helpDeterminist)
	fs.BoolVar(&noVDR, "no-vdr", false, helpNoVDR)
	if done, err := parseFlags(e, "sbom", fs, args, usageSBOM, usageSBOMTail); done {
		return flagExit(err)
	}
	if (dir == "") == (out == "") {
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
	if err := checkScanRoots(roots, nil); err != nil {
		return 2, err
	}
	rs, err := setupIndex(&ff, &pf, log)
	if err != nil {
		return 2, err
	}
	opts.Publishers, opts.PublisherSource = rs.publishers(), strings.Join(rs.sources, ", ")
	var (
		sink ioc.Handler
		one  *oneSBOM
		dw   *sbom.DirWriter
	)
	if out != "" {
		one = &oneSBOM{}
		sink = one
	} else {
		if err := os.MkdirAll(dir, 0o755); err != nil {
			return 2, errSBOM(err)
		}
		dw, err = sbom.NewDirWriter(dir, opts)
		if err != nil {
			return 2, errSBOM(err)
		}
		sink = dw
	}
	b := rs.builder(time.Now().UTC(), roots)
	if noVDR {
		sink = noFindings{sink}
	}
	h := ioc.MultiHandler(b, &logHandler{log: log}, sink)
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
	var supplier report.Coverage
	if dw != nil {
		supplier = supplierCoverage(dw, rs.usedSources())
	}
	if one != nil {
		if one.n != 1 || one.inv == nil {
			return 2, errOneSBOM(one.n)
		}
		opts.Provenance = one.prov
		if one.pubs != nil {
			opts.Publishers = one.pubs // the project's, as for --output-dir
		}
		bom, err := sbom.New(one.inv, one.findings, opts)
		if err != nil {
			return 2, errSBOM(err)
		}
		o, err := openOutput(e, out)
		if err != nil {
			return 2, errOutput(err)
		}
		defer o.abort()
		supplier.Packages, supplier.Known = sbom.SupplierCoverage(bom)
		if err := sbom.Write(o.w, bom, opts); err != nil {
			return 2, errOutput(err)
		}
		if err := o.commit(); err != nil {
			return 2, errOutput(err)
		}
	}
	rep := b.Finish(time.Now().UTC(), interrupted, report.ScanCoverage(stats, rs.usedSources()))
	log.Info().Str("dir", dir).Int("lockfiles", rep.Summary.Lockfiles).Int("findings", rep.Summary.Findings).
		Int("errors", rep.Summary.Errors).Int("supplier_known", supplier.Known).Int("supplier_packages", supplier.Packages).
		Dur("duration", stats.Duration.Round(time.Millisecond)).Msg(logSBOMDone)
	if rep.Summary.Lockfiles == 0 && rep.Summary.Errors == 0 && !interrupted {
		log.Warn().Msg(logNoLockfiles(rep.Roots))
	}
	if incomplete(rep, interrupted) {
		return 2, nil
	}
	return 0, nil
}

// supplierCoverage is the supplier coverage of the SBOMs dw wrote, with
// the publisher data sources (call it after the scan: see usedSources).
func supplierCoverage(dw *sbom.DirWriter, sources []string) report.Coverage {
	n, k := dw.SupplierCoverage()
	return report.Coverage{Packages: n, Known: k, Sources: sources}
}

// noFindings passes Lockfile events on and drops findings.
type noFindings struct{ h ioc.Handler }

func (n noFindings) Lockfile(lf *ioc.LockfileResult) error { return n.h.Lockfile(lf) }

func (n noFindings) Finding(*ioc.Finding) error { return nil }

func (n noFindings) Flush() error { return ioc.Flush(n.h) }

// Repo passes repository metadata on (the SBOMs' provenance).
func (n noFindings) Repo(ri *ioc.RepoInfo) error {
	if rh, ok := n.h.(ioc.RepoHandler); ok {
		return rh.Repo(ri)
	}
	return nil
}

// A oneSBOM collects the one lockfile 'sbom --output' describes: its
// inventory, its findings and its repository's provenance.
type oneSBOM struct {
	n        int // lockfiles seen
	inv      *lockfiles.Inventory
	findings []ioc.Finding
	prov     *sbom.Provenance
	pubs     ioc.Publishers // the lockfile's project's publisher data
}

func (o *oneSBOM) Repo(ri *ioc.RepoInfo) error {
	o.prov = sbom.ProvenanceOf(ri)
	return nil
}

func (o *oneSBOM) Lockfile(lf *ioc.LockfileResult) error {
	if lf.IsInput() && !lockfiles.IsMCPConfig(lf.Path) {
		o.n++
		if o.n == 1 && lf.Err == nil {
			o.inv, o.pubs = lf.Inventory, lf.Publishers
		}
	}
	return nil
}

func (o *oneSBOM) Finding(f *ioc.Finding) error {
	if o.n == 1 {
		o.findings = append(o.findings, *f)
	}
	return nil
}
