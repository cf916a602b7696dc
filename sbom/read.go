package sbom

import (
	"bytes"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"path"
	"reflect"
	"strconv"
	"strings"

	"github.com/depsweep/depsweep/lockfiles"
)

// This file reads existing SBOMs (CycloneDX JSON and XML, SPDX JSON) back
// into lockfile inventories, so that archived release SBOMs can be matched
// with the same index and rules as lockfiles. Its unexported names start
// with "in" or "read" to keep clear of the builder's.

// ReadBOM parses an SBOM into an Inventory that the scan matches like a
// lockfile's. It reads CycloneDX JSON and XML, spec 1.2 to 1.7 (nested
// components are flattened; dependencies become edges), and SPDX 2.2 and
// 2.3 JSON (packages with an npm purl external reference; DEPENDS_ON and
// *_DEPENDENCY_OF relationships become edges). path names the file in the
// Inventory and in errors; data is the whole file.
//
// One Package is made per component (or SPDX package) whose purl has type
// npm: the name comes from the purl (scope "%40acme" decoded to "@acme"),
// the version from the purl or the component; the Source from depsweep's
// own property, else from the purl's vcs_url (git), download_url (tarball,
// or file for file: URLs) or repository_url (registry) qualifiers, else
// registry; Resolved from the distribution external reference, those
// qualifiers or depsweep's property; Integrity from SHA-512, SHA-384,
// SHA-256 and SHA-1 hashes turned back into Subresource Integrity form; Dev
// from scope "excluded" or the cdx:npm:package:development property;
// Optional from scope "optional"; Alias, Patch and the yarn checksum from
// depsweep's properties. metadata.component (CycloneDX) or the described
// package (SPDX) is the root importer, and components depsweep wrote for
// workspaces are workspace importers, as in the lockfile the BOM was built
// from. Components without an npm purl are not matched: one Problem says
// how many there were, so that a partly covered BOM never passes for a
// clean one.
//
// Format is "cyclonedx-<spec>-json", "cyclonedx-<spec>-xml" or
// "spdx-<version>-json". A malformed document is a *lockfiles.ParseError
// with the line and column where the decoder stopped. ReadBOM never panics
// and never quotes the file's content in an error. It is safe to call from
// several goroutines at once.
func ReadBOM(path string, data []byte) (inv *lockfiles.Inventory, err error) {
	defer func() {
		if r := recover(); r != nil {
			inv, err = nil, &lockfiles.ParseError{Path: path, Err: fmt.Errorf("internal error: sbom reader panicked: %v", r)}
		}
	}()
	base := 0
	// A UTF-8 byte order mark is neither JSON nor needed by XML; Windows
	// tools write one.
	if bytes.HasPrefix(data, []byte("\xef\xbb\xbf")) {
		base = 3
	}
	body := data[base:]
	trimmed := bytes.TrimLeft(body, " \t\r\n")
	if len(trimmed) == 0 {
		return nil, &lockfiles.ParseError{Path: path, Err: errors.New("empty file")}
	}
	var doc *inDoc
	switch trimmed[0] {
	case '{':
		r := &inJSON{path: path, data: data, base: int64(base), dec: json.NewDecoder(bytes.NewReader(body))}
		doc, err = r.document()
	case '<':
		doc, err = inReadXML(path, data)
	default:
		r := &inJSON{path: path, data: data, base: int64(base)}
		err = r.errAt(int64(len(body)-len(trimmed)), "not an SBOM: want a CycloneDX or SPDX document in JSON, or CycloneDX in XML")
	}
	if err != nil {
		return nil, err
	}
	if doc.spdx {
		inv = doc.spdxInventory(path)
	} else {
		inv = doc.cdxInventory(path)
	}
	inv.Root()
	return inv, nil
}

