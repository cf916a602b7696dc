package sbom

import (
	"bytes"
	"encoding/json"
	"errors"

	"github.com/depsweep/depsweep/internal/jsonstr"

	cdx "github.com/CycloneDX/cyclonedx-go"
)

// The components and dependencies are nearly all of a BOM's bytes, and
// encoding/json spends most of its time on them in reflection. The
// functions here write them by hand, for the fields New sets, and leave
// the rest of the BOM to encoding/json: the output is byte for byte what
// encoding/json gives (tests compare the two on every corpus BOM). A BOM
// with anything else in its components or dependencies, or with services
// or external references (which sit between them), is encoded by
// encoding/json alone.

// bomTail mirrors the members of cdx.BOM after "dependencies", in order,
// with the same JSON names (a test checks it against cdx.BOM).
type bomTail struct {
	Compositions    *[]cdx.Composition   `json:"compositions,omitempty"`
	Properties      *[]cdx.Property      `json:"properties,omitempty"`
	Vulnerabilities *[]cdx.Vulnerability `json:"vulnerabilities,omitempty"`
	Annotations     *[]cdx.Annotation    `json:"annotations,omitempty"`
	Formulation     *[]cdx.Formula       `json:"formulation,omitempty"`
	Declarations    *cdx.Declarations    `json:"declarations,omitempty"`
	Definitions     *cdx.Definitions     `json:"definitions,omitempty"`
	Citations       *[]cdx.Citation      `json:"citations,omitempty"`
	Signature       *cdx.JSFSignature    `json:"signature,omitempty"`
}

// fastEncodable reports whether appendBOMFast can encode bom.
func fastEncodable(bom *cdx.BOM) bool {
	if bom.Services != nil || bom.ExternalReferences != nil {
		return false
	}
	if bom.Components != nil {
		for i := range *bom.Components {
			if !simpleComponent(&(*bom.Components)[i]) {
				return false
			}
		}
	}
	if bom.Dependencies != nil {
		for i := range *bom.Dependencies {
			if (*bom.Dependencies)[i].Provides != nil {
				return false
			}
		}
	}
	return true
}

// simpleComponent reports whether c sets no field but those appendComponent
// writes (by hand, or a supplier and a pedigree through encoding/json).
func simpleComponent(c *cdx.Component) bool {
	rest := *c
	rest.BOMRef, rest.Type, rest.Group, rest.Name, rest.Version, rest.Scope = "", "", "", "", "", ""
	rest.Hashes, rest.PackageURL, rest.ExternalReferences, rest.Properties = nil, "", nil, nil
	rest.Supplier, rest.Publisher, rest.Pedigree = nil, "", nil
	if rest != (cdx.Component{}) {
		return false
	}
	if c.ExternalReferences != nil {
		for _, e := range *c.ExternalReferences {
			if e.Comment != "" || e.Hashes != nil || e.Properties != nil {
				return false
			}
		}
	}
	return true
}

// appendBOMFast appends the compact JSON encoding of bom, and a newline,
// to dst; fastEncodable(bom) must hold. spill, when not nil, is given the
// encoding so far after each component and each dependency, between two
// tokens, and returns the buffer to go on with: a writer passes the bytes
// on and returns the buffer emptied, so that the encoding is never held
// whole.
//
// lz, when not nil, makes the components (bom has none then): each is
// encoded as it is made.
func appendBOMFast(dst []byte, bom *cdx.BOM, lz *lazyComponents, spill func([]byte) []byte) ([]byte, error) {
	if spill == nil {
		spill = func(b []byte) []byte { return b }
	}
	// The members before "components": encoding/json, without the closing brace.
	head := *bom
	head.Components, head.Dependencies = nil, nil
	head.Compositions, head.Properties, head.Vulnerabilities, head.Annotations = nil, nil, nil, nil
	head.Formulation, head.Declarations, head.Definitions, head.Citations, head.Signature = nil, nil, nil, nil, nil
	w := &byteBuf{b: dst}
	if err := encodeStd(w, &head); err != nil {
		return dst, err
	}
	dst = w.b[:len(w.b)-2] // "}\n"; the object has members: bomFormat is never omitted
	// The components: lz's, each checked as it is made (fastEncodable
	// checked bom's own), else bom's.
	each := func(f func(*cdx.Component) bool) {
		for i := range *bom.Components {
			if !f(&(*bom.Components)[i]) {
				return
			}
		}
	}
	if lz != nil {
		each = lz.each
	}
	if lz != nil || bom.Components != nil {
		var err error
		dst = append(dst, `,"components":[`...)
		first := true
		each(func(c *cdx.Component) bool {
			if lz != nil && !simpleComponent(c) {
				err = errNotSimple
				return false
			}
			if !first {
				dst = append(dst, ',')
			}
			first = false
			dst = spill(appendComponent(dst, c))
			return true
		})
		if err != nil {
			return dst, err
		}
		dst = append(dst, ']')
	}
	if bom.Dependencies != nil {
		dst = append(dst, `,"dependencies":[`...)
		for i, d := range *bom.Dependencies {
			if i > 0 {
				dst = append(dst, ',')
			}
			dst = append(dst, `{"ref":`...)
			dst = appendString(dst, d.Ref)
			if d.Dependencies != nil {
				dst = append(dst, `,"dependsOn":`...)
				dst = appendStrings(dst, *d.Dependencies)
			}
			dst = spill(append(dst, '}'))
		}
		dst = append(dst, ']')
	}
	// The members after "dependencies": encoding/json again, without the braces.
	tail := bomTail{bom.Compositions, bom.Properties, bom.Vulnerabilities, bom.Annotations,
		bom.Formulation, bom.Declarations, bom.Definitions, bom.Citations, bom.Signature}
	w.b = dst
	mark := len(dst)
	if err := encodeStd(w, &tail); err != nil {
		return dst, err
	}
	dst = w.b
	if t := dst[mark:]; string(t) == "{}\n" {
		dst = dst[:mark]
	} else {
		dst[mark] = ',' // "{" opened the members; the head's members precede them
		dst = dst[:len(dst)-2]
	}
	return append(dst, '}', '\n'), nil
}

