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
	cfg    *config // the config file read by parseFlags; nil before
	// humanLog is set when diagnostics go to a person (--log-format
	// console): the closing summary is then a sentence, not fields.
	humanLog bool
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
			// A value the config file or a DEPSWEEP_* variable gave is
			// reported where it was written.
			if o := e.cfg.origin(ee.msg + " "); o != "" {
				ee.msg = o + ": " + ee.msg
			}
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
	case "convert":
		return cmdConvert(e, args[1:])
	case "merge":
		return cmdMerge(e, args[1:])
	case "version":
		return cmdVersion(e, args[1:])
	case "completion":
		return cmdCompletion(e, args[1:])
	case "help", "-h", "--help", "-help":
		if len(args) > 1 && args[1] == "man" {
			return cmdMan(e, args[2:])
		}
		io.WriteString(e.stdout, usageMain)
		return 0, nil
	case "--version":
		return cmdVersion(e, nil)
	}
	if len(args[0]) > 0 && args[0][0] == '-' {
		return 2, errFlagBeforeCommand(args[0])
	}
	return 2, errUnknownCommand(args[0], suggest(args[0], commandNames))
}

// newFlags returns a flag set for command cmd that prints nothing itself:
// errors are returned, and -h/--help is reported as pflag.ErrHelp.
func newFlags(cmd string) *pflag.FlagSet {
	fs := pflag.NewFlagSet("depsweep "+cmd, pflag.ContinueOnError)
	fs.SetOutput(io.Discard)
	fs.SortFlags = true
	fs.BoolP("help", "h", false, helpHelp)
	fs.String("config", "", helpConfig)
	fs.Bool("no-config", false, helpNoConfig)
	return fs
}

// parseFlags parses args; on --help it prints the usage to stdout and
// returns done.
// After the command line, it sets the flags the command line left alone
// from DEPSWEEP_* variables and the config file ([config.apply]).
func parseFlags(e *env, cmd string, fs *pflag.FlagSet, args []string, head, tail string) (done bool, err error) {
	if collecting != nil {
		collecting(cmd, fs, head, tail)
	}
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, pflag.ErrHelp) {
			printUsage(e.stdout, fs, head, tail)
			return true, nil
		}
		return true, errFlag(cmd, fs, err)
	}
	if h, _ := fs.GetBool("help"); h {
		printUsage(e.stdout, fs, head, tail)
		return true, nil
	}
	if err := checkOutputNotFormat(cmd, fs); err != nil {
		return true, err
	}
	path, _ := fs.GetString("config")
	none, _ := fs.GetBool("no-config")
	cfg, err := loadConfig(e, path, none)
	if err != nil {
		return true, errConfig(err)
	}
	e.cfg = cfg
	if err := cfg.apply(e, fs); err != nil {
		return true, errConfig(err)
	}
	return false, nil
}

func printUsage(w io.Writer, fs *pflag.FlagSet, head, tail string) {
	io.WriteString(w, head)
	io.WriteString(w, fs.FlagUsagesWrapped(100))
	io.WriteString(w, tail)
}

// checkOutputNotFormat refuses -o json (a format name as the output file)
// when --format was not given: the user meant --format json.
func checkOutputNotFormat(cmd string, fs *pflag.FlagSet) error {
	out, fo := fs.Lookup("output"), fs.Lookup("format")
	if out == nil || fo == nil || fo.Changed || !out.Changed {
		return nil
	}
	v := out.Value.String()
	for _, f := range allFormats {
		if v == f {
			return errOutputIsFormat(cmd, v)
		}
	}
	return nil
}

// allFormats are the names of every report and SBOM format.
var allFormats = []string{"text", "json", "jsonl", "sarif", "markdown", "md", "csv", "html", "xml", "cyclonedx", "spdx"}

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
