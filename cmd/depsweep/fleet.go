package main

// Fleet sweeps and cron audits: --repos-from, --shard, --baseline,
// --fail-on-new, SOURCE_DATE_EPOCH, and 'depsweep merge'.

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/rs/zerolog"
	"github.com/spf13/pflag"

	"github.com/depsweep/depsweep/ioc"
	"github.com/depsweep/depsweep/ioc/report"
)

// Messages of the fleet flags and of 'depsweep merge'.
const (
	helpReposFrom = "also scan the repositories listed in `FILE`, one path per line (- reads standard input; blank lines and # comments are ignored)"
	helpShard     = "scan only shard `I/N` of the repositories (0 ≤ I < N, by a stable hash of their path; \"/N\" takes I from JOB_COMPLETION_INDEX); give every shard the same roots"
	helpFailOnNew = "with --baseline: exit 1 only for new findings (at or above --fail-on)"
	helpMergeBase = "compare the merged report with a saved `REPORT` (json or jsonl): mark each finding new or present and list resolved ones"

	usageMerge = `Usage: depsweep merge [flags] REPORT ...

Merge combines the reports of the shards of one sweep ('depsweep scan
--shard I/N --format json' or jsonl, one per shard) into the report one
unsharded scan would have written. It refuses reports written by different
depsweep versions or with different feeds, reports whose repositories
overlap (a shard given twice), and reports already compared with a baseline:
merge first, then compare with --baseline.

Flags:
`
	usageMergeTail = `
Exit codes are those of 'depsweep scan': 1 for findings at or above --fail-on
(with --fail-on-new: new findings only), 2 when a shard could not read
something or was interrupted, or on bad input.

Examples:
  depsweep merge --format json -o fleet.json shard-*.json
  depsweep merge --baseline yesterday.json --fail-on-new --format sarif -o fleet.sarif shard-*.jsonl
`
	logBaselineDone = "compared with baseline"
)

func errReposFrom(name string, err error) error {
	return &exitError{code: 2, msg: fmt.Sprintf("cannot read --repos-from %s: %v", name, err),
		hint: "--repos-from takes a file with one repository path per line, or - for standard input"}
}

func errShard(err error) error {
	return &exitError{code: 2, msg: fmt.Sprintf("invalid --shard: %v", err),
		hint: "--shard takes I/N with 0 ≤ I < N, such as 0/4; \"/N\" reads I from JOB_COMPLETION_INDEX (a Kubernetes Indexed Job)"}
}

func errMerge(name string, err error) error {
	return &exitError{code: 2, msg: fmt.Sprintf("cannot merge %s: %v", name, err),
		hint: "merge the reports of one sweep's shards, all written by the same depsweep with the same feeds"}
}

func errMergeArgs() error {
	return usageErrorf("merge", "merge needs at least one REPORT")
}

