package lockfiles

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
)

// JSONError turns an encoding/json error for data, the content of the file
// name, into a *ParseError at the line and column of the offending byte
// (a syntax error) or value (a type error), without quoting the content.
// Other errors keep their text and get no position.
func JSONError(name string, data []byte, err error) *ParseError {
	var syn *json.SyntaxError
	var typ *json.UnmarshalTypeError
	off := int64(-1)
	msg := err.Error()
	switch {
	case errors.As(err, &syn):
		off = syn.Offset
		msg = syn.Error()
	case errors.As(err, &typ):
		off = typ.Offset
		msg = fmt.Sprintf("%s: want %s, got json %s", typ.Field, typ.Type, typ.Value)
		if typ.Field == "" {
			msg = fmt.Sprintf("want a json object, got %s", typ.Value)
		}
	}
	line, col := 0, 0
	if off >= 0 {
		line, col = LineCol(data, int(off))
	}
	return &ParseError{Path: name, Line: line, Col: col, Err: errors.New(msg)}
}

// LineCol returns the 1-based line and column (in bytes) of byte offset off
// in data; an offset out of range is clamped.
func LineCol(data []byte, off int) (line, col int) {
	off = min(max(off, 0), len(data))
	head := data[:off]
	line = bytes.Count(head, []byte{'\n'}) + 1
	col = off - bytes.LastIndexByte(head, '\n')
	return line, col
}
