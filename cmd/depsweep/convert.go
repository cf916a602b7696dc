package main

import (
	"io"
	"os"

	"github.com/depsweep/depsweep/ioc/report"
)

// cmdConvert is 'depsweep convert'.
func cmdConvert(e *env, args []string) (int, error) {
	fs := newFlags("convert")
	var (
		format, output string
		fo             failOnFlag
		lf             logFlags
	)
	fs.StringVar(&format, "format", "text", helpConvFormat)
	fs.StringVarP(&output, "output", "o", "", helpOutput)
	fo.registerDefault(fs, "none")
	lf.register(fs)
	if done, err := parseFlags(e, "convert", fs, args, usageConvert, usageConvertTail); done {
		return flagExit(err)
	}
	if fs.NArg() != 1 {
		return 2, errConvertArgs()
	}
	if err := checkFormat(format); err != nil {
		return 2, err
	}
	if err := fo.validate(e); err != nil {
		return 2, err
	}
	log, _, err := lf.logger(e)
	if err != nil {
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
	fo.suppress(e, log, rep)
	if err := writeReport(e, output, rep, format); err != nil {
		return 2, err
	}
	if fo.none {
		return 0, nil // convert re-renders; it fails only when --fail-on asks
	}
	return fo.exitCode(rep, false, false), nil
}
