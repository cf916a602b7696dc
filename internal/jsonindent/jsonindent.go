// Package jsonindent indents compact JSON the way encoding/json's
// Indent(dst, src, "", "  ") does, byte for byte, without validating it (the
// input comes from encoding/json), which makes it several times faster. The
// SBOM writer and the JSON report use it.
package jsonindent

import (
	"bytes"
	"io"
	"sync"
)

// chunk is how much indented JSON a Writer collects before writing it: the
// indented document (about twice the compact one) is never held whole.
const chunk = 32 << 10

// chunkPool holds the Writers' chunk buffers.
var chunkPool = sync.Pool{New: func() any { b := make([]byte, 0, chunk+4<<10); return &b }}

// Write writes the compact JSON src to w, indented as [Append] does it, in
// chunks.
func Write(w io.Writer, src []byte) error {
	x := NewWriter(w)
	x.Write(src)
	return x.Close()
}

// A Writer indents compact JSON written to it in pieces onto an
// io.Writer, in chunks, so that neither the compact document nor the
// indented one is held whole. Each piece must end between two tokens or
// after a string (an Indenter keeps no state inside a string).
type Writer struct {
	w   io.Writer
	ind Indenter
	buf *[]byte
	err error
}

// NewWriter returns a Writer onto w. Close writes what it holds.
func NewWriter(w io.Writer) *Writer {
	bp := chunkPool.Get().(*[]byte)
	*bp = (*bp)[:0]
	return &Writer{w: w, buf: bp}
}

// Write indents p; it writes a chunk to the underlying writer whenever one
// is full. Its error is the underlying writer's first one.
func (x *Writer) Write(p []byte) (int, error) {
	n := len(p)
	for len(p) > 0 && x.err == nil {
		var k int
		*x.buf, k = x.ind.Append(*x.buf, p, chunk-len(*x.buf))
		p = p[k:]
		if len(*x.buf) >= chunk {
			x.flush()
		}
	}
	if x.err != nil {
		return 0, x.err
	}
	return n, nil
}

// Indenter returns the state of x's indenter: where the next piece
// written goes.
func (x *Writer) Indenter() Indenter { return x.ind }

// WriteIndented writes p, which is indented already (from the state
// [Writer.Indenter] gave), as it is; next is the indenter's state after
// p. A long p goes to the underlying writer without a copy.
func (x *Writer) WriteIndented(p []byte, next Indenter) {
	x.ind = next
	if x.err != nil {
		return
	}
	if len(*x.buf)+len(p) <= chunk {
		*x.buf = append(*x.buf, p...)
		return
	}
	x.flush()
	if len(p) < chunk {
		*x.buf = append(*x.buf, p...)
		return
	}
	_, x.err = x.w.Write(p)
}

func (x *Writer) flush() {
	if x.err == nil && len(*x.buf) > 0 {
		_, x.err = x.w.Write(*x.buf)
	}
	*x.buf = (*x.buf)[:0]
}

// Close writes what x holds and returns the first write error. x must not
// be used afterwards.
func (x *Writer) Close() error {
	x.flush()
	chunkPool.Put(x.buf)
	x.buf = nil
	return x.err
}

// indentSpaces is the indentation of the deepest lines that need no loop.
const indentSpaces = "\n                                                                "

// Append appends the compact JSON src, indented by two spaces per
// level, to dst: byte for byte what encoding/json's Indent(dst, src, "",
// "  ") gives for src, but without validating src (it comes from
// encoding/json), which makes it several times faster. Empty objects and
// arrays stay "{}" and "[]"; a colon is followed by a space.
func Append(dst, src []byte) []byte {
	var ind Indenter
	dst, _ = ind.Append(dst, src, -1)
	return dst
}

// An Indenter indents compact JSON, possibly given in pieces: it keeps
// the nesting depth between calls.
type Indenter struct {
	depth int
	open  bool // after "{" or "[": indent before the next value unless it closes
}

// At returns an Indenter for values at nesting depth depth (as inside
// depth levels of objects or arrays), its next value not the first of an
// object or array.
func At(depth int) Indenter { return Indenter{depth: depth} }

// Depth returns the nesting depth of ind's next value. After an opening
// brace or bracket, it is that of the object or array itself (its first
// member is one deeper).
func (ind Indenter) Depth() int { return ind.depth }

// Append appends src, indented, to dst until dst has grown by limit bytes
// (no limit when negative), and returns dst and how many bytes of src it
// consumed: it stops between tokens or after a string.
func (ind *Indenter) Append(dst, src []byte, limit int) ([]byte, int) {
	stop := len(dst) + limit
	for i := 0; i < len(src); i++ {
		if limit >= 0 && len(dst) >= stop {
			return dst, i
		}
		c := src[i]
		if ind.open && c != '}' && c != ']' {
			ind.open = false
			ind.depth++
			dst = Newline(dst, ind.depth)
		}
		switch c {
		case '"':
			// Copy the whole string: find the closing quote, that is the
			// first quote not escaped by an odd number of backslashes.
			j := i + 1
			for {
				k := bytes.IndexByte(src[j:], '"')
				if k < 0 {
					j = len(src) - 1 // unterminated: copy the rest
					break
				}
				j += k
				n := 0
				for b := j - 1; b > i && src[b] == '\\'; b-- {
					n++
				}
				if n%2 == 0 {
					break
				}
				j++
			}
			dst = append(dst, src[i:j+1]...)
			i = j
		case '{', '[':
			ind.open = true
			dst = append(dst, c)
		case ',':
			dst = append(dst, c)
			dst = Newline(dst, ind.depth)
		case ':':
			dst = append(dst, ':', ' ')
		case '}', ']':
			if ind.open {
				ind.open = false // empty: no newline inside
			} else {
				ind.depth = max(ind.depth-1, 0) // never below 0, even for unbalanced input
				dst = Newline(dst, ind.depth)
			}
			dst = append(dst, c)
		default:
			dst = append(dst, c)
		}
	}
	return dst, len(src)
}

// Newline appends a newline and depth levels of indentation.
func Newline(dst []byte, depth int) []byte {
	n := 1 + 2*depth
	if n <= len(indentSpaces) {
		return append(dst, indentSpaces[:n]...)
	}
	dst = append(dst, '\n')
	for range depth {
		dst = append(dst, ' ', ' ')
	}
	return dst
}
