package report

import (
	"fmt"
	"io"
	"slices"
	"strings"
)

// Options tune how [Write] renders a report.
type Options struct {
	// Color turns on ANSI colour in formats that have it (text). The
	// caller decides: set it only when the output is a terminal and
	// NO_COLOR is unset.
	Color bool
}

// A Writer renders a finished report in one format.
type Writer func(w io.Writer, r *Report, opts Options) error

// A format is one report format, registered by the file of its writer.
type format struct {
	name  string
	rank  int // place in Formats: the default (text) first
	write Writer
}

var formats []format

// register adds a report format; each writer's file calls it from init,
// so that a new format is one file in this package.
func register(name string, rank int, w Writer) {
	formats = append(formats, format{name, rank, w})
	slices.SortStableFunc(formats, func(a, b format) int { return a.rank - b.rank })
}

// Formats returns the names of the report formats, the default first.
func Formats() []string {
	out := make([]string, len(formats))
	for i, f := range formats {
		out[i] = f.name
	}
	return out
}

// FormatList names the formats in a sentence: "text, json, jsonl, sarif or
// markdown".
func FormatList() string {
	names := Formats()
	if len(names) < 2 {
		return strings.Join(names, "")
	}
	return strings.Join(names[:len(names)-1], ", ") + " or " + names[len(names)-1]
}

// Write renders the finished report r in the format named name.
func Write(w io.Writer, r *Report, name string, opts Options) error {
	for _, f := range formats {
		if f.name == name {
			return f.write(w, r, opts)
		}
	}
	return fmt.Errorf("unknown report format %q", name)
}
