package main

import (
	"bytes"
	"context"
	"crypto/sha256"
	"errors"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"

	iofs "io/fs"

	"github.com/depsweep/depsweep/ioc/report"
)

// A netTrap records every attempt to reach the network through the
// process-wide HTTP transport and DNS resolver.
type netTrap struct {
	mu       sync.Mutex
	attempts []string
}

func (n *netTrap) record(what string) {
	n.mu.Lock()
	n.attempts = append(n.attempts, what)
	n.mu.Unlock()
}

func (n *netTrap) RoundTrip(r *http.Request) (*http.Response, error) {
	n.record("http " + r.Method + " " + r.URL.String())
	return nil, errors.New("network use in a test that forbids it")
}

func (n *netTrap) take() []string {
	n.mu.Lock()
	defer n.mu.Unlock()
	a := n.attempts
	n.attempts = nil
	return a
}

// installNetTrap replaces http.DefaultTransport and net.DefaultResolver's
// dialer for the duration of the test.
func installNetTrap(t *testing.T) *netTrap {
	t.Helper()
	trap := &netTrap{}
	oldTransport, oldResolver := http.DefaultTransport, net.DefaultResolver
	http.DefaultTransport = trap
	net.DefaultResolver = &net.Resolver{PreferGo: true, Dial: func(ctx context.Context, network, addr string) (net.Conn, error) {
		trap.record("dns " + network + " " + addr)
		return nil, errors.New("network use in a test that forbids it")
	}}
	t.Cleanup(func() { http.DefaultTransport, net.DefaultResolver = oldTransport, oldResolver })
	return trap
}

// fleetCopy copies every fixture project (with installed node_modules) into
// a new root.
func fleetCopy(t *testing.T) string {
	t.Helper()
	root := t.TempDir()
	ents, err := os.ReadDir("../../testdata/fixtures")
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, e := range ents {
		if e.IsDir() && e.Name() != "registry" {
			copyTree(t, filepath.Join("../../testdata/fixtures", e.Name()), filepath.Join(root, e.Name()))
			n++
		}
	}
	if n < 5 {
		t.Fatalf("only %d fixture projects in ../../testdata/fixtures", n)
	}
	return root
}

// treeState describes every entry under root: type, mode, size, mtime and
// content digest, one line each.
func treeState(t *testing.T, root string) []string {
	t.Helper()
	var out []string
	err := filepath.WalkDir(root, func(p string, d iofs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		st, err := os.Lstat(p)
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(root, p)
		line := fmt.Sprintf("%s %v %d %d", filepath.ToSlash(rel), st.Mode(), st.Size(), st.ModTime().UnixNano())
		if st.Mode().IsRegular() {
			b, err := os.ReadFile(p)
			if err != nil {
				return err
			}
			line += fmt.Sprintf(" %x", sha256.Sum256(b))
		}
		out = append(out, line)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// offlineRuns are depsweep invocations using every flag but --registry.
func offlineRuns(root, out string) [][]string {
	meta := "../../testdata/fixtures/registry"
	osv := "../../testdata/osv"
	common := []string{"--registry-metadata", meta, "--installed", "-j", "2", "--max-file-size", "16",
		"--exclude", "nothing-*", "--log-format", "json", "--log-level", "debug"}
	var runs [][]string
	for _, f := range report.Formats() {
		args := append([]string{"scan", "--format", f, "-o", filepath.Join(out, "report."+f),
			"--sbom-dir", filepath.Join(out, "sbom-"+f), "--sbom-format", "xml", "--spec-version", "1.7", "--deterministic", "--fail-on", "none"}, common...)
		runs = append(runs, append(args, root))
	}
	runs = append(runs,
		append(append([]string{"scan", "--feed", osv, "--format", "json", "-q"}, common...), root),
		append(append([]string{"sbom", "--output-dir", filepath.Join(out, "sbom"), "--format", "json"}, common...), root),
		[]string{"feed", "show"},
		[]string{"feed", "validate", osv},
		[]string{"version"},
	)
	return runs
}

// TestNoNetwork runs depsweep with every flag except --registry and checks
// that it never tries the network (HTTP or DNS), nor writes inside the
// scanned tree; then it checks the trap works: --registry does use it.
func TestNoNetwork(t *testing.T) {
	requireParts(t)
	trap := installNetTrap(t)
	root := fleetCopy(t)
	out := t.TempDir()
	before := treeState(t, root)
	for _, args := range offlineRuns(root, out) {
		var stdout, stderr bytes.Buffer
		code := run(context.Background(), args, nil, &stdout, &stderr)
		if code == 2 && args[0] != "feed" {
			t.Errorf("depsweep %s: exit 2\n%s", strings.Join(args, " "), stderr.String())
		}
		if a := trap.take(); len(a) > 0 {
			t.Errorf("depsweep %s used the network: %q", strings.Join(args, " "), a)
		}
	}
	if after := treeState(t, root); !slices.Equal(before, after) {
		t.Errorf("the scanned tree changed:\nbefore %q\nafter  %q", before, after)
	}

	// The control: --registry goes through the trapped transport, so the
	// checks above would have seen any network use.
	var stderr bytes.Buffer
	run(context.Background(), []string{"scan", "-q", "--registry", "https://registry.invalid", "--registry-cache", t.TempDir(), root}, nil, &bytes.Buffer{}, &stderr)
	if len(trap.take()) == 0 {
		t.Errorf("--registry did not go through the trap: the test cannot see network use\n%s", stderr.String())
	}
}

// TestNoNetworkNamespace runs the real binary in a network namespace of its
// own (no interface but a downed loopback): the sweep gives the same
// result as with a network.
func TestNoNetworkNamespace(t *testing.T) {
	requireParts(t)
	if testing.Short() {
		t.Skip("builds the binary; skipped with -short")
	}
	unshare, err := exec.LookPath("unshare")
	if err != nil {
		t.Skip("no unshare")
	}
	if err := exec.Command(unshare, "-rn", "true").Run(); err != nil {
		t.Skipf("cannot create a network namespace: %v", err)
	}
	exe := buildDepsweep(t)
	root := fleetCopy(t)
	args := []string{"scan", "--format", "json", "-q", "--registry-metadata", "../../testdata/fixtures/registry", "--installed", root}
	var want, got bytes.Buffer
	run(context.Background(), args, nil, &want, &bytes.Buffer{})
	cmd := exec.Command(unshare, append([]string{"-rn", exe}, args...)...)
	cmd.Stdout = &got
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	err = cmd.Run()
	if ee, ok := err.(*exec.ExitError); !ok || ee.ExitCode() != 1 {
		t.Fatalf("depsweep without a network: %v, want exit status 1\n%s", err, stderr.String())
	}
	strip := func(b []byte) string { // drop the start and finish times
		var keep []string
		for _, l := range strings.Split(string(b), "\n") {
			if !strings.Contains(l, `"started"`) && !strings.Contains(l, `"finished"`) {
				keep = append(keep, l)
			}
		}
		return strings.Join(keep, "\n")
	}
	if strip(got.Bytes()) != strip(want.Bytes()) {
		t.Errorf("report without a network differs:\n%s\nwant:\n%s", got.String(), want.String())
	}
}
