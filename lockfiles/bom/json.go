package bom

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"reflect"
	"strings"

	"github.com/depsweep/depsweep/lockfiles"
)

// inJSON streams a JSON document with encoding/json's token API, so that
// it knows where each component starts (for finding lines and error
// positions) without holding a generic tree of the document.
type inJSON struct {
	path string
	data []byte // the whole file
	base int64  // offset of the decoder's input in data (3 after a byte order mark)
	dec  *json.Decoder

	// Line counting is incremental: offsets asked for mostly grow.
	lineOff  int64
	line     int
	lineHead int64 // offset of the first byte of line
}

// pos returns the 1-based line and column of offset off of the decoder's input.
func (r *inJSON) pos(off int64) (line, col int) {
	abs := r.base + off
	if abs > int64(len(r.data)) {
		abs = int64(len(r.data))
	}
	if abs < 0 {
		abs = 0
	}
	if r.line == 0 || abs < r.lineOff {
		r.lineOff, r.line, r.lineHead = 0, 1, 0
	}
	seg := r.data[r.lineOff:abs]
	if n := bytes.Count(seg, []byte{'\n'}); n > 0 {
		r.line += n
		r.lineHead = r.lineOff + int64(bytes.LastIndexByte(seg, '\n')) + 1
	}
	r.lineOff = abs
	return r.line, int(abs-r.lineHead) + 1
}

func (r *inJSON) errAt(off int64, format string, args ...any) error {
	line, col := r.pos(off)
	return &lockfiles.ParseError{Path: r.path, Line: line, Col: col, Err: fmt.Errorf(format, args...)}
}

// start returns the offset of the next value: the decoder's offset moved
// past whitespace and the ':' or ',' that precedes the value.
func (r *inJSON) start() int64 {
	off := r.dec.InputOffset()
	d := r.data[r.base:]
	for off < int64(len(d)) {
		switch d[off] {
		case ' ', '\t', '\r', '\n', ':', ',':
			off++
			continue
		}
		break
	}
	return off
}

// wrap turns a decoder error into a ParseError. valueStart is where the
// value being decoded starts; key names it in the message.
func (r *inJSON) wrap(err error, valueStart int64, key string) error {
	var se *json.SyntaxError
	var te *json.UnmarshalTypeError
	switch {
	case errors.As(err, &se):
		// A Decoder's syntax error offset is that of the offending byte.
		return r.errAt(se.Offset, "invalid JSON: %s", inSyntaxMsg(se.Error()))
	case errors.As(err, &te):
		what := key
		if te.Field != "" {
			what = key + "." + te.Field
		}
		return r.errAt(valueStart, "%s: found %s, want %s", what, inJSONKind(te.Value), inGoKind(te.Type))
	case errors.Is(err, io.EOF), errors.Is(err, io.ErrUnexpectedEOF):
		return r.errAt(int64(len(r.data))-r.base, "invalid JSON: unexpected end of file")
	}
	return r.errAt(valueStart, "invalid JSON: %v", err)
}

// inSyntaxMsg keeps encoding/json's description of a syntax error, which
// names at most one character of the input ("invalid character 'x' after
// object key"), minus the package prefix.
func inSyntaxMsg(s string) string {
	s = strings.TrimPrefix(s, "json: ")
	// Quoted characters are input; a control or non-ASCII one could upset
	// a terminal, so keep printable ASCII only.
	if strings.IndexFunc(s, func(r rune) bool { return r < 0x20 || r > 0x7e }) >= 0 {
		if i := strings.Index(s, "'"); i >= 0 {
			if j := strings.LastIndex(s, "'"); j > i {
				s = s[:i] + "character" + s[j+1:]
				s = strings.Replace(s, "invalid character character", "invalid character", 1)
			}
		}
	}
	return s
}

func inJSONKind(v string) string {
	switch v {
	case "object", "array":
		return "an " + v
	case "string", "number", "bool":
		if v == "bool" {
			v = "boolean"
		}
		return "a " + v
	}
	if strings.HasPrefix(v, "number") {
		return "a number"
	}
	return v
}

