package sbom

import (
	"bytes"
	"crypto/sha1"
	"crypto/sha256"
	"fmt"
	"hash"
	"io"
	"sync"

	cdx "github.com/CycloneDX/cyclonedx-go"
)

// placeholderSerial stands for a content-derived serial number while the
// BOM is encoded: it has the length of every UUID URN, so the real serial
// can be written over it in place once the encoding has been hashed.
const placeholderSerial = "urn:uuid:00000000-0000-0000-0000-000000000000"

// placeholderField is how the placeholder serial appears in the compact
// JSON encoding, with the comma before "version", which always follows it.
const placeholderField = `"serialNumber":"` + placeholderSerial + `",`

// bufPool holds the buffers of compact encodings, so that writing many
// BOMs in a row does not allocate megabytes per BOM.
var bufPool = sync.Pool{New: func() any { return new(byteBuf) }}

func getBuf() *byteBuf { b := bufPool.Get().(*byteBuf); b.b = b.b[:0]; return b }

// putBuf returns b to the pool unless it grew unusually large.
func putBuf(b *byteBuf) {
	if cap(b.b) <= 64<<20 {
		bufPool.Put(b)
	}
}

// encodeCompact appends the compact JSON encoding of bom, and a newline, to
// buf, without HTML escaping: exactly what cyclonedx-go's JSON encoder
// produces before indenting, since it is encoding/json underneath. The
// components and dependencies of the BOMs New builds are written by hand
// (see appendBOMFast), the rest by encoding/json.
func encodeCompact(buf *byteBuf, bom *cdx.BOM) error {
	var err error
	if fastEncodable(bom) {
		buf.b, err = appendBOMFast(buf.b, bom)
	} else {
		err = encodeStd(buf, bom)
	}
	if err != nil {
		return fmt.Errorf("sbom: encode: %w", err)
	}
	return nil
}

// hashContent writes to h what the serial number is derived from: the
// compact JSON encoding of the BOM without its serial number, with HTML
// escaping. compact is the encoding without HTML escaping and with the
// placeholder serial; the placeholder field is skipped and "<", ">" and
// "&" are written as encoding/json's escapes. Why that is exact: the two
// encodings differ only in those three characters, which JSON allows
// outside strings nowhere, so every one of them is in a string and
// escaped in the other encoding.
func hashContent(h hash.Hash, compact []byte) error {
	// The placeholder comes right after the constant $schema, bomFormat and
	// specVersion members, so its first occurrence is the top-level one.
	head := compact[:min(len(compact), 512)]
	i := bytes.Index(head, []byte(placeholderField))
	if i < 0 {
		return fmt.Errorf("sbom: hash bom content: no serial number placeholder")
	}
	writeHTMLEscaped(h, compact[:i])
	writeHTMLEscaped(h, compact[i+len(placeholderField):])
	return nil
}

// writeHTMLEscaped writes b to w with "<", ">" and "&" as \u003c, \u003e
// and \u0026. Those bytes are rare, so it looks for each with
// bytes.IndexByte (vectorized) and remembers where the next of each is,
// which keeps it linear however many there are.
func writeHTMLEscaped(w io.Writer, b []byte) {
	const hex = "0123456789abcdef"
	specials := [3]byte{'<', '>', '&'}
	var next [3]int // absolute index of the next special byte of each kind; len(b) for none
	find := func(k, from int) {
		if i := bytes.IndexByte(b[from:], specials[k]); i >= 0 {
			next[k] = from + i
		} else {
			next[k] = len(b)
		}
	}
	for k := range specials {
		find(k, 0)
	}
	start := 0
	for {
		k := 0
		for j := 1; j < len(next); j++ {
			if next[j] < next[k] {
				k = j
			}
		}
		i := next[k]
		if i == len(b) {
			break
		}
		c := b[i]
		w.Write(b[start:i])
		w.Write([]byte{'\\', 'u', '0', '0', hex[c>>4], hex[c&15]})
		start = i + 1
		find(k, start)
	}
	w.Write(b[start:])
}

// contentSerial returns a version 5 (name-based, RFC 4122) UUID URN whose
// name is the SHA-256 of the BOM's compact JSON encoding (HTML-escaped, as
// encoding/json does by default) without a serial number. It encodes bom
// once, with the placeholder serial, and leaves bom.SerialNumber "".
func contentSerial(bom *cdx.BOM) (string, error) {
	buf := getBuf()
	defer putBuf(buf)
	bom.SerialNumber = placeholderSerial
	err := encodeCompact(buf, bom)
	bom.SerialNumber = ""
	if err != nil {
		return "", err
	}
	return serialOf(buf.b)
}

