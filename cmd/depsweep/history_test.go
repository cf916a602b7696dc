package main

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/depsweep/depsweep/ioc/report"
	"github.com/depsweep/depsweep/lockfiles/gitlog/gittest"
)

// historyRepo is issue 8's acceptance repository: on main postmark-mcp goes
// 1.0.15 → 1.0.16 → 1.0.18 → removed; branch release forks at 1.0.16, keeps
// it for a while and removes it.
type historyRepo struct {
	*gittest.Repo
	add, bump16, bump18, remove, relNotes, relRemove string
}

func newHistoryRepo(t *testing.T) *historyRepo {
	r := &historyRepo{Repo: gittest.Init(t)}
	r.Write("package.json", `{"name":"mailer","version":"1.0.0"}`)
	r.Commit("init", "Alice", gittest.Sept(10, 9))
	r.Write("package-lock.json", gittest.MailerLock("1.0.15"))
	r.add = r.Commit("add postmark-mcp", "Alice", gittest.Sept(15, 9))
	r.Write("package-lock.json", gittest.MailerLock("1.0.16"))
	r.bump16 = r.Commit("bump postmark-mcp to 1.0.16", "Bob", gittest.Sept(17, 10))
	r.Git("branch", "release")
	r.Write("package-lock.json", gittest.MailerLock("1.0.18"))
	r.bump18 = r.Commit("bump postmark-mcp to 1.0.18", "Bob", gittest.Sept(19, 9))
	r.Write("package-lock.json", gittest.MailerLock(""))
	r.remove = r.Commit("remove postmark-mcp", "Carol", gittest.Sept(26, 9))
	r.Git("checkout", "-q", "release")
	r.Write("CHANGES", "1.0\n")
	r.relNotes = r.Commit("release notes", "Dave", gittest.Sept(20, 9))
	r.Write("package-lock.json", gittest.MailerLock("1.0.15"))
	r.relRemove = r.Commit("pin postmark-mcp back to 1.0.15", "Erin", gittest.Sept(23, 9))
	r.Git("checkout", "-q", "main")
	return r
}

// describe sums a history finding up for comparison:
// "branch version first[before] last removed audit-from..audit-to".
func describe(f report.Finding) string {
	hash := func(c *report.CommitRef) string {
		if c == nil {
			return "-"
		}
		return c.Hash[:8]
	}
	at := func(t *time.Time) string {
		if t == nil {
			return "?"
		}
		return t.Format("01-02T15")
	}
	audit := "none"
	if f.Exposure != nil && f.Exposure.Audit != nil {
		audit = at(f.Exposure.Audit.From) + ".." + at(f.Exposure.Audit.To)
	}
	first := hash(f.FirstSeen)
	if f.Before != "" {
		first += "[" + f.Before + "]"
	}
	return fmt.Sprintf("%s %s %s %s %s %s", f.Branch, f.Package.Version, first, hash(f.LastSeen), hash(f.RemovedIn), audit)
}

