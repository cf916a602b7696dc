package history_test

import (
	"context"
	"os"
	"slices"
	"testing"

	"github.com/depsweep/depsweep/ioc"
	"github.com/depsweep/depsweep/ioc/history"
	"github.com/depsweep/depsweep/lockfiles/gitlog/gittest"
)

func scan(t *testing.T, dir string, opts history.Options) *history.Result {
	t.Helper()
	res, err := history.Scan(context.Background(), dir, ".", exactMatcher{indicators()}, opts)
	if err != nil {
		t.Fatal(err)
	}
	return res
}

// A --depth 1 clone whose boundary is after the start of the advisory's
// window cannot rule the package out: inconclusive, never clean. One whose
// boundary is before the window is conclusive.
func TestScanShallowInconclusive(t *testing.T) {
	r := gittest.Init(t)
	r.Write("package-lock.json", gittest.MailerLock("1.0.16"))
	r.Commit("add postmark-mcp", "Bob", gittest.Sept(17, 10))
	r.Write("package-lock.json", gittest.MailerLock(""))
	r.Commit("remove postmark-mcp", "Carol", gittest.Sept(19, 9))
	r.Write("README.md", "x\n")
	r.Commit("readme", "Alice", gittest.Sept(28, 9))

	advs := []*ioc.Advisory{advisory}
	full := scan(t, r.Dir, history.Options{Advisories: advs})
	if full.Status() != history.StatusAffected || len(full.Exposures) != 1 {
		t.Fatalf("full clone: status %s, %d exposures; want affected, 1", full.Status(), len(full.Exposures))
	}

	shallow := r.Clone("--depth", "1")
	res := scan(t, shallow, history.Options{Advisories: advs})
	if !res.Shallow || len(res.Exposures) != 0 {
		t.Fatalf("depth 1 clone: shallow %v, %d exposures; want shallow, none", res.Shallow, len(res.Exposures))
	}
	if got := res.Status(); got != history.StatusInconclusive {
		t.Errorf("depth 1 clone: status %q, want inconclusive", got)
	}
	for i := range res.Branches {
		b := &res.Branches[i]
		if !slices.Equal(b.Inconclusive, []string{advisory.ID}) || res.RefStatus(b) != history.StatusInconclusive {
			t.Errorf("ref %s: inconclusive %v, status %s; want [%s], inconclusive", b.Name, b.Inconclusive, res.RefStatus(b), advisory.ID)
		}
	}

	// A boundary before the window: everything the window covers was walked.
	early := gittest.Init(t)
	early.Write("package-lock.json", gittest.MailerLock(""))
	early.Commit("init", "Alice", gittest.Sept(1, 9))
	early.Write("README.md", "x\n")
	early.Commit("readme", "Alice", gittest.Sept(2, 9))
	res = scan(t, early.Clone("--depth", "1"), history.Options{Advisories: advs})
	if !res.Shallow || res.Status() != history.StatusClean {
		t.Errorf("clone cut before the window: shallow %v status %s, want shallow and clean", res.Shallow, res.Status())
	}
}