// serialOf derives the serial number from a compact encoding holding the
// placeholder serial (see [hashContent]).
func serialOf(compact []byte) (string, error) {
	h := sha256.New()
	if err := hashContent(h, compact); err != nil {
		return "", err
	}
	s := sha1.New()
	s.Write(serialNamespace[:])
	s.Write(h.Sum(nil))
	var u [16]byte
	copy(u[:], s.Sum(nil))
	u[6] = u[6]&0x0f | 0x50
	u[8] = u[8]&0x3f | 0x80
	return uuidURN(u), nil
}

// writeJSON writes the indented JSON encoding of bom, built for the spec
// version it is written in, to w. When derive is set, it derives bom's
// serial number from its content in the same pass and returns it: bom is
// encoded once with the placeholder serial, the encoding hashed, and the
// serial written over the placeholder. bom.SerialNumber is left as the
// placeholder then.
func writeJSON(w io.Writer, bom *cdx.BOM, derive bool) (serial string, err error) {
	compact := getBuf()
	defer putBuf(compact)
	if derive {
		bom.SerialNumber = placeholderSerial
	}
	if err := encodeCompact(compact, bom); err != nil {
		return "", err
	}
	if derive {
		if serial, err = serialOf(compact.b); err != nil {
			return "", err
		}
		i := bytes.Index(compact.b, []byte(placeholderField))
		copy(compact.b[i+len(`"serialNumber":"`):], serial)
	}
	if err := writeIndented(w, compact.b); err != nil {
		return "", err
	}
	return serial, nil
}

// indentChunk is how much indented JSON writeIndented collects before
// writing it: the indented BOM (about twice the compact one) is never
// held whole.
const indentChunk = 32 << 10

// chunkPool holds writeIndented's chunk buffers.
var chunkPool = sync.Pool{New: func() any { b := make([]byte, 0, indentChunk+4<<10); return &b }}

// writeIndented writes the compact JSON src to w, indented as appendIndent
// does it, in chunks.
func writeIndented(w io.Writer, src []byte) error {
	bp := chunkPool.Get().(*[]byte)
	defer chunkPool.Put(bp)
	var ind indenter
	for len(src) > 0 {
		var n int
		*bp, n = ind.append((*bp)[:0], src, indentChunk)
		src = src[n:]
		if _, err := w.Write(*bp); err != nil {
			return err
		}
	}
	return nil
}

// indentSpaces is the indentation of the deepest lines that need no loop.
const indentSpaces = "\n                                                                "

// appendIndent appends the compact JSON src, indented by two spaces per
// level, to dst: byte for byte what encoding/json's Indent(dst, src, "",
// "  ") gives for src, but without validating src (it comes from
// encoding/json), which makes it several times faster. Empty objects and
// arrays stay "{}" and "[]"; a colon is followed by a space.
func appendIndent(dst, src []byte) []byte {
	var ind indenter
	dst, _ = ind.append(dst, src, -1)
	return dst
}

// An indenter indents compact JSON, possibly given in pieces: it keeps
// the nesting depth between calls.
type indenter struct {
	depth int
	open  bool // after "{" or "[": indent before the next value unless it closes
}

// append appends src, indented, to dst until dst has grown by limit bytes
// (no limit when negative), and returns dst and how many bytes of src it
// consumed: it stops between tokens or after a string.
func (ind *indenter) append(dst, src []byte, limit int) ([]byte, int) {
	stop := len(dst) + limit
	for i := 0; i < len(src); i++ {
		if limit >= 0 && len(dst) >= stop {
			return dst, i
		}
		c := src[i]
		if ind.open && c != '}' && c != ']' {
			ind.open = false
			ind.depth++
			dst = appendNewline(dst, ind.depth)
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
			dst = appendNewline(dst, ind.depth)
		case ':':
			dst = append(dst, ':', ' ')
		case '}', ']':
			if ind.open {
				ind.open = false // empty: no newline inside
			} else {
				ind.depth = max(ind.depth-1, 0) // never below 0, even for unbalanced input
				dst = appendNewline(dst, ind.depth)
			}
			dst = append(dst, c)
		default:
			dst = append(dst, c)
		}
	}
	return dst, len(src)
}

// appendNewline appends a newline and depth levels of indentation.
func appendNewline(dst []byte, depth int) []byte {
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
