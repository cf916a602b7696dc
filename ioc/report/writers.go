package report

// Placeholders: the text, Markdown and SARIF writers, until they are written.

import (
	"errors"
	"io"
)

var errNotYet = errors.New("report writer not written yet")

// WriteMarkdown renders r as Markdown.
func WriteMarkdown(w io.Writer, r *Report) error { return errNotYet }

// WriteSARIF renders r as SARIF 2.1.0.
func WriteSARIF(w io.Writer, r *Report) error { return errNotYet }