// errNotSimple is appendBOMFast's error for a made component that it
// cannot encode by hand. build makes none (TestLazyMatchesBuilt): one
// would be a defect, reported as the BOM's error rather than written
// wrong.
var errNotSimple = errors.New("sbom: a component not encodable by hand")

// appendComponent appends the JSON object of c (simpleComponent(c) holds),
// members in cdx.Component's order, empty ones omitted as its tags say.
func appendComponent(dst []byte, c *cdx.Component) []byte {
	dst = append(dst, '{')
	if c.BOMRef != "" {
		dst = append(dst, `"bom-ref":`...)
		dst = appendString(dst, c.BOMRef)
		dst = append(dst, ',')
	}
	dst = append(dst, `"type":`...)
	dst = appendString(dst, string(c.Type))
	if c.Supplier != nil {
		dst = append(dst, `,"supplier":`...)
		dst = appendStd(dst, c.Supplier)
	}
	if c.Publisher != "" {
		dst = append(dst, `,"publisher":`...)
		dst = appendString(dst, c.Publisher)
	}
	if c.Group != "" {
		dst = append(dst, `,"group":`...)
		dst = appendString(dst, c.Group)
	}
	dst = append(dst, `,"name":`...)
	dst = appendString(dst, c.Name)
	if c.Version != "" {
		dst = append(dst, `,"version":`...)
		dst = appendString(dst, c.Version)
	}
	if c.Scope != "" {
		dst = append(dst, `,"scope":`...)
		dst = appendString(dst, string(c.Scope))
	}
	if c.Hashes != nil {
		dst = append(dst, `,"hashes":[`...)
		for i, h := range *c.Hashes {
			if i > 0 {
				dst = append(dst, ',')
			}
			dst = append(dst, `{"alg":`...)
			dst = appendString(dst, string(h.Algorithm))
			dst = append(dst, `,"content":`...)
			dst = appendString(dst, h.Value)
			dst = append(dst, '}')
		}
		dst = append(dst, ']')
	}
	if c.PackageURL != "" {
		dst = append(dst, `,"purl":`...)
		dst = appendString(dst, c.PackageURL)
	}
	if c.Pedigree != nil {
		dst = append(dst, `,"pedigree":`...)
		dst = appendStd(dst, c.Pedigree)
	}
	if c.ExternalReferences != nil {
		dst = append(dst, `,"externalReferences":[`...)
		for i, e := range *c.ExternalReferences {
			if i > 0 {
				dst = append(dst, ',')
			}
			dst = append(dst, `{"url":`...)
			dst = appendString(dst, e.URL)
			dst = append(dst, `,"type":`...)
			dst = appendString(dst, string(e.Type))
			dst = append(dst, '}')
		}
		dst = append(dst, ']')
	}
	if c.Properties != nil {
		dst = append(dst, `,"properties":[`...)
		for i, p := range *c.Properties {
			if i > 0 {
				dst = append(dst, ',')
			}
			dst = append(dst, `{"name":`...)
			dst = appendString(dst, p.Name)
			dst = append(dst, `,"value":`...)
			dst = appendString(dst, p.Value)
			dst = append(dst, '}')
		}
		dst = append(dst, ']')
	}
	return append(dst, '}')
}

// appendStrings appends a JSON array of strings.
func appendStrings(dst []byte, ss []string) []byte {
	dst = append(dst, '[')
	for i, s := range ss {
		if i > 0 {
			dst = append(dst, ',')
		}
		dst = appendString(dst, s)
	}
	return append(dst, ']')
}

// appendString appends s as a JSON string, as encoding/json writes it
// without HTML escaping.
func appendString(dst []byte, s string) []byte { return jsonstr.Append(dst, s) }

// appendStd appends encoding/json's compact encoding of v, which is a
// supplier or a pedigree (types without a failing encoding), as the
// encoding of the whole component would hold it.
func appendStd(dst []byte, v any) []byte {
	b := byteBuf{b: dst}
	if err := encodeStd(&b, v); err != nil {
		return append(dst, "null"...) // cannot happen for these types; fastEncodable is checked by tests
	}
	return bytes.TrimSuffix(b.b, []byte("\n"))
}

// encodeStd writes v, encoded by encoding/json without HTML escaping and
// followed by a newline, to w.
func encodeStd(w *byteBuf, v any) error {
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	return enc.Encode(v)
}

// byteBuf is an io.Writer appending to a byte slice.
type byteBuf struct{ b []byte }

// Write appends p to the slice; it never fails.
func (w *byteBuf) Write(p []byte) (int, error) {
	w.b = append(w.b, p...)
	return len(p), nil
}