func inGoKind(t reflect.Type) string {
	if t == nil {
		return "another type"
	}
	switch t.Kind() {
	case reflect.String:
		return "a string"
	case reflect.Slice, reflect.Array:
		return "an array"
	case reflect.Struct, reflect.Map, reflect.Pointer:
		return "an object"
	case reflect.Bool:
		return "a boolean"
	}
	return "a number"
}

// decode decodes the next value into v.
func (r *inJSON) decode(key string, v any) error {
	at := r.start()
	if err := r.dec.Decode(v); err != nil {
		return r.wrap(err, at, key)
	}
	return nil
}

// inSkip skips a value without copying it.
type inSkip struct{}

func (*inSkip) UnmarshalJSON([]byte) error { return nil }

func (r *inJSON) skip(key string) error { return r.decode(key, &inSkip{}) }

// open reads the next token and reports whether it opens a value of the
// wanted kind ('{' or '['); a null is (false, nil), anything else an error.
func (r *inJSON) open(key string, want json.Delim) (bool, error) {
	at := r.start()
	t, err := r.dec.Token()
	if err != nil {
		return false, r.wrap(err, at, key)
	}
	switch t {
	case nil:
		return false, nil
	case want:
		return true, nil
	}
	kind := "an object"
	if want == '[' {
		kind = "an array"
	}
	return false, r.errAt(at, "%s: found %s, want %s", key, inTokenKind(t), kind)
}

func inTokenKind(t json.Token) string {
	switch t.(type) {
	case json.Delim:
		if t == json.Delim('[') {
			return "an array"
		}
		return "an object"
	case string:
		return "a string"
	case bool:
		return "a boolean"
	}
	return "a number"
}

// close reads the closing delimiter of an object or array.
func (r *inJSON) close(key string) error {
	at := r.start()
	if _, err := r.dec.Token(); err != nil {
		return r.wrap(err, at, key)
	}
	return nil
}

// key reads the next object key.
func (r *inJSON) key() (string, error) {
	at := r.start()
	t, err := r.dec.Token()
	if err != nil {
		return "", r.wrap(err, at, "object")
	}
	k, _ := t.(string)
	return k, nil
}

// document reads the top-level object.
func (r *inJSON) document() (*inDoc, error) {
	doc := &inDoc{}
	ok, err := r.open("document", '{')
	if err != nil {
		return nil, err
	}
	if !ok {
		return nil, r.errAt(0, "not an SBOM: the document is null")
	}
	var bomFormat, specVersion, spdxVersion string
	// Offsets of those values, for errors; -1 when absent.
	atBOM, atSpec, atSPDX := int64(-1), int64(-1), int64(-1)
	for r.dec.More() {
		k, err := r.key()
		if err != nil {
			return nil, err
		}
		switch k {
		case "bomFormat":
			atBOM = r.start()
			err = r.decode(k, &bomFormat)
		case "specVersion":
			atSpec = r.start()
			err = r.decode(k, &specVersion)
		case "spdxVersion":
			atSPDX = r.start()
			err = r.decode(k, &spdxVersion)
		case "metadata":
			err = r.metadata(doc)
		case "components":
			err = r.components(doc, k)
		case "dependencies":
			err = r.decode(k, &doc.deps)
		case "packages":
			err = r.spdxPackages(doc)
		case "relationships":
			err = r.decode(k, &doc.rels)
		case "documentDescribes":
			err = r.decode(k, &doc.describ)
		default:
			err = r.skip(k)
		}
		if err != nil {
			return nil, err
		}
	}
	if err := r.close("document"); err != nil {
		return nil, err
	}
	end := r.start()
	if _, err := r.dec.Token(); err != io.EOF {
		return nil, r.errAt(end, "invalid JSON: data after the end of the document")
	}
	switch {
	case atBOM >= 0 && atSPDX >= 0:
		return nil, r.errAt(atSPDX, "not an SBOM: has both bomFormat (CycloneDX) and spdxVersion (SPDX)")
	case atSPDX >= 0:
		if !inSPDXVersions[spdxVersion] {
			return nil, r.errAt(atSPDX, "unsupported spdxVersion (want SPDX-2.2 or SPDX-2.3)")
		}
		doc.spdx = true
		doc.format = "spdx-" + strings.TrimPrefix(spdxVersion, "SPDX-") + "-json"
	case atBOM >= 0:
		if bomFormat != "CycloneDX" {
			return nil, r.errAt(atBOM, "not an SBOM: bomFormat is not CycloneDX")
		}
		if specVersion == "" {
			return nil, r.errAt(max(atSpec, 0), "CycloneDX document has no specVersion")
		}
		if !inCDXVersions[specVersion] {
			return nil, r.errAt(atSpec, "unsupported CycloneDX specVersion (want 1.2 to 1.7)")
		}
		doc.format = "cyclonedx-" + specVersion + "-json"
	default:
		return nil, r.errAt(0, "not an SBOM: no bomFormat (CycloneDX) or spdxVersion (SPDX)")
	}
	return doc, nil
}