// fleetFlags are the flags for sweeping a fleet and auditing it on a schedule.
type fleetFlags struct {
	reposFrom string
	shardArg  string
	baseline  string
	failOnNew bool

	shard ioc.Shard
	base  *report.Report
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
		return usageErrorf(cmd, "--fail-on-new needs --baseline")
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
		if err != nil {
			return errBaseline(f.baseline, unwrapPath(err))
		}
		f.base = b
	}
	return nil
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
			return nil, errReposFrom(f.reposFrom, errors.New("no paths in it"))
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
			return nil, fmt.Errorf("line %d: path contains a NUL byte", n)
		}
		out = append(out, line)
	}
	if err := sc.Err(); err != nil {
		if errors.Is(err, bufio.ErrTooLong) {
			return nil, fmt.Errorf("line %d: longer than %d bytes", n+1, maxRepoLine)
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
	d := report.Compare(f.base, rep)
	log.Info().Str("baseline", f.baseline).Int("new", d.New).Int("present", d.Present).
		Int("resolved", d.Resolved).Int("not_scanned", d.NotScanned).Msg(logBaselineDone)
}

// exitCode maps a finished report to the exit code like 'depsweep scan'
// does, counting only the findings of this scan (not those resolved since
// the baseline) and, with --fail-on-new, only new ones.
func (f *fleetFlags) exitCode(rep *report.Report, threshold ioc.Severity, noFail, interrupted bool) int {
	hits := 0
	for _, fd := range rep.Findings {
		if fd.Status == report.StatusResolved || (f.failOnNew && fd.Status != report.StatusNew) {
			continue
		}
		if s, err := ioc.ParseSeverity(fd.Severity); err == nil && s >= threshold {
			hits++
		}
	}
	switch {
	case !noFail && hits > 0:
		return 1
	case incomplete(rep, interrupted || rep.Interrupted):
		return 2
	}
	return 0
}

// clock returns the time to record in reports: now, or the time
// SOURCE_DATE_EPOCH (seconds since 1970, UTC) gives, so that identical
// inputs give identical reports (https://reproducible-builds.org/specs/source-date-epoch/).
func clock(e *env) (time.Time, error) {
	v := e.getenv("SOURCE_DATE_EPOCH")
	if v == "" {
		return time.Now().UTC(), nil
	}
	sec, err := strconv.ParseInt(v, 10, 64)
	if err != nil || sec < 0 {
		return time.Time{}, &exitError{code: 2, msg: "invalid SOURCE_DATE_EPOCH: want whole seconds since 1970-01-01 UTC"}
	}
	return time.Unix(sec, 0).UTC(), nil
}

// cmdMerge is 'depsweep merge'.
func cmdMerge(e *env, args []string) (int, error) {
	fs := newFlags("merge")
	var (
		fl             fleetFlags
		lf             logFlags
		format, output string
		failOn         string
	)
	fl.register(fs, false)
	lf.register(fs)
	fs.StringVar(&format, "format", "json", helpFormat)
	fs.StringVarP(&output, "output", "o", "", helpOutput)
	fs.StringVar(&failOn, "fail-on", "info", helpFailOn)
	if done, err := parseFlags(e, "merge", fs, args, usageMerge, usageMergeTail); done {
		return flagExit(err)
	}
	if fs.NArg() == 0 {
		return 2, errMergeArgs()
	}
	if !contains(reportFormats, format) {
		return 2, errBadChoice("format", format, reportFormats...)
	}
	threshold, noFail := ioc.SeverityInfo, false
	if strings.EqualFold(failOn, "none") {
		noFail = true
	} else {
		s, err := ioc.ParseSeverity(failOn)
		if err != nil {
			return 2, errBadChoice("fail-on", failOn, "critical", "high", "medium", "low", "info", "none")
		}
		threshold = s
	}
	if err := fl.validate(e, "merge"); err != nil {
		return 2, err
	}
	log, _, err := lf.logger(e)
	if err != nil {
		return 2, err
	}
	parts := make([]*report.Report, fs.NArg())
	for i, name := range fs.Args() {
		r, err := report.ReadFile(name)
		if err != nil {
			return 2, errReadReport(name, unwrapPath(err))
		}
		parts[i] = r
	}
	rep, err := report.Merge(parts...)
	if err != nil {
		var me *report.MergeError
		if errors.As(err, &me) {
			return 2, errMerge(fs.Arg(me.Report-1), errors.New(me.Msg))
		}
		return 2, errMerge(strings.Join(fs.Args(), " "), err)
	}
	fl.compare(log, rep)

	out, err := openOutput(e, output)
	if err != nil {
		return 2, errOutput(err)
	}
	defer out.abort()
	if err := render(out.w, rep, format, out.color(e)); err != nil {
		return 2, errOutput(err)
	}
	if err := out.commit(); err != nil {
		return 2, errOutput(err)
	}
	logSummary(log, rep, rep.Finished.Sub(rep.Started))
	return fl.exitCode(rep, threshold, noFail, false), nil
}
