package lockfiles

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
)

// A FileType is what a file holds, told by its content ([Sniff]) or forced
// by the user (depsweep scan --type).
type FileType string

// File types. The SBOM types are read by the sbom package, not by [ParseAs].
const (
	TypeNPM       FileType = "npm"       // package-lock.json, npm-shrinkwrap.json, node_modules/.package-lock.json
	TypeYarn      FileType = "yarn"      // yarn.lock, classic or berry
	TypePnpm      FileType = "pnpm"      // pnpm-lock.yaml
	TypeCycloneDX FileType = "cyclonedx" // CycloneDX SBOM, JSON or XML
	TypeSPDX      FileType = "spdx"      // SPDX SBOM, JSON
)

// FileTypes lists every file type, in the order [Sniff] tries them.
var FileTypes = []FileType{TypeNPM, TypeYarn, TypePnpm, TypeCycloneDX, TypeSPDX}

// IsSBOM reports whether t is an SBOM type.
func (t FileType) IsSBOM() bool { return t == TypeCycloneDX || t == TypeSPDX }

// ErrUnknownContent is wrapped by the error [Sniff] returns for a file it
// cannot tell.
var ErrUnknownContent = errors.New("not a lockfile or an SBOM")

// sniffed says what each type is recognised by, for the error that lists
// what was tried.
const sniffed = "tried npm (JSON with lockfileVersion, packages or dependencies), " +
	"yarn (\"# yarn lockfile v1\" header or __metadata), pnpm (YAML with lockfileVersion), " +
	"CycloneDX (JSON bomFormat or XML bom) and SPDX (JSON spdxVersion)"

// sniffLimit is how much of a text file Sniff looks at for the markers of
// yarn and pnpm lockfiles, which stand in their first lines.
const sniffLimit = 64 << 10

// Sniff tells from its content what a file named on the command line holds,
// whatever its name (old-package-lock.json, pnpm-lock.yaml.2025-09-20.bak,
// bom.json). JSON is an npm lockfile when its top-level object has
// lockfileVersion, packages or dependencies (npm 5 to 11, and shrinkwraps
// of older npm), CycloneDX when it has bomFormat "CycloneDX", SPDX when it
// has spdxVersion; XML is CycloneDX when its root element is bom; other
// text is a yarn lockfile with the classic "# yarn lockfile v1" header or a
// berry __metadata key, and a pnpm lockfile with a top-level
// lockfileVersion key. Anything else is an error wrapping
// [ErrUnknownContent] that says what was tried.
func Sniff(data []byte) (FileType, error) {
	body := bytes.TrimPrefix(data, []byte("\xef\xbb\xbf"))
	trimmed := bytes.TrimLeft(body, " \t\r\n")
	switch {
	case len(trimmed) == 0:
		return "", fmt.Errorf("%w: the file is empty; %s", ErrUnknownContent, sniffed)
	case trimmed[0] == '{':
		if t := sniffJSON(trimmed); t != "" {
			return t, nil
		}
	case trimmed[0] == '<':
		head := trimmed[:min(len(trimmed), sniffLimit)]
		if bytes.Contains(head, []byte("<bom")) || bytes.Contains(head, []byte(":bom")) {
			return TypeCycloneDX, nil
		}
	default:
		head := body[:min(len(body), sniffLimit)]
		for line := range bytes.Lines(head) {
			l := bytes.TrimRight(line, " \t\r\n")
			switch {
			case bytes.HasPrefix(l, []byte("# yarn lockfile v1")):
				return TypeYarn, nil
			case bytes.HasPrefix(l, []byte("__metadata:")), bytes.HasPrefix(l, []byte(`"__metadata":`)):
				return TypeYarn, nil
			case bytes.HasPrefix(l, []byte("lockfileVersion:")), bytes.HasPrefix(l, []byte(`"lockfileVersion":`)),
				bytes.HasPrefix(l, []byte("'lockfileVersion':")):
				return TypePnpm, nil
			}
		}
	}
	return "", fmt.Errorf("%w: %s", ErrUnknownContent, sniffed)
}

// sniffJSON looks at the keys of a top-level JSON object.
func sniffJSON(data []byte) FileType {
	dec := json.NewDecoder(bytes.NewReader(data))
	if tok, err := dec.Token(); err != nil || tok != json.Delim('{') {
		return ""
	}
	var deps, pkgs bool
	for dec.More() {
		tok, err := dec.Token()
		if err != nil {
			return ""
		}
		key, _ := tok.(string)
		switch key {
		case "lockfileVersion":
			return TypeNPM
		case "bomFormat":
			var v string
			if dec.Decode(&v) == nil && v == "CycloneDX" {
				return TypeCycloneDX
			}
			continue
		case "spdxVersion":
			return TypeSPDX
		case "packages":
			pkgs = objectOf(dec, "")
			continue
		case "dependencies":
			// A lockfile's dependencies are objects ({"version": ...});
			// a package.json's are strings (ranges).
			deps = objectOf(dec, "version")
			continue
		}
		var skip json.RawMessage
		if dec.Decode(&skip) != nil {
			return ""
		}
	}
	if pkgs || deps {
		return TypeNPM
	}
	return ""
}

// objectOf decodes the next value and reports whether it is an object whose
// first member is an object; with key set, that member must hold key.
func objectOf(dec *json.Decoder, key string) bool {
	var m map[string]json.RawMessage
	if dec.Decode(&m) != nil {
		return false
	}
	for _, v := range m {
		var inner map[string]json.RawMessage
		if json.Unmarshal(v, &inner) != nil {
			return false
		}
		if key == "" {
			return true
		}
		_, ok := inner[key]
		return ok
	}
	return false
}

// ParseAs parses a lockfile of type t whatever its file name, like [Parse]
// does by name: the same parsers, the same panic recovery and result. It is
// an error for an SBOM type or an unknown one.
func ParseAs(t FileType, in Input) (inv *Inventory, err error) {
	defer func() {
		if r := recover(); r != nil {
			inv, err = nil, &ParseError{Path: in.Path, Err: fmt.Errorf("internal error: parser panicked: %v", r)}
		}
	}()
	var parse func(Input) (*Inventory, error)
	switch t {
	case TypeNPM:
		parse = parseNPM
	case TypeYarn:
		parse = parseYarn
	case TypePnpm:
		parse = parsePnpm
	default:
		return nil, &ParseError{Path: in.Path, Err: fmt.Errorf("%q is not a lockfile type (want npm, yarn or pnpm)", t)}
	}
	inv, err = parse(in)
	if err != nil {
		return nil, err
	}
	inv.Path = in.Path
	inv.Root()
	inv.inferRootDeps()
	return inv, nil
}

// ParseFileType parses the value of --type.
func ParseFileType(s string) (FileType, error) {
	for _, t := range FileTypes {
		if string(t) == s {
			return t, nil
		}
	}
	return "", fmt.Errorf("unknown file type %q (want npm, yarn, pnpm, cyclonedx or spdx)", s)
}
