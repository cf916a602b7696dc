package report_test

import (
	"bytes"
	"io"
	"slices"
	"testing"

	"github.com/depsweep/depsweep/ioc/report"
)

// TestFormats checks the format table: every writer is registered under
// its name, in the order the help text lists them (the default first), and
// Write renders exactly what the writer does.
func TestFormats(t *testing.T) {
	want := []string{"text", "json", "jsonl", "sarif", "markdown", "csv", "html"}
	if got := report.Formats(); !slices.Equal(got, want) {
		t.Errorf("Formats() = %q, want %q", got, want)
	}
	if got, want := report.FormatList(), "text, json, jsonl, sarif, markdown, csv or html"; got != want {
		t.Errorf("FormatList() = %q, want %q", got, want)
	}
	r := collect(t)
	direct := map[string]func(io.Writer) error{
		"text":     func(w io.Writer) error { return report.WriteText(w, r, report.TextOptions{Color: true}) },
		"json":     func(w io.Writer) error { return report.WriteJSON(w, r) },
		"jsonl":    func(w io.Writer) error { return report.WriteJSONL(w, r) },
		"sarif":    func(w io.Writer) error { return report.WriteSARIF(w, r) },
		"markdown": func(w io.Writer) error { return report.WriteMarkdown(w, r) },
		"csv":      func(w io.Writer) error { return report.WriteCSV(w, r) },
		"html":     func(w io.Writer) error { return report.WriteHTML(w, r) },
	}
	for _, name := range want {
		var got, exp bytes.Buffer
		if err := report.Write(&got, r, name, report.Options{Color: true}); err != nil {
			t.Errorf("Write(%s): %v", name, err)
		}
		if err := direct[name](&exp); err != nil {
			t.Fatal(err)
		}
		if got.Len() == 0 || !bytes.Equal(got.Bytes(), exp.Bytes()) {
			t.Errorf("Write(%s) differs from its writer (%d bytes, want %d)", name, got.Len(), exp.Len())
		}
	}
	if err := report.Write(io.Discard, r, "pdf", report.Options{}); err == nil {
		t.Error("Write(pdf) succeeded, want an unknown format error")
	}
}