// Tags are walked by default: a commit only a tag reaches (its branch
// deleted) is found, under the tag; a tag on main adds its name to main's
// exposure instead of repeating it.
func TestScanTags(t *testing.T) {
	r := gittest.Init(t)
	r.Write("package-lock.json", gittest.MailerLock(""))
	base := r.Commit("init", "Alice", gittest.Sept(10, 9))
	r.Git("checkout", "-q", "-b", "hotfix")
	r.Write("package-lock.json", gittest.MailerLock("1.0.17"))
	hot := r.Commit("hotfix with postmark-mcp", "Bob", gittest.Sept(18, 9))
	r.Git("tag", "-a", "-m", "hotfix release", "v0.9.1")
	r.Git("tag", "deployed-0918") // lightweight, same commit
	r.Git("checkout", "-q", "main")
	r.Git("branch", "-D", "hotfix")
	// A release candidate, its branch deleted, took 1.0.16 before main did:
	// same package, another first commit, so not folded into main's.
	r.Git("checkout", "-q", "-b", "rc")
	r.Write("package-lock.json", gittest.MailerLock("1.0.16"))
	rc := r.Commit("rc with postmark-mcp", "Erin", gittest.Sept(18, 12))
	r.Git("tag", "rc1")
	r.Git("checkout", "-q", "main")
	r.Git("branch", "-D", "rc")
	r.Write("package-lock.json", gittest.MailerLock("1.0.16"))
	add := r.Commit("add postmark-mcp", "Carol", gittest.Sept(19, 9))
	r.Git("tag", "v1.0.0")
	r.Write("package-lock.json", gittest.MailerLock(""))
	r.Commit("remove", "Carol", gittest.Sept(20, 9))
	_ = base

	res := scan(t, r.Dir, history.Options{})
	var got []string
	for _, e := range res.Exposures {
		got = append(got, e.Branch+" "+e.Finding.Package.Version+" "+e.FirstSeen.Hash[:8]+" refs="+joinComma(e.Refs))
	}
	want := []string{
		"deployed-0918 1.0.17 " + hot[:8] + " refs=deployed-0918",
		"main 1.0.16 " + add[:8] + " refs=main,v1.0.0",
		"rc1 1.0.16 " + rc[:8] + " refs=rc1",
	}
	if !slices.Equal(got, want) {
		t.Errorf("exposures:\n%v\nwant:\n%v", got, want)
	}
	// Tags sort by name: deployed-0918 is walked, v0.9.1 at the same commit named.
	if e := res.Exposures[0]; !e.Tag {
		t.Errorf("exposure on %s: Tag = false", e.Branch)
	}
	var names []string
	for _, b := range res.Branches {
		names = append(names, b.Name+"+"+joinComma(b.Also))
	}
	if want := []string{"main+", "deployed-0918+v0.9.1", "rc1+", "v1.0.0+"}; !slices.Equal(names, want) {
		t.Errorf("refs walked = %v, want %v", names, want)
	}

	// --ref narrows; NoTags leaves the tags out.
	if res := scan(t, r.Dir, history.Options{Refs: []string{"v0.9.1"}}); len(res.Exposures) != 1 || res.Exposures[0].FirstSeen.Hash != hot {
		t.Errorf("--ref v0.9.1: %d exposures, want the hotfix one", len(res.Exposures))
	}
	if res := scan(t, r.Dir, history.Options{NoTags: true}); len(res.Exposures) != 1 || res.Exposures[0].Branch != "main" {
		t.Errorf("NoTags: %d exposures, want main's only", len(res.Exposures))
	}
}

func joinComma(ss []string) string {
	out := ""
	for i, s := range ss {
		if i > 0 {
			out += ","
		}
		out += s
	}
	return out
}

// A package main first holds at a merge is traced to the commit on the
// merged (since deleted) branch that brought it in; the audit window
// starts there, and the merge stays as where it reached main.
func TestScanMergeIntroduction(t *testing.T) {
	r := gittest.Init(t)
	r.Write("package-lock.json", gittest.MailerLock(""))
	r.Commit("init", "Alice", gittest.Sept(10, 9))
	r.Git("checkout", "-q", "-b", "feature/mail")
	r.Write("package-lock.json", gittest.MailerLock("1.0.16"))
	intro := r.Commit("add postmark-mcp", "Bob", gittest.Sept(17, 10))
	r.Write("notes.txt", "wip\n")
	r.Commit("notes", "Bob", gittest.Sept(18, 9))
	r.Git("checkout", "-q", "main")
	r.Write("README.md", "mailer\n")
	r.Commit("readme", "Alice", gittest.Sept(18, 12))
	merge := r.Merge("feature/mail", "Carol", gittest.Sept(20, 9))
	r.Git("branch", "-D", "feature/mail")

	res := scan(t, r.Dir, history.Options{})
	if len(res.Exposures) != 1 {
		t.Fatalf("%d exposures, want 1", len(res.Exposures))
	}
	e := res.Exposures[0]
	if e.FirstSeen.Hash != merge || e.Introduced == nil || e.Introduced.Hash != intro || e.Introduced.Author != "Bob" {
		t.Fatalf("first seen %s introduced %+v; want the merge %s, introduced by Bob in %s", e.FirstSeen.Hash, e.Introduced, merge, intro)
	}
	if !e.Present.From.Equal(gittest.Sept(17, 10)) || !e.Window.From.Equal(gittest.Sept(17, 10)) {
		t.Errorf("present from %v, audit from %v; want the introduction %v", e.Present.From, e.Window.From, gittest.Sept(17, 10))
	}
}

