package main

// The malformed-input suite: each case puts one hostile or broken input in a
// sweep next to a good affected lockfile, runs the real command, and checks
// the exact message (naming the file and position), the exit code, and that
// the good lockfile's finding is still reported.

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/depsweep/depsweep/ioc"
	"github.com/depsweep/depsweep/ioc/report"
)

const (
	goodFixture = "../../testdata/fixtures/npm11-alias-scoped-lockv3"
	hostileDir  = "../../testdata/hostile"
)

// A sweepResult is what one run of depsweep made of a tree.
type sweepResult struct {
	code   int
	rep    *report.Report
	stderr string
}

// newSweepTree returns a scan root holding good/ (a copy of the affected
// npm 11 fixture) and an empty bad/ for the case to fill.
func newSweepTree(t *testing.T) (root, bad string) {
	t.Helper()
	root = t.TempDir()
	copyDir(t, goodFixture, filepath.Join(root, "good"))
	bad = filepath.Join(root, "bad")
	if err := os.Mkdir(bad, 0o755); err != nil {
		t.Fatal(err)
	}
	return root, bad
}

// copyDir copies the regular files of directory src into dst (not recursive).
func copyDir(t *testing.T, src, dst string) {
	t.Helper()
	ents, err := os.ReadDir(src)
	if err != nil {
		t.Fatal(err)
	}
	if len(ents) == 0 {
		t.Fatalf("%s is empty", src)
	}
	if err := os.MkdirAll(dst, 0o755); err != nil {
		t.Fatal(err)
	}
	for _, e := range ents {
		if !e.Type().IsRegular() {
			continue
		}
		b, err := os.ReadFile(filepath.Join(src, e.Name()))
		if err != nil {
			t.Fatal(err)
		}
		writeFile(t, filepath.Join(dst, e.Name()), b)
	}
}

func writeFile(t *testing.T, name string, b []byte) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(name), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(name, b, 0o644); err != nil {
		t.Fatal(err)
	}
}

