package main

import (
	"bytes"
	"context"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	iofs "io/fs"

	"github.com/depsweep/depsweep/ioc"
	"github.com/depsweep/depsweep/ioc/report"
)

// interruptTree returns a root with three affected projects a/, b/, c/.
func interruptTree(t *testing.T) string {
	t.Helper()
	root := t.TempDir()
	for _, d := range []string{"a", "b", "c"} {
		copyDir(t, goodFixture, filepath.Join(root, d))
	}
	return root
}

// outputFiles lists the files under dir (slash paths relative to it).
func outputFiles(t *testing.T, dir string) []string {
	t.Helper()
	var out []string
	err := filepath.WalkDir(dir, func(p string, d iofs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if !d.IsDir() {
			rel, _ := filepath.Rel(dir, p)
			out = append(out, filepath.ToSlash(rel))
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// TestInterruptMidScan cancels the scan while the one worker is inside
// b/package-lock.json: the report (written atomically to --output) is marked
// interrupted and holds a/ and b/ but not c/, the SBOMs of the scanned files
// are complete, no temporary file is left, and the exit code is non-zero.
func TestInterruptMidScan(t *testing.T) {
	requireParts(t)
	for _, c := range []struct {
		failOn   string
		wantCode int
	}{
		{"info", 1}, // findings win over the interruption
		{"none", 2},
	} {
		t.Run("fail-on="+c.failOn, func(t *testing.T) {
			root := interruptTree(t)
			out := t.TempDir()
			ctx, cancel := context.WithCancel(context.Background())
			defer cancel()
			setScanHook(t, func(cfg *ioc.ScanConfig) {
				cfg.Jobs = 1
				cfg.Publishers = func(_ iofs.FS, projectPath string) ioc.Publishers {
					if projectPath == "b" {
						cancel() // SIGINT, as main's signal.NotifyContext delivers it
					}
					return nil
				}
			})
			var stdout, stderr bytes.Buffer
			code := run(ctx, []string{"scan", "--format", "json", "--fail-on", c.failOn, "-q",
				"-o", filepath.Join(out, "report.json"), "--sbom-dir", filepath.Join(out, "sboms"), root},
				nil, &stdout, &stderr)
			if code != c.wantCode {
				t.Errorf("exit code = %d, want %d; stderr:\n%s", code, c.wantCode, stderr.String())
			}
			if !strings.Contains(stderr.String(), logInterrupted) {
				t.Errorf("stderr does not say the scan was interrupted:\n%s", stderr.String())
			}
			files := outputFiles(t, out)
			want := []string{"report.json", "sboms/a__package-lock.json.cdx.json", "sboms/b__package-lock.json.cdx.json"}
			if strings.Join(files, " ") != strings.Join(want, " ") {
				t.Errorf("output files = %q, want %q (no temporary files, no SBOM for c/)", files, want)
			}
			f, err := os.Open(filepath.Join(out, "report.json"))
			if err != nil {
				t.Fatal(err)
			}
			defer f.Close()
			rep, err := report.Read(f)
			if err != nil {
				t.Fatalf("report: %v", err)
			}
			if !rep.Interrupted {
				t.Error("report not marked interrupted")
			}
			var scanned []string
			for _, lf := range rep.Lockfiles {
				scanned = append(scanned, lf.Path)
			}
			if got := strings.Join(scanned, " "); got != "a/package-lock.json b/package-lock.json" {
				t.Errorf("report lockfiles = %q, want a/ and b/ only", got)
			}
			for _, name := range want[1:] {
				if _, err := os.ReadFile(filepath.Join(out, name)); err != nil {
					t.Error(err)
				}
			}
		})
	}
}

// TestInterruptOutputFailureLeavesNothing: when the report cannot be put
// in place (here its name is taken by a directory), the command fails with
// exit 2 and leaves no temporary file.
func TestInterruptOutputFailureLeavesNothing(t *testing.T) {
	requireParts(t)
	root := interruptTree(t)
	out := t.TempDir()
	if err := os.MkdirAll(filepath.Join(out, "report.json", "x"), 0o755); err != nil {
		t.Fatal(err)
	}
	var stderr bytes.Buffer
	code := run(context.Background(), []string{"scan", "--format", "json", "-q", "-o", filepath.Join(out, "report.json"), root}, nil, &bytes.Buffer{}, &stderr)
	if code != 2 {
		t.Errorf("exit code = %d, want 2", code)
	}
	if !strings.HasPrefix(stderr.String(), "depsweep: cannot write report: ") {
		t.Errorf("stderr = %q, want a report write error", stderr.String())
	}
	if got := outputFiles(t, out); strings.Join(got, " ") != "report.json/x" && len(got) != 0 {
		t.Errorf("files left = %q, want none", got)
	}
	ents, _ := os.ReadDir(out)
	if len(ents) != 1 {
		t.Errorf("%d entries in the output directory, want 1 (no temporary file)", len(ents))
	}
}

// TestInterruptSignal sends a real SIGINT, and a real SIGTERM (what
// Kubernetes, systemd and CI runners send), to a depsweep process while a
// worker waits on a registry that never answers, and checks the process
// stops, writes the report of what it scanned marked interrupted, leaves
// no temporary file and exits 2.
func TestInterruptSignal(t *testing.T) {
	requireParts(t)
	exe := buildDepsweep(t)
	for _, sig := range []syscall.Signal{syscall.SIGINT, syscall.SIGTERM} {
		t.Run(sig.String(), func(t *testing.T) { interruptSignal(t, exe, sig) })
	}
}

func interruptSignal(t *testing.T, exe string, sig syscall.Signal) {
	asked := make(chan struct{}, 100)
	release := make(chan struct{})
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		asked <- struct{}{}
		select {
		case <-release:
		case <-r.Context().Done():
		}
		http.NotFound(w, r)
	}))
	defer srv.Close()
	defer close(release)

	root := interruptTree(t)
	// The fixture's .npmrc names the registry its lockfile was written
	// against, which --registry would honour: point it at the test's.
	for _, d := range []string{"a", "b", "c"} {
		writeFile(t, filepath.Join(root, d, ".npmrc"), []byte("registry="+srv.URL+"\n"))
	}
	out := t.TempDir()
	cmd := exec.Command(exe, "scan", "--format", "json", "--fail-on", "none", "-q", "-j", "1",
		"--registry", srv.URL, "--registry-cache", filepath.Join(t.TempDir(), "cache"), "--registry-timeout", "3s",
		"-o", filepath.Join(out, "report.json"), root)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	select {
	case <-asked:
	case <-time.After(30 * time.Second):
		cmd.Process.Kill()
		t.Fatal("depsweep never asked the registry")
	}
	start := time.Now()
	if err := cmd.Process.Signal(sig); err != nil {
		t.Fatal(err)
	}
	err := cmd.Wait()
	if ee, ok := err.(*exec.ExitError); !ok || ee.ExitCode() != 2 {
		t.Fatalf("depsweep after %v: %v, want exit status 2; stderr:\n%s", sig, err, stderr.String())
	}
	// The one worker finishes (or abandons) its file within the registry
	// timeout; nothing after it is read.
	if d := time.Since(start); d > 20*time.Second {
		t.Errorf("depsweep took %v to stop after %v", d, sig)
	}
	if files := outputFiles(t, out); strings.Join(files, " ") != "report.json" {
		t.Errorf("output files = %q, want only report.json", files)
	}
	f, err := os.Open(filepath.Join(out, "report.json"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	rep, err := report.Read(f)
	if err != nil {
		t.Fatal(err)
	}
	if !rep.Interrupted {
		t.Error("report not marked interrupted")
	}
	if len(rep.Lockfiles) >= 3 {
		t.Errorf("report lists %d lockfiles, want fewer than 3 after an early %v", len(rep.Lockfiles), sig)
	}
}

// buildDepsweep returns a depsweep executable running the real main, with
// its SIGINT handling: the test binary as TestMain sets it up, or, when that
// is not on PATH or buildFlags are given, a build into a directory anyone
// may read, removed after the test.
func buildDepsweep(t *testing.T, buildFlags ...string) string {
	t.Helper()
	// The test binary itself, which testscript.Main in TestMain puts on
	// PATH as depsweep (running main): no go build per test.
	if exe, err := exec.LookPath("depsweep"); err == nil && len(buildFlags) == 0 {
		return exe
	}
	gobin, err := exec.LookPath("go")
	if err != nil {
		t.Skipf("cannot build depsweep: %v", err)
	}
	dir, err := os.MkdirTemp("", "depsweep-build")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(dir) })
	os.Chmod(dir, 0o755)
	exe := filepath.Join(dir, "depsweep")
	// -buildvcs=false: the binary reports the version the test binary does
	// ("(devel)"), not one stamped from the checkout's commit.
	args := append(append([]string{"build", "-buildvcs=false"}, buildFlags...), "-o", exe, ".")
	if b, err := exec.Command(gobin, args...).CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, b)
	}
	return exe
}