func checkHistory(t *testing.T, rep *report.Report, want []string) {
	t.Helper()
	var got []string
	for _, f := range rep.Findings {
		got = append(got, describe(f))
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("findings:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}

// TestHistory is issue 8's acceptance case 1 through the command: the right
// first and last commits per branch, the removal commits, and the audit
// window (presence ∩ 2025-09-17..2025-09-25).
func TestHistory(t *testing.T) {
	requireParts(t)
	r := newHistoryRepo(t)
	rep := runJSON(t, 1, "history", "--format", "json", "--quiet", r.Dir)
	s := func(h string) string { return h[:8] }
	checkHistory(t, rep, []string{
		fmt.Sprintf("main 1.0.16 %s %s %s 09-17T10..09-19T09", s(r.bump16), s(r.bump16), s(r.bump18)),
		fmt.Sprintf("release 1.0.16 %s %s %s 09-17T10..09-23T09", s(r.bump16), s(r.relNotes), s(r.relRemove)),
		fmt.Sprintf("main 1.0.18 %s %s %s 09-19T09..09-25T00", s(r.bump18), s(r.bump18), s(r.remove)),
	})
	for _, f := range rep.Findings {
		if f.Severity != "critical" || f.Lockfile != "package-lock.json" || f.Repo != "." {
			t.Errorf("%s: severity %s lockfile %s repo %s, want critical package-lock.json in .", describe(f), f.Severity, f.Lockfile, f.Repo)
		}
		if f.FirstSeen.Author != "Bob" {
			t.Errorf("%s: first seen by %q, want Bob", describe(f), f.FirstSeen.Author)
		}
	}
	if got := rep.Findings[2].RemovedIn; got.Author != "Carol" || !got.Date.Equal(gittest.Sept(26, 9)) {
		t.Errorf("1.0.18 removed by %q at %v, want Carol at %v", got.Author, got.Date, gittest.Sept(26, 9))
	}
	// The same finding on two branches keeps one ID.
	if rep.Findings[0].ID != rep.Findings[1].ID {
		t.Errorf("1.0.16 on main and release: IDs %s and %s, want the same", rep.Findings[0].ID, rep.Findings[1].ID)
	}
	if len(rep.Repos) != 1 || rep.Repos[0].History == nil || len(rep.Repos[0].History.Branches) != 2 || rep.Repos[0].History.Shallow {
		t.Fatalf("repos = %+v, want one with 2 branches walked, not shallow", rep.Repos)
	}
	if len(rep.Lockfiles) != 1 || rep.Lockfiles[0].Path != "package-lock.json" || rep.Lockfiles[0].Packages != 4 {
		t.Errorf("lockfiles = %+v, want package-lock.json with 4 distinct packages (chalk, postmark-mcp ×3)", rep.Lockfiles)
	}

	// --ref walks one branch only.
	rep = runJSON(t, 1, "history", "--format", "json", "--quiet", "--ref", "release", r.Dir)
	checkHistory(t, rep, []string{fmt.Sprintf("release 1.0.16 %s %s %s 09-17T10..09-23T09", s(r.bump16), s(r.relNotes), s(r.relRemove))})

	// --since cuts the walk: what main held then is "since", not first seen.
	rep = runJSON(t, 1, "history", "--format", "json", "--quiet", "--ref", "main", "--since", "2025-09-18", r.Dir)
	checkHistory(t, rep, []string{
		fmt.Sprintf("main 1.0.16 %s[since] %s %s 09-17T00..09-19T09", s(r.bump16), s(r.bump16), s(r.bump18)),
		fmt.Sprintf("main 1.0.18 %s %s %s 09-19T09..09-25T00", s(r.bump18), s(r.bump18), s(r.remove)),
	})
}

// A shallow clone reports its boundary instead of a false first seen; a
// bare clone gives the same history as the work tree.
func TestHistoryShallowAndBare(t *testing.T) {
	requireParts(t)
	r := newHistoryRepo(t)
	s := func(h string) string { return h[:8] }

	shallow := r.Clone("--depth", "2", "--no-single-branch")
	rep := runJSON(t, 1, "history", "--format", "json", "--quiet", shallow)
	// main stops at bump18 (1.0.18 there, maybe before): the boundary.
	// origin/release stops at relNotes, which holds 1.0.16: its boundary too.
	checkHistory(t, rep, []string{
		fmt.Sprintf("origin/release 1.0.16 %s[shallow] %s %s 09-17T00..09-23T09", s(r.relNotes), s(r.relNotes), s(r.relRemove)),
		fmt.Sprintf("main 1.0.18 %s[shallow] %s %s 09-17T00..09-25T00", s(r.bump18), s(r.bump18), s(r.remove)),
	})
	h := rep.Repos[0].History
	if !h.Shallow || h.Branches[0].Cut != "shallow" || h.Branches[0].Start == nil || h.Branches[0].Start.Hash != r.bump18 {
		t.Errorf("repo history = %+v, want shallow, main cut at %s", h, r.bump18)
	}

	bare := r.Clone("--bare")
	rep = runJSON(t, 1, "history", "--format", "json", "--quiet", bare)
	checkHistory(t, rep, []string{
		fmt.Sprintf("main 1.0.16 %s %s %s 09-17T10..09-19T09", s(r.bump16), s(r.bump16), s(r.bump18)),
		fmt.Sprintf("release 1.0.16 %s %s %s 09-17T10..09-23T09", s(r.bump16), s(r.relNotes), s(r.relRemove)),
		fmt.Sprintf("main 1.0.18 %s %s %s 09-19T09..09-25T00", s(r.bump18), s(r.bump18), s(r.remove)),
	})
	if !rep.Repos[0].History.Bare {
		t.Error("bare clone not reported as bare")
	}
}

// A directory that is not a repository is an error for it; the others are
// still walked, and the report names each repository by its path.
func TestHistoryErrors(t *testing.T) {
	requireParts(t)
	r := newHistoryRepo(t)
	notRepo := t.TempDir()
	rep := runJSON(t, 1, "history", "--format", "json", "--quiet", r.Dir, notRepo)
	if len(rep.Errors) != 1 || !strings.HasSuffix(rep.Errors[0].Path, filepathBase(notRepo)) {
		t.Errorf("errors = %+v, want one for %s", rep.Errors, notRepo)
	}
	if rep.Summary.Findings != 3 || rep.Findings[0].Lockfile != rep.Findings[0].Repo+"/package-lock.json" {
		t.Errorf("%d findings, first in %s, want 3 prefixed by their repository", rep.Summary.Findings, rep.Findings[0].Lockfile)
	}
	// Without findings the error decides the exit code.
	runJSON(t, 2, "history", "--format", "json", "--quiet", notRepo)
	// An unknown --ref is an error for the repository.
	rep = runJSON(t, 2, "history", "--format", "json", "--quiet", "--ref", "nope", r.Dir)
	if len(rep.Errors) != 1 {
		t.Errorf("errors = %+v, want one for --ref nope", rep.Errors)
	}
	// --fail-on none: findings do not fail.
	runJSON(t, 0, "history", "--format", "json", "--quiet", "--fail-on", "none", r.Dir)
}

func filepathBase(p string) string { return p[strings.LastIndexAny(p, `/\`)+1:] }