func readFile(t *testing.T, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(name)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// sweep runs "depsweep scan --format json --fail-on none [extra...] root"
// in process and decodes the report. It fails the test when the run takes
// over a minute: a hostile input must never hang the sweep.
func sweep(t *testing.T, root string, extra ...string) sweepResult {
	t.Helper()
	args := append([]string{"scan", "--format", "json", "--fail-on", "none", "--log-format", "json"}, extra...)
	args = append(args, root)
	var stdout, stderr bytes.Buffer
	done := make(chan int, 1)
	go func() { done <- run(context.Background(), args, strings.NewReader(""), &stdout, &stderr) }()
	var code int
	select {
	case code = <-done:
	case <-time.After(time.Minute):
		t.Fatalf("depsweep %s: still running after a minute", strings.Join(args, " "))
	}
	return decodeSweep(t, code, stdout.Bytes(), stderr.String())
}

func decodeSweep(t *testing.T, code int, stdout []byte, stderr string) sweepResult {
	t.Helper()
	rep, err := report.Read(bytes.NewReader(stdout))
	if err != nil {
		t.Fatalf("exit %d, report does not decode: %v\nstderr:\n%s", code, err, stderr)
	}
	return sweepResult{code: code, rep: rep, stderr: stderr}
}

// wantGoodFinding checks that the good lockfile's finding is in the report.
func (r sweepResult) wantGoodFinding(t *testing.T) {
	t.Helper()
	for _, f := range r.rep.Findings {
		if f.Lockfile == "good/package-lock.json" && f.Package.Name == "postmark-mcp" &&
			f.Package.Version == "1.0.17" && f.Package.Alias == "pm" && f.Line == 45 {
			return
		}
	}
	t.Errorf("finding postmark-mcp@1.0.17 (alias pm) at good/package-lock.json:45 missing; findings: %+v", r.rep.Findings)
}

// wantError checks exit 2 and that the report and the log carry exactly
// one error, for path, with message msg.
func (r sweepResult) wantError(t *testing.T, path, msg string) {
	t.Helper()
	if r.code != 2 {
		t.Errorf("exit code = %d, want 2", r.code)
	}
	want := []report.Error{{Path: path, Error: msg}}
	if !slices.Equal(r.rep.Errors, want) {
		t.Errorf("report errors = %q, want %q", r.rep.Errors, want)
	}
	if r.rep.Summary.Errors != 1 {
		t.Errorf("summary errors = %d, want 1", r.rep.Summary.Errors)
	}
	if !strings.Contains(r.stderr, jsonString(msg)) {
		t.Errorf("stderr does not carry %q:\n%s", msg, r.stderr)
	}
	r.wantGoodFinding(t)
}

// wantPartlyRead checks exit 2, no error, and that the lockfile at path is
// listed as partly read with first problem at line with msg, also logged.
func (r sweepResult) wantPartlyRead(t *testing.T, path string, line int, msg string) {
	t.Helper()
	if r.code != 2 {
		t.Errorf("exit code = %d, want 2", r.code)
	}
	if len(r.rep.Errors) != 0 {
		t.Errorf("report errors = %q, want none", r.rep.Errors)
	}
	var lf *report.Lockfile
	for i := range r.rep.Lockfiles {
		if r.rep.Lockfiles[i].Path == path {
			lf = &r.rep.Lockfiles[i]
		}
	}
	switch {
	case lf == nil:
		t.Errorf("lockfile %s not in the report", path)
	case len(lf.Problems) == 0:
		t.Errorf("lockfile %s has no problems, want the first at line %d: %s", path, line, msg)
	case lf.Problems[0] != report.Problem{Line: line, Msg: msg}:
		t.Errorf("first problem of %s = %+v, want line %d: %s", path, lf.Problems[0], line, msg)
	}
	where := path
	if line > 0 {
		where = fmt.Sprintf("%s:%d", path, line)
	}
	if want := where + ": " + msg; !strings.Contains(r.stderr, jsonString(want)) {
		t.Errorf("stderr does not carry %q:\n%s", want, r.stderr)
	}
	r.wantGoodFinding(t)
}

// jsonString is s as it appears inside a JSON string (the log is JSON).
func jsonString(s string) string {
	return strings.NewReplacer(`\`, `\\`, `"`, `\"`).Replace(s)
}

func TestHostileTruncatedJSON(t *testing.T) {
	requireParts(t)
	root, bad := newSweepTree(t)
	writeFile(t, filepath.Join(bad, "package-lock.json"), readFile(t, filepath.Join(hostileDir, "truncated.v3.json")))
	sweep(t, root).wantError(t, "bad/package-lock.json", "bad/package-lock.json:24:17: syntax error: expected ':' after object key")
}

func TestHostileTruncatedYAML(t *testing.T) {
	requireParts(t)
	root, bad := newSweepTree(t)
	writeFile(t, filepath.Join(bad, "pnpm-lock.yaml"), readFile(t, filepath.Join(hostileDir, "truncated.v6.yaml")))
	r := sweep(t, root)
	// The cut lands inside an entry after postmark-mcp@1.0.16 was
	// referenced but before it was listed: the reference dangles, and the
	// unterminated flow collection is the last problem.
	r.wantPartlyRead(t, "bad/pnpm-lock.yaml", 13, `dependency "postmark-mcp" is not in packages`)
	for _, f := range r.rep.Findings {
		if f.Lockfile == "bad/pnpm-lock.yaml" {
			t.Errorf("finding from the truncated file: %+v", f)
		}
	}
	for _, lf := range r.rep.Lockfiles {
		if lf.Path == "bad/pnpm-lock.yaml" && (len(lf.Problems) == 0 || lf.Problems[len(lf.Problems)-1] != report.Problem{Line: 35, Msg: "unterminated flow collection"}) {
			t.Errorf("problems of the truncated file = %+v, want the last at line 35: unterminated flow collection", lf.Problems)
		}
	}
}

// TestHostileEmptyValues covers lockfiles whose whole content is a JSON or
// YAML null, empty array or empty string, or nothing: osv-scanner's npm
// parser panics on null.
func TestHostileEmptyValues(t *testing.T) {
	requireParts(t)
	cases := []struct {
		name, content, msg string
	}{
		{"package-lock.json", "null", "bad/package-lock.json:1:1: not a package-lock.json: the top-level value is not an object"},
		{"package-lock.json", "[]", "bad/package-lock.json:1:1: not a package-lock.json: the top-level value is not an object"},
		{"package-lock.json", `""`, "bad/package-lock.json:1:1: not a package-lock.json: the top-level value is not an object"},
		{"package-lock.json", "", "bad/package-lock.json:1:1: syntax error: unexpected end of input"},
		{"pnpm-lock.yaml", "null", "bad/pnpm-lock.yaml:1:1: not a pnpm lockfile: no lockfileVersion"},
		{"pnpm-lock.yaml", "[]", "bad/pnpm-lock.yaml:1:1: not a pnpm lockfile: no lockfileVersion"},
		{"pnpm-lock.yaml", `""`, "bad/pnpm-lock.yaml:1:1: not a pnpm lockfile: no lockfileVersion"},
		{"yarn.lock", "null", "bad/yarn.lock:1:1: not a yarn.lock: entry key does not end with a colon"},
		{"yarn.lock", "[]", "bad/yarn.lock:1:1: not a yarn.lock: entry key does not end with a colon"},
	}
	for _, c := range cases {
		t.Run(c.name+"="+c.content, func(t *testing.T) {
			root, bad := newSweepTree(t)
			writeFile(t, filepath.Join(bad, c.name), []byte(c.content+"\n"))
			if c.content == "" {
				writeFile(t, filepath.Join(bad, c.name), nil)
			}
			sweep(t, root).wantError(t, "bad/"+c.name, c.msg)
		})
	}
}

func TestHostileBinaryGarbage(t *testing.T) {
	requireParts(t)
	garbage := readFile(t, filepath.Join(hostileDir, "garbage.bin"))
	cases := []struct{ name, msg string }{
		{"package-lock.json", "bad/package-lock.json:1:1: syntax error: unexpected character"},
		{"npm-shrinkwrap.json", "bad/npm-shrinkwrap.json:1:1: syntax error: unexpected character"},
		{"pnpm-lock.yaml", "bad/pnpm-lock.yaml:1:1: not a pnpm lockfile: no lockfileVersion"},
		{"yarn.lock", "bad/yarn.lock:1:1: not a yarn.lock: entry key does not end with a colon"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			root, bad := newSweepTree(t)
			writeFile(t, filepath.Join(bad, c.name), garbage)
			r := sweep(t, root)
			r.wantError(t, "bad/"+c.name, c.msg)
			// Never echo file content: no byte of the garbage's first
			// line may reach the report's error.
			if bytes.Contains([]byte(r.rep.Errors[0].Error), garbage[:8]) {
				t.Errorf("error echoes file content: %q", r.rep.Errors[0].Error)
			}
		})
	}
}

// TestHostileLargeFile writes a 100 MB package-lock.json (a valid one: one
// big "packages" object) and scans it with a 64 MiB --max-file-size: it is
// refused by size, never read into memory. lockfiles' own memory test
// parses it whole.
func TestHostileLargeFile(t *testing.T) {
	requireParts(t)
	if testing.Short() {
		t.Skip("writes 100 MB; skipped with -short")
	}
	root, bad := newSweepTree(t)
	name := filepath.Join(bad, "package-lock.json")
	f, err := os.Create(name)
	if err != nil {
		t.Fatal(err)
	}
	// Buffered: one write per MiB, not one per entry (half a million).
	bw := bufio.NewWriterSize(f, 1<<20)
	n, err := writeBigLockfile(bw, 100<<20)
	if ferr := bw.Flush(); err == nil {
		err = ferr
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		t.Fatal(err)
	}
	sweep(t, root, "--max-file-size", "64").wantError(t, "bad/package-lock.json",
		fmt.Sprintf("bad/package-lock.json: file is %d bytes, over the 67108864-byte limit", n))
}

// writeBigLockfile writes a valid package-lock.json v3 of at least size
// bytes and returns the bytes written.
func writeBigLockfile(w io.Writer, size int64) (int64, error) {
	var n int64
	put := func(s string) error {
		k, err := io.WriteString(w, s)
		n += int64(k)
		return err
	}
	if err := put(`{"name":"big","version":"1.0.0","lockfileVersion":3,"requires":true,"packages":{"":{"name":"big","version":"1.0.0"}`); err != nil {
		return n, err
	}
	for i := 0; n < size; i++ {
		if err := put(fmt.Sprintf(`,"node_modules/pkg-%d":{"version":"1.0.%d","resolved":"https://registry.npmjs.org/pkg-%d/-/pkg-%d-1.0.%d.tgz","integrity":"sha512-6FlzubTLZG3J2a/NVCAleEhjzq5oxgHyaCU9yYXvcLsvoVaHJq/s5xXI6/XXP6tz7R9xAOtHnSO/tXtF3WRTlA=="}`, i, i%100, i, i, i%100)); err != nil {
			return n, err
		}
	}
	return n, put("}}\n")
}

func TestHostileDeepNesting(t *testing.T) {
	requireParts(t)
	root, bad := newSweepTree(t)
	// 100000 open brackets: a recursive decoder would overflow its stack.
	// It sits under a key the parser does not read, which it must skip.
	deep := `{"lockfileVersion":3,"x":` + strings.Repeat("[", 100000) + strings.Repeat("]", 100000) + "}"
	writeFile(t, filepath.Join(bad, "package-lock.json"), []byte(deep))
	// Column 1025 is the 1000th "[" (after 25 bytes of prefix): with the
	// top-level object, the 1001st level, one past the parser's limit.
	sweep(t, root).wantError(t, "bad/package-lock.json", "bad/package-lock.json:1:1025: syntax error: nesting too deep")
}

// TestHostileAliasBombLockfile: a "billion laughs" pnpm-lock.yaml (9 levels
// of 9 aliases) is read line by line, never expanded; its alias lines are
// problems, the rest is read, and the file does not pass as clean.
func TestHostileAliasBombLockfile(t *testing.T) {
	requireParts(t)
	root, bad := newSweepTree(t)
	writeFile(t, filepath.Join(bad, "pnpm-lock.yaml"), readFile(t, filepath.Join(hostileDir, "aliasbomb.v9.yaml")))
	r := sweep(t, root)
	r.wantPartlyRead(t, "bad/pnpm-lock.yaml", 3, "yaml anchors and aliases are not supported")
	for _, lf := range r.rep.Lockfiles {
		if lf.Path == "bad/pnpm-lock.yaml" && (lf.Packages != 1 || len(lf.Problems) != 10) {
			t.Errorf("alias bomb lockfile: %d packages, %d problems; want 1 (ms) and 10 (one per alias line)", lf.Packages, len(lf.Problems))
		}
	}
}

// TestHostileAliasBombFeed: a feed with a "billion laughs" is refused before
// any scan, naming the file and position.
func TestHostileAliasBombFeed(t *testing.T) {
	requireParts(t)
	root, _ := newSweepTree(t)
	feed := filepath.Join(hostileDir, "aliasbomb.feed.yaml")
	var stdout, stderr bytes.Buffer
	code := run(context.Background(), []string{"scan", "--feed", feed, root}, nil, &stdout, &stderr)
	if code != 2 {
		t.Errorf("exit code = %d, want 2", code)
	}
	want := "depsweep: cannot use feed: " + feed + ":3:10: yaml aliases are not allowed in a feed\n"
	if !strings.HasPrefix(stderr.String(), want) {
		t.Errorf("stderr = %q, want it to start with %q", stderr.String(), want)
	}
	if stdout.Len() != 0 {
		t.Errorf("a refused feed still wrote a report: %q", stdout.String())
	}
}

// TestHostileBOMAndCRLF: a UTF-8 byte order mark and CRLF line endings
// (a checkout on Windows with autocrlf) must parse, with the same findings
// and lines as the original.
func TestHostileBOMAndCRLF(t *testing.T) {
	requireParts(t)
	cases := []struct {
		fixture, name string
		line          int
		version       string
	}{
		{"npm11-alias-scoped-lockv3", "package-lock.json", 45, "1.0.17"},
		{"pnpm8-direct-lock6", "pnpm-lock.yaml", 48, "1.0.16"},
		{"yarn1-workspaces", "yarn.lock", 0, "1.0.16"},
		{"berry4-nm-dev-scoped", "yarn.lock", 0, "1.0.16"},
	}
	for _, c := range cases {
		t.Run(c.fixture, func(t *testing.T) {
			root, bad := newSweepTree(t)
			src := filepath.Join("../../testdata/fixtures", c.fixture)
			copyTree(t, src, bad)
			orig := readFile(t, filepath.Join(src, c.name))
			crlf := append([]byte("\ufeff"), bytes.ReplaceAll(orig, []byte("\n"), []byte("\r\n"))...)
			writeFile(t, filepath.Join(bad, c.name), crlf)
			r := sweep(t, root)
			if r.code != 0 || len(r.rep.Errors) != 0 {
				t.Errorf("exit %d, errors %q; want 0 and none", r.code, r.rep.Errors)
			}
			for _, lf := range r.rep.Lockfiles {
				if len(lf.Problems) > 0 {
					t.Errorf("%s: problems %+v", lf.Path, lf.Problems)
				}
			}
			found := false
			for _, f := range r.rep.Findings {
				if f.Lockfile == "bad/"+c.name && f.Package.Name == "postmark-mcp" && f.Package.Version == c.version {
					found = true
					if c.line != 0 && f.Line != c.line {
						t.Errorf("finding line = %d, want %d (as without BOM and CR)", f.Line, c.line)
					}
				}
			}
			if !found {
				t.Errorf("no postmark-mcp@%s finding in bad/%s; findings: %+v", c.version, c.name, r.rep.Findings)
			}
			r.wantGoodFinding(t)
		})
	}
}

// copyTree copies the regular files and directories under src into dst.
func copyTree(t *testing.T, src, dst string) {
	t.Helper()
	err := filepath.WalkDir(src, func(p string, d os.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(src, p)
		switch {
		case d.IsDir():
			return os.MkdirAll(filepath.Join(dst, rel), 0o755)
		case d.Type().IsRegular():
			b, err := os.ReadFile(p)
			if err != nil {
				return err
			}
			return os.WriteFile(filepath.Join(dst, rel), b, 0o644)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

func TestHostileLockfileIsDirectory(t *testing.T) {
	requireParts(t)
	root, bad := newSweepTree(t)
	// A directory under a lockfile name, holding a lockfile of its own:
	// it is reported, not walked.
	copyDir(t, goodFixture, filepath.Join(bad, "yarn.lock"))
	r := sweep(t, root)
	r.wantError(t, "bad/yarn.lock", "bad/yarn.lock: not a regular file")
	if len(r.rep.Lockfiles) != 2 {
		t.Errorf("lockfiles = %+v, want good/package-lock.json and bad/yarn.lock", r.rep.Lockfiles)
	}
}

func TestHostileFIFO(t *testing.T) {
	requireParts(t)
	// Each FIFO is one that opening for reading would block on forever.
	cases := []struct {
		name      string
		fifo      string // FIFO path under bad/
		lockfile  bool   // bad/ also holds a real lockfile
		wantError string // "" when the FIFO is no error (git metadata: a warning)
	}{
		{"lockfile", "package-lock.json", false, "bad/package-lock.json: not a regular file"},
		{"package.json", "package.json", true, ""},
		{"git HEAD", ".git/HEAD", true, ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			root, bad := newSweepTree(t)
			if c.lockfile {
				copyDir(t, goodFixture, bad)
				os.Remove(filepath.Join(bad, "package.json"))
			}
			fifo := filepath.Join(bad, filepath.FromSlash(c.fifo))
			os.MkdirAll(filepath.Dir(fifo), 0o755)
			if err := syscall.Mkfifo(fifo, 0o644); err != nil {
				t.Skipf("no FIFOs here: %v", err)
			}
			r := sweep(t, root)
			if c.wantError != "" {
				r.wantError(t, "bad/"+c.fifo, c.wantError)
				return
			}
			// The lockfile beside the FIFO is still read and matched.
			if len(r.rep.Errors) != 0 {
				t.Errorf("errors = %q, want none", r.rep.Errors)
			}
			n := 0
			for _, f := range r.rep.Findings {
				if f.Package.Name == "postmark-mcp" && f.Package.Version == "1.0.17" {
					n++
				}
			}
			if n != 2 {
				t.Errorf("%d postmark-mcp@1.0.17 findings, want 2 (good/ and bad/)", n)
			}
			r.wantGoodFinding(t)
			if c.fifo == "package.json" {
				r.wantPartlyRead(t, "bad/package-lock.json", 0, "package.json of the project could not be read; root name and dependencies taken from the lockfile")
			}
		})
	}
}

func TestHostileSymlinkLoop(t *testing.T) {
	requireParts(t)
	root, bad := newSweepTree(t)
	if err := os.Symlink("pnpm-lock.yaml", filepath.Join(bad, "pnpm-lock.yaml")); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink("../bad/loop", filepath.Join(bad, "loop")); err != nil {
		t.Fatal(err)
	}
	r := sweep(t, root)
	if r.code != 2 {
		t.Errorf("exit code = %d, want 2", r.code)
	}
	want := []report.Error{
		{Path: "bad/loop", Error: "bad/loop: symbolic link not followed: it is part of a symlink loop"},
		{Path: "bad/pnpm-lock.yaml", Error: "bad/pnpm-lock.yaml: symbolic link not followed: it is part of a symlink loop"},
	}
	if !slices.Equal(r.rep.Errors, want) {
		t.Errorf("errors = %q, want %q", r.rep.Errors, want)
	}
	r.wantGoodFinding(t)
}

func TestHostileSymlinkOutsideRoot(t *testing.T) {
	requireParts(t)
	outside := t.TempDir()
	copyDir(t, "../../testdata/fixtures/pnpm8-direct-lock6", outside)
	t.Run("file", func(t *testing.T) {
		root, bad := newSweepTree(t)
		if err := os.Symlink(filepath.Join(outside, "pnpm-lock.yaml"), filepath.Join(bad, "pnpm-lock.yaml")); err != nil {
			t.Fatal(err)
		}
		r := sweep(t, root)
		r.wantError(t, "bad/pnpm-lock.yaml", "bad/pnpm-lock.yaml: symbolic link not followed: it points to a file outside the root")
		for _, f := range r.rep.Findings {
			if f.Lockfile != "good/package-lock.json" {
				t.Errorf("finding read through the symlink: %+v", f)
			}
		}
	})
	t.Run("directory", func(t *testing.T) {
		root, bad := newSweepTree(t)
		if err := os.Symlink(outside, filepath.Join(bad, "vendor")); err != nil {
			t.Fatal(err)
		}
		sweep(t, root).wantError(t, "bad/vendor", "bad/vendor: symbolic link not followed: it points to a directory outside the root")
	})
}

// TestHostileUnreadableDir: a directory without read permission. Permission
// bits do not stop root, so as root the scan runs as nobody in a child
// process (the test binary doubles as depsweep).
func TestHostileUnreadableDir(t *testing.T) {
	requireParts(t)
	// A tree nobody can traverse down to: 0755 from a fresh temp dir.
	base, err := os.MkdirTemp("", "depsweep-perm")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.Chmod(filepath.Join(base, "bad", "locked"), 0o755); os.RemoveAll(base) })
	if err := os.Chmod(base, 0o755); err != nil {
		t.Fatal(err)
	}
	copyDir(t, goodFixture, filepath.Join(base, "good"))
	copyDir(t, goodFixture, filepath.Join(base, "bad", "locked"))
	if err := os.Chmod(filepath.Join(base, "bad", "locked"), 0o000); err != nil {
		t.Fatal(err)
	}
	var r sweepResult
	if os.Geteuid() != 0 {
		r = sweep(t, base)
	} else {
		r = sweepAsNobody(t, base)
	}
	r.wantError(t, "bad/locked", "bad/locked: permission denied")
}

// sweepAsNobody runs the sweep in a child process as uid/gid 65534.
func sweepAsNobody(t *testing.T, root string) sweepResult {
	t.Helper()
	exe, err := exec.LookPath("depsweep") // set up by testscript.Main in TestMain
	if err != nil {
		t.Skipf("depsweep command not set up: %v", err)
	}
	// The binary must be reachable by nobody: copy it into a 0755 dir.
	bin, err := os.MkdirTemp("", "depsweep-bin")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(bin) })
	os.Chmod(bin, 0o755)
	b, err := os.ReadFile(exe)
	if err != nil {
		t.Fatal(err)
	}
	nobodyExe := filepath.Join(bin, "depsweep")
	if err := os.WriteFile(nobodyExe, b, 0o755); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(nobodyExe, "scan", "--format", "json", "--fail-on", "none", "--log-format", "json", root)
	cmd.Env = []string{"HOME=/", "PATH=/usr/bin:/bin"}
	cmd.SysProcAttr = &syscall.SysProcAttr{Credential: &syscall.Credential{Uid: 65534, Gid: 65534}}
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err = cmd.Run()
	code := 0
	if ee, ok := err.(*exec.ExitError); ok {
		code = ee.ExitCode()
	} else if err != nil {
		t.Skipf("cannot run as nobody: %v", err)
	}
	return decodeSweep(t, code, stdout.Bytes(), stderr.String())
}

