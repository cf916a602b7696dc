package jsonindent

import (
	"bytes"
	"encoding/json"
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
	}
}
