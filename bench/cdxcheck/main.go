// Command cdxcheck validates CycloneDX JSON documents against the official
// JSON schemas of a local directory (no network), for bench/fleet.sh to check
// the SBOMs other tools write. It also counts duplicate dependsOn items (the
// schema requires them unique), the usual way a merged BOM fails.
//
// Usage: go run ./bench/cdxcheck -schemas testdata/cyclonedx-schema FILE...
//
// It prints one line per file ("FILE: valid CycloneDX 1.7" or the first
// schema errors) and exits 1 when a file is not valid.
package main

import (
	"bytes"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/santhosh-tekuri/jsonschema/v6"
)

func main() {
	dir := flag.String("schemas", "testdata/cyclonedx-schema", "directory of the CycloneDX JSON schemas")
	flag.Parse()
	c, err := compiler(*dir)
	if err != nil {
		fmt.Fprintln(os.Stderr, "cdxcheck:", err)
		os.Exit(2)
	}
	code := 0
	for _, name := range flag.Args() {
		msg, ok := check(c, *dir, name)
		fmt.Printf("%s: %s\n", name, msg)
		if !ok {
			code = 1
		}
	}
	os.Exit(code)
}

// compiler registers every schema of dir under its $id, so that references
// resolve locally.
func compiler(dir string) (*jsonschema.Compiler, error) {
	files, err := filepath.Glob(filepath.Join(dir, "*.schema.json"))
	if err != nil {
		return nil, err
	}
	if len(files) == 0 {
		return nil, fmt.Errorf("%s: no *.schema.json", dir)
	}
	c := jsonschema.NewCompiler()
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			return nil, err
		}
		doc, err := jsonschema.UnmarshalJSON(bytes.NewReader(data))
		if err != nil {
			return nil, fmt.Errorf("%s: %v", f, err)
		}
		id, _ := doc.(map[string]any)["$id"].(string)
		if id == "" {
			return nil, fmt.Errorf("%s: no $id", f)
		}
		if err := c.AddResource(id, doc); err != nil {
			return nil, fmt.Errorf("%s: %v", f, err)
		}
	}
	return c, nil
}

func check(c *jsonschema.Compiler, dir, name string) (string, bool) {
	data, err := os.ReadFile(name)
	if err != nil {
		return err.Error(), false
	}
	inst, err := jsonschema.UnmarshalJSON(bytes.NewReader(data))
	if err != nil {
		return "not JSON: " + err.Error(), false
	}
	var head struct {
		SpecVersion  string `json:"specVersion"`
		Dependencies []struct {
			Ref       string   `json:"ref"`
			DependsOn []string `json:"dependsOn"`
		} `json:"dependencies"`
	}
	if err := json.Unmarshal(data, &head); err != nil || head.SpecVersion == "" {
		return "no specVersion", false
	}
	dups := 0
	for _, d := range head.Dependencies {
		seen := map[string]bool{}
		for _, r := range d.DependsOn {
			if seen[r] {
				dups++
			}
			seen[r] = true
		}
	}
	// The document's own version, and 1.7 (the latest) when it is older.
	versions := []string{head.SpecVersion}
	if head.SpecVersion != "1.7" {
		versions = append(versions, "1.7")
	}
	ok := true
	var out []string
	for _, v := range versions {
		s, err := c.Compile(filepath.Join(dir, "bom-"+v+".schema.json"))
		if err != nil {
			// Compile by $id: the schemas are registered under it.
			s, err = c.Compile("http://cyclonedx.org/schema/bom-" + v + ".schema.json")
		}
		if err != nil {
			out = append(out, fmt.Sprintf("CycloneDX %s: no schema (%v)", v, err))
			ok = false
			continue
		}
		if err := s.Validate(inst); err != nil {
			lines := strings.Split(err.Error(), "\n")
			if len(lines) > 6 {
				lines = append(lines[:6], fmt.Sprintf("  ... %d more lines", len(lines)-6))
			}
			out = append(out, fmt.Sprintf("not valid CycloneDX %s: %s", v, strings.Join(lines, "\n")))
			ok = false
			continue
		}
		out = append(out, "valid CycloneDX "+v)
	}
	out = append(out, fmt.Sprintf("%d duplicate dependsOn items", dups))
	return strings.Join(out, "; "), ok
}