// IsBOM reports whether a file name looks like an SBOM that [ReadBOM]
// reads: the names the CycloneDX and SPDX specifications recommend
// (bom.json, bom.xml, *.cdx.json, *.cdx.xml, *.spdx.json) and the usual
// variants (sbom.json, *.bom.json, *.sbom.json, *.cyclonedx.json, their
// .xml forms, and *.spdx.json's sibling *.spdx.sbom.json), case-insensitively.
// Only the base name counts.
func IsBOM(name string) bool {
	b := strings.ToLower(path.Base(strings.ReplaceAll(name, "\\", "/")))
	switch b {
	case "bom.json", "bom.xml", "sbom.json", "sbom.xml":
		return true
	}
	for _, suf := range []string{".cdx.json", ".cdx.xml", ".cyclonedx.json", ".cyclonedx.xml",
		".bom.json", ".bom.xml", ".sbom.json", ".sbom.xml", ".spdx.json"} {
		if strings.HasSuffix(b, suf) && len(b) > len(suf) {
			return true
		}
	}
	return false
}

// inDoc is what the JSON and XML readers collect from a document before
// the inventory is built: CycloneDX components flattened in document order,
// or SPDX packages.
type inDoc struct {
	spdx    bool
	format  string
	root    *inComp   // CycloneDX metadata.component; nil when absent
	comps   []*inComp // every other component, nested ones after their parent
	deps    []inDep   // CycloneDX dependencies
	pkgs    []*inSPDXPackage
	rels    []inSPDXRel
	describ []string // SPDX documentDescribes
}

// inComp is one CycloneDX component, as much of it as an inventory needs.
type inComp struct {
	Ref     string     `json:"bom-ref"`
	Type    string     `json:"type"`
	Group   string     `json:"group"`
	Name    string     `json:"name"`
	Version string     `json:"version"`
	PURL    string     `json:"purl"`
	Scope   string     `json:"scope"`
	Hashes  []inHash   `json:"hashes"`
	Props   []inProp   `json:"properties"`
	ExtRefs []inExtRef `json:"externalReferences"`
	line    int        // where the component starts; 0 when unknown
}

type inHash struct {
	Alg     string `json:"alg" xml:"alg,attr"`
	Content string `json:"content" xml:",chardata"`
}

type inProp struct {
	Name  string `json:"name" xml:"name,attr"`
	Value string `json:"value" xml:",chardata"`
}

type inExtRef struct {
	Type string `json:"type" xml:"type,attr"`
	URL  string `json:"url" xml:"url"`
}

type inDep struct {
	Ref       string   `json:"ref"`
	DependsOn []string `json:"dependsOn"`
}

type inSPDXPackage struct {
	ID               string `json:"SPDXID"`
	Name             string `json:"name"`
	VersionInfo      string `json:"versionInfo"`
	DownloadLocation string `json:"downloadLocation"`
	FileName         string `json:"packageFileName"`
	Checksums        []struct {
		Algorithm string `json:"algorithm"`
		Value     string `json:"checksumValue"`
	} `json:"checksums"`
	ExternalRefs []struct {
		Category string `json:"referenceCategory"`
		Type     string `json:"referenceType"`
		Locator  string `json:"referenceLocator"`
	} `json:"externalRefs"`
	line int
}

type inSPDXRel struct {
	From string `json:"spdxElementId"`
	Type string `json:"relationshipType"`
	To   string `json:"relatedSpdxElement"`
}

// Supported versions.
var (
	inCDXVersions  = map[string]bool{"1.2": true, "1.3": true, "1.4": true, "1.5": true, "1.6": true, "1.7": true}
	inSPDXVersions = map[string]bool{"SPDX-2.2": true, "SPDX-2.3": true}
)

const inXMLNamespace = "http://cyclonedx.org/schema/bom/"

// ---- JSON ----

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

// ---- XML ----

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

// ---- package URLs ----

// inPURL is a parsed package URL.
type inPURL struct {
	Type       string // lower-case
	Name       string // for npm "@scope/name" or "name"
	Version    string
	Qualifiers map[string]string
}

