package jsonindent

import (
	"bytes"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"testing"
)

// TestMatchesEncodingJSON: for every JSON report golden of the repository,
// compacted, Append and Write give exactly what json.Indent gives.
func TestMatchesEncodingJSON(t *testing.T) {
	files, err := filepath.Glob("../../testdata/reports/*.json")
	if err != nil {
		t.Fatal(err)
	}
	if len(files) == 0 {
		t.Fatal("no JSON files under ../../testdata/reports")
	}
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		var compact bytes.Buffer
		if err := json.Compact(&compact, data); err != nil {
			t.Fatalf("%s: %v", f, err)
		}
		compact.WriteByte('\n')
		var want bytes.Buffer
		if err := json.Indent(&want, compact.Bytes(), "", "  "); err != nil {
			t.Fatal(err)
		}
		if got := Append(nil, compact.Bytes()); !bytes.Equal(got, want.Bytes()) {
			t.Errorf("%s: Append differs from json.Indent", f)
		}
		var w bytes.Buffer
		if err := Write(&w, compact.Bytes()); err != nil || !bytes.Equal(w.Bytes(), want.Bytes()) {
			t.Errorf("%s: Write differs from json.Indent (%v)", f, err)
		}
		// A Writer given the document in pieces cut between tokens, of
		// every size from one token to larger than a chunk.
		cuts := tokenEnds(compact.Bytes())
		for _, step := range []int{1, 3, 17, 500, len(cuts)} {
			var w bytes.Buffer
			x := NewWriter(&w)
			start := 0
			for i := step - 1; ; i += step {
				end := len(compact.Bytes())
				if i < len(cuts) {
					end = cuts[i]
				}
				x.Write(compact.Bytes()[start:end])
				start = end
				if end == len(compact.Bytes()) {
					break
				}
			}
			if err := x.Close(); err != nil || !bytes.Equal(w.Bytes(), want.Bytes()) {
				t.Errorf("%s: Writer in pieces of %d tokens differs from json.Indent (%v)", f, step, err)
			}
		}
	}
}

// tokenEnds returns the offsets in compact JSON where a token ends: after
// each structural character and after each string.
func tokenEnds(src []byte) []int {
	var out []int
	for i := 0; i < len(src); i++ {
		switch src[i] {
		case '"':
			for i++; src[i] != '"'; i++ {
				if src[i] == '\\' {
					i++
				}
			}
			out = append(out, i+1)
		case '{', '}', '[', ']', ',', ':':
			out = append(out, i+1)
		}
	}
	return out
}

// TestWriterError: the underlying writer's first error is Close's and
// every later Write's.
func TestWriterError(t *testing.T) {
	x := NewWriter(failWriter{})
	big := bytes.Repeat([]byte(`"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa",`), 2*chunk/64)
	if _, err := x.Write(append(append([]byte("["), big...), `"z"]`...)); err != errFail {
		t.Errorf("Write past a chunk: %v, want %v", err, errFail)
	}
	if err := x.Close(); err != errFail {
		t.Errorf("Close: %v, want %v", err, errFail)
	}
}

var errFail = errors.New("disk full")

type failWriter struct{}

func (failWriter) Write([]byte) (int, error) { return 0, errFail }
