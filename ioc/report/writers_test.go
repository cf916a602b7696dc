package report

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// FuzzWriters feeds reports decoded from arbitrary JSON to every writer. The
// properties: no writer fails or panics, plain text carries no escape
// sequence, the SARIF output is JSON with one result per finding not
// resolved, and every Markdown table row has as many cells as its header.
func FuzzWriters(f *testing.F) {
	paths, _ := filepath.Glob(filepath.Join(reportsDir, "*.json"))
	if len(paths) == 0 {
		f.Fatal("no sample reports to seed the fuzzer")
	}
	for _, p := range paths {
		b, err := os.ReadFile(p)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
	f.Add([]byte(`{}`))
	f.Add([]byte(`{"findings":[{"severity":"bogus","package":{"name":"a|b\u001b[31m"},"path":null,"line":-3}]}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		var r Report
		if json.Unmarshal(data, &r) != nil {
			return
		}
		var text, md, sarif, page, csvOut bytes.Buffer
		if err := WriteText(&text, &r, TextOptions{}); err != nil {
			t.Fatal(err)
		}
		if strings.Contains(text.String(), "\x1b") {
			t.Fatalf("escape sequence in plain text:\n%q", text.String())
		}
		if err := WriteMarkdown(&md, &r); err != nil {
			t.Fatal(err)
		}
		checkTables(t, md.String())
		if err := WriteSARIF(&sarif, &r); err != nil {
			t.Fatal(err)
		}
		if err := WriteHTML(&page, &r); err != nil {
			t.Fatal(err)
		}
		if err := WriteCSV(&csvOut, &r); err != nil {
			t.Fatal(err)
		}
		var l sarifLog
		if err := json.Unmarshal(sarif.Bytes(), &l); err != nil {
			t.Fatalf("SARIF is not JSON: %v", err)
		}
		want := 0
		for _, f := range r.Findings {
			if f.Status != "resolved" {
				want++
			}
		}
		if got := len(l.Runs[0].Results); got != want {
			t.Fatalf("%d SARIF results for %d findings", got, want)
		}
		for _, res := range l.Runs[0].Results {
			if reg := res.Locations[0].PhysicalLocation.Region; reg == nil || reg.StartLine < 1 {
				t.Fatalf("result without a startLine ≥ 1: %+v", res.Locations[0])
			}
		}
	})
}

// checkTables checks that each Markdown table row has the header's cell count.
func checkTables(t *testing.T, md string) {
	t.Helper()
	want := -1
	for _, l := range strings.Split(md, "\n") {
		if !strings.HasPrefix(l, "|") {
			want = -1
			continue
		}
		n := len(cells(l))
		if want < 0 {
			want = n
		} else if n != want {
			t.Fatalf("table row has %d cells, header %d: %q", n, want, l)
		}
	}
}

// bigReport is the incident sample with its findings repeated to n.
func bigReport(b testing.TB, n int) *Report {
	b.Helper()
	data, err := os.ReadFile(filepath.Join(reportsDir, "incident.json"))
	if err != nil {
		b.Fatal(err)
	}
	var r Report
	if err := json.Unmarshal(data, &r); err != nil {
		b.Fatal(err)
	}
	base := r.Findings
	r.Findings = make([]Finding, 0, n)
	for i := 0; len(r.Findings) < n; i++ {
		f := base[i%len(base)]
		f.Repo = fmt.Sprintf("%s-%d", f.Repo, i)
		f.Lockfile = f.Repo + "/package-lock.json"
		f.ID = fmt.Sprintf("%016x", i)
		r.Findings = append(r.Findings, f)
	}
	r.Summary.Findings = n
	return &r
}

// The writers on a fleet-sized report: 10,000 findings.
func BenchmarkWriteText(b *testing.B) {
	r := bigReport(b, 10000)
	for b.Loop() {
		if err := WriteText(io.Discard, r, TextOptions{}); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkWriteMarkdown(b *testing.B) {
	r := bigReport(b, 10000)
	for b.Loop() {
		if err := WriteMarkdown(io.Discard, r); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkWriteSARIF(b *testing.B) {
	r := bigReport(b, 10000)
	for b.Loop() {
		if err := WriteSARIF(io.Discard, r); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkWriteJSON(b *testing.B) {
	r := bigReport(b, 10000)
	b.ReportAllocs()
	for b.Loop() {
		if err := WriteJSON(io.Discard, r); err != nil {
			b.Fatal(err)
		}
	}
}

// TestWriteJSONStreamed checks that WriteJSON, which encodes the report
// piece by piece, writes the bytes of one indenting Encoder over the whole
// report, on every sample report, a fleet-sized one, and reports with
// empty, nil and omitted members.
func TestWriteJSONStreamed(t *testing.T) {
	reports := samples(t)
	big := bigReport(t, 500)
	reports["big"] = big
	empty := *big
	empty.Findings, empty.Errors, empty.Repos, empty.Lockfiles = []Finding{}, nil, []Repo{}, nil
	empty.Interrupted, empty.Machine = true, &Machine{Name: "h"}
	reports["empty"] = &empty
	for name, r := range reports {
		var want bytes.Buffer
		enc := json.NewEncoder(&want)
		enc.SetEscapeHTML(false)
		enc.SetIndent("", "  ")
		if err := enc.Encode(r); err != nil {
			t.Fatal(err)
		}
		var got bytes.Buffer
		if err := WriteJSON(&got, r); err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(got.Bytes(), want.Bytes()) {
			t.Errorf("%s: WriteJSON differs from an indenting Encoder (%d bytes, want %d)", name, got.Len(), want.Len())
		}
	}
}

// TestSortFindings checks the in-place sort against a stable sort of the
// values, on shuffled fleet-sized lists with ties (findings equal in every
// field findingOrder compares but their position) and on short lists.
func TestSortFindings(t *testing.T) {
	big := bigReport(t, 300).Findings
	for i := range big {
		if i%7 == 0 {
			big[i].ID = big[i-i%14].ID // equal keys: stability decides their order
			big[i].Repo, big[i].Lockfile = big[i-i%14].Repo, big[i-i%14].Lockfile
			big[i].Evidence = fmt.Sprint("copy ", i) // not compared: tells the copies apart
		}
	}
	rng := rand.New(rand.NewPCG(1, 2))
	for _, n := range []int{0, 1, 2, 3, 10, 300} {
		for range 20 {
			fs := slices.Clone(big[:min(n, len(big))])
			rng.Shuffle(len(fs), func(i, j int) { fs[i], fs[j] = fs[j], fs[i] })
			want := slices.Clone(fs)
			slices.SortStableFunc(want, func(a, b Finding) int { return findingOrder(&a, &b) })
			sortFindings(fs)
			for i := range fs {
				if fs[i].ID != want[i].ID || fs[i].Evidence != want[i].Evidence {
					t.Fatalf("n=%d: position %d holds %s (%s), want %s (%s)", n, i, fs[i].ID, fs[i].Evidence, want[i].ID, want[i].Evidence)
				}
			}
		}
	}
}

// TestChunks checks the Builder's finding list across chunk boundaries:
// join keeps every element in order after what dst holds, and a pointer
// add returned still points at its element after later adds.
func TestChunks(t *testing.T) {
	var c chunks[int]
	var ptrs []*int
	for i := range 3*chunkLen + 5 {
		ptrs = append(ptrs, c.add(i))
	}
	for i, p := range ptrs {
		if *p != i {
			t.Fatalf("element %d reads %d after later adds", i, *p)
		}
	}
	got := c.join([]int{-1})
	if len(got) != 3*chunkLen+6 || got[0] != -1 {
		t.Fatalf("join: %d elements, first %d", len(got), got[0])
	}
	for i, v := range got[1:] {
		if v != i {
			t.Fatalf("join: element %d is %d", i, v)
		}
	}
	if got := (chunks[int]{}).join(nil); len(got) != 0 {
		t.Fatalf("empty join: %v", got)
	}
}
