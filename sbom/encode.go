package sbom

import (
	"bytes"
	"crypto/sha1"
	"crypto/sha256"
	"fmt"
	"hash"
	"io"
	"slices"
	"sync"

	cdx "github.com/CycloneDX/cyclonedx-go"
	"github.com/depsweep/depsweep/internal/jsonindent"
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
	// Room for the whole encoding up front: grown by doubling, a BOM of
	// thousands of components was copied over and over (and, the pool
	// emptied by a GC, faulted in again), a seventh of an SBOM sweep.
	buf.b = slices.Grow(buf.b, encodedSizeHint(bom))
	if fastEncodable(bom) {
		buf.b, err = appendBOMFast(buf.b, bom, nil, nil)
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
	if !derive && fastEncodable(bom) {
		return "", writeJSONStream(w, bom, nil)
	}
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

// spillSize is how much of its compact encoding writeJSONStream holds
// before it indents it onto the writer.
const spillSize = 16 << 10

// writeJSONStream is writeJSON for a BOM whose serial number is set and
// that appendBOMFast can encode: its compact encoding is indented onto w
// every spillSize bytes or so, never held whole (the encoding of a large
// BOM ran to megabytes, allocated afresh whenever a collection had emptied
// the pool). When lz is not nil it makes the components as they are
// encoded (bom has none then).
func writeJSONStream(w io.Writer, bom *cdx.BOM, lz *lazyComponents) error {
	iw := jsonindent.NewWriter(w)
	buf := getBuf()
	defer putBuf(buf)
	b, err := appendBOMFast(buf.b, bom, lz, func(b []byte) []byte {
		if len(b) < spillSize {
			return b
		}
		iw.Write(b)
		return b[:0]
	})
	if err != nil {
		iw.Close()
		return fmt.Errorf("sbom: encode: %w", err)
	}
	buf.b = b[:0]
	iw.Write(b)
	return iw.Close()
}

// writeIndented writes the compact JSON src to w, indented, in chunks.
func writeIndented(w io.Writer, src []byte) error { return jsonindent.Write(w, src) }

// appendIndent appends the compact JSON src, indented by two spaces per
// level, to dst: byte for byte what encoding/json's Indent(dst, src, "",
// "  ") gives for src ([jsonindent.Append]).
func appendIndent(dst, src []byte) []byte { return jsonindent.Append(dst, src) }

// An indenter indents compact JSON, possibly given in pieces.
type indenter = jsonindent.Indenter

// encodedSizeHint is about the size of bom's compact JSON encoding, a
// little over it for the BOMs depsweep builds (measured on the corpus
// fleet: 550-750 bytes a component, dependency edges included).
func encodedSizeHint(bom *cdx.BOM) int {
	n := 4 << 10
	if bom.Components != nil {
		n += 500 * len(*bom.Components)
	}
	if bom.Dependencies != nil {
		for _, d := range *bom.Dependencies {
			n += 64
			if d.Dependencies != nil {
				n += 60 * len(*d.Dependencies)
			}
		}
	}
	return n
}
