package main

import (
	"bytes"
	"cmp"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/emulation"
	cdplog "github.com/chromedp/cdproto/log"
	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/cdproto/runtime"
	"github.com/chromedp/chromedp"

	"github.com/depsweep/depsweep/ioc/report"
)

// chromium returns the path of a Chromium or Chrome binary. Without one
// the test is skipped, except in CI (CI=true), where it fails: .ci/run
// installs Debian's chromium.
func chromium(t *testing.T) string {
	t.Helper()
	for _, name := range []string{"chromium", "chromium-browser", "google-chrome", "google-chrome-stable"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	if os.Getenv("CI") == "true" {
		t.Fatal("no chromium binary in PATH: CI must install it (apt-get install -y chromium)")
	}
	t.Skip("no chromium binary in PATH: install it (apt-get install -y chromium) to run the HTML report's browser test")
	return ""
}

// demoScan runs the README's first command (make demo) on a copy of
// testdata/demo-fleet, laid out as in the checkout so that the report
// names the same roots, with --format format, and returns the report's path.
func demoScan(t *testing.T, exe, work, format string) string {
	t.Helper()
	out := filepath.Join(work, "report."+format)
	cmd := exec.Command(exe, "scan", "--format", format, "-o", out,
		"--registry-metadata", "testdata/fixtures/registry", "--fail-on", "none", "testdata/demo-fleet")
	cmd.Dir = work
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	if err := cmd.Run(); err != nil {
		t.Fatalf("depsweep scan --format %s: %v\n%s", format, err, stderr.String())
	}
	return out
}

// severityRank orders severities as the report does.
var severityRank = map[string]int{"critical": 4, "high": 3, "medium": 2, "low": 1, "info": 0}

// TestHTMLBrowser scans the demo fleet the way the README's first command
// does, once with --format json and once with --format html, and loads the
// HTML page from file:// in headless Chromium. Checked against the JSON
// report of the same fleet: no console error or warning (the page's or
// the browser's), no network request but the page itself, one
// data-finding-id element per finding with the same ids, the severity cards
// and the per-repository table, each severity filter shows exactly the
// findings it names (and their repositories), sorting (findings by severity
// and by repository, repositories by findings), the text search, and print
// media showing every finding with its evidence and dependency path.
// A screenshot of the page is saved under the test's artifact directory
// and, with -update, to docs/html-report.png, the one the README shows.
func TestHTMLBrowser(t *testing.T) {
	requireParts(t)
	bin := chromium(t)
	exe := buildDepsweep(t)
	work := t.TempDir()
	copyTree(t, "../../testdata/demo-fleet", filepath.Join(work, "testdata", "demo-fleet"))
	copyTree(t, "../../testdata/fixtures/registry", filepath.Join(work, "testdata", "fixtures", "registry"))
	page := demoScan(t, exe, work, "html")
	rep, err := report.ReadFile(demoScan(t, exe, work, "json"))
	if err != nil {
		t.Fatal(err)
	}
	if len(rep.Findings) < 2 {
		t.Fatalf("the demo scan has %d findings: the browser test needs a fleet with several", len(rep.Findings))
	}
	bySeverity := map[string]int{}
	var ids []string
	for _, f := range rep.Findings {
		if _, ok := severityRank[f.Severity]; !ok {
			t.Fatalf("finding %s has severity %q", f.ID, f.Severity)
		}
		bySeverity[f.Severity]++
		ids = append(ids, f.ID)
	}
	slices.Sort(ids)
	if len(bySeverity) < 2 {
		t.Fatalf("the demo scan's findings are all %v: the severity filter cannot be told from no filter", bySeverity)
	}

	opts := append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(bin),
		chromedp.NoSandbox, // root in CI containers
		chromedp.WindowSize(1400, 1000),
		chromedp.Flag("disable-gpu", true),
		chromedp.UserDataDir(filepath.Join(t.TempDir(), "profile")),
	)
	var mu sync.Mutex
	var consoleErrors, requests []string
	listen := func(ev any) {
		mu.Lock()
		defer mu.Unlock()
		switch ev := ev.(type) {
		case *runtime.EventConsoleAPICalled:
			if ev.Type == runtime.ConsoleAPICalledTypeError || ev.Type == runtime.ConsoleAPICalledTypeWarning {
				var args []string
				for _, a := range ev.Args {
					args = append(args, string(a.Value)+a.Description)
				}
				consoleErrors = append(consoleErrors, string(ev.Type)+": "+strings.Join(args, " "))
			}
		case *runtime.EventExceptionThrown:
			consoleErrors = append(consoleErrors, "exception: "+ev.ExceptionDetails.Text)
		case *cdplog.EventEntryAdded:
			// What the browser itself logs: a blocked or failed load, a
			// Content-Security-Policy violation.
			if ev.Entry.Level == cdplog.EntryLevelError || ev.Entry.Level == cdplog.EntryLevelWarning {
				consoleErrors = append(consoleErrors, string(ev.Entry.Level)+" ("+string(ev.Entry.Source)+"): "+ev.Entry.Text)
			}
		case *network.EventRequestWillBeSent:
			requests = append(requests, ev.Request.URL)
		}
	}
	actx, cancelA := chromedp.NewExecAllocator(context.Background(), opts...)
	defer cancelA()
	ctx, cancel := chromedp.NewContext(actx, chromedp.WithListener(listen))
	defer cancel()
	ctx, cancelT := context.WithTimeout(ctx, 90*time.Second)
	defer cancelT()

	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	eval := func(js string) int {
		t.Helper()
		n, err := chromedp.Run(ctx, chromedp.Evaluate[int](js))
		must(err)
		return n
	}
	strs := func(js string) []string {
		t.Helper()
		s, err := chromedp.Run(ctx, chromedp.Evaluate[[]string](js))
		must(err)
		return s
	}
	// visibleIDs are the ids of the finding rows the page renders, sorted.
	visibleIDs := func() []string {
		t.Helper()
		s := strs(`Array.from(document.querySelectorAll("tr.finding")).filter(e => e.getClientRects().length > 0).map(e => e.dataset.findingId)`)
		slices.Sort(s)
		return s
	}
	visibleRepos := func() []string {
		t.Helper()
		s := strs(`Array.from(document.querySelectorAll("#repo-table tbody tr")).filter(e => e.getClientRects().length > 0).map(e => e.dataset.repo)`)
		slices.Sort(s)
		return s
	}
	// want returns the sorted ids and repositories of the JSON report's
	// findings that keep says are shown.
	want := func(keep func(report.Finding) bool) (ids, repos []string) {
		seen := map[string]bool{}
		for _, f := range rep.Findings {
			if keep(f) {
				ids = append(ids, f.ID)
				if !seen[f.Repo] {
					seen[f.Repo] = true
					repos = append(repos, f.Repo)
				}
			}
		}
		slices.Sort(ids)
		slices.Sort(repos)
		return ids, repos
	}
	setSeverity := func(v string) {
		t.Helper()
		must(chromedp.Do(ctx, chromedp.SetValue(chromedp.CSS("#f-severity"), v)))
		eval(`document.getElementById("f-severity").dispatchEvent(new Event("change")); 0`)
	}

	must(chromedp.Do(ctx, chromedp.Navigate("file://"+page), chromedp.WaitVisible(chromedp.CSS("#findings"))))
	allIDs, allRepos := want(func(report.Finding) bool { return true })

	// One element per finding, the same ids as the JSON report.
	elements := strs(`Array.from(document.querySelectorAll("[data-finding-id]")).map(e => e.dataset.findingId)`)
	slices.Sort(elements)
	if !slices.Equal(elements, ids) {
		t.Errorf("data-finding-id elements %q, want the JSON report's finding ids %q", elements, ids)
	}
	if got := visibleIDs(); !slices.Equal(got, allIDs) {
		t.Errorf("finding rows visible before filtering %q, want all %q", got, allIDs)
	}
	if got := visibleRepos(); !slices.Equal(got, allRepos) {
		t.Errorf("repository rows visible before filtering %q, want %q", got, allRepos)
	}
	// The cards count the findings by severity, and the per-repository
	// table says what the JSON report's repos[].summary says.
	cards := strs(`Array.from(document.querySelectorAll("[data-severity-card]")).map(e => e.dataset.severityCard + " " + e.querySelector(".n").textContent)`)
	var wantCards []string
	for sev := range severityRank {
		wantCards = append(wantCards, fmt.Sprintf("%s %d", sev, rep.Summary.BySeverity[sev]))
	}
	slices.Sort(cards)
	slices.Sort(wantCards)
	if !slices.Equal(cards, wantCards) {
		t.Errorf("severity cards %q, want %q (summary.by_severity)", cards, wantCards)
	}
	repoRows := strs(`Array.from(document.querySelectorAll("#repo-table tbody tr")).map(e => [e.dataset.repo, e.dataset.severity, e.cells[4].textContent, e.cells[5].textContent, e.cells[6].textContent, e.cells[7].textContent].join("|"))`)
	var wantRows []string
	for _, r := range rep.Repos {
		if s := r.Summary; s != nil {
			wantRows = append(wantRows, fmt.Sprintf("%s|%s|%s|%d|%d|%s", r.Path, s.Severity, strings.Join(s.Packages, " "), s.Findings, s.Lockfiles, s.Scope))
		}
	}
	slices.Sort(repoRows)
	slices.Sort(wantRows)
	if !slices.Equal(repoRows, wantRows) {
		t.Errorf("repository rows (repo|worst|packages|findings|lockfiles|scope)\n%q\nwant, from repos[].summary,\n%q", repoRows, wantRows)
	}
	shot, err := chromedp.Run(ctx, chromedp.FullScreenshot(100))
	must(err)

	// Each severity filter shows exactly the findings it names: "X and
	// above" those at least as severe as X, "X" those of severity X.
	type option struct{ Value, Label string }
	options, err := chromedp.Run(ctx, chromedp.Evaluate[[]option](`Array.from(document.querySelectorAll("#f-severity option")).map(o => ({Value: o.value, Label: o.textContent}))`))
	must(err)
	tried := map[string]bool{}
	for _, o := range options {
		if o.Value == "" {
			continue
		}
		sev, atLeast := strings.CutSuffix(o.Label, " and above")
		if _, ok := severityRank[sev]; !ok {
			t.Errorf("severity filter option %q (value %q) names no severity", o.Label, o.Value)
			continue
		}
		if !atLeast {
			tried[sev] = true
		}
		wantIDs, wantRepos := want(func(f report.Finding) bool {
			if atLeast {
				return severityRank[f.Severity] >= severityRank[sev]
			}
			return f.Severity == sev
		})
		setSeverity(o.Value)
		if got := visibleIDs(); !slices.Equal(got, wantIDs) {
			t.Errorf("severity filter %q: finding rows visible %q, want %q", o.Label, got, wantIDs)
		}
		if got := visibleRepos(); !slices.Equal(got, wantRepos) {
			t.Errorf("severity filter %q: repository rows visible %q, want %q", o.Label, got, wantRepos)
		}
		count := strs(`[document.getElementById("f-count").textContent]`)[0]
		if w := fmt.Sprintf("%d of %d findings shown", len(wantIDs), len(ids)); count != w {
			t.Errorf("severity filter %q: count says %q, want %q", o.Label, count, w)
		}
	}
	for sev := range bySeverity {
		if !tried[sev] {
			t.Errorf("the severity filter has no option for %s alone, a severity of the demo scan", sev)
		}
	}
	setSeverity("")
	if got := visibleIDs(); !slices.Equal(got, allIDs) {
		t.Errorf("after clearing the severity filter, finding rows visible %q, want all", got)
	}

	// Sorting: by severity, ascending then descending, and by repository.
	rowSeverities := func() []string {
		return strs(`Array.from(document.querySelectorAll("#finding-table tbody tr")).map(e => e.dataset.severity)`)
	}
	must(chromedp.Do(ctx, chromedp.Click(chromedp.CSS("#finding-table th[data-key=severity]"))))
	asc := rowSeverities()
	if !slices.IsSortedFunc(asc, func(a, b string) int { return cmp.Compare(severityRank[a], severityRank[b]) }) || len(asc) != len(ids) {
		t.Errorf("after sorting by severity, ascending, rows are %q", asc)
	}
	must(chromedp.Do(ctx, chromedp.Click(chromedp.CSS("#finding-table th[data-key=severity]"))))
	desc := rowSeverities()
	if !slices.IsSortedFunc(desc, func(a, b string) int { return cmp.Compare(severityRank[b], severityRank[a]) }) || len(desc) != len(ids) {
		t.Errorf("after sorting by severity, descending, rows are %q", desc)
	}
	must(chromedp.Do(ctx, chromedp.Click(chromedp.CSS("#finding-table thead th:nth-child(3)"))))
	byRepo := strs(`Array.from(document.querySelectorAll("#finding-table tbody tr")).map(e => e.dataset.repo)`)
	if !slices.IsSorted(byRepo) || len(byRepo) != len(ids) {
		t.Errorf("after sorting by repository, rows are %q", byRepo)
	}
	must(chromedp.Do(ctx, chromedp.Click(chromedp.CSS("#repo-table th[data-key=number]"))))
	counts := strs(`Array.from(document.querySelectorAll("#repo-table tbody tr")).map(e => e.cells[5].textContent.padStart(9, "0"))`)
	if !slices.IsSorted(counts) || len(counts) != len(allRepos) || counts[0] == counts[len(counts)-1] {
		t.Errorf("after sorting repositories by findings, the counts are %q", counts)
	}

	// The text search narrows the rows to those that mention it, whatever
	// its case: a repository holding some of the findings, not all.
	var query string
	for _, f := range rep.Findings {
		if n, _ := want(func(g report.Finding) bool { return g.Repo == f.Repo }); len(n) < len(ids) {
			query = f.Repo
			break
		}
	}
	if query == "" {
		t.Fatal("every finding of the demo scan is in one repository: the search has nothing to narrow")
	}
	wantIDs, wantRepos := want(func(f report.Finding) bool { return f.Repo == query })
	must(chromedp.Do(ctx, chromedp.SendKeys(chromedp.CSS("#f-text"), strings.ToUpper(query))))
	if got := visibleIDs(); !slices.Equal(got, wantIDs) {
		t.Errorf("search %q: finding rows visible %q, want %q", strings.ToUpper(query), got, wantIDs)
	}
	if got := visibleRepos(); !slices.Equal(got, wantRepos) {
		t.Errorf("search %q: repository rows visible %q, want %q", strings.ToUpper(query), got, wantRepos)
	}

	// Printed, with the search still narrowing the screen, the page shows
	// every finding, its evidence and its dependency path rendered.
	must(chromedp.Do(ctx, chromedp.Func(func(ctx context.Context, tg *chromedp.Target) error {
		_, err := cdp.Call(ctx, tg, emulation.SetEmulatedMedia, emulation.SetEmulatedMediaParams{Media: "print"})
		return err
	})))
	if got := visibleIDs(); !slices.Equal(got, allIDs) {
		t.Errorf("printed, finding rows shown %q, want every finding %q", got, allIDs)
	}
	printed := map[string]string{}
	for _, row := range strs(`Array.from(document.querySelectorAll("tr.finding")).filter(e => e.getClientRects().length > 0).map(e => e.dataset.findingId + "\t" + e.innerText)`) {
		id, text, _ := strings.Cut(row, "\t")
		printed[id] = text
	}
	for _, f := range rep.Findings {
		text := printed[f.ID]
		for _, part := range append([]string{f.Evidence, f.Package.Name + "@" + f.Package.Version}, f.Path...) {
			if !strings.Contains(text, part) {
				t.Errorf("printed, finding %s does not show %q; it reads %q", f.ID, part, text)
			}
		}
	}
	if n := eval(`document.querySelectorAll("details:not([open])").length`); n != 0 {
		t.Errorf("printed, %d <details> elements are closed", n)
	}

	mu.Lock()
	defer mu.Unlock()
	if len(consoleErrors) > 0 {
		t.Errorf("console errors: %q", consoleErrors)
	}
	for _, u := range requests {
		if u != "file://"+page {
			t.Errorf("network request to %s: the report must work offline", u)
		}
	}
	if !slices.Contains(requests, "file://"+page) {
		t.Errorf("no request seen for the page itself (requests %q): the test cannot see the page's requests", requests)
	}

	dir := artifactDir(t)
	out := filepath.Join(dir, "html-report.png")
	if *update {
		out = "../../docs/html-report.png"
	}
	must(os.WriteFile(out, shot, 0o644))
	t.Logf("screenshot: %s (%d bytes)", out, len(shot))
	if b, err := os.ReadFile(page); err == nil {
		os.WriteFile(filepath.Join(dir, "report.html"), b, 0o644)
	}
}
