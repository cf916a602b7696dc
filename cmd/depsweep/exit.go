package main

import (
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/depsweep/depsweep/ioc"
	"github.com/depsweep/depsweep/ioc/report"
)

// Exit codes: 0 checked and clean, 1 findings at or above --fail-on, 2
// error or incomplete input (see doc.go). Commands return an exit code and
// an error; run prints the error and its hint.

// An exitError is an error that ends the command with an exit code, and
// optionally a hint saying how to fix it.
type exitError struct {
	code int
	msg  string // "" prints nothing (the command already said what happened)
	hint string
}

func (e *exitError) Error() string { return e.msg }

// exitCode returns the exit code of a command that returned code and err:
// code when err is nil, else the error's code (2 for an error that is not an
// *exitError), after printing the error and its hint on stderr.
func exitCode(stderr io.Writer, code int, err error) int {
	if err == nil {
		return code
	}
	var ee *exitError
	if !errors.As(err, &ee) {
		ee = &exitError{code: 2, msg: err.Error()}
	}
	if ee.msg != "" {
		fmt.Fprintf(stderr, "depsweep: %s\n", ee.msg)
	}
	if ee.hint != "" {
		if strings.HasPrefix(ee.hint, "Run ") {
			fmt.Fprintln(stderr, ee.hint)
		} else {
			fmt.Fprintf(stderr, "hint: %s\n", ee.hint)
		}
	}
	return ee.code
}

// flagExit is the result of a command whose flag parsing ended it: help
// (exit 0) or a usage error (exit 2).
func flagExit(err error) (int, error) {
	if err != nil {
		return 2, err
	}
	return 0, nil
}

// exitCode maps a finished report to the exit code: 1 when a finding of
// this run is at or above the threshold (a finding resolved since the
// baseline does not count and, with onlyNew, only a new one does), else 2
// when the report covers less than the inputs ([incomplete]), else 0.
func (f *failOnFlag) exitCode(rep *report.Report, onlyNew, interrupted bool) int {
	hits := 0
	for _, fd := range rep.Findings {
		if fd.Status == report.StatusResolved || (onlyNew && fd.Status != report.StatusNew) || fd.Suppressed != nil {
			continue
		}
		if s, err := ioc.ParseSeverity(fd.Severity); err == nil && s >= f.threshold {
			hits++
		}
	}
	switch {
	case !f.none && hits > 0:
		return 1
	case incomplete(rep, interrupted || rep.Interrupted):
		return 2
	}
	return 0
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
