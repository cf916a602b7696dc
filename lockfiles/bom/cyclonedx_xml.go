package bom

import (
	"bytes"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/depsweep/depsweep/lockfiles"
)

// inXML streams a CycloneDX XML document.
type inXML struct {
	path string
	dec  *xml.Decoder
	ns   string // the document's namespace
}

func (r *inXML) errAt(format string, args ...any) error {
	line, col := r.dec.InputPos()
	return &lockfiles.ParseError{Path: r.path, Line: line, Col: col, Err: fmt.Errorf(format, args...)}
}

// wrap turns a decoder error into a ParseError.
func (r *inXML) wrap(err error) error {
	var se *xml.SyntaxError
	if errors.As(err, &se) {
		_, col := r.dec.InputPos()
		line := se.Line
		if l, _ := r.dec.InputPos(); l != line {
			col = 0
		}
		return &lockfiles.ParseError{Path: r.path, Line: line, Col: col, Err: fmt.Errorf("invalid XML: %s", inXMLMsg(se.Msg))}
	}
	if errors.Is(err, io.EOF) {
		return r.errAt("invalid XML: unexpected end of file")
	}
	return r.errAt("invalid XML: %s", inXMLMsg(err.Error()))
}

// inXMLMsg keeps encoding/xml's message unless it quotes input that is not
// printable ASCII.
func inXMLMsg(s string) string {
	s = strings.TrimPrefix(s, "xml: ")
	if strings.IndexFunc(s, func(r rune) bool { return r < 0x20 || r > 0x7e }) >= 0 {
		return "syntax error"
	}
	return s
}

func inReadXML(path string, data []byte) (*inDoc, error) {
	r := &inXML{path: path, dec: xml.NewDecoder(bytes.NewReader(data))}
	// Entities beyond XML's five are not expanded (encoding/xml has no DTD
	// support), so a hostile document cannot blow up in memory.
	var root xml.StartElement
	for {
		t, err := r.dec.Token()
		if err != nil {
			return nil, r.wrap(err)
		}
		if se, ok := t.(xml.StartElement); ok {
			root = se
			break
		}
	}
	ver, ok := strings.CutPrefix(root.Name.Space, inXMLNamespace)
	if root.Name.Local != "bom" || !ok {
		return nil, r.errAt("not an SBOM: the root element is not a CycloneDX bom")
	}
	if !inCDXVersions[ver] {
		return nil, r.errAt("unsupported CycloneDX XML namespace (want spec 1.2 to 1.7)")
	}
	r.ns = root.Name.Space
	doc := &inDoc{format: "cyclonedx-" + ver + "-xml"}
	err := r.children(func(se xml.StartElement) error {
		switch se.Name.Local {
		case "metadata":
			return r.children(func(se xml.StartElement) error {
				if se.Name.Local != "component" {
					return r.dec.Skip()
				}
				c, err := r.component(doc, se, false)
				if err == nil {
					doc.root = c
				}
				return err
			})
		case "components":
			return r.components(doc)
		case "dependencies":
			return r.children(func(se xml.StartElement) error {
				if se.Name.Local != "dependency" {
					return r.dec.Skip()
				}
				return r.dependency(doc, se)
			})
		}
		return r.dec.Skip()
	})
	if err != nil {
		return nil, err
	}
	// Nothing but comments, processing instructions and white space may follow.
	for {
		t, err := r.dec.Token()
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, r.wrap(err)
		}
		switch t := t.(type) {
		case xml.StartElement:
			return nil, r.errAt("invalid XML: a second root element")
		case xml.CharData:
			if len(bytes.TrimSpace(t)) > 0 {
				return nil, r.errAt("invalid XML: text after the root element")
			}
		}
	}
	return doc, nil
}