// inParsePURL parses a package URL ("pkg:npm/%40scope/name@1.0.0?q=v#sub")
// following the purl specification's parsing rules, tolerating an
// unencoded "@" in an npm scope.
func inParsePURL(s string) (inPURL, error) {
	var p inPURL
	rest, ok := strings.CutPrefix(s, "pkg:")
	if !ok {
		return p, errors.New(`package URL does not start with "pkg:"`)
	}
	if i := strings.IndexByte(rest, '#'); i >= 0 {
		rest = rest[:i]
	}
	if i := strings.IndexByte(rest, '?'); i >= 0 {
		for kv := range strings.SplitSeq(rest[i+1:], "&") {
			k, v, ok := strings.Cut(kv, "=")
			if !ok || k == "" {
				continue
			}
			dv, err := inUnescape(v)
			if err != nil {
				return p, err
			}
			if p.Qualifiers == nil {
				p.Qualifiers = make(map[string]string)
			}
			p.Qualifiers[strings.ToLower(k)] = dv
		}
		rest = rest[:i]
	}
	rest = strings.Trim(rest, "/")
	typ, rest, ok := strings.Cut(rest, "/")
	if !ok || typ == "" {
		return p, errors.New("package URL has no type or name")
	}
	p.Type = strings.ToLower(typ)
	// The version follows the last "@" after the last "/": a scope's "@"
	// (which should be encoded as %40, but is not always) comes before it.
	slash := strings.LastIndexByte(rest, '/')
	if at := strings.LastIndexByte(rest, '@'); at > slash && at > 0 {
		v, err := inUnescape(rest[at+1:])
		if err != nil {
			return p, err
		}
		p.Version, rest = v, rest[:at]
	}
	var segs []string
	for seg := range strings.SplitSeq(rest, "/") {
		if seg == "" {
			continue
		}
		d, err := inUnescape(seg)
		if err != nil {
			return p, err
		}
		segs = append(segs, d)
	}
	if len(segs) == 0 {
		return p, errors.New("package URL has no name")
	}
	p.Name = strings.Join(segs, "/")
	if p.Type == "npm" {
		if len(segs) > 2 {
			return p, errors.New("npm package URL has more than a scope and a name")
		}
		if len(segs) == 2 && !strings.HasPrefix(segs[0], "@") {
			p.Name = "@" + p.Name
		}
		if len(segs) == 1 && strings.HasPrefix(segs[0], "@") {
			return p, errors.New("npm package URL has a scope but no name")
		}
	}
	return p, nil
}

// inUnescape percent-decodes a purl component; unlike a URL query, "+"
// stays "+".
func inUnescape(s string) (string, error) {
	if strings.IndexByte(s, '%') < 0 {
		return s, nil
	}
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		if s[i] != '%' {
			b.WriteByte(s[i])
			continue
		}
		if i+2 >= len(s) {
			return "", errors.New("package URL has a bad percent escape")
		}
		v, err := strconv.ParseUint(s[i+1:i+3], 16, 8)
		if err != nil {
			return "", errors.New("package URL has a bad percent escape")
		}
		b.WriteByte(byte(v))
		i += 2
	}
	return b.String(), nil
}

// ---- building the inventory ----

// Properties read back (the builder writes them; see its constants).
const (
	inPropDevelopment = "cdx:npm:package:development"
	inPropBundled     = "cdx:npm:package:bundled"
	inPropPath        = "cdx:npm:package:path"
	inPropAlias       = "depsweep:npm:alias"
	inPropSource      = "depsweep:source"
	inPropResolved    = "depsweep:resolved"
	inPropPeer        = "depsweep:npm:peer"
	inPropPatch       = "depsweep:patch"
	inPropChecksum    = "depsweep:yarn:cache-checksum"
)

