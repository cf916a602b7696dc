package main

import (
	"bytes"
	"context"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"

	"gopkg.in/yaml.v3"
)

// The scheduler examples in deploy/ are documentation users copy: these
// tests parse each one, check the fields the README promises, and check that
// every depsweep command line in them uses flags depsweep has.

const deployDir = "../../deploy"

func readDeploy(t *testing.T, name string) string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(deployDir, name))
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// yamlDocs decodes every document of a YAML file.
func yamlDocs(t *testing.T, name string) []map[string]any {
	t.Helper()
	dec := yaml.NewDecoder(strings.NewReader(readDeploy(t, name)))
	var docs []map[string]any
	for {
		var d map[string]any
		err := dec.Decode(&d)
		if errors.Is(err, os.ErrNotExist) || (err != nil && err.Error() == "EOF") {
			break
		}
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		docs = append(docs, d)
	}
	if len(docs) == 0 {
		t.Fatalf("%s: no YAML documents", name)
	}
	return docs
}

// dig walks m by keys (string keys, or int indexes into lists).
func dig(t *testing.T, v any, keys ...any) any {
	t.Helper()
	for _, k := range keys {
		switch k := k.(type) {
		case string:
			m, ok := v.(map[string]any)
			if !ok {
				t.Fatalf("at %q: not a mapping", k)
			}
			v = m[k]
		case int:
			l, ok := v.([]any)
			if !ok || k >= len(l) {
				t.Fatalf("at [%d]: not a list that long", k)
			}
			v = l[k]
		}
	}
	return v
}

var cronRE = regexp.MustCompile(`^(\S+\s+){4}\S+$`)

// containerArgs returns the args of every container and init container in
// a Kubernetes object, by container name, whatever the object's kind.
func containerArgs(v any, out map[string][]string) {
	switch v := v.(type) {
	case map[string]any:
		for k, c := range v {
			if k != "containers" && k != "initContainers" {
				containerArgs(c, out)
				continue
			}
			for _, ct := range c.([]any) {
				m := ct.(map[string]any)
				var args []string
				for _, a := range m["args"].([]any) {
					args = append(args, a.(string))
				}
				out[m["name"].(string)] = args
			}
		}
	case []any:
		for _, c := range v {
			containerArgs(c, out)
		}
	}
}

// The strict decoding of every manifest into the Kubernetes API types, and
// the failure-policy checks, are in deploy/kubernetes/validate (a module of
// its own, so depsweep does not depend on the Kubernetes packages).
func TestDeployKubernetes(t *testing.T) {
	cron := yamlDocs(t, "kubernetes/cronjob.yaml")
	if len(cron) != 1 || cron[0]["kind"] != "CronJob" || cron[0]["apiVersion"] != "batch/v1" {
		t.Fatalf("cronjob.yaml: want one batch/v1 CronJob")
	}
	if s, _ := dig(t, cron[0], "spec", "schedule").(string); !cronRE.MatchString(s) {
		t.Errorf("cronjob.yaml: schedule %q is not a 5-field cron expression", s)
	}
	if p := dig(t, cron[0], "spec", "concurrencyPolicy"); p != "Forbid" {
		t.Errorf("cronjob.yaml: concurrencyPolicy = %v, want Forbid (two sweeps must not race on the baseline)", p)
	}
	args := map[string][]string{}
	containerArgs(cron[0], args)
	nightly := strings.Join(args["depsweep"], " ")
	if !strings.Contains(nightly, "--baseline") || !strings.Contains(nightly, "--fail-on-new") {
		t.Errorf("cronjob.yaml: the audit does not compare with a baseline: %q", nightly)
	}

	jobs := yamlDocs(t, "kubernetes/indexed-job.yaml")
	if len(jobs) != 1 || jobs[0]["kind"] != "Job" {
		t.Fatalf("indexed-job.yaml: want one Job (the shards; the merge is merge-job.yaml)")
	}
	if m := dig(t, jobs[0], "spec", "completionMode"); m != "Indexed" {
		t.Errorf("indexed-job.yaml: completionMode = %v, want Indexed", m)
	}
	n, _ := dig(t, jobs[0], "spec", "completions").(int)
	if n < 2 {
		t.Errorf("indexed-job.yaml: completions = %d, want 2 or more", n)
	}
	args = map[string][]string{}
	containerArgs(jobs[0], args)
	if !slices.Contains(args["depsweep"], "--shard=/"+strconv.Itoa(n)) {
		t.Errorf("indexed-job.yaml: args %q lack --shard=/%d matching completions", args["depsweep"], n)
	}
	merge := yamlDocs(t, "kubernetes/merge-job.yaml")
	args = map[string][]string{}
	containerArgs(merge[0], args)
	if len(args["merge"]) == 0 || args["merge"][0] != "merge" {
		t.Errorf("merge-job.yaml: the init container does not run depsweep merge: %q", args["merge"])
	}

	// kubectl's client-side dry run still asks an API server for the
	// schema; run it only when one answers.
	if _, err := exec.LookPath("kubectl"); err == nil {
		for _, f := range []string{"kubernetes/cronjob.yaml", "kubernetes/indexed-job.yaml", "kubernetes/merge-job.yaml"} {
			out, err := exec.Command("kubectl", "create", "--dry-run=client", "-o", "yaml", "-f", filepath.Join(deployDir, f)).CombinedOutput()
			if err != nil && bytes.Contains(out, []byte("connection refused")) {
				t.Logf("kubectl: no API server, %s checked by parsing only", f)
				continue
			}
			if err != nil {
				t.Errorf("kubectl create --dry-run=client -f %s: %v\n%s", f, err, out)
			}
		}
	}
}

