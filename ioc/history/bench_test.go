package history_test

import (
	"bufio"
	"context"
	"fmt"
	"os"
	"os/exec"
	"strings"
	"sync"
	"testing"

	"github.com/depsweep/depsweep/ioc/history"
	"github.com/depsweep/depsweep/lockfiles/gitlog/gittest"
)

// benchRepo is built once per test binary: 2,000 commits on main, each
// changing one version in a ~1 MB package-lock.json (so 2,000 distinct
// blobs), postmark-mcp 1.0.16 from commit 500 to 1,499, and branch old at
// commit 1,000 sharing the first half.
//
// benchRepoTM is the same history with tags and merges, as release
// histories have them: 20 tags on main (every 100 commits, annotated and
// lightweight in turn), 7 of main's commits merges of a side commit made
// five minutes before (commits 250, 500, ..., 1,750; the branches deleted
// since; the one merged at 500 brought postmark-mcp in), and tag hotfix-1
// on a commit off 1,200 that no branch holds, with postmark-mcp 1.0.17.
var benchRepo, benchRepoTM struct {
	once sync.Once
	dir  string
	err  error
}

const benchCommits = 2000

func buildBenchRepo() (string, error) { return buildBench(false) }

// isBenchMerge reports whether main's commit i merges a side commit.
func isBenchMerge(i int) bool { return i > 0 && i%250 == 0 }

func buildBench(tagsAndMerges bool) (string, error) {
	dir, err := os.MkdirTemp("", "depsweep-history-bench-")
	if err != nil {
		return "", err
	}
	git := func(args ...string) *exec.Cmd {
		cmd := exec.Command("git", args...)
		cmd.Dir = dir
		cmd.Env = append(os.Environ(), "GIT_CONFIG_NOSYSTEM=1", "GIT_CONFIG_GLOBAL=/dev/null")
		return cmd
	}
	if out, err := git("init", "-q", "-b", "main", ".").CombinedOutput(); err != nil {
		return "", fmt.Errorf("git init: %v: %s", err, out)
	}
	cmd := git("fast-import", "--quiet")
	in, err := cmd.StdinPipe()
	if err != nil {
		return "", err
	}
	var stderr strings.Builder
	cmd.Stderr = &stderr
	if err := cmd.Start(); err != nil {
		return "", err
	}
	w := bufio.NewWriterSize(in, 1<<20)
	const padding = 3900 // ≈ 1 MB of package-lock.json
	lock := func(i int, extra ...gittest.Dep) string {
		deps := []gittest.Dep{{Name: "churn", Version: fmt.Sprintf("1.0.%d", i)}}
		if i >= 500 && i < 1500 {
			deps = append(deps, gittest.Dep{Name: "postmark-mcp", Version: "1.0.16"})
		}
		return gittest.NPMLock("big", append(deps, extra...), padding)
	}
	for i := range benchCommits {
		data := lock(i)
		date := 1757894400 + int64(i)*600 // from 2025-09-15, every ten minutes
		merge := tagsAndMerges && isBenchMerge(i)
		if merge {
			// The side commit, off main's previous commit: what the merge brings.
			side := lock(i, gittest.Dep{Name: "side", Version: fmt.Sprintf("1.0.%d", i)})
			fmt.Fprintf(w, "commit refs/heads/side\nmark :%d\ncommitter Side <side@example.com> %d +0000\ndata 5\nside\nfrom :%d\n", 100000+i, date-300, i)
			fmt.Fprintf(w, "M 100644 inline package-lock.json\ndata %d\n%s\n", len(side), side)
		}
		fmt.Fprintf(w, "commit refs/heads/main\nmark :%d\ncommitter Bench <bench@example.com> %d +0000\ndata 7\ncommit\n", i+1, date)
		if i > 0 {
			fmt.Fprintf(w, "from :%d\n", i)
		}
		if merge {
			fmt.Fprintf(w, "merge :%d\n", 100000+i)
		}
		fmt.Fprintf(w, "M 100644 inline package-lock.json\ndata %d\n%s\n", len(data), data)
		if i == 1000 {
			fmt.Fprintf(w, "reset refs/heads/old\nfrom :%d\n\n", i+1)
		}
		if tagsAndMerges && i%100 == 50 {
			if i%200 == 50 {
				fmt.Fprintf(w, "tag v0.%d\nfrom :%d\ntagger Bench <bench@example.com> %d +0000\ndata 7\nrelease\n", i, i+1, date)
			} else {
				fmt.Fprintf(w, "reset refs/tags/v0.%d\nfrom :%d\n\n", i, i+1)
			}
		}
		if tagsAndMerges && i == 1200 {
			hot := lock(i, gittest.Dep{Name: "postmark-mcp", Version: "1.0.17"})
			fmt.Fprintf(w, "commit refs/tags/hotfix-1\nmark :%d\ncommitter Hotfix <hotfix@example.com> %d +0000\ndata 6\nhotfix\nfrom :%d\n", 200000, date+60, i+1)
			fmt.Fprintf(w, "M 100644 inline package-lock.json\ndata %d\n%s\n", len(hot), hot)
		}
	}
	if err := w.Flush(); err != nil {
		return "", err
	}
	in.Close()
	if err := cmd.Wait(); err != nil {
		return "", fmt.Errorf("git fast-import: %v: %s", err, stderr.String())
	}
	if tagsAndMerges {
		// The merged branches are deleted: only the merges name them.
		if out, err := git("update-ref", "-d", "refs/heads/side").CombinedOutput(); err != nil {
			return "", fmt.Errorf("git update-ref: %v: %s", err, out)
		}
	}
	return dir, nil
}

