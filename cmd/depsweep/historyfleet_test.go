package main

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/depsweep/depsweep/ioc/report"
	"github.com/depsweep/depsweep/lockfiles/gitlog/gittest"
)

// runHistory runs depsweep and returns its exit code, standard output and
// standard error.
func runHistory(t *testing.T, args ...string) (int, string, string) {
	t.Helper()
	var stdout, stderr bytes.Buffer
	code := run(context.Background(), args, strings.NewReader(""), &stdout, &stderr)
	return code, stdout.String(), stderr.String()
}

// lateRepo removed postmark-mcp on Sept 19 and was last changed on Sept 28:
// a --depth 1 clone of it starts after the advisory's window opened.
func lateRepo(t *testing.T) *gittest.Repo {
	r := gittest.Init(t)
	r.Write("package.json", `{"name":"mailer","version":"1.0.0"}`)
	r.Write("package-lock.json", gittest.MailerLock("1.0.16"))
	r.Commit("add postmark-mcp", "Bob", gittest.Sept(17, 10))
	r.Write("package-lock.json", gittest.MailerLock(""))
	r.Commit("remove postmark-mcp", "Carol", gittest.Sept(19, 9))
	r.Write("README.md", "mailer\n")
	r.Commit("readme", "Alice", gittest.Sept(28, 9))
	return r
}

// Issue 13 acceptance 2: a --depth 1 clone whose boundary is after the
// exposure window opened is inconclusive, exit 2, never "No findings"; the
// JSON gives the status per repository and ref, stderr the fetch to run.
func TestHistoryShallowInconclusive(t *testing.T) {
	requireParts(t)
	r := lateRepo(t)
	shallow := r.Clone("--depth", "1")

	code, out, stderr := runHistory(t, "history", "--format", "json", shallow)
	if code != 2 {
		t.Fatalf("exit %d, want 2\n%s", code, stderr)
	}
	rep := decodeReport(t, out)
	h := rep.Repos[0].History
	if len(rep.Findings) != 0 || h.Status != "inconclusive" || len(h.Branches) == 0 {
		t.Fatalf("findings %d, history %+v; want none, inconclusive", len(rep.Findings), h)
	}
	for _, b := range h.Branches {
		if b.Status != "inconclusive" || !slices.Equal(b.Inconclusive, []string{"DEPSWEEP-2025-0001"}) || b.FetchSince == nil || b.FetchSince.Format("2006-01-02") != "2025-09-17" {
			t.Errorf("ref %s: status %s inconclusive %v fetch since %v; want inconclusive for DEPSWEEP-2025-0001 since 2025-09-17", b.Name, b.Status, b.Inconclusive, b.FetchSince)
		}
	}
	for _, want := range []string{"history inconclusive", "git fetch --unshallow", "--shallow-since=2025-09-17"} {
		if !strings.Contains(stderr, want) {
			t.Errorf("stderr lacks %q:\n%s", want, stderr)
		}
	}

	for _, format := range []string{"text", "markdown"} {
		code, out, _ := runHistory(t, "history", "--quiet", "--format", format, shallow)
		if code != 2 || strings.Contains(out, "No findings") || !strings.Contains(out, "INCONCLUSIVE") || !strings.Contains(out, "--shallow-since=2025-09-17") {
			t.Errorf("%s: exit %d, want 2, the repository inconclusive, the fetch hint and no \"No findings\":\n%s", format, code, out)
		}
	}

	// The full history finds it: affected, exit 1.
	code, out, _ = runHistory(t, "history", "--quiet", "--format", "json", r.Dir)
	if rep := decodeReport(t, out); code != 1 || rep.Repos[0].History.Status != "affected" {
		t.Errorf("full clone: exit %d status %s, want 1 affected", code, rep.Repos[0].History.Status)
	}
}

func decodeReport(t *testing.T, out string) *report.Report {
	t.Helper()
	rep, err := report.Read(strings.NewReader(out))
	if err != nil {
		t.Fatalf("report: %v\n%s", err, out)
	}
	return rep
}