func TestDeployGitHubActions(t *testing.T) {
	wf := yamlDocs(t, "github/depsweep.yml")[0]
	// yaml.v3 decodes the key "on" as a string (YAML 1.2), not as true.
	if s, _ := dig(t, wf, "on", "schedule", 0, "cron").(string); !cronRE.MatchString(s) {
		t.Errorf("depsweep.yml: schedule cron %q is not a 5-field cron expression", s)
	}
	if p := dig(t, wf, "jobs", "scan", "permissions", "security-events"); p != "write" {
		t.Errorf("depsweep.yml: security-events permission = %v, want write (SARIF upload)", p)
	}
	var sarifOut, uploaded string
	for _, st := range dig(t, wf, "jobs", "scan", "steps").([]any) {
		step := st.(map[string]any)
		if run, ok := step["run"].(string); ok {
			if m := regexp.MustCompile(`depsweep scan .*--format sarif --output (\S+)`).FindStringSubmatch(run); m != nil {
				sarifOut = m[1]
			}
		}
		if uses, _ := step["uses"].(string); strings.HasPrefix(uses, "github/codeql-action/upload-sarif@") {
			uploaded, _ = dig(t, step, "with", "sarif_file").(string)
		}
	}
	if sarifOut == "" || sarifOut != uploaded {
		t.Errorf("depsweep.yml: scan writes SARIF to %q, upload-sarif reads %q", sarifOut, uploaded)
	}
	if _, err := exec.LookPath("actionlint"); err == nil {
		if out, err := exec.Command("actionlint", filepath.Join(deployDir, "github/depsweep.yml")).CombinedOutput(); err != nil {
			t.Errorf("actionlint: %v\n%s", err, out)
		}
	}
}

