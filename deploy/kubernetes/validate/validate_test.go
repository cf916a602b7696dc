package validate

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"

	batchv1 "k8s.io/api/batch/v1"
	corev1 "k8s.io/api/core/v1"
	"sigs.k8s.io/yaml"
)

// docs splits a manifest file into its YAML documents.
func docs(t *testing.T, name string) [][]byte {
	t.Helper()
	b, err := os.ReadFile(name)
	if err != nil {
		t.Fatal(err)
	}
	var out [][]byte
	for _, d := range bytes.Split(b, []byte("\n---\n")) {
		if len(bytes.TrimSpace(d)) > 0 {
			out = append(out, d)
		}
	}
	return out
}

// decodeStrict converts one YAML document to JSON and decodes it into v,
// refusing unknown fields and trailing data.
func decodeStrict(doc []byte, v any) error {
	js, err := yaml.YAMLToJSONStrict(doc)
	if err != nil {
		return err
	}
	dec := json.NewDecoder(bytes.NewReader(js))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return err
	}
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		return errors.New("trailing data after the object")
	}
	return nil
}

type typeMeta struct {
	APIVersion string `json:"apiVersion"`
	Kind       string `json:"kind"`
}

// manifests decodes every document of every *.yaml under deploy/kubernetes
// into its API type and returns the pod templates by object name.
func manifests(t *testing.T) (jobs map[string]*batchv1.Job, crons map[string]*batchv1.CronJob) {
	t.Helper()
	files, err := filepath.Glob("../*.yaml")
	if err != nil || len(files) == 0 {
		t.Fatalf("no manifests under deploy/kubernetes (%v)", err)
	}
	jobs, crons = map[string]*batchv1.Job{}, map[string]*batchv1.CronJob{}
	for _, f := range files {
		for i, d := range docs(t, f) {
			var tm typeMeta
			if err := yaml.Unmarshal(d, &tm); err != nil {
				t.Fatalf("%s: document %d: %v", f, i+1, err)
			}
			switch tm.APIVersion + " " + tm.Kind {
			case "batch/v1 Job":
				var j batchv1.Job
				if err := decodeStrict(d, &j); err != nil {
					t.Fatalf("%s: document %d (Job): %v", f, i+1, err)
				}
				jobs[j.Name] = &j
			case "batch/v1 CronJob":
				var c batchv1.CronJob
				if err := decodeStrict(d, &c); err != nil {
					t.Fatalf("%s: document %d (CronJob): %v", f, i+1, err)
				}
				crons[c.Name] = &c
			default:
				t.Fatalf("%s: document %d: unexpected %s %s: add it to this test", f, i+1, tm.APIVersion, tm.Kind)
			}
		}
	}
	return jobs, crons
}

func TestManifestsDecodeStrictly(t *testing.T) {
	jobs, crons := manifests(t)
	for _, name := range []string{"depsweep-shards", "depsweep-merge"} {
		if jobs[name] == nil {
			t.Errorf("Job %s not found", name)
		}
	}
	if crons["depsweep-nightly"] == nil {
		t.Error("CronJob depsweep-nightly not found")
	}
	// The strict decoder itself must refuse a misspelt field, or the test
	// above proves nothing.
	bad := []byte("apiVersion: batch/v1\nkind: Job\nmetadata: {name: x}\nspec: {completion: 3}\n")
	if err := decodeStrict(bad, &batchv1.Job{}); err == nil {
		t.Error("a Job with the unknown field spec.completion decoded")
	}
}

// containers lists a pod's init containers and containers.
func containers(p corev1.PodSpec) []corev1.Container {
	return append(slices.Clone(p.InitContainers), p.Containers...)
}

func noShell(t *testing.T, what string, p corev1.PodSpec) {
	t.Helper()
	for _, c := range containers(p) {
		if len(c.Command) > 0 {
			t.Errorf("%s: container %s sets a command %q: the image has no shell; use the entrypoint and args", what, c.Name, c.Command)
		}
	}
}

func hasArg(c corev1.Container, arg string) bool { return slices.Contains(c.Args, arg) }

