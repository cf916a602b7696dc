package report_test

import (
	"context"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/depsweep/depsweep/ioc"
	"github.com/depsweep/depsweep/ioc/report"
)

// fleetIndex compiles the first incident's package indicator.
func fleetIndex(t *testing.T) *ioc.Index {
	t.Helper()
	adv := &ioc.Advisory{ID: "MAL-2025-47604", Title: "postmark-mcp BCCs mail", Severity: ioc.SeverityCritical}
	x, err := ioc.NewIndex([]ioc.Indicator{{
		Kind: ioc.KindPackage, Ecosystem: "npm", Value: "postmark-mcp",
		Versions: ioc.Versions{Exact: []string{"1.0.16", "1.0.17", "1.0.18"}}, Advisory: adv,
	}})
	if err != nil {
		t.Skipf("matcher not available: %v", err)
	}
	return x
}

// buildFleet copies the real-client fixtures into a fleet of repositories
// under a fresh directory: each fixture several times, one nested in
// another, a lockfile in no repository and one that does not parse.
func buildFleet(t *testing.T) string {
	t.Helper()
	fixtures, err := filepath.Glob("../../testdata/fixtures/*/package.json")
	if err != nil || len(fixtures) < 5 {
		t.Fatalf("fixtures: %d found (%v), want at least 5", len(fixtures), err)
	}
	root := t.TempDir()
	copyRepo := func(src, dst string, git bool) {
		if err := os.CopyFS(filepath.Join(root, dst), os.DirFS(src)); err != nil {
			t.Fatal(err)
		}
		if git {
			if err := os.MkdirAll(filepath.Join(root, dst, ".git"), 0o755); err != nil {
				t.Fatal(err)
			}
		}
	}
	for i, pj := range fixtures {
		src := filepath.Dir(pj)
		for _, org := range []string{"acme", "globex", "initech"} {
			copyRepo(src, filepath.Join(org, filepath.Base(src)), true)
		}
		if i == 0 {
			copyRepo(src, filepath.Join("acme", filepath.Base(src), "vendor", "nested"), true)
			copyRepo(src, "loose", false)
		}
	}
	broken := filepath.Join(root, "globex", "broken")
	os.MkdirAll(filepath.Join(broken, ".git"), 0o755)
	if err := os.WriteFile(filepath.Join(broken, "package-lock.json"), []byte("{\"lockfileVersion\": 3, \"packages\": "), 0o644); err != nil {
		t.Fatal(err)
	}
	return root
}

// scanReport runs a (sharded) scan of roots and collects its report.
func scanReport(t *testing.T, x *ioc.Index, roots []string, s ioc.Shard) *report.Report {
	t.Helper()
	b := report.NewBuilder(report.Header{Tool: report.Tool{Name: "depsweep", Version: "test"}, Started: time.Now().UTC(), Roots: roots, Feeds: fleetFeeds})
	stats, err := ioc.ScanShard(context.Background(), ioc.ScanConfig{Roots: roots, Index: x, Jobs: 2}, s, b)
	if err != nil {
		t.Fatal(err)
	}
	return b.Finish(time.Now().UTC(), false, report.ScanCoverage(stats, nil))
}

// untimed clears the fields that differ between two runs of one scan.
func untimed(r *report.Report) *report.Report {
	c := *r
	c.Started, c.Finished = time.Time{}, time.Time{}
	return &c
}

// TestShardedScan is the shard acceptance test: for N in {1, 3, 7} over a
// fleet made of the real-client fixtures, no repository is in two shards,
// the shards together hold what the unsharded scan holds, and merging their
// reports gives the unsharded report.
func TestShardedScan(t *testing.T) {
	x := fleetIndex(t)
	root := buildFleet(t)
	for _, layout := range []string{"one root", "several roots"} {
		roots := []string{root}
		if layout == "several roots" {
			// Repositories given one by one, as --repos-from does.
			dirs, _ := filepath.Glob(filepath.Join(root, "*", "*"))
			roots = dirs
		}
		whole := scanReport(t, x, roots, ioc.Shard{})
		if whole.Summary.Repos < 20 || whole.Summary.Errors == 0 || whole.Summary.Findings == 0 {
			t.Fatalf("%s: unsharded scan has %d repos, %d errors, %d findings; want 20+, some, some",
				layout, whole.Summary.Repos, whole.Summary.Errors, whole.Summary.Findings)
		}
		for _, n := range []int{1, 3, 7} {
			var parts []*report.Report
			owner := make(map[string]int)
			for i := range n {
				p := scanReport(t, x, roots, ioc.Shard{I: i, N: n})
				for _, rp := range p.Repos {
					if j, dup := owner[rp.Path]; dup && rp.Path != "." {
						t.Errorf("%s N=%d: repository %s in shards %d and %d", layout, n, rp.Path, j, i)
					}
					owner[rp.Path] = i
				}
				parts = append(parts, p)
			}
			if n > 1 && layout == "one root" {
				nonEmpty := 0
				for _, p := range parts {
					if len(p.Lockfiles) > 0 {
						nonEmpty++
					}
				}
				if nonEmpty < 2 {
					t.Errorf("%s N=%d: only %d shards have work; the split does nothing", layout, n, nonEmpty)
				}
			}
			merged, err := report.Merge(parts...)
			if err != nil {
				t.Fatalf("%s N=%d: Merge: %v", layout, n, err)
			}
			if g, w := jsonOf(t, untimed(merged)), jsonOf(t, untimed(whole)); g != w {
				t.Errorf("%s N=%d: merged shards differ from the unsharded scan:\n%s", layout, n, lineDiff(g, w))
			}
		}
	}
}

// lineDiff shows the lines of got and want that the other lacks.
func lineDiff(got, want string) string {
	g, w := strings.Split(got, "\n"), strings.Split(want, "\n")
	var b strings.Builder
	for _, l := range g {
		if !slices.Contains(w, l) {
			b.WriteString("+ " + l + "\n")
		}
	}
	for _, l := range w {
		if !slices.Contains(g, l) {
			b.WriteString("- " + l + "\n")
		}
	}
	return b.String()
}
