package main

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// TestBashCompletion loads the generated script into a real bash and
// completes command names, a command's flags and feed's subcommands.
func TestBashCompletion(t *testing.T) {
	bash, err := exec.LookPath("bash")
	if err != nil {
		t.Skip("bash not installed")
	}
	var script bytes.Buffer
	writeBashCompletion(&script, commandFlagSets())
	f := filepath.Join(t.TempDir(), "depsweep.bash")
	if err := os.WriteFile(f, script.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		words string
		want  string
	}{
		{"depsweep sc", "scan"},
		{"depsweep scan --fail", "--fail-on --fail-on-new"},
		{"depsweep history --si", "--since"},
		{"depsweep feed sh", "show"},
		{"depsweep feed show --fe", "--feed --feed-sha256"},
		{"depsweep completion z", "zsh"},
	} {
		words := strings.Fields(tc.words)
		sh := `source "$1"; shift; COMP_WORDS=("$@"); COMP_CWORD=$(($# - 1)); _depsweep; echo "${COMPREPLY[*]}"`
		out, err := exec.Command(bash, append([]string{"-c", sh, "bash", f}, words...)...).CombinedOutput()
		if err != nil {
			t.Fatalf("bash: %v\n%s", err, out)
		}
		if got := strings.TrimSpace(string(out)); got != tc.want {
			t.Errorf("complete %q = %q, want %q", tc.words, got, tc.want)
		}
	}
}

// TestCompletionScriptsParse checks the zsh and fish scripts with the
// shells' own syntax check where they are installed.
func TestCompletionScriptsParse(t *testing.T) {
	for _, sh := range []struct {
		name string
		w    func(*bytes.Buffer)
		args []string
	}{
		{"zsh", func(b *bytes.Buffer) { writeZshCompletion(b, commandFlagSets()) }, []string{"-n"}},
		{"fish", func(b *bytes.Buffer) { writeFishCompletion(b, commandFlagSets()) }, []string{"--no-execute"}},
	} {
		path, err := exec.LookPath(sh.name)
		if err != nil {
			t.Logf("%s not installed: its completion script is not syntax-checked", sh.name)
			continue
		}
		var b bytes.Buffer
		sh.w(&b)
		f := filepath.Join(t.TempDir(), "depsweep."+sh.name)
		os.WriteFile(f, b.Bytes(), 0o644)
		if out, err := exec.Command(path, append(sh.args, f)...).CombinedOutput(); err != nil {
			t.Errorf("%s %v: %v\n%s", sh.name, sh.args, err, out)
		}
	}
}

// TestManPage renders the manual with groff and fails on any warning.
func TestManPage(t *testing.T) {
	var b bytes.Buffer
	writeMan(&b, commandFlagSets())
	for _, want := range []string{".SS depsweep scan\n", ".SS depsweep feed validate\n", `.B \-\-ignore\-file \fIFILE\fR`, ".SH EXIT STATUS"} {
		if !strings.Contains(b.String(), want) {
			t.Errorf("man page lacks %q", want)
		}
	}
	groff, err := exec.LookPath("groff")
	if err != nil {
		t.Skip("groff not installed: the man page is not rendered")
	}
	cmd := exec.Command(groff, "-k", "-man", "-Tutf8", "-ww", "-z")
	cmd.Stdin = &b
	if out, err := cmd.CombinedOutput(); err != nil || len(out) > 0 {
		t.Errorf("groff: %v\n%s", err, out)
	}
}

// TestVersionSBOM builds the real depsweep binary with a version stamped in
// and checks that version --sbom --binary describes it: its version, its Go
// modules with purls and hashes.
func TestVersionSBOM(t *testing.T) {
	exe := buildDepsweep(t, "-ldflags=-X main.version=v1.2.3-test")
	out := filepath.Join(t.TempDir(), "bom.json")
	var stdout, stderr bytes.Buffer
	if code := run(t.Context(), []string{"version", "--sbom", "--binary", exe, "--deterministic", "-o", out}, nil, &stdout, &stderr); code != 0 {
		t.Fatalf("exit %d: %s", code, stderr.String())
	}
	b, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	s := string(b)
	for _, want := range []string{
		`"specVersion": "1.6"`,
		`"purl": "pkg:golang/github.com/depsweep/depsweep@v1.2.3-test"`,
		`"version": "v1.2.3-test"`,
		`"purl": "pkg:golang/github.com/spf13/pflag@v1.0.10"`,
		`"alg": "SHA-256"`,
		`"name": "depsweep:go:build:GOOS"`,
	} {
		if !strings.Contains(s, want) {
			t.Errorf("SBOM lacks %s", want)
		}
	}
	// Not a Go binary: an error that says so.
	notGo := filepath.Join(t.TempDir(), "x")
	os.WriteFile(notGo, []byte("#!/bin/sh\n"), 0o755)
	stderr.Reset()
	if code := run(t.Context(), []string{"version", "--sbom", "--binary", notGo}, nil, &stdout, &stderr); code != 2 || !strings.Contains(stderr.String(), "carries no Go build information") {
		t.Errorf("non-Go binary: exit %d, %s", code, stderr.String())
	}
}
