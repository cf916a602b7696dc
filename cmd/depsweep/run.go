package main

import (
	"context"
	"errors"
	"io"
	"os"
)

// run is the process: it parses the command line, dispatches to one
// subcommand (one file each: scan.go with host.go for scan --host,
// history.go, sbom.go, feed.go, convert.go, merge.go, version.go) and turns
// its error into an exit code (exit.go). Flags are in flags.go, what the
// commands share in wiring.go, output.go and progress.go, and every
// message in messages.go.

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
	var ee *exitError
	if errors.As(err, &ee) && ee.msg != "" {
		// A value the config file or a DEPSWEEP_* variable gave is
		// reported where it was written.
		if o := e.cfg.origin(ee.msg + " "); o != "" {
			ee.msg = o + ": " + ee.msg
		}
	}
	return exitCode(stderr, code, err)
}

// commands are depsweep's subcommands, in the order usage lists them.
// Each lives in its own file; doc.go and the usage text cover each one
// (TestDocCoversCommands checks it).
var commands []struct {
	name string
	run  func(*env, []string) (int, error)
}

// init fills commands: completion, help man and the config file build
// every command's flag set through dispatch, so the table cannot be a
// plain initialised variable (it would refer to itself).
func init() {
	commands = []struct {
		name string
		run  func(*env, []string) (int, error)
	}{
		{"scan", cmdScan},
		{"history", cmdHistory},
		{"sbom", cmdSBOM},
		{"feed", cmdFeed},
		{"mail", cmdMail},
		{"convert", cmdConvert},
		{"merge", cmdMerge},
		{"version", cmdVersion},
		{"completion", cmdCompletion},
		{"help", cmdHelp},
	}
}

// commandNames are the commands of 'depsweep COMMAND', for "did you mean"
// and shell completion.
func commandNames() []string {
	var out []string
	for _, c := range commands {
		out = append(out, c.name)
	}
	return out
}

// cmdHelp is 'depsweep help' (the usage) and 'depsweep help man' (the
// manual page).
func cmdHelp(e *env, args []string) (int, error) {
	if len(args) > 0 && args[0] == "man" {
		return cmdMan(e, args[1:])
	}
	io.WriteString(e.stdout, usageMain)
	return 0, nil
}

// dispatch runs the command args name.
func dispatch(e *env, args []string) (int, error) {
	if len(args) == 0 {
		io.WriteString(e.stderr, usageMain)
		return 2, errNoCommand()
	}
	for _, c := range commands {
		if args[0] == c.name {
			return c.run(e, args[1:])
		}
	}
	switch args[0] {
	case "-h", "--help", "-help":
		io.WriteString(e.stdout, usageMain)
		return 0, nil
	case "--version":
		return cmdVersion(e, nil)
	}
	if len(args[0]) > 0 && args[0][0] == '-' {
		return 2, errFlagBeforeCommand(args[0])
	}
	return 2, errUnknownCommand(args[0], suggest(args[0], commandNames()))
}