// inSources are the Source values a depsweep:source property may carry.
var inSources = map[string]lockfiles.Source{
	string(lockfiles.SourceRegistry):  lockfiles.SourceRegistry,
	string(lockfiles.SourceTarball):   lockfiles.SourceTarball,
	string(lockfiles.SourceGit):       lockfiles.SourceGit,
	string(lockfiles.SourceFile):      lockfiles.SourceFile,
	string(lockfiles.SourceLink):      lockfiles.SourceLink,
	string(lockfiles.SourceWorkspace): lockfiles.SourceWorkspace,
	string(lockfiles.SourceRuntime):   lockfiles.SourceRuntime,
}

func (c *inComp) prop(name string) (string, bool) {
	for _, p := range c.Props {
		if p.Name == name {
			return strings.TrimSpace(p.Value), true
		}
	}
	return "", false
}

func (c *inComp) propTrue(name string) bool {
	v, ok := c.prop(name)
	return ok && strings.EqualFold(v, "true")
}

// fullName is "group/name" for an npm scope in group, else name.
func (c *inComp) fullName() string {
	if strings.HasPrefix(c.Group, "@") {
		return c.Group + "/" + c.Name
	}
	return c.Name
}

// inRef is what a bom-ref or SPDX id stands for: a package or an importer.
type inRef struct {
	pkg, imp int // -1 when not
}

// inHashAlgs maps CycloneDX and SPDX hash names to SRI algorithms.
var inHashAlgs = map[string]string{
	"SHA-512": "sha512", "SHA512": "sha512",
	"SHA-384": "sha384", "SHA384": "sha384",
	"SHA-256": "sha256", "SHA256": "sha256",
	"SHA-1": "sha1", "SHA1": "sha1",
}

var inDigestSize = map[string]int{"sha512": 64, "sha384": 48, "sha256": 32, "sha1": 20}

// inIntegrity turns hashes into an SRI string, in the order given. A
// digest is hex as the specifications say; base64 is accepted too, as
// some tools write the npm integrity's digest unconverted.
func inIntegrity(hashes []inHash) string {
	var parts []string
	for _, h := range hashes {
		alg, ok := inHashAlgs[strings.ToUpper(strings.TrimSpace(h.Alg))]
		if !ok {
			continue
		}
		v := strings.TrimSpace(h.Content)
		d, err := hex.DecodeString(v)
		if err != nil || len(d) != inDigestSize[alg] {
			d, err = base64.StdEncoding.DecodeString(v)
		}
		if err != nil || len(d) != inDigestSize[alg] {
			continue
		}
		s := lockfiles.Hash{Algorithm: alg, Digest: d}.String()
		if !strings.Contains(" "+strings.Join(parts, " ")+" ", " "+s+" ") {
			parts = append(parts, s)
		}
	}
	return strings.Join(parts, " ")
}

// inSourceOf derives the source and resolved location from purl qualifiers.
func inSourceOf(q map[string]string) (lockfiles.Source, string) {
	if v := q["vcs_url"]; v != "" {
		return lockfiles.SourceGit, v
	}
	if v := q["download_url"]; v != "" {
		if strings.HasPrefix(strings.ToLower(v), "file:") {
			return lockfiles.SourceFile, v
		}
		return lockfiles.SourceTarball, v
	}
	return lockfiles.SourceRegistry, q["repository_url"]
}

// inProblems counts components that are not matched.
type inProblems struct {
	other, bad         int
	otherLine, badLine int // of the first one
}

func (s *inProblems) addOther(line int) {
	if s.other == 0 {
		s.otherLine = line
	}
	s.other++
}

func (s *inProblems) addBad(line int) {
	if s.bad == 0 {
		s.badLine = line
	}
	s.bad++
}

func (s *inProblems) into(inv *lockfiles.Inventory, what string) {
	if s.bad > 0 {
		inv.Problems = append(inv.Problems, lockfiles.Problem{Line: s.badLine,
			Msg: fmt.Sprintf("%d %s with an invalid package URL not matched", s.bad, inPlural(s.bad, what))})
	}
	if s.other > 0 {
		inv.Problems = append(inv.Problems, lockfiles.Problem{Line: s.otherLine,
			Msg: fmt.Sprintf("%d %s without an npm package URL not matched", s.other, inPlural(s.other, what))})
	}
}

