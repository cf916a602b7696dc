package main

import (
	"errors"
	"os"
	"path/filepath"
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
	if err := fo.validate(e); err != nil {
		return 2, err
	}
	if err := fl.validate(e, "merge"); err != nil {
		return 2, err
	}
	log, _, err := lf.logger(e)
	if err != nil {
		return 2, err
	}
	names, err := mergeInputs(fs.Args(), output)
	if err != nil {
		return 2, err
	}
	parts := make([]*report.Report, len(names))
	for i, name := range names {
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
			return 2, errMerge(names[me.Report-1], errors.New(me.Msg))
		}
		return 2, errMerge(strings.Join(fs.Args(), " "), err)
	}
	fl.compare(log, rep)
	fo.suppress(e, log, rep)

	if err := writeReport(e, output, rep, format); err != nil {
		return 2, err
	}
	logSummary(e, log, rep, rep.Finished.Sub(rep.Started))
	return fo.exitCode(rep, fl.failOnNew, false), nil
}

// mergeInputs expands merge's arguments: a directory stands for the JSON
// and JSONL reports in it (not in subdirectories), sorted by name, less the
// merge's own --output (a rerun must not merge the last merged report).
func mergeInputs(args []string, output string) ([]string, error) {
	outAbs := ""
	if output != "" && output != "-" {
		outAbs, _ = filepath.Abs(output)
	}
	var names []string
	for _, a := range args {
		st, err := os.Stat(a)
		if err != nil || !st.IsDir() {
			names = append(names, a) // ReadFile says what is wrong with it
			continue
		}
		ents, err := os.ReadDir(a)
		if err != nil {
			return nil, errReadReport(a, unwrapPath(err))
		}
		n := 0
		for _, d := range ents {
			ext := filepath.Ext(d.Name())
			if !d.Type().IsRegular() || (ext != ".json" && ext != ".jsonl") || strings.HasPrefix(d.Name(), ".") {
				continue
			}
			p := filepath.Join(a, d.Name())
			if abs, _ := filepath.Abs(p); abs == outAbs {
				continue
			}
			names = append(names, p)
			n++
		}
		if n == 0 {
			return nil, errMergeEmptyDir(a)
		}
	}
	return names, nil
}
