package main

import (
	"io"
	"os"

	"github.com/depsweep/depsweep/ioc/report"
)

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