func inPlural(n int, what string) string {
	if n == 1 {
		return what
	}
	return what + "s"
}

// cdxInventory builds the inventory of a CycloneDX document.
func (doc *inDoc) cdxInventory(path string) *lockfiles.Inventory {
	inv := &lockfiles.Inventory{Path: path, Format: doc.format}
	refs := make(map[string]inRef, len(doc.comps)+1)
	root := lockfiles.Importer{Path: "."}
	if c := doc.root; c != nil {
		root.Name, root.Version = c.fullName(), c.Version
		if p, err := inParsePURL(c.PURL); err == nil && p.Type == "npm" {
			root.Name, root.Version = inCaseOf(c, p.Name), p.Version
		}
		if c.Ref != "" {
			refs[c.Ref] = inRef{pkg: -1, imp: 0}
		}
	}
	inv.Importers = append(inv.Importers, root)
	var probs inProblems
	inv.Packages = make([]lockfiles.Package, 0, len(doc.comps))
	for _, c := range doc.comps {
		if c.PURL == "" {
			probs.addOther(c.line)
			continue
		}
		p, err := inParsePURL(c.PURL)
		if err != nil {
			probs.addBad(c.line)
			continue
		}
		if p.Type != "npm" {
			probs.addOther(c.line)
			continue
		}
		ref := inRef{pkg: -1, imp: -1}
		if src, _ := c.prop(inPropSource); src == string(lockfiles.SourceWorkspace) {
			// A workspace depsweep wrote: an importer, as in the lockfile.
			wp, _ := c.prop(inPropPath)
			if wp == "" {
				wp = c.Name
			}
			ref.imp = len(inv.Importers)
			inv.Importers = append(inv.Importers, lockfiles.Importer{Path: wp, Name: inCaseOf(c, p.Name), Version: p.Version})
		} else {
			ref.pkg = len(inv.Packages)
			inv.Packages = append(inv.Packages, c.pkg(p))
		}
		if _, dup := refs[c.Ref]; c.Ref != "" && !dup {
			refs[c.Ref] = ref
		}
	}
	for _, d := range doc.deps {
		from, ok := refs[d.Ref]
		if !ok {
			continue
		}
		for _, t := range d.DependsOn {
			to, ok := refs[t]
			if !ok || to.pkg < 0 {
				continue // a dependency on something not matched, or on a workspace (installed by the root)
			}
			p := &inv.Packages[to.pkg]
			typ := lockfiles.DepProd
			switch {
			case p.Dev && from.imp >= 0:
				typ = lockfiles.DepDev
			case p.Optional:
				typ = lockfiles.DepOptional
			}
			if from.imp >= 0 {
				imp := &inv.Importers[from.imp]
				imp.Deps = append(imp.Deps, lockfiles.Dep{To: to.pkg, Type: typ})
			} else if from.pkg != to.pkg {
				inv.Edges = append(inv.Edges, lockfiles.Edge{From: from.pkg, To: to.pkg, Type: typ})
			}
		}
	}
	probs.into(inv, "component")
	return inv
}

// inCaseOf returns the component's own spelling of the purl's name when
// they differ only in case: purls lower-case npm names, but a few old
// packages (JSONStream) have upper-case letters.
func inCaseOf(c *inComp, purlName string) string {
	if n := c.fullName(); n != purlName && strings.EqualFold(n, purlName) {
		return n
	}
	return purlName
}

