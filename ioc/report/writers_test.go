package report

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"math/rand/v2"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"
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

// TestAppendFindingMatchesEncoder holds the hand-written finding encoder
// to encoding/json's indented bytes: on a finding with every field set
// (strings with escapes, non-ASCII and U+2028), the zero finding, a
// finding with each field alone set, at any depth (a pointer or slice on
// the way is made), each slice set but empty, and every sample report's
// findings. A field added to Finding, or to a type it holds, and not to
// the encoder fails here.
func TestAppendFindingMatchesEncoder(t *testing.T) {
	check := func(name string, f *Finding) {
		t.Helper()
		var want bytes.Buffer
		enc := json.NewEncoder(&want)
		enc.SetEscapeHTML(false)
		enc.SetIndent("", "  ")
		wantErr := enc.Encode(f)
		w := indented{}
		w.finding(f)
		if (w.err != nil) != (wantErr != nil) {
			t.Fatalf("%s: error %v, encoding/json's %v", name, w.err, wantErr)
		}
		if wantErr == nil && string(w.b) != strings.TrimSuffix(want.String(), "\n") {
			t.Fatalf("%s:\n%s\nencoding/json:\n%s", name, w.b, want.String())
		}
	}
	stamp := time.Date(2025, 9, 17, 12, 30, 45, 123456789, time.FixedZone("X", 5400))
	var fill func(v reflect.Value, name string)
	fill = func(v reflect.Value, name string) {
		switch {
		case v.Type() == reflect.TypeFor[time.Time]():
			v.Set(reflect.ValueOf(stamp))
		case v.Kind() == reflect.String:
			v.SetString(name + " \"q\" \\ \n\t é \u2028 <&>")
		case v.Kind() == reflect.Bool:
			v.SetBool(true)
		case v.Kind() == reflect.Int:
			v.SetInt(42)
		case v.Kind() == reflect.Pointer:
			v.Set(reflect.New(v.Type().Elem()))
			fill(v.Elem(), name)
		case v.Kind() == reflect.Slice:
			v.Set(reflect.MakeSlice(v.Type(), 2, 2))
			fill(v.Index(0), name+"[0]")
			fill(v.Index(1), name+"[1]")
		case v.Kind() == reflect.Struct:
			for i := range v.NumField() {
				fill(v.Field(i), name+"."+v.Type().Field(i).Name)
			}
		default:
			t.Fatalf("%s: a %s field; teach the test and indented.finding its encoding", name, v.Kind())
		}
	}
	var full Finding
	fill(reflect.ValueOf(&full).Elem(), "f")
	check("every field", &full)
	check("zero", &Finding{})

	// leaves calls visit for every field of v's type that is not a struct
	// (a time is one), with the path of field indexes to it.
	var leaves func(tp reflect.Type, path []int, visit func([]int))
	leaves = func(tp reflect.Type, path []int, visit func([]int)) {
		for tp.Kind() == reflect.Pointer || tp.Kind() == reflect.Slice {
			tp = tp.Elem()
		}
		if tp.Kind() != reflect.Struct || tp == reflect.TypeFor[time.Time]() {
			visit(path)
			return
		}
		for i := range tp.NumField() {
			leaves(tp.Field(i).Type, append(slices.Clone(path), i), visit)
		}
	}
	n := 0
	leaves(reflect.TypeFor[Finding](), nil, func(path []int) {
		n++
		var f Finding
		v := reflect.ValueOf(&f).Elem()
		name := "f"
		for k, i := range path {
			v = v.Field(i)
			name += "." + v.Type().Name() + "#" + strconv.Itoa(i)
			if k == len(path)-1 {
				break
			}
			for v.Kind() == reflect.Pointer || v.Kind() == reflect.Slice {
				if v.Kind() == reflect.Pointer {
					v.Set(reflect.New(v.Type().Elem()))
					v = v.Elem()
				} else {
					v.Set(reflect.MakeSlice(v.Type(), 1, 1))
					v = v.Index(0)
				}
			}
		}
		if v.Kind() == reflect.Slice {
			v.Set(reflect.MakeSlice(v.Type(), 0, 0))
			check(name+" empty", &f)
		}
		fill(v, name)
		check(name, &f)
	})
	if n < 50 {
		t.Fatalf("only %d leaf fields visited", n)
	}
	// A time encoding/json cannot encode ends the encoding with an error.
	bad := full
	year := time.Date(10000, 1, 1, 0, 0, 0, 0, time.UTC)
	bad.SeenAt = &year
	check("year 10000", &bad)
	for name, r := range samples(t) {
		for i := range r.Findings {
			check(name+" finding "+strconv.Itoa(i), &r.Findings[i])
		}
	}
}

// TestWriteJSONEncodingError: a finding encoding/json cannot encode (a
// year past 9999) fails WriteJSON with encoding/json's error, wherever it
// sits in a long list (the chunks are encoded concurrently and the
// writing stops at the first failed one) or a short one.
func TestWriteJSONEncodingError(t *testing.T) {
	year := time.Date(10000, 1, 1, 0, 0, 0, 0, time.UTC)
	for _, tc := range []struct{ n, bad int }{{500, 0}, {500, 300}, {500, 499}, {3, 1}} {
		r := bigReport(t, tc.n)
		r.Findings[tc.bad].SeenAt = &year
		var out bytes.Buffer
		err := WriteJSON(&out, r)
		if err == nil || !strings.Contains(err.Error(), "year outside of range") {
			t.Errorf("%d findings, finding %d unencodable: error %v", tc.n, tc.bad, err)
		}
	}
}
