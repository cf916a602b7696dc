package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/depsweep/depsweep/ioc/report"
	"github.com/depsweep/depsweep/lockfiles/host/hosttest"
)

// runJSON runs depsweep with args and decodes its JSON report.
func runJSON(t *testing.T, wantCode int, args ...string) *report.Report {
	t.Helper()
	var stdout, stderr bytes.Buffer
	if code := run(context.Background(), args, strings.NewReader(""), &stdout, &stderr); code != wantCode {
		t.Fatalf("depsweep %s: exit %d, want %d\n%s", strings.Join(args, " "), code, wantCode, stderr.String())
	}
	var rep report.Report
	if err := json.Unmarshal(stdout.Bytes(), &rep); err != nil {
		t.Fatalf("report is not JSON: %v\n%s", err, stdout.String())
	}
	return &rep
}

// TestScanHome is issue 8's acceptance case 3: the synthetic home yields
// exactly the four findings, each with its evidence path, its trace source
// and, where the trace records one, its time.
func TestScanHome(t *testing.T) {
	requireParts(t)
	home, bucket := hosttest.Home(t)
	rep := runJSON(t, 1, "scan", "--home", home, "--format", "json", "--quiet")
	var got []string
	for _, f := range rep.Findings {
		seen := "-"
		if f.SeenAt != nil {
			seen = f.SeenAt.Format(time.RFC3339)
		}
		got = append(got, fmt.Sprintf("%s %s:%d %s@%s %s %s %s", f.Severity, f.Lockfile, f.Line, f.Package.Name, f.Package.Version, f.Trace, seen, f.Evidence))
	}
	want := []string{
		"critical ~/" + bucket + ":2 postmark-mcp@1.0.17 npm-cacache 2025-09-18T08:30:00Z postmark-mcp@1.0.17; version in DEPSWEEP-2025-0001's affected set",
		"critical ~/.npm/_npx/2a7f1c0d6b9e4f35/package-lock.json:11 postmark-mcp@1.0.16 npx-cache ",
		"critical ~/.yarn/berry/cache/postmark-mcp-npm-1.0.18-4b1e6f1c2d-3a9d2c1e0f.zip:0 postmark-mcp@1.0.18 yarn-cache ",
		"high ~/.config/Claude/claude_desktop_config.json:11 postmark-mcp@ mcp-config - postmark-mcp launched without a version; unpinned: resolves to latest",
	}
	if len(got) != len(want) {
		t.Fatalf("findings:\n%s\nwant %d:\n%s", strings.Join(got, "\n"), len(want), strings.Join(want, "\n"))
	}
	for i := range want {
		// The Yarn cache time is the zip's modification time: only its
		// presence is checked.
		if !strings.HasPrefix(got[i], want[i]) {
			t.Errorf("finding %d = %q, want %q…", i, got[i], want[i])
		}
	}
	if f := rep.Findings[2]; f.SeenAt == nil || f.SeenAtFrom != "file-mtime" {
		t.Errorf("yarn cache finding seen %v from %q, want the zip's modification time", f.SeenAt, f.SeenAtFrom)
	}
	// No cache entry dates the npx entry's tarball: the directory's time
	// stands in, and the report says so.
	if f := rep.Findings[1]; f.SeenAt == nil || f.SeenAtFrom != "dir-mtime" {
		t.Errorf("npx finding seen %v from %q, want the entry directory's modification time", f.SeenAt, f.SeenAtFrom)
	}
	for _, f := range rep.Findings {
		if f.Repo != "~" {
			t.Errorf("%s: repo %q, want ~", f.Lockfile, f.Repo)
		}
	}
	// Every trace is listed, clean ones included; nothing failed.
	var paths []string
	for _, l := range rep.Lockfiles {
		paths = append(paths, l.Path+" "+l.Format)
	}
	for _, w := range []string{
		"~/.npm/_npx/9c0ffee000000001/package.json npx-cache",
		"~/.local/share/pnpm/store/v10/index/3f/a9c1d2e3f4b5a6c7d8e9f0-chalk@4.1.2.json pnpm-store",
		"~/.config/Claude/claude_desktop_config.json mcp-config",
	} {
		if !slices.Contains(paths, w) {
			t.Errorf("lockfiles %q lack %q", paths, w)
		}
	}
	if rep.Summary.Errors != 0 || rep.Summary.Findings != 4 || len(rep.Roots) != 1 || rep.Roots[0] != filepath.ToSlash(home) {
		t.Errorf("summary %+v roots %q, want 4 findings, no error, the home as root", rep.Summary, rep.Roots)
	}
}

// A trace that cannot be read is an error naming the file under ~, and the
// scan still reports what it could read (findings win: exit 1).
func TestScanHomeErrors(t *testing.T) {
	requireParts(t)
	home, _ := hosttest.Home(t)
	hosttest.Write(t, home, ".cursor/mcp.json", `{"mcpServers": {"x": `)
	rep := runJSON(t, 1, "scan", "--home", home, "--format", "json", "--quiet")
	if len(rep.Errors) != 1 || rep.Errors[0].Path != "~/.cursor/mcp.json" || !strings.HasPrefix(rep.Errors[0].Error, "~/.cursor/mcp.json") {
		t.Errorf("errors = %+v, want one for ~/.cursor/mcp.json", rep.Errors)
	}
	if rep.Summary.Findings != 4 {
		t.Errorf("%d findings, want the 4 readable ones", rep.Summary.Findings)
	}
	// Without findings, the error decides: exit 2.
	empty := t.TempDir()
	hosttest.Write(t, empty, ".cursor/mcp.json", `{"mcpServers": {"x": `)
	rep = runJSON(t, 2, "scan", "--home", empty, "--format", "json", "--quiet")
	if rep.Summary.Errors != 1 || rep.Summary.Findings != 0 {
		t.Errorf("summary %+v, want 1 error and no finding", rep.Summary)
	}
}

func TestScanHostFlags(t *testing.T) {
	home := t.TempDir()
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"scan", "--home", home, "."}, "give no PATH"},
		{[]string{"scan", "--host", "--sbom-dir", home}, "--sbom-dir does not apply"},
		{[]string{"scan", "--home", home, "--installed"}, "--installed does not apply"},
		{[]string{"scan", "--home", filepath.Join(home, "nope")}, "cannot scan"},
		{[]string{"scan", "--home", home, "--format", "xml"}, `invalid --format "xml"`},
	} {
		var stdout, stderr bytes.Buffer
		code := run(context.Background(), tc.args, strings.NewReader(""), &stdout, &stderr)
		if code != 2 || !strings.Contains(stderr.String(), tc.want) {
			t.Errorf("depsweep %s: exit %d, stderr %q; want 2 and %q", strings.Join(tc.args[1:], " "), code, stderr.String(), tc.want)
		}
	}
}