// pkg makes the Package of an npm component.
func (c *inComp) pkg(p inPURL) lockfiles.Package {
	pkg := lockfiles.Package{
		Name:      inCaseOf(c, p.Name),
		Version:   p.Version,
		Integrity: inIntegrity(c.Hashes),
		Line:      c.line,
	}
	if pkg.Version == "" {
		pkg.Version = c.Version
	}
	var fromQ string
	pkg.Source, fromQ = inSourceOf(p.Qualifiers)
	if s, ok := c.prop(inPropSource); ok {
		if src, known := inSources[s]; known {
			pkg.Source = src
		}
	}
	for _, e := range c.ExtRefs {
		if e.Type == "distribution" && e.URL != "" {
			pkg.Resolved = e.URL
			break
		}
	}
	if pkg.Resolved == "" {
		if r, ok := c.prop(inPropResolved); ok {
			pkg.Resolved = r
		} else {
			pkg.Resolved = fromQ
		}
	}
	pkg.Alias, _ = c.prop(inPropAlias)
	pkg.Patch, _ = c.prop(inPropPatch)
	pkg.Checksum, _ = c.prop(inPropChecksum)
	pkg.Dev = strings.EqualFold(c.Scope, "excluded") || c.propTrue(inPropDevelopment)
	pkg.Optional = strings.EqualFold(c.Scope, "optional")
	pkg.Peer = c.propTrue(inPropPeer)
	pkg.Bundled = c.propTrue(inPropBundled)
	for _, pr := range c.Props {
		if pr.Name == inPropPath && pr.Value != "" {
			pkg.Paths = append(pkg.Paths, strings.TrimSpace(pr.Value))
		}
	}
	return pkg
}

// inSPDXEdge maps SPDX relationship types to the direction and type of a
// dependency edge: reverse is set for the "X_OF" forms, where the element
// is the dependency and the related element depends on it.
var inSPDXEdge = map[string]struct {
	reverse bool
	typ     lockfiles.DepType
}{
	"DEPENDS_ON":             {false, lockfiles.DepProd},
	"DEPENDENCY_OF":          {true, lockfiles.DepProd},
	"RUNTIME_DEPENDENCY_OF":  {true, lockfiles.DepProd},
	"PROVIDED_DEPENDENCY_OF": {true, lockfiles.DepProd},
	"DEV_DEPENDENCY_OF":      {true, lockfiles.DepDev},
	"BUILD_DEPENDENCY_OF":    {true, lockfiles.DepDev},
	"TEST_DEPENDENCY_OF":     {true, lockfiles.DepDev},
	"OPTIONAL_DEPENDENCY_OF": {true, lockfiles.DepOptional},
}

// npmPURL returns the package's npm purl from its external references.
func (p *inSPDXPackage) purl() (string, bool) {
	for _, r := range p.ExternalRefs {
		cat := strings.ToUpper(strings.ReplaceAll(r.Category, "_", "-"))
		if cat == "PACKAGE-MANAGER" && strings.EqualFold(r.Type, "purl") {
			return strings.TrimSpace(r.Locator), true
		}
	}
	return "", false
}