// git mv of a lockfile keeps its findings continuous: first seen stays the
// original commit, and the exposure names the path it moved to. A move
// with an edit in the same commit (git's rename detection) is followed too.
func TestScanRename(t *testing.T) {
	r := gittest.Init(t)
	r.Write("package-lock.json", gittest.MailerLock("1.0.16"))
	add := r.Commit("add postmark-mcp", "Bob", gittest.Sept(17, 10))
	r.Move("package-lock.json", "services/api/package-lock.json")
	r.Commit("move the api", "Alice", gittest.Sept(18, 9))
	// Moved again and edited in one commit: a similar, not equal, blob.
	r.Move("services/api/package-lock.json", "apps/api/package-lock.json")
	r.Write("apps/api/package-lock.json", gittest.NPMLock("mailer", []gittest.Dep{{Name: "chalk", Version: "4.1.2"},
		{Name: "postmark-mcp", Version: "1.0.16"}, {Name: "debug", Version: "4.3.4"}}, 0))
	r.Commit("move and add debug", "Alice", gittest.Sept(19, 9))
	r.Write("apps/api/package-lock.json", gittest.MailerLock(""))
	rm := r.Commit("remove postmark-mcp", "Carol", gittest.Sept(21, 9))

	res := scan(t, r.Dir, history.Options{})
	if len(res.Exposures) != 1 {
		for _, e := range res.Exposures {
			t.Logf("%s %s: first seen %s (before %q), last seen %s, removed in %v", e.Finding.Lockfile, e.Finding.Package.ID(),
				e.FirstSeen.Hash, e.Before, e.LastSeen.Hash, e.RemovedIn)
		}
		t.Fatalf("%d exposures, want 1 continuous one", len(res.Exposures))
	}
	e := res.Exposures[0]
	if e.FirstSeen.Hash != add || e.RemovedIn == nil || e.RemovedIn.Hash != rm || len(e.Spans) != 1 {
		t.Errorf("first seen %s, removed %v, %d spans; want %s, %s, 1", e.FirstSeen.Hash, e.RemovedIn, len(e.Spans), add, rm)
	}
	if e.Finding.Lockfile != "package-lock.json" || e.Lockfile != "apps/api/package-lock.json" {
		t.Errorf("lockfile %s, now %s; want package-lock.json, now apps/api/package-lock.json", e.Finding.Lockfile, e.Lockfile)
	}
}

// Added, reverted, re-added: two spans, each with its own audit window
// (the clean days between are not in either).
func TestScanSpanWindows(t *testing.T) {
	r := gittest.Init(t)
	r.Write("package-lock.json", gittest.MailerLock("1.0.16"))
	r.Commit("add", "Bob", gittest.Sept(17, 10))
	r.Write("package-lock.json", gittest.MailerLock(""))
	r.Commit("revert", "Carol", gittest.Sept(18, 10))
	r.Write("package-lock.json", gittest.MailerLock("1.0.16"))
	r.Commit("re-add", "Bob", gittest.Sept(22, 10))
	r.Write("package-lock.json", gittest.MailerLock(""))
	r.Commit("remove", "Carol", gittest.Sept(30, 10))

	res := scan(t, r.Dir, history.Options{})
	if len(res.Exposures) != 1 || len(res.Exposures[0].Spans) != 2 {
		t.Fatalf("%d exposures, want 1 with 2 spans", len(res.Exposures))
	}
	sp := res.Exposures[0].Spans
	want := [][2]int{{17, 18}, {22, 25}} // the second ends with the advisory's window
	for i, w := range want {
		got := sp[i].Window
		if !sp[i].Overlaps || got.From.Day() != w[0] || got.To.Day() != w[1] {
			t.Errorf("span %d window %v – %v, want Sept %d – Sept %d", i, got.From, got.To, w[0], w[1])
		}
	}
}

// A yarn.lock finding names its workspace as scan does: the workspaces'
// package.json files are read at the commit where it was first seen.
// The lockfile and manifests are yarn 1's own (testdata/fixtures).
func TestScanWorkspaces(t *testing.T) {
	idx, err := ioc.NewIndex(indicators())
	if err != nil {
		t.Fatal(err)
	}
	const fixture = "../../testdata/fixtures/yarn1-workspaces/"
	r := gittest.Init(t)
	for _, name := range []string{"package.json", "yarn.lock", "packages/api/package.json", "packages/ui/package.json"} {
		b, err := os.ReadFile(fixture + name)
		if err != nil {
			t.Fatal(err)
		}
		r.Write(name, string(b))
	}
	first := r.Commit("monorepo with yarn 1 workspaces", "Bob", gittest.Sept(17, 10))
	res, err := history.Scan(context.Background(), r.Dir, "fleet/fx", idx, history.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Exposures) != 1 {
		t.Fatalf("%d exposures, want 1", len(res.Exposures))
	}
	f := res.Exposures[0].Finding
	if res.Exposures[0].FirstSeen.Hash != first || f.Lockfile != "fleet/fx/yarn.lock" || len(f.Path) == 0 || f.Path[0] != "@fx/api@1.0.0" || !f.Direct {
		t.Errorf("finding %s path %v direct %v; want fleet/fx/yarn.lock from @fx/api@1.0.0, direct", f.Lockfile, f.Path, f.Direct)
	}
}