// TestHostileVanishingFile: a lockfile deleted between discovery and
// parsing is an error for that file, and the sweep goes on. The file is
// deleted at a known point: when discovery has found it and asks Keep
// (the shard filter) about it, before a worker reads it.
func TestHostileVanishingFile(t *testing.T) {
	requireParts(t)
	root, bad := newSweepTree(t)
	copyDir(t, goodFixture, filepath.Join(root, "a"))
	copyDir(t, goodFixture, bad)
	var once sync.Once
	setScanHook(t, func(cfg *ioc.ScanConfig) {
		keep := cfg.Keep
		cfg.Keep = func(rel string) bool {
			if rel == "bad/package-lock.json" {
				once.Do(func() {
					if err := os.Remove(filepath.Join(bad, "package-lock.json")); err != nil {
						t.Error(err)
					}
				})
			}
			return keep == nil || keep(rel)
		}
	})
	r := sweep(t, root)
	r.wantError(t, "bad/package-lock.json", "bad/package-lock.json: open: no such file or directory")
	if len(r.rep.Findings) != 2 {
		t.Errorf("%d findings, want 2 (a/ and good/)", len(r.rep.Findings))
	}
}

// setScanHook installs testHookScan for the duration of the test.
func setScanHook(t *testing.T, h func(*ioc.ScanConfig)) {
	t.Helper()
	testHookScan = h
	t.Cleanup(func() { testHookScan = nil })
}
