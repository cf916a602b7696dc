package report

import (
	"bytes"
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/cdproto/runtime"
	"github.com/chromedp/chromedp"
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

// TestHTMLBrowser loads the HTML report of the incident sample from file://
// in headless Chromium: no console error, no network request, one element
// per finding, the severity filter hides exactly the rows it should, and a
// screenshot is saved (with -update, to docs/html-report.png for the
// README; otherwise under $DEPSWEEP_TEST_OUTPUT, or the temporary
// directory).
func TestHTMLBrowser(t *testing.T) {
	bin := chromium(t)
	r := samples(t)["incident"]
	dir := t.TempDir()
	page := filepath.Join(dir, "report.html")
	var b bytes.Buffer
	if err := WriteHTML(&b, r); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(page, b.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}

	opts := append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(bin),
		chromedp.NoSandbox, // root in CI containers
		chromedp.WindowSize(1400, 1000),
		chromedp.Flag("disable-gpu", true),
		chromedp.UserDataDir(filepath.Join(dir, "profile")),
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

	want := 0
	for _, f := range r.Findings {
		if f.Severity == "critical" {
			want++
		}
	}
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
	must(chromedp.Do(ctx, chromedp.Navigate("file://"+page), chromedp.WaitVisible(chromedp.CSS("#findings"))))
	const visible = `Array.from(document.querySelectorAll("tr.finding")).filter(e => e.offsetParent !== null).length`
	findings := eval(`document.querySelectorAll("[data-finding-id]").length`)
	visibleAll := eval(visible)
	shot, err := chromedp.Run(ctx, chromedp.FullScreenshot(100))
	must(err)
	must(chromedp.Do(ctx, chromedp.SetValue(chromedp.CSS("#f-severity"), "critical")))
	eval(`document.getElementById("f-severity").dispatchEvent(new Event("change")); 0`)
	visibleCritical := eval(visible)
	criticalOK := eval(`Array.from(document.querySelectorAll("tr.finding")).every(e => (e.offsetParent !== null) === (e.dataset.severity === "critical")) ? 1 : 0`) == 1
	visibleRepos := eval(`Array.from(document.querySelectorAll("#repo-table tbody tr")).filter(e => e.offsetParent !== null).length`)
	// Sorting by severity ascending puts the least severe first.
	must(chromedp.Do(ctx, chromedp.SetValue(chromedp.CSS("#f-severity"), "")))
	eval(`document.getElementById("f-severity").dispatchEvent(new Event("change")); document.querySelector("#finding-table th[data-key=severity]").click(); 0`)
	firstAsc, err := chromedp.Run(ctx, chromedp.Evaluate[string](`document.querySelector("#finding-table tbody tr").dataset.severity`))
	must(err)
	if firstAsc != "info" {
		t.Errorf("after sorting by severity, ascending, the first row is %s, want info", firstAsc)
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
	if findings != len(r.Findings) {
		t.Errorf("%d elements with data-finding-id, want one per finding (%d)", findings, len(r.Findings))
	}
	if visibleAll != len(r.Findings) {
		t.Errorf("%d finding rows visible before filtering, want %d", visibleAll, len(r.Findings))
	}
	if visibleCritical != want || !criticalOK {
		t.Errorf("severity filter critical: %d rows visible (want %d), only critical visible: %v", visibleCritical, want, criticalOK)
	}
	repos := map[string]bool{}
	for _, f := range r.Findings {
		if f.Severity == "critical" {
			repos[f.Repo] = true
		}
	}
	if visibleRepos != len(repos) {
		t.Errorf("severity filter critical: %d repository rows visible, want %d", visibleRepos, len(repos))
	}

	out := filepath.Join(cmpOr(os.Getenv("DEPSWEEP_TEST_OUTPUT"), os.TempDir()), "depsweep-html-report.png")
	if *update {
		out = "../../docs/html-report.png"
		os.MkdirAll(filepath.Dir(out), 0o755)
	}
	if err := os.WriteFile(out, shot, 0o644); err != nil {
		t.Fatal(err)
	}
	t.Logf("screenshot: %s (%d bytes)", out, len(shot))
}

func cmpOr(a, b string) string {
	if a != "" {
		return a
	}
	return b
}
