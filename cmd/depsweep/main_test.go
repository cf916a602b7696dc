package main

import (
	"errors"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"testing"

	"github.com/rogpeppe/go-internal/testscript"

	"github.com/depsweep/depsweep/feeds"
)

var update = flag.Bool("update", false, "rewrite the testscript files with the actual output")

// TestMain makes the test binary double as depsweep (and as exit-status,
// which checks a command's exit code) for the testscripts and for the tests
// that run depsweep as a process ([buildDepsweep]). As depsweep it runs the
// real main, signal handling included.
func TestMain(m *testing.M) {
	// The tests that call run directly must not read the config file of
	// whoever runs them; the testscripts set their own.
	if os.Getenv("XDG_CONFIG_HOME") == "" {
		os.Setenv("XDG_CONFIG_HOME", filepath.Join(os.TempDir(), "depsweep-test-no-config"))
	}
	testscript.Main(m, map[string]func(){
		"depsweep": main,
		// exit-status N CMD [ARG...] runs CMD and succeeds only if it exits
		// with status N; testscript itself only tells zero from non-zero.
		"exit-status": func() {
			if len(os.Args) < 3 {
				fmt.Fprintln(os.Stderr, "usage: exit-status N CMD [ARG...]")
				os.Exit(2)
			}
			want, err := strconv.Atoi(os.Args[1])
			if err != nil {
				fmt.Fprintln(os.Stderr, "exit-status: bad status:", err)
				os.Exit(2)
			}
			cmd := exec.Command(os.Args[2], os.Args[3:]...)
			cmd.Stdin, cmd.Stdout, cmd.Stderr = os.Stdin, os.Stdout, os.Stderr
			got := 0
			if err := cmd.Run(); err != nil {
				var ee *exec.ExitError
				if !errors.As(err, &ee) {
					fmt.Fprintln(os.Stderr, "exit-status:", err)
					os.Exit(2)
				}
				got = ee.ExitCode()
			}
			if got != want {
				fmt.Fprintf(os.Stderr, "exit-status: %s exited %d, want %d\n", os.Args[2], got, want)
				os.Exit(1)
			}
			os.Exit(0)
		},
	})
}

// TestScript runs testdata/script/*.txtar against the real main.
func TestScript(t *testing.T) {
	requireParts(t)
	fixtures, err := filepath.Abs("../../testdata/fixtures")
	if err != nil {
		t.Fatal(err)
	}
	osv, err := filepath.Abs("../../testdata/osv")
	if err != nil {
		t.Fatal(err)
	}
	clients, err := filepath.Abs("../../testdata/lockfiles/clients")
	if err != nil {
		t.Fatal(err)
	}
	scripts, _ := filepath.Glob("../../testdata/script/*.txtar")
	if len(scripts) == 0 {
		t.Fatal("no testscripts in ../../testdata/script")
	}
	testscript.Run(t, testscript.Params{
		Dir:                 "../../testdata/script",
		RequireExplicitExec: true,
		UpdateScripts:       *update,
		Setup: func(e *testscript.Env) error {
			e.Setenv("FIXTURES", fixtures)
			e.Setenv("OSV", osv)
			e.Setenv("CLIENTS", clients)
			e.Setenv("NO_COLOR", "1")
			e.Setenv("XDG_CONFIG_HOME", filepath.Join(e.WorkDir, "xdg"))
			return nil
		},
		Cmds: map[string]func(ts *testscript.TestScript, neg bool, args []string){
			"countfiles": countFiles,
		},
	})
}

// countFiles is "countfiles DIR N": DIR holds exactly N regular files
// (searched recursively).
func countFiles(ts *testscript.TestScript, neg bool, args []string) {
	if len(args) != 2 {
		ts.Fatalf("usage: countfiles DIR N")
	}
	want, err := strconv.Atoi(args[1])
	if err != nil {
		ts.Fatalf("countfiles: %v", err)
	}
	n := 0
	err = filepath.WalkDir(ts.MkAbs(args[0]), func(_ string, d os.DirEntry, err error) error {
		if err == nil && d.Type().IsRegular() {
			n++
		}
		return err
	})
	if err != nil {
		ts.Fatalf("countfiles: %v", err)
	}
	if (n == want) == neg {
		ts.Fatalf("countfiles %s: %d files, want %s%d", args[0], n, map[bool]string{true: "not ", false: ""}[neg], want)
	}
}

// requireParts fails a test that needs the embedded feed when it cannot be
// loaded, before the scripts fail in less obvious ways.
func requireParts(t *testing.T) {
	t.Helper()
	if _, err := feeds.Default(); err != nil {
		t.Fatalf("embedded feed: %v", err)
	}
}