// metadata reads CycloneDX metadata, keeping only its component.
func (r *inJSON) metadata(doc *inDoc) error {
	ok, err := r.open("metadata", '{')
	if err != nil || !ok {
		return err
	}
	for r.dec.More() {
		k, err := r.key()
		if err != nil {
			return err
		}
		if k == "component" {
			c, err := r.component(doc, "metadata.component", false)
			if err != nil {
				return err
			}
			if c != nil {
				doc.root = c
			}
			continue
		}
		if err := r.skip("metadata." + k); err != nil {
			return err
		}
	}
	return r.close("metadata")
}

// components reads an array of components, appending them (and their
// nested components, depth first) to doc.comps.
func (r *inJSON) components(doc *inDoc, key string) error {
	ok, err := r.open(key, '[')
	if err != nil || !ok {
		return err
	}
	for r.dec.More() {
		if _, err := r.component(doc, "component", true); err != nil {
			return err
		}
	}
	return r.close(key)
}

// component reads one component; add appends it to doc.comps before its
// nested components. A null is skipped (nil, nil).
func (r *inJSON) component(doc *inDoc, key string, add bool) (*inComp, error) {
	at := r.start()
	ok, err := r.open(key, '{')
	if err != nil || !ok {
		return nil, err
	}
	c := &inComp{}
	c.line, _ = r.pos(at)
	if add {
		doc.comps = append(doc.comps, c)
	}
	for r.dec.More() {
		k, err := r.key()
		if err != nil {
			return nil, err
		}
		switch k {
		case "bom-ref":
			err = r.decode(k, &c.Ref)
		case "type":
			err = r.decode(k, &c.Type)
		case "group":
			err = r.decode(k, &c.Group)
		case "name":
			err = r.decode(k, &c.Name)
		case "version":
			err = r.decode(k, &c.Version)
		case "purl":
			err = r.decode(k, &c.PURL)
		case "scope":
			err = r.decode(k, &c.Scope)
		case "hashes":
			err = r.decode(k, &c.Hashes)
		case "properties":
			err = r.decode(k, &c.Props)
		case "externalReferences":
			err = r.decode(k, &c.ExtRefs)
		case "components":
			// Nested components (a package inside another, as
			// cyclonedx-npm writes node_modules nesting) are flattened.
			err = r.components(doc, "components")
		default:
			err = r.skip(k)
		}
		if err != nil {
			return nil, err
		}
	}
	return c, r.close(key)
}

// spdxPackages reads SPDX packages, keeping each one's line.
func (r *inJSON) spdxPackages(doc *inDoc) error {
	ok, err := r.open("packages", '[')
	if err != nil || !ok {
		return err
	}
	for r.dec.More() {
		p := &inSPDXPackage{}
		p.line, _ = r.pos(r.start())
		if err := r.decode("package", p); err != nil {
			return err
		}
		doc.pkgs = append(doc.pkgs, p)
	}
	return r.close("packages")
}
