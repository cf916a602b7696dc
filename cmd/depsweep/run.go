package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"runtime/debug"

	"github.com/spf13/pflag"
)

// version is the release version, set at build time with
// -ldflags "-X main.version=v1.2.3"; when empty the module version from the
// build info is used.
var version string

// toolVersion returns the version depsweep reports.
func toolVersion() string {
	if version != "" {
		return version
	}
	if bi, ok := debug.ReadBuildInfo(); ok && bi.Main.Version != "" {
		return bi.Main.Version
	}
	return "(devel)"
}

// An exitError is an error that ends the command with an exit code, and
// optionally a hint saying how to fix it.
type exitError struct {
	code int
	msg  string // "" prints nothing (the command already said what happened)
	hint string
}

func (e *exitError) Error() string { return e.msg }

// env is what a command may touch of the process.
type env struct {
	ctx    context.Context
	stdin  io.Reader
	stdout io.Writer
	stderr io.Writer
	getenv func(string) string
}

// run is the whole command: it parses args, does the work, and returns the
// exit code. Tests call it directly.
func run(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	e := &env{ctx: ctx, stdin: stdin, stdout: stdout, stderr: stderr, getenv: os.Getenv}
	code, err := dispatch(e, args)
	if err != nil {
		var ee *exitError
		if !errors.As(err, &ee) {
			ee = &exitError{code: 2, msg: err.Error()}
		}
		if ee.msg != "" {
			fmt.Fprintf(stderr, "depsweep: %s\n", ee.msg)
		}
		if ee.hint != "" {
			if len(ee.hint) > 4 && ee.hint[:4] == "Run " {
				fmt.Fprintln(stderr, ee.hint)
			} else {
				fmt.Fprintf(stderr, "hint: %s\n", ee.hint)
			}
		}
		return ee.code
	}
	return code
}

// dispatch runs the command args name.
func dispatch(e *env, args []string) (int, error) {
	if len(args) == 0 {
		io.WriteString(e.stderr, usageMain)
		return 2, errNoCommand()
	}
	switch args[0] {
	case "scan":
		return cmdScan(e, args[1:])
	case "sbom":
		return cmdSBOM(e, args[1:])
	case "history":
		return cmdHistory(e, args[1:])
	case "feed":
		return cmdFeed(e, args[1:])
	case "mail":
		return cmdMail(e, args[1:])
	case "convert":
		return cmdConvert(e, args[1:])
	case "merge":
		return cmdMerge(e, args[1:])
	case "version":
		return cmdVersion(e, args[1:])
	case "help", "-h", "--help", "-help":
		io.WriteString(e.stdout, usageMain)
		return 0, nil
	case "--version":
		return cmdVersion(e, nil)
	}
	if len(args[0]) > 0 && args[0][0] == '-' {
		return 2, errFlagBeforeCommand(args[0])
	}
	return 2, errUnknownCommand(args[0])
}

// newFlags returns a flag set for command cmd that prints nothing itself:
// errors are returned, and -h/--help is reported as pflag.ErrHelp.
func newFlags(cmd string) *pflag.FlagSet {
	fs := pflag.NewFlagSet("depsweep "+cmd, pflag.ContinueOnError)
	fs.SetOutput(io.Discard)
	fs.SortFlags = true
	fs.BoolP("help", "h", false, helpHelp)
	return fs
}

// parseFlags parses args; on --help it prints the usage to stdout and
// returns done.
func parseFlags(e *env, cmd string, fs *pflag.FlagSet, args []string, head, tail string) (done bool, err error) {
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, pflag.ErrHelp) {
			printUsage(e.stdout, fs, head, tail)
			return true, nil
		}
		return true, errFlag(cmd, err)
	}
	if h, _ := fs.GetBool("help"); h {
		printUsage(e.stdout, fs, head, tail)
		return true, nil
	}
	return false, nil
}

func printUsage(w io.Writer, fs *pflag.FlagSet, head, tail string) {
	io.WriteString(w, head)
	io.WriteString(w, fs.FlagUsagesWrapped(100))
	io.WriteString(w, tail)
}

// flagExit is the result of a command whose flag parsing ended it: help
// (exit 0) or a usage error (exit 2).
func flagExit(err error) (int, error) {
	if err != nil {
		return 2, err
	}
	return 0, nil
}

// unwrapPath drops the path an *fs.PathError repeats: messages name the
// file once, themselves.
func unwrapPath(err error) error {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return pe.Err
	}
	return err
}
