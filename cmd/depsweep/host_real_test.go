package main

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// TestScanHomeRealNpm scans the home npm 10 left (lockfiles/host/testdata/real,
// written by the real client): every finding is dated and says how, and
// the publisher finding for mcp-mail-relay comes from the packument npm
// cached, with no --registry flag; coverage names that cache.
func TestScanHomeRealNpm(t *testing.T) {
	requireParts(t)
	home := filepath.Join("..", "..", "lockfiles", "host", "testdata", "real", "npm10", "home")
	rep := runJSON(t, 1, "scan", "--home", home, "--format", "json", "--quiet")
	var got []string
	for _, f := range rep.Findings {
		if f.SeenAt == nil || f.SeenAtFrom == "" {
			t.Errorf("%s:%d: seen_at %v from %q, want both", f.Lockfile, f.Line, f.SeenAt, f.SeenAtFrom)
		}
		got = append(got, fmt.Sprintf("%s %s %s@%s %s", f.Severity, f.Trace, f.Package.Name, f.Package.Version, f.SeenAtFrom))
	}
	for _, w := range []string{
		"critical npx-cache postmark-mcp@1.0.18 npm-cache-entry",
		"critical npm-log postmark-mcp@1.0.18 log-file-name",
		"high npm-log postmark-mcp@ log-file-name",
		"medium npm-cacache mcp-mail-relay@2.1.0 npm-cache-entry",
		"medium npm-log mcp-mail-relay@2.1.0 log-file-name",
	} {
		if !slices.Contains(got, w) {
			t.Errorf("no finding %q in:\n%s", w, strings.Join(got, "\n"))
		}
	}
	for _, f := range rep.Findings {
		if f.Indicator.Kind == "publisher" && !strings.HasSuffix(f.Evidence, "(npm cache packument)") {
			t.Errorf("publisher evidence %q, want it to name the npm cache", f.Evidence)
		}
	}
	c := rep.Summary.Publisher
	if !slices.Equal(c.Sources, []string{"npm-cache:~/.npm/_cacache"}) || c.Known == 0 {
		t.Errorf("publisher coverage = %+v, want known > 0 from npm-cache:~/.npm/_cacache", c)
	}
	if rep.Machine == nil || rep.Machine.Name == "" || rep.Machine.User == "" {
		t.Errorf("machine = %+v, want the host name and user", rep.Machine)
	}
}

// TestMergeMachines collects the host reports of two users' homes (as two
// laptops would) and merges them: nothing overlaps, each finding names its
// machine, and the summary has a line per machine.
func TestMergeMachines(t *testing.T) {
	requireParts(t)
	dir := t.TempDir()
	real := filepath.Join("..", "..", "lockfiles", "host", "testdata", "real")
	for _, c := range []struct{ user, home string }{{"alice", "npm11"}, {"bob", "yarn4"}} {
		t.Setenv("USER", c.user)
		rep := runJSON(t, 1, "scan", "--home", filepath.Join(real, c.home, "home"), "--format", "json", "--quiet")
		data, err := json.Marshal(rep)
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, c.user+".json"), data, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	rep := runJSON(t, 1, "merge", filepath.Join(dir, "alice.json"), filepath.Join(dir, "bob.json"))
	var machines []string
	for _, m := range rep.Summary.Machines {
		machines = append(machines, fmt.Sprintf("%s %d", m.User, m.Findings))
	}
	if !slices.Equal(machines, []string{"alice 3", "bob 2"}) {
		t.Errorf("machines = %q, want alice with 3 findings, bob with 2", machines)
	}
	for _, f := range rep.Findings {
		if f.Machine == "" || !strings.HasPrefix(f.Lockfile, f.Machine+":~/") {
			t.Errorf("finding %s in %s: machine %q, want its label before the path", f.ID, f.Lockfile, f.Machine)
		}
	}
}

// TestScanHomeRealClients scans the home each real client left and checks
// the finding each trace source gives, with its time source.
func TestScanHomeRealClients(t *testing.T) {
	requireParts(t)
	real := filepath.Join("..", "..", "lockfiles", "host", "testdata", "real")
	for _, c := range []struct {
		client string
		want   []string
	}{
		{"npm11", []string{"critical npm-cacache postmark-mcp@1.0.16 npm-cache-entry", "critical npm-log postmark-mcp@1.0.16 log-file-name", "critical npx-cache postmark-mcp@1.0.16 npm-cache-entry"}},
		{"pnpm10", []string{"critical pnpm-dlx postmark-mcp@1.0.17 dlx-dir-name", "critical pnpm-store postmark-mcp@1.0.17 file-mtime"}},
		{"pnpm9", []string{"critical pnpm-dlx postmark-mcp@1.0.16 dlx-dir-name", "critical pnpm-store postmark-mcp@1.0.16 file-mtime"}},
		{"yarn4", []string{"critical yarn-cache postmark-mcp@1.0.16 file-mtime", "critical yarn-cache postmark-mcp@1.0.18 file-mtime"}},
		{"yarn3", []string{"critical yarn-cache postmark-mcp@1.0.16 file-mtime", "critical yarn-cache postmark-mcp@1.0.17 file-mtime"}},
	} {
		rep := runJSON(t, 1, "scan", "--home", filepath.Join(real, c.client, "home"), "--format", "json", "--quiet")
		var got []string
		for _, f := range rep.Findings {
			s := fmt.Sprintf("%s %s %s@%s %s", f.Severity, f.Trace, f.Package.Name, f.Package.Version, f.SeenAtFrom)
			if !slices.Contains(got, s) {
				got = append(got, s)
			}
		}
		slices.Sort(got)
		if !slices.Equal(got, c.want) {
			t.Errorf("%s: findings\n%s\nwant\n%s", c.client, strings.Join(got, "\n"), strings.Join(c.want, "\n"))
		}
		if len(rep.Errors) > 0 {
			t.Errorf("%s: errors %v", c.client, rep.Errors)
		}
	}
}