func TestDeploySystemd(t *testing.T) {
	svc := readDeploy(t, "systemd/depsweep.service")
	timer := readDeploy(t, "systemd/depsweep.timer")
	for _, want := range []string{"Type=oneshot", "ExecStart="} {
		if !strings.Contains(svc, want) {
			t.Errorf("depsweep.service lacks %s", want)
		}
	}
	if !strings.Contains(timer, "OnCalendar=") || !strings.Contains(timer, "WantedBy=timers.target") {
		t.Errorf("depsweep.timer lacks OnCalendar= or WantedBy=timers.target")
	}
	if _, err := exec.LookPath("systemd-analyze"); err != nil {
		t.Log("systemd-analyze not found: units checked by content only")
		return
	}
	// verify checks that ExecStart's program exists: point it at this
	// test binary, which does.
	dir := t.TempDir()
	self, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	os.WriteFile(filepath.Join(dir, "depsweep.service"), []byte(strings.ReplaceAll(svc, "/usr/local/bin/depsweep", self)), 0o644)
	os.WriteFile(filepath.Join(dir, "depsweep.timer"), []byte(timer), 0o644)
	cmd := exec.Command("systemd-analyze", "verify", filepath.Join(dir, "depsweep.service"), filepath.Join(dir, "depsweep.timer"))
	out, err := cmd.CombinedOutput()
	if err != nil || len(bytes.TrimSpace(out)) > 0 {
		t.Errorf("systemd-analyze verify: %v\n%s", err, out)
	}
	if c := exec.Command("systemd-analyze", "calendar", "*-*-* 02:17:00 UTC"); c.Run() != nil {
		t.Errorf("systemd-analyze calendar rejects the timer's OnCalendar")
	}
}

// depsweepCmdRE finds depsweep command lines, with shell continuations.
var depsweepCmdRE = regexp.MustCompile(`depsweep (scan|merge|convert|sbom|feed update)((?:[^\n\\']|\\\n)*)`)

// shellFlagsRE finds scan flags kept in shell variables or set -- lists.
var shellFlagsRE = regexp.MustCompile(`(?:base="|set -- )([^";]*)`)

// TestDeployFlags checks every depsweep command line in the examples
// against the command's real flags.
func TestDeployFlags(t *testing.T) {
	files, _ := filepath.Glob(filepath.Join(deployDir, "*", "*"))
	if len(files) < 5 {
		t.Fatalf("deploy: %d example files, want at least 5", len(files))
	}
	lines := 0
	for _, f := range files {
		if fi, err := os.Stat(f); err != nil || !fi.Mode().IsRegular() {
			continue // deploy/kubernetes/validate: the manifests' own tests
		}
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		if strings.HasSuffix(f, ".yaml") && strings.Contains(f, "kubernetes") {
			for _, d := range yamlDocs(t, strings.TrimPrefix(f, deployDir+"/")) {
				args := map[string][]string{}
				containerArgs(d, args)
				for _, a := range args {
					cmd, rest := a[0], a[1:]
					if cmd == "feed" && len(rest) > 0 && !strings.HasPrefix(rest[0], "-") {
						cmd, rest = cmd+" "+rest[0], rest[1:] // a subcommand: its own flags
					}
					checkFlags(t, f, cmd, strings.Join(rest, " "))
					lines++
				}
			}
		}
		for _, m := range depsweepCmdRE.FindAllStringSubmatch(string(b), -1) {
			checkFlags(t, f, m[1], m[2])
			lines++
		}
		for _, m := range shellFlagsRE.FindAllStringSubmatch(string(b), -1) {
			checkFlags(t, f, "scan", m[1])
		}
	}
	if lines < 5 {
		t.Errorf("found %d depsweep command lines in deploy/, want at least 5", lines)
	}
}

var flagTokenRE = regexp.MustCompile(`(?:^|\s)--([a-z][a-z0-9-]*)`)

// checkFlags checks that every --flag in args is one of cmd's flags, as
// 'depsweep cmd --help' lists them.
func checkFlags(t *testing.T, file, cmd, args string) {
	t.Helper()
	var out, errb bytes.Buffer
	if code := run(context.Background(), append(strings.Fields(cmd), "--help"), nil, &out, &errb); code != 0 {
		t.Fatalf("depsweep %s --help exited %d: %s", cmd, code, errb.String())
	}
	for _, m := range flagTokenRE.FindAllStringSubmatch(args, -1) {
		if !regexp.MustCompile(`(?m)^\s+(-\w, )?--` + regexp.QuoteMeta(m[1]) + `\b`).Match(out.Bytes()) {
			t.Errorf("%s: depsweep %s has no flag --%s", file, cmd, m[1])
		}
	}
}