// Several windows: text and Markdown give one audit window per span.
func TestHistorySpanWindows(t *testing.T) {
	requireParts(t)
	r := gittest.Init(t)
	r.Write("package-lock.json", gittest.MailerLock("1.0.16"))
	r.Commit("add", "Bob", gittest.Sept(17, 10))
	r.Write("package-lock.json", gittest.MailerLock(""))
	r.Commit("revert", "Carol", gittest.Sept(18, 10))
	r.Write("package-lock.json", gittest.MailerLock("1.0.16"))
	r.Commit("re-add", "Bob", gittest.Sept(22, 10))
	r.Write("package-lock.json", gittest.MailerLock(""))
	r.Commit("remove", "Carol", gittest.Sept(30, 10))

	_, out, _ := runHistory(t, "history", "--quiet", "--format", "json", r.Dir)
	rep := decodeReport(t, out)
	sp := rep.Findings[0].Exposure.Spans
	if len(sp) != 2 || sp[0].Audit == nil || sp[1].Audit == nil || sp[0].Audit.To.Day() != 18 || sp[1].Audit.From.Day() != 22 {
		t.Fatalf("spans = %+v, want two with their own audit windows", sp)
	}
	first := "2025-09-17 10:00 UTC → 2025-09-18 10:00 UTC"
	second := "2025-09-22 10:00 UTC → 2025-09-25 00:00 UTC"
	for _, format := range []string{"text", "markdown"} {
		_, out, _ := runHistory(t, "history", "--quiet", "--format", format, r.Dir)
		flat := strings.Join(strings.Fields(out), " ") // text wraps long lines
		if !strings.Contains(flat, first) || !strings.Contains(flat, second) || strings.Contains(flat, "2025-09-17 10:00 UTC → 2025-09-25 00:00 UTC") {
			t.Errorf("%s: want the windows %q and %q, not one window over the clean days:\n%s", format, first, second, out)
		}
	}
}