// spdxInventory builds the inventory of an SPDX document.
func (doc *inDoc) spdxInventory(path string) *lockfiles.Inventory {
	inv := &lockfiles.Inventory{Path: path, Format: doc.format}
	// The packages the document describes are the projects: importers, as
	// a lockfile's root project. A tool that marks every package described
	// gives no such hint, and then every package is matched.
	described := make(map[string]bool)
	for _, id := range doc.describ {
		described[id] = true
	}
	for _, r := range doc.rels {
		switch {
		case r.Type == "DESCRIBES" && r.From == "SPDXRef-DOCUMENT":
			described[r.To] = true
		case r.Type == "DESCRIBED_BY" && r.To == "SPDXRef-DOCUMENT":
			described[r.From] = true
		}
	}
	nDescribed := 0
	for _, p := range doc.pkgs {
		if described[p.ID] {
			nDescribed++
		}
	}
	if nDescribed == len(doc.pkgs) && len(doc.pkgs) > 1 {
		clear(described)
	}
	refs := make(map[string]inRef, len(doc.pkgs))
	var probs inProblems
	inv.Importers = []lockfiles.Importer{{Path: "."}}
	rootSet := false
	for _, sp := range doc.pkgs {
		purl, hasPURL := sp.purl()
		var p inPURL
		var perr error
		if hasPURL {
			p, perr = inParsePURL(purl)
		}
		if described[sp.ID] {
			imp := lockfiles.Importer{Path: ".", Name: sp.Name, Version: sp.VersionInfo}
			if hasPURL && perr == nil && p.Type == "npm" {
				imp.Name = p.Name
				if p.Version != "" {
					imp.Version = p.Version
				}
			}
			idx := 0
			if rootSet {
				imp.Path = imp.Name
				idx = len(inv.Importers)
				inv.Importers = append(inv.Importers, imp)
			} else {
				inv.Importers[0], rootSet = imp, true
			}
			refs[sp.ID] = inRef{pkg: -1, imp: idx}
			continue
		}
		switch {
		case !hasPURL:
			probs.addOther(sp.line)
			continue
		case perr != nil:
			probs.addBad(sp.line)
			continue
		case p.Type != "npm":
			probs.addOther(sp.line)
			continue
		}
		pkg := lockfiles.Package{Name: p.Name, Version: p.Version, Line: sp.line}
		if strings.EqualFold(sp.Name, p.Name) {
			pkg.Name = sp.Name
		}
		if pkg.Version == "" {
			pkg.Version = sp.VersionInfo
		}
		var fromQ string
		pkg.Source, fromQ = inSourceOf(p.Qualifiers)
		pkg.Resolved = fromQ
		if dl := strings.TrimSpace(sp.DownloadLocation); dl != "" && dl != "NOASSERTION" && dl != "NONE" {
			pkg.Resolved = dl
			if pkg.Source == lockfiles.SourceRegistry && strings.HasPrefix(dl, "git+") {
				pkg.Source = lockfiles.SourceGit
			}
		}
		hs := make([]inHash, 0, len(sp.Checksums))
		for _, c := range sp.Checksums {
			hs = append(hs, inHash{Alg: c.Algorithm, Content: c.Value})
		}
		pkg.Integrity = inIntegrity(hs)
		// npm sbom records the install path there.
		if f := sp.FileName; strings.HasPrefix(f, "node_modules/") || strings.Contains(f, "/node_modules/") {
			pkg.Paths = []string{f}
		}
		if sp.ID != "" {
			if _, dup := refs[sp.ID]; !dup {
				refs[sp.ID] = inRef{pkg: len(inv.Packages), imp: -1}
			}
		}
		inv.Packages = append(inv.Packages, pkg)
	}
	for _, r := range doc.rels {
		e, ok := inSPDXEdge[r.Type]
		if !ok {
			continue
		}
		fromID, toID := r.From, r.To
		if e.reverse {
			fromID, toID = toID, fromID
		}
		from, ok1 := refs[fromID]
		to, ok2 := refs[toID]
		if !ok1 || !ok2 {
			continue
		}
		if to.imp >= 0 && from.pkg >= 0 {
			// npm sbom writes "<root> DEV_DEPENDENCY_OF <dep>" (and
			// OPTIONAL_DEPENDENCY_OF), the reverse of the SPDX meaning; a
			// project is never a dependency of a package, so turn it round.
			from, to = to, from
		}
		if to.pkg < 0 {
			continue
		}
		if from.imp >= 0 {
			imp := &inv.Importers[from.imp]
			imp.Deps = append(imp.Deps, lockfiles.Dep{To: to.pkg, Type: e.typ})
		} else if from.pkg != to.pkg {
			inv.Edges = append(inv.Edges, lockfiles.Edge{From: from.pkg, To: to.pkg, Type: e.typ})
		}
	}
	// SPDX records scope only on the relationships.
	inv.ComputeScopes()
	probs.into(inv, "package")
	return inv
}
