package sbom

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	cdx "github.com/CycloneDX/cyclonedx-go"
	"github.com/santhosh-tekuri/jsonschema/v6"

	"github.com/depsweep/depsweep/sbom/internal/xsd"
)

// schemaDir holds the official CycloneDX schemas. Every schema a BOM schema
// references is loaded from here, never from the network.
const schemaDir = "../testdata/cyclonedx-schema"

var specs = []cdx.SpecVersion{cdx.SpecVersion1_6, cdx.SpecVersion1_7}

var (
	schemasOnce sync.Once
	jsonSchema  map[cdx.SpecVersion]*jsonschema.Schema
	xmlSchema   map[cdx.SpecVersion]*xsd.Schema
	schemasErr  error
	xsdErr      error // why XML validation cannot run (no cgo), nil when it can
)

func loadSchemas(t testing.TB) {
	t.Helper()
	schemasOnce.Do(func() { schemasErr = compileSchemas() })
	if schemasErr != nil {
		t.Fatal(schemasErr)
	}
}

func compileSchemas() error {
	c := jsonschema.NewCompiler()
	c.AssertFormat()
	// Register every JSON schema of the directory under its $id, so that
	// the BOM schemas' references (spdx, jsf, cryptography-defs) resolve
	// locally; the default loader fetches nothing over the network.
	files, err := filepath.Glob(filepath.Join(schemaDir, "*.schema.json"))
	if err != nil {
		return err
	}
	if len(files) < 4 {
		return fmt.Errorf("%s: found %d JSON schemas, want the BOM schemas and their references", schemaDir, len(files))
	}
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			return err
		}
		doc, err := jsonschema.UnmarshalJSON(bytes.NewReader(data))
		if err != nil {
			return fmt.Errorf("%s: %v", f, err)
		}
		id, _ := doc.(map[string]any)["$id"].(string)
		if id == "" {
			return fmt.Errorf("%s: no $id", f)
		}
		if err := c.AddResource(id, doc); err != nil {
			return fmt.Errorf("%s: %v", f, err)
		}
	}
	jsonSchema = map[cdx.SpecVersion]*jsonschema.Schema{}
	xmlSchema = map[cdx.SpecVersion]*xsd.Schema{}
	for _, v := range specs {
		s, err := c.Compile(jsonSchemas[v])
		if err != nil {
			return fmt.Errorf("compile %s: %v", jsonSchemas[v], err)
		}
		jsonSchema[v] = s

		name := filepath.Join(schemaDir, "bom-"+v.String()+".xsd")
		data, err := os.ReadFile(name)
		if err != nil {
			return err
		}
		// The XSD imports SPDX from its canonical URL; point it at the copy
		// beside it (resolved against the schema's own path).
		const remote = `schemaLocation="http://cyclonedx.org/schema/spdx"`
		if !bytes.Contains(data, []byte(remote)) {
			return fmt.Errorf("%s: no import of %s", name, remote)
		}
		data = bytes.ReplaceAll(data, []byte(remote), []byte(`schemaLocation="spdx.xsd"`))
		abs, err := filepath.Abs(name)
		if err != nil {
			return err
		}
		xs, err := xsd.Compile(data, abs)
		if errors.Is(err, xsd.ErrUnavailable) {
			xsdErr = err
			continue
		}
		if err != nil {
			return err
		}
		xmlSchema[v] = xs
	}
	return nil
}

// validate encodes bom (built for spec v) as JSON and XML and validates both
// against the official schemas of v. It returns the JSON encoding.
func validate(t testing.TB, name string, bom *cdx.BOM, v cdx.SpecVersion) []byte {
	t.Helper()
	loadSchemas(t)
	var js bytes.Buffer
	if err := Write(&js, bom, Options{SpecVersion: v, Format: cdx.BOMFileFormatJSON}); err != nil {
		t.Fatalf("%s: write json %s: %v", name, v, err)
	}
	inst, err := jsonschema.UnmarshalJSON(bytes.NewReader(js.Bytes()))
	if err != nil {
		t.Fatalf("%s: written json does not parse: %v", name, err)
	}
	if err := jsonSchema[v].Validate(inst); err != nil {
		t.Errorf("%s: json is not valid CycloneDX %s: %v", name, v, trim(err.Error()))
	}
	if xsdErr != nil {
		return js.Bytes()
	}
	var xb bytes.Buffer
	if err := Write(&xb, bom, Options{SpecVersion: v, Format: cdx.BOMFileFormatXML}); err != nil {
		t.Fatalf("%s: write xml %s: %v", name, v, err)
	}
	if err := xmlSchema[v].Validate(xb.Bytes()); err != nil {
		t.Errorf("%s: xml is not valid CycloneDX %s: %v", name, v, trim(err.Error()))
	}
	return js.Bytes()
}

// skipNoXSD notes in the test log when XML validation cannot run.
func skipNoXSD(t *testing.T) {
	loadSchemas(t)
	if xsdErr != nil {
		t.Logf("XML not validated: %v", xsdErr)
	}
}

func trim(s string) string {
	if len(s) > 2000 {
		return s[:2000] + "..."
	}
	return strings.TrimSpace(s)
}

// TestSchemasRejectInvalid shows that the validators can fail: a BOM with a
// component missing its required name and a malformed serial number.
func TestSchemasRejectInvalid(t *testing.T) {
	loadSchemas(t)
	bad := &cdx.BOM{
		BOMFormat: cdx.BOMFormat, Version: 1, SerialNumber: "urn:uuid:not-a-uuid",
		Components: &[]cdx.Component{{Type: "no-such-type", Name: "x"}},
	}
	for _, v := range specs {
		bad.SpecVersion = v
		var js bytes.Buffer
		if err := Write(&js, bad, Options{SpecVersion: v, Format: cdx.BOMFileFormatJSON}); err != nil {
			t.Fatal(err)
		}
		inst, err := jsonschema.UnmarshalJSON(&js)
		if err != nil {
			t.Fatal(err)
		}
		if err := jsonSchema[v].Validate(inst); err == nil {
			t.Errorf("json schema %s accepted an invalid BOM", v)
		}
		if xsdErr != nil {
			continue
		}
		var xb bytes.Buffer
		if err := Write(&xb, bad, Options{SpecVersion: v, Format: cdx.BOMFileFormatXML}); err != nil {
			t.Fatal(err)
		}
		if err := xmlSchema[v].Validate(xb.Bytes()); err == nil {
			t.Errorf("xsd %s accepted an invalid BOM", v)
		}
	}
}