// A folder of checkouts: every repository under it is walked (a work
// tree, a bare clone, a nested one), each with a summary line leading the
// report; --shard splits them, --repos-from adds to them, --jobs walks
// several at once.
func TestHistoryFleet(t *testing.T) {
	requireParts(t)
	fleet := t.TempDir()
	inc := newHistoryRepo(t)
	late := lateRepo(t)
	clean := gittest.Init(t)
	clean.Write("package-lock.json", gittest.MailerLock(""))
	clean.Commit("init", "Alice", gittest.Sept(1, 9))
	mv := func(src, dst string) {
		if err := os.MkdirAll(filepath.Dir(filepath.Join(fleet, dst)), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.Rename(src, filepath.Join(fleet, dst)); err != nil {
			t.Fatal(err)
		}
	}
	mv(inc.Dir, "team-a/mailer")
	mv(late.Clone("--depth", "1"), "team-a/mailer-ci")
	mv(clean.Clone("--bare"), "team-b/lib.git")
	if err := os.MkdirAll(filepath.Join(fleet, "notes"), 0o755); err != nil {
		t.Fatal(err)
	}

	code, out, stderr := runHistory(t, "history", "--quiet", "--format", "json", "--jobs", "2", fleet)
	if code != 1 {
		t.Fatalf("exit %d, want 1\n%s", code, stderr)
	}
	rep := decodeReport(t, out)
	var got []string
	for _, r := range rep.Repos {
		got = append(got, r.Path+" "+r.History.Status)
	}
	want := []string{"team-a/mailer affected", "team-a/mailer-ci inconclusive", "team-b/lib.git clean"}
	if !slices.Equal(got, want) {
		t.Errorf("repos = %v, want %v", got, want)
	}
	if len(rep.Errors) != 0 || rep.Summary.Findings != 3 || rep.Findings[0].Repo != "team-a/mailer" || rep.Findings[0].Lockfile != "team-a/mailer/package-lock.json" {
		t.Errorf("errors %v, %d findings (first in %s); want none, 3 in team-a/mailer", rep.Errors, rep.Summary.Findings, rep.Findings[0].Lockfile)
	}

	// The text report leads with one line per repository.
	_, out, _ = runHistory(t, "history", "--quiet", fleet)
	repos := strings.Index(out, "Repositories (3)")
	if repos < 0 || repos > strings.Index(out, "Findings (3)") {
		t.Fatalf("text report lacks the repository lines before the findings:\n%s", out)
	}
	for _, line := range []string{"team-a/mailer     affected: 3 findings on main, release", "team-a/mailer-ci  INCONCLUSIVE", "team-b/lib.git    not affected"} {
		if !strings.Contains(out, line) {
			t.Errorf("text report lacks %q:\n%s", line, out)
		}
	}

	// The shards cover every repository once.
	var all []string
	for _, s := range []string{"0/2", "1/2"} {
		_, out, _ := runHistory(t, "history", "--quiet", "--format", "json", "--shard", s, fleet)
		for _, r := range decodeReport(t, out).Repos {
			all = append(all, r.Path)
		}
	}
	slices.Sort(all)
	if want := []string{"team-a/mailer", "team-a/mailer-ci", "team-b/lib.git"}; !slices.Equal(all, want) {
		t.Errorf("repos over the shards = %v, want %v", all, want)
	}

	// --repos-from lists roots, as scan's does.
	list := filepath.Join(t.TempDir(), "repos.txt")
	if err := os.WriteFile(list, []byte("# fleet\n"+filepath.Join(fleet, "team-b")+"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	code, out, _ = runHistory(t, "history", "--quiet", "--format", "json", "--repos-from", list, filepath.Join(fleet, "team-a", "mailer"))
	rep = decodeReport(t, out)
	if code != 1 || len(rep.Repos) != 2 || !strings.HasSuffix(rep.Repos[1].Path, "team-b/lib.git") {
		t.Errorf("--repos-from: exit %d, repos %+v; want 1 and two repositories", code, rep.Repos)
	}
}

// Tags, merges and moves through the command: a tag-only commit is found
// under its tag, a merge names the merged side's commit, a moved lockfile
// keeps its first seen, and the JSON says so.
func TestHistoryTagsMergesMoves(t *testing.T) {
	requireParts(t)
	r := gittest.Init(t)
	r.Write("package-lock.json", gittest.MailerLock(""))
	r.Commit("init", "Alice", gittest.Sept(10, 9))
	// A hotfix only a tag still reaches.
	r.Git("checkout", "-q", "-b", "hotfix")
	r.Write("package-lock.json", gittest.MailerLock("1.0.17"))
	hot := r.Commit("hotfix", "Dave", gittest.Sept(17, 12))
	r.Git("tag", "-a", "-m", "hotfix", "v0.9.1")
	r.Git("checkout", "-q", "main")
	r.Git("branch", "-D", "hotfix")
	// A feature branch brings 1.0.16 in; main gets it at the merge.
	r.Git("checkout", "-q", "-b", "feature")
	r.Write("package-lock.json", gittest.MailerLock("1.0.16"))
	intro := r.Commit("add postmark-mcp", "Bob", gittest.Sept(18, 10))
	r.Git("checkout", "-q", "main")
	r.Write("README.md", "x\n")
	r.Commit("readme", "Alice", gittest.Sept(18, 12))
	merge := r.Merge("feature", "Carol", gittest.Sept(19, 9))
	r.Git("branch", "-D", "feature")
	r.Git("tag", "v1.0.0")
	// Then the lockfile moves.
	r.Move("package-lock.json", "services/api/package-lock.json")
	r.Commit("move", "Alice", gittest.Sept(20, 9))

	code, out, stderr := runHistory(t, "history", "--quiet", "--format", "json", r.Dir)
	if code != 1 {
		t.Fatalf("exit %d, want 1\n%s", code, stderr)
	}
	rep := decodeReport(t, out)
	if len(rep.Findings) != 2 {
		t.Fatalf("%d findings, want 2", len(rep.Findings))
	}
	for _, f := range rep.Findings {
		switch f.Package.Version {
		case "1.0.17":
			if f.Branch != "v0.9.1" || !f.BranchTag || f.FirstSeen.Hash != hot {
				t.Errorf("1.0.17: branch %s tag %v first seen %s; want tag v0.9.1 at %s", f.Branch, f.BranchTag, f.FirstSeen.Hash, hot)
			}
		case "1.0.16":
			if f.Branch != "main" || f.FirstSeen.Hash != merge || f.Introduced == nil || f.Introduced.Hash != intro || f.Introduced.Author != "Bob" {
				t.Errorf("1.0.16: branch %s first seen %s introduced %+v; want main, merge %s, introduced by Bob in %s", f.Branch, f.FirstSeen.Hash, f.Introduced, merge, intro)
			}
			if !slices.Equal(f.Refs, []string{"main", "v1.0.0"}) || f.Lockfile != "package-lock.json" || f.MovedTo != "services/api/package-lock.json" || f.RemovedIn != nil {
				t.Errorf("1.0.16: refs %v lockfile %s moved to %q removed %v; want main and v1.0.0, moved to services/api, still present", f.Refs, f.Lockfile, f.MovedTo, f.RemovedIn)
			}
			if a := f.Exposure.Audit; a == nil || a.From == nil || !a.From.Equal(gittest.Sept(18, 10)) {
				t.Errorf("1.0.16: audit %+v, want from the introduction %v", a, gittest.Sept(18, 10))
			}
		}
	}
	var refs []string
	for _, b := range rep.Repos[0].History.Branches {
		refs = append(refs, b.Name+"/"+b.Status)
	}
	if want := []string{"main/affected", "v0.9.1/affected", "v1.0.0/affected"}; !slices.Equal(refs, want) {
		t.Errorf("refs = %v, want %v", refs, want)
	}

	// The text names the merge, the tag and the move.
	_, out, _ = runHistory(t, "history", "--quiet", r.Dir)
	flat := strings.Join(strings.Fields(out), " ")
	for _, want := range []string{"main (also v1.0.0): introduced 2025-09-18 10:00 UTC", "on a merged branch, reached main at merge 2025-09-19 09:00 UTC",
		"lockfile moved to services/api/package-lock.json", "v0.9.1 (tag): first seen 2025-09-17 12:00 UTC"} {
		if !strings.Contains(flat, want) {
			t.Errorf("text lacks %q:\n%s", want, out)
		}
	}
}

// A yarn.lock finding in history names its workspace, as scan does (the
// lockfile and manifests are yarn 1's own, from testdata/fixtures).
func TestHistoryWorkspace(t *testing.T) {
	requireParts(t)
	const fixture = "../../testdata/fixtures/yarn1-workspaces/"
	r := gittest.Init(t)
	for _, name := range []string{"package.json", "yarn.lock", "packages/api/package.json", "packages/ui/package.json"} {
		b, err := os.ReadFile(fixture + name)
		if err != nil {
			t.Fatal(err)
		}
		r.Write(name, string(b))
	}
	r.Commit("monorepo", "Bob", gittest.Sept(17, 10))
	code, out, stderr := runHistory(t, "history", "--quiet", "--format", "json", r.Dir)
	if code != 1 {
		t.Fatalf("exit %d, want 1\n%s", code, stderr)
	}
	rep := decodeReport(t, out)
	if len(rep.Findings) != 1 || len(rep.Findings[0].Path) == 0 || rep.Findings[0].Path[0] != "@fx/api@1.0.0" {
		t.Fatalf("findings = %+v, want one pulled in by @fx/api@1.0.0", rep.Findings)
	}
	// Reading the lockfile again for the workspace names does not count
	// its packages twice: the coverage is scan's for the one version.
	_, out, _ = runHistory(t, "scan", "--quiet", "--format", "json", r.Dir)
	if scan := decodeReport(t, out); rep.Summary.Publisher.Packages == 0 || rep.Summary.Publisher.Packages != scan.Summary.Publisher.Packages {
		t.Errorf("publisher coverage over %d packages, scan's over %d; want the same", rep.Summary.Publisher.Packages, scan.Summary.Publisher.Packages)
	}
}