// children calls f for each child element of the element just opened, in
// the document's namespace (extension elements in other namespaces are
// skipped); f must consume the element. It returns after the end tag.
func (r *inXML) children(f func(se xml.StartElement) error) error {
	for {
		t, err := r.dec.Token()
		if err != nil {
			return r.wrap(err)
		}
		switch t := t.(type) {
		case xml.StartElement:
			if t.Name.Space != r.ns {
				err = r.dec.Skip()
			} else {
				err = f(t)
			}
			if err != nil {
				return r.rewrap(err)
			}
		case xml.EndElement:
			return nil
		}
	}
}

// rewrap is wrap that leaves a ParseError as it is.
func (r *inXML) rewrap(err error) error {
	var pe *lockfiles.ParseError
	if errors.As(err, &pe) {
		return err
	}
	return r.wrap(err)
}

func (r *inXML) components(doc *inDoc) error {
	return r.children(func(se xml.StartElement) error {
		if se.Name.Local != "component" {
			return r.dec.Skip()
		}
		_, err := r.component(doc, se, true)
		return err
	})
}

// component reads the component element se has opened.
func (r *inXML) component(doc *inDoc, se xml.StartElement, add bool) (*inComp, error) {
	c := &inComp{}
	c.line, _ = r.dec.InputPos()
	for _, a := range se.Attr {
		switch a.Name.Local {
		case "bom-ref":
			c.Ref = a.Value
		case "type":
			c.Type = a.Value
		}
	}
	if add {
		doc.comps = append(doc.comps, c)
	}
	err := r.children(func(se xml.StartElement) error {
		switch se.Name.Local {
		case "group":
			return r.dec.DecodeElement(&c.Group, &se)
		case "name":
			return r.dec.DecodeElement(&c.Name, &se)
		case "version":
			return r.dec.DecodeElement(&c.Version, &se)
		case "purl":
			return r.dec.DecodeElement(&c.PURL, &se)
		case "scope":
			return r.dec.DecodeElement(&c.Scope, &se)
		case "hashes":
			var v struct {
				Hash []inHash `xml:"hash"`
			}
			err := r.dec.DecodeElement(&v, &se)
			c.Hashes = append(c.Hashes, v.Hash...)
			return err
		case "properties":
			var v struct {
				Property []inProp `xml:"property"`
			}
			err := r.dec.DecodeElement(&v, &se)
			c.Props = append(c.Props, v.Property...)
			return err
		case "externalReferences":
			var v struct {
				Reference []inExtRef `xml:"reference"`
			}
			err := r.dec.DecodeElement(&v, &se)
			c.ExtRefs = append(c.ExtRefs, v.Reference...)
			return err
		case "components":
			return r.components(doc)
		}
		return r.dec.Skip()
	})
	if err != nil {
		return nil, r.rewrap(err)
	}
	c.Name, c.Group, c.Version = strings.TrimSpace(c.Name), strings.TrimSpace(c.Group), strings.TrimSpace(c.Version)
	c.PURL, c.Scope = strings.TrimSpace(c.PURL), strings.TrimSpace(c.Scope)
	for i := range c.Hashes {
		c.Hashes[i].Content = strings.TrimSpace(c.Hashes[i].Content)
	}
	for i := range c.ExtRefs {
		c.ExtRefs[i].URL = strings.TrimSpace(c.ExtRefs[i].URL)
	}
	return c, nil
}

// dependency reads a dependency element: its ref attribute and the refs of
// the dependency elements inside it (which the 1.2 to 1.4 schemas let
// nest further; each level depends on the one inside it).
func (r *inXML) dependency(doc *inDoc, se xml.StartElement) error {
	d := inDep{Ref: inAttr(se, "ref")}
	idx := len(doc.deps)
	doc.deps = append(doc.deps, d)
	return r.children(func(se xml.StartElement) error {
		if se.Name.Local != "dependency" {
			return r.dec.Skip()
		}
		if ref := inAttr(se, "ref"); ref != "" {
			doc.deps[idx].DependsOn = append(doc.deps[idx].DependsOn, ref)
		}
		return r.dependency(doc, se)
	})
}

func inAttr(se xml.StartElement, name string) string {
	for _, a := range se.Attr {
		if a.Name.Local == name && a.Name.Space == "" {
			return a.Value
		}
	}
	return ""
}