// TestShardsCannotLoop checks the failure policy of the sharded sweep: a
// shard never fails on findings (--fail-on=none), and no exit code is
// ignored (an ignored failure is not counted, so the pod is replaced for
// ever). A pod failure is either counted or fails its index.
func TestShardsCannotLoop(t *testing.T) {
	jobs, _ := manifests(t)
	j := jobs["depsweep-shards"]
	if j == nil {
		t.Fatal("Job depsweep-shards not found")
	}
	s := j.Spec
	if s.CompletionMode == nil || *s.CompletionMode != batchv1.IndexedCompletion {
		t.Error("shards: completionMode must be Indexed (--shard /N reads JOB_COMPLETION_INDEX)")
	}
	if s.BackoffLimitPerIndex == nil {
		t.Error("shards: backoffLimitPerIndex must bound retries per shard")
	}
	c := s.Template.Spec.Containers[0]
	if c.Args[0] != "scan" || !hasArg(c, "--fail-on=none") {
		t.Errorf("shards: want `scan ... --fail-on=none`, got %q", c.Args)
	}
	n := *s.Completions
	if !hasArg(c, "--shard=/"+strconv.Itoa(int(n))) {
		t.Errorf("shards: want --shard=/%d for %d completions, got %q", n, n, c.Args)
	}
	if s.PodFailurePolicy == nil {
		t.Fatal("shards: no podFailurePolicy")
	}
	for i, r := range s.PodFailurePolicy.Rules {
		if r.Action == batchv1.PodFailurePolicyActionIgnore {
			t.Errorf("shards: rule %d ignores failures (%+v): an ignored failure replaces the pod for ever", i, r)
		}
	}
	// Exit 1 and 2, whichever a future flag makes a shard return, must end in
	// FailIndex or Count, never in an endless replacement.
	for _, code := range []int32{1, 2} {
		if a := actionFor(s.PodFailurePolicy.Rules, c.Name, code); a != batchv1.PodFailurePolicyActionFailIndex && a != batchv1.PodFailurePolicyActionCount && a != "" {
			t.Errorf("shards: exit %d → %s", code, a)
		}
	}
	noShell(t, "shards", s.Template.Spec)
}

// actionFor returns the action of the first rule that matches a container's
// exit code, as the Job controller applies them, or "" (counted).
func actionFor(rules []batchv1.PodFailurePolicyRule, container string, code int32) batchv1.PodFailurePolicyAction {
	for _, r := range rules {
		on := r.OnExitCodes
		if on == nil || (on.ContainerName != nil && *on.ContainerName != container) {
			continue
		}
		in := slices.Contains(on.Values, code)
		if (on.Operator == batchv1.PodFailurePolicyOnExitCodesOpIn) == in {
			return r.Action
		}
	}
	return ""
}

// TestMergeAfterShards checks that the merge is its own Job (applied after
// the shards end, as the README orders), reads this sweep's directory only,
// and that the step that decides the exit code runs last.
func TestMergeAfterShards(t *testing.T) {
	jobs, _ := manifests(t)
	shards, merge := jobs["depsweep-shards"], jobs["depsweep-merge"]
	if shards == nil || merge == nil {
		t.Fatal("shards or merge Job missing")
	}
	sweep := func(p corev1.PodSpec) string {
		for _, c := range containers(p) {
			for _, e := range c.Env {
				if e.Name == "SWEEP" {
					return e.Value
				}
			}
		}
		return ""
	}
	if a, b := sweep(shards.Spec.Template.Spec), sweep(merge.Spec.Template.Spec); a == "" || a != b {
		t.Errorf("SWEEP differs between shards (%q) and merge (%q): the merge would read another sweep's files", a, b)
	}
	p := merge.Spec.Template.Spec
	if len(p.InitContainers) != 1 || p.InitContainers[0].Args[0] != "merge" || !hasArg(p.InitContainers[0], "--fail-on=none") {
		t.Errorf("merge: want one init container `merge --fail-on=none ...`, got %+v", p.InitContainers)
	}
	if len(p.Containers) != 1 || p.Containers[0].Args[0] != "convert" {
		t.Errorf("merge: want the convert step last, got %+v", p.Containers)
	}
	for _, c := range containers(p) {
		for _, a := range c.Args {
			if strings.ContainsAny(a, "*?") {
				t.Errorf("merge: %s has a glob %q: nothing expands it without a shell", c.Name, a)
			}
		}
	}
	noShell(t, "merge", p)
}

func TestNightlyNoShell(t *testing.T) {
	_, crons := manifests(t)
	c := crons["depsweep-nightly"]
	if c == nil {
		t.Fatal("CronJob depsweep-nightly missing")
	}
	p := c.Spec.JobTemplate.Spec.Template.Spec
	noShell(t, "nightly", p)
	ct := p.Containers[0]
	if !hasArg(ct, "--baseline=/reports/latest.json") || !hasArg(ct, "--output=/reports/latest.json") {
		t.Errorf("nightly: the report must replace its own baseline, got %q", ct.Args)
	}
}