// BenchmarkScan walks the 2,000-commit history of a 1 MB lockfile on two
// branches: 2,000 distinct blobs, each read and parsed once.
func BenchmarkScan(b *testing.B) {
	if _, err := exec.LookPath("git"); err != nil {
		b.Skip("git is not installed")
	}
	benchRepo.once.Do(func() { benchRepo.dir, benchRepo.err = buildBenchRepo() })
	if benchRepo.err != nil {
		b.Fatal(benchRepo.err)
	}
	m := exactMatcher{indicators()}
	for b.Loop() {
		res, err := history.Scan(context.Background(), benchRepo.dir, ".", m, history.Options{})
		if err != nil {
			b.Fatal(err)
		}
		if res.Stats.Parsed != benchCommits || len(res.Exposures) != 2 {
			b.Fatalf("parsed %d blobs and found %d exposures, want %d and 2", res.Stats.Parsed, len(res.Exposures), benchCommits)
		}
	}
	b.ReportMetric(float64(b.Elapsed().Milliseconds())/float64(b.N)/benchCommits, "ms/commit")
}

// BenchmarkScanTagsMerges is BenchmarkScan over the history with tags and
// merges (see benchRepoTM): the same 2,000 blobs on main, 7 merged side
// commits and a tagged hotfix, every ref walked by default. It checks that
// the finding main got at a merge is traced to the side commit, and that
// the tags on main add their names without a walk of their own.
func BenchmarkScanTagsMerges(b *testing.B) {
	if _, err := exec.LookPath("git"); err != nil {
		b.Skip("git is not installed")
	}
	benchRepoTM.once.Do(func() { benchRepoTM.dir, benchRepoTM.err = buildBench(true) })
	if benchRepoTM.err != nil {
		b.Fatal(benchRepoTM.err)
	}
	m := exactMatcher{indicators()}
	for b.Loop() {
		res, err := history.Scan(context.Background(), benchRepoTM.dir, ".", m, history.Options{})
		if err != nil {
			b.Fatal(err)
		}
		// main, old, 20 tags and hotfix-1; main's 2,000 blobs, the hotfix's,
		// and the side commit merged at 500 (the only merge a finding starts at).
		if res.Stats.Branches != 23 || res.Stats.Parsed != benchCommits+2 || len(res.Exposures) != 3 {
			b.Fatalf("walked %d refs, parsed %d blobs, found %d exposures; want 23, %d and 3", res.Stats.Branches, res.Stats.Parsed, len(res.Exposures), benchCommits+2)
		}
		e := res.Exposures[0] // hotfix-1 sorts first
		if e.Branch != "hotfix-1" || e.Finding.Package.Version != "1.0.17" {
			b.Fatalf("first exposure %s %s, want hotfix-1 1.0.17", e.Branch, e.Finding.Package.ID())
		}
		if e := res.Exposures[1]; e.Branch != "main" || e.Introduced == nil || e.Introduced.Author != "Side" || len(e.Refs) < 10 {
			b.Fatalf("main's exposure: introduced %v, refs %v; want the side commit and the tags", e.Introduced, e.Refs)
		}
	}
	b.ReportMetric(float64(b.Elapsed().Milliseconds())/float64(b.N)/benchCommits, "ms/commit")
}

func TestMain(m *testing.M) {
	code := m.Run()
	for _, dir := range []string{benchRepo.dir, benchRepoTM.dir} {
		if dir != "" {
			os.RemoveAll(dir)
		}
	}
	os.Exit(code)
}
