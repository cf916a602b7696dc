package main

// Fleet sweeps and cron audits: --repos-from, --shard, --baseline,
// --fail-on-new, SOURCE_DATE_EPOCH, and 'depsweep merge'.

import (
	"bufio"
	"errors"
	"io"
	"os"
	"strings"
	"time"

	"github.com/rs/zerolog"
	"github.com/spf13/pflag"

	"github.com/depsweep/depsweep/ioc"
	"github.com/depsweep/depsweep/ioc/report"
	"github.com/depsweep/depsweep/sbom"
)

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
			return nil, errReposFrom(f.reposFrom, errNoRepoPaths)
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

// cmdMerge is 'depsweep merge'.
func cmdMerge(e *env, args []string) (int, error) {
	fs := newFlags("merge")
	var (
		fl             fleetFlags
		lf             logFlags
		fo             failOnFlag
		format, output string
	)
	fl.register(fs, false)
	lf.register(fs)
	fs.StringVar(&format, "format", "json", helpFormat)
	fs.StringVarP(&output, "output", "o", "", helpOutput)
	fo.register(fs)
	if done, err := parseFlags(e, "merge", fs, args, usageMerge, usageMergeTail); done {
		return flagExit(err)
	}
	if fs.NArg() == 0 {
		return 2, errMergeArgs()
	}
	if err := checkFormat(format); err != nil {
		return 2, err
	}
	if err := fo.validate(); err != nil {
		return 2, err
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

	if err := writeReport(e, output, rep, format); err != nil {
		return 2, err
	}
	logSummary(log, rep, rep.Finished.Sub(rep.Started))
	return fo.exitCode(rep, fl.failOnNew, false), nil
}
