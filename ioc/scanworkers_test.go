package ioc_test

import (
	"context"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/depsweep/depsweep/ioc"
)

// TestScanWorkersAgree sweeps one tree with 1 to 8 workers: a root that is
// not a project, one subtree holding 40 projects (walked by one worker,
// its files passed to idle ones) and six holding one each, some of them
// git checkouts. Every worker count must give the same events, each
// repository's Repo event once and before its lockfiles, and each
// lockfile's findings right after it.
func TestScanWorkersAgree(t *testing.T) {
	fixture := os.DirFS("../testdata/fixtures/npm10-transitive-dev-lockv3")
	root := t.TempDir()
	copyTo := func(rel string) {
		if err := os.CopyFS(filepath.Join(root, filepath.FromSlash(rel)), fixture); err != nil {
			t.Fatal(err)
		}
	}
	for i := range 40 {
		copyTo("mono/apps/app-" + strconv.Itoa(i))
	}
	for i := range 6 {
		copyTo("svc-" + strconv.Itoa(i) + "/api")
		if i%2 == 0 {
			if err := os.MkdirAll(filepath.Join(root, "svc-"+strconv.Itoa(i), ".git"), 0o755); err != nil {
				t.Fatal(err)
			}
		}
	}
	x := testIndex(t)
	var want []string
	for _, jobs := range []int{1, 2, 3, 8} {
		rec := &recorder{}
		st, err := ioc.Scan(context.Background(), ioc.ScanConfig{Roots: []string{root}, Index: x, Jobs: jobs}, rec)
		if err != nil {
			t.Fatal(err)
		}
		if st.Lockfiles != 46 || st.Findings != 46 || st.Errors != 0 {
			t.Errorf("jobs=%d: %d lockfiles, %d findings, %d errors; want 46, 46, 0", jobs, st.Lockfiles, st.Findings, st.Errors)
		}
		repoOf := map[string]string{}
		for _, lf := range rec.lockfile {
			repoOf[lf.Path] = lf.Repo
		}
		repos := map[string]bool{}
		last := ""
		for _, ev := range rec.events {
			kind, rest, _ := strings.Cut(ev, ":")
			switch kind {
			case "repo":
				if repos[rest] {
					t.Errorf("jobs=%d: Repo %s twice", jobs, rest)
				}
				repos[rest] = true
			case "lockfile":
				if !repos[repoOf[rest]] {
					t.Errorf("jobs=%d: lockfile %s before its repository's Repo event", jobs, rest)
				}
				last = rest
			case "finding":
				if lf, _, _ := strings.Cut(rest, ":"); lf != last {
					t.Errorf("jobs=%d: finding of %s after lockfile %s", jobs, lf, last)
				}
			}
		}
		got := slices.Sorted(slices.Values(rec.events))
		if want == nil {
			want = got
			continue
		}
		if !slices.Equal(got, want) {
			t.Errorf("jobs=%d: events differ from jobs=1:\n%s\nwant\n%s", jobs, strings.Join(got, "\n"), strings.Join(want, "\n"))
		}
	}
}
