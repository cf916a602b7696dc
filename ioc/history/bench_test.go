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
var benchRepo struct {
	once sync.Once
	dir  string
	err  error
}

const benchCommits = 2000

func buildBenchRepo() (string, error) {
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
	for i := range benchCommits {
		deps := []gittest.Dep{{Name: "churn", Version: fmt.Sprintf("1.0.%d", i)}}
		if i >= 500 && i < 1500 {
			deps = append(deps, gittest.Dep{Name: "postmark-mcp", Version: "1.0.16"})
		}
		data := gittest.NPMLock("big", deps, padding)
		date := 1757894400 + int64(i)*600 // from 2025-09-15, every ten minutes
		fmt.Fprintf(w, "commit refs/heads/main\nmark :%d\ncommitter Bench <bench@example.com> %d +0000\ndata 7\ncommit\n", i+1, date)
		if i > 0 {
			fmt.Fprintf(w, "from :%d\n", i)
		}
		fmt.Fprintf(w, "M 100644 inline package-lock.json\ndata %d\n%s\n", len(data), data)
		if i == 1000 {
			fmt.Fprintf(w, "reset refs/heads/old\nfrom :%d\n\n", i+1)
		}
	}
	if err := w.Flush(); err != nil {
		return "", err
	}
	in.Close()
	if err := cmd.Wait(); err != nil {
		return "", fmt.Errorf("git fast-import: %v: %s", err, stderr.String())
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

func TestMain(m *testing.M) {
	code := m.Run()
	if benchRepo.dir != "" {
		os.RemoveAll(benchRepo.dir)
	}
	os.Exit(code)
}
