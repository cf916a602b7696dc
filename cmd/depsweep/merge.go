package main

import (
	"errors"
	"strings"

	"github.com/depsweep/depsweep/ioc/report"
)

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
