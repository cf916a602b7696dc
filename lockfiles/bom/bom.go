// Package bom reads existing SBOMs (CycloneDX JSON and XML, SPDX JSON) back
// into lockfile inventories, so that archived release SBOMs are matched with
// the same index and rules as lockfiles: an SBOM is one more input format.
// It also holds the one table of CycloneDX property names ([PropDevelopment]
// and the rest) that package sbom writes and this package reads back.
//
// One file per format: cyclonedx_json.go and cyclonedx_xml.go decode
// CycloneDX (spdx.go's SPDX JSON shares the JSON decoder), cyclonedx.go and
// spdx.go build the inventory, purl.go parses package URLs.
package bom

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"path"
	"strings"

	"github.com/depsweep/depsweep/lockfiles"
)

// Read parses an SBOM into an Inventory that the scan matches like a
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
// with the line and column where the decoder stopped. Read never panics
// and never quotes the file's content in an error. It is safe to call from
// several goroutines at once.
func Read(path string, data []byte) (inv *lockfiles.Inventory, err error) {
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

// IsBOM reports whether a file name looks like an SBOM that [Read]
// reads: the names the CycloneDX and SPDX specifications recommend
// (bom.json, bom.xml, *.cdx.json, *.cdx.xml, *.spdx.json) and the usual
// variants (sbom.json, *.bom.json, *.sbom.json, *.cyclonedx.json, their
// .xml forms, and *.spdx.json's sibling *.spdx.sbom.json), case-insensitively.
// Only the base name counts.
func IsName(name string) bool {
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
