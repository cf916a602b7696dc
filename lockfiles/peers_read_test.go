package lockfiles

import (
	"encoding/json"
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"os"
	"os/exec"
	"path"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"testing"
)

// This file reads other projects' lockfile test suites: their fixtures and
// the packages their own tests expect, taken from the Go source of their
// _test.go files (composite literals with Name and Version keys), so that a
// new peer release is compared without hand-copied tables.

// A peerSuite is one peer project's lockfile tests.
type peerSuite struct {
	Name    string // short name used in messages and the allow-list
	Module  string // module path
	Version string
	Dir     string   // package directory inside the module
	Tests   []string // _test.go files holding the expectations, with the family each tests
	Family  []string // "npm", "yarn" or "pnpm", one per Tests entry
	Prefix  string   // fixture paths in the tests start with this ("fixtures/", "testdata/")
}

// peerSuites are the suites of the differential test. The versions are
// fixed so that the test is reproducible; move them on on purpose.
var peerSuites = []peerSuite{
	{
		Name: "osv-scanner", Module: "github.com/google/osv-scanner", Version: "v1.9.2",
		Dir: "pkg/lockfile", Prefix: "fixtures/",
		Tests: []string{
			"parse-npm-lock-v1_test.go", "parse-npm-lock-v2_test.go",
			"parse-yarn-lock-v1_test.go", "parse-yarn-lock-v2_test.go",
			"parse-pnpm-lock_test.go", "parse-pnpm-lock-v9_test.go",
		},
		Family: []string{"npm", "npm", "yarn", "yarn", "pnpm", "pnpm"},
	},
	{
		Name: "osv-scalibr/packagelockjson", Module: "github.com/google/osv-scalibr", Version: "v0.5.3",
		Dir: "extractor/filesystem/language/javascript/packagelockjson", Prefix: "testdata/",
		Tests:  []string{"packagelockjson-v1_test.go", "packagelockjson-v2_test.go", "packagelockjson_test.go"},
		Family: []string{"npm", "npm", "npm"},
	},
	{
		Name: "osv-scalibr/yarnlock", Module: "github.com/google/osv-scalibr", Version: "v0.5.3",
		Dir: "extractor/filesystem/language/javascript/yarnlock", Prefix: "testdata/",
		Tests:  []string{"yarnlock-v1_test.go", "yarnlock-v2_test.go"},
		Family: []string{"yarn", "yarn"},
	},
	{
		Name: "osv-scalibr/pnpmlock", Module: "github.com/google/osv-scalibr", Version: "v0.5.3",
		Dir: "extractor/filesystem/language/javascript/pnpmlock", Prefix: "testdata/",
		Tests:  []string{"pnpmlock_test.go", "pnpmlock-v9_test.go"},
		Family: []string{"pnpm", "pnpm"},
	},
	{
		Name: "syft", Module: "github.com/anchore/syft", Version: "v1.57.2",
		Dir: "syft/pkg/cataloger/javascript", Prefix: "testdata/",
		Tests:  []string{"parse_package_lock_test.go", "parse_yarn_lock_test.go", "parse_pnpm_lock_test.go"},
		Family: []string{"npm", "yarn", "pnpm"},
	},
}

// peerModuleDir downloads mod@version into the module cache with the go
// command and returns its directory. Without the module proxy the test
// cannot run: it fails under CI (CI=true) and is skipped elsewhere.
func peerModuleDir(t *testing.T, mod, version string) string {
	t.Helper()
	cmd := exec.Command("go", "mod", "download", "-json", mod+"@"+version)
	cmd.Env = append(os.Environ(), "GOFLAGS=-mod=mod")
	cmd.Dir = t.TempDir() // outside the module: go.mod and go.sum stay as they are
	out, err := cmd.Output()
	var res struct{ Dir, Error string }
	if jerr := json.Unmarshal(out, &res); jerr == nil && res.Error != "" {
		err = fmt.Errorf("%s", res.Error)
	}
	if err == nil && res.Dir == "" {
		err = fmt.Errorf("go mod download printed no directory")
	}
	if err != nil {
		if ee, ok := err.(*exec.ExitError); ok && len(ee.Stderr) > 0 {
			err = fmt.Errorf("%v: %s", err, strings.TrimSpace(string(ee.Stderr)))
		}
		msg := fmt.Sprintf("cannot get %s@%s from the module cache or proxy: %v", mod, version, err)
		if os.Getenv("CI") == "true" {
			t.Fatal(msg)
		}
		t.Skip(msg + " (the test fails under CI=true)")
	}
	return res.Dir
}

// A peerPackage is one package a peer test expects.
type peerPackage struct {
	Name, Version string
	// Groups are the dependency groups the peer expects ("dev",
	// "optional"); nil when its test does not say (then they are not compared).
	Groups []string
}

func (p peerPackage) ID() string { return p.Name + "@" + p.Version }

// A peerCase is what one peer test expects of one fixture.
type peerCase struct {
	Suite   string
	Test    string // Go test function, for messages
	Fixture string // path relative to the suite's package directory
	Family  string
	Pkgs    []peerPackage
	Partial bool // the test checks some packages only (expectPackage, one by one)
	Count   int  // the package count the test asserts when Partial, else 0
	WantErr bool // the test expects an error
}

// readPeerCases reads the expectations of one suite's test file.
func readPeerCases(t *testing.T, s peerSuite, dir, file, fam string) []peerCase {
	t.Helper()
	fset := token.NewFileSet()
	f, err := parser.ParseFile(fset, filepath.Join(dir, file), nil, 0)
	if err != nil {
		t.Fatalf("%s: %v", file, err)
	}
	exists := func(p string) bool {
		st, err := os.Stat(filepath.Join(dir, filepath.FromSlash(p)))
		return err == nil && st.Mode().IsRegular()
	}
	// fixtures lists the distinct existing lockfile fixtures named in n.
	fixtures := func(n ast.Node) []string {
		seen := map[string]bool{}
		var out []string
		ast.Inspect(n, func(n ast.Node) bool {
			lit, ok := n.(*ast.BasicLit)
			if !ok || lit.Kind != token.STRING {
				return true
			}
			v, err := strconv.Unquote(lit.Value)
			if err != nil || !strings.HasPrefix(v, s.Prefix) || seen[v] {
				return true
			}
			if st, err := os.Stat(filepath.Join(dir, filepath.FromSlash(v))); err == nil && st.IsDir() {
				v = path.Join(v, peerInputName(fam)) // a fixture directory (syft's fixtureDir)
			}
			if path.Base(v) == "registry_response.json" || !exists(v) || seen[v] {
				return true
			}
			seen[v] = true
			out = append(out, v)
			return true
		})
		return out
	}
	var cases []peerCase
	for _, d := range f.Decls {
		fn, ok := d.(*ast.FuncDecl)
		if !ok || fn.Body == nil || !strings.HasPrefix(fn.Name.Name, "Test") {
			continue
		}
		fx := fixtures(fn.Body)
		if len(fx) == 0 {
			continue
		}
		mk := func(fixture string, n ast.Node) peerCase {
			c := peerCase{Suite: s.Name, Test: fn.Name.Name, Fixture: fixture, Family: fam}
			c.Pkgs = peerPackages(n)
			c.WantErr = peerWantsError(n)
			// osv-scanner's partial form: len(packages) != N plus expectPackage calls.
			ast.Inspect(fn.Body, func(n ast.Node) bool {
				switch n := n.(type) {
				case *ast.CallExpr:
					if id, ok := n.Fun.(*ast.Ident); ok && id.Name == "expectPackage" {
						c.Partial = true
					}
				case *ast.BinaryExpr:
					if call, ok := n.X.(*ast.CallExpr); ok && n.Op == token.NEQ {
						if id, ok := call.Fun.(*ast.Ident); ok && id.Name == "len" {
							if lit, ok := n.Y.(*ast.BasicLit); ok && lit.Kind == token.INT {
								c.Count, _ = strconv.Atoi(lit.Value)
							}
						}
					}
				}
				return true
			})
			return c
		}
		if len(fx) == 1 {
			cases = append(cases, mk(fx[0], fn.Body))
			continue
		}
		// A table: each element naming exactly one fixture is a case.
		found := false
		ast.Inspect(fn.Body, func(n ast.Node) bool {
			cl, ok := n.(*ast.CompositeLit)
			if !ok {
				return true
			}
			for _, e := range cl.Elts {
				el, ok := e.(*ast.CompositeLit)
				if !ok {
					continue
				}
				if efx := fixtures(el); len(efx) == 1 {
					cases = append(cases, mk(efx[0], el))
					found = true
				}
			}
			return !found
		})
		if !found {
			// One expectation for several fixtures (a loop over file names).
			for _, x := range fx {
				cases = append(cases, mk(x, fn.Body))
			}
		}
	}
	return cases
}

// peerPackages returns the outermost composite literals under n with
// string Name and Version keys: the packages a test expects.
func peerPackages(n ast.Node) []peerPackage {
	var out []peerPackage
	ast.Inspect(n, func(n ast.Node) bool {
		cl, ok := n.(*ast.CompositeLit)
		if !ok {
			return true
		}
		var p peerPackage
		var hasName, hasVersion bool
		for _, e := range cl.Elts {
			kv, ok := e.(*ast.KeyValueExpr)
			if !ok {
				continue
			}
			key, ok := kv.Key.(*ast.Ident)
			if !ok {
				continue
			}
			switch key.Name {
			case "Name", "Version":
				lit, ok := kv.Value.(*ast.BasicLit)
				if !ok || lit.Kind != token.STRING {
					continue
				}
				v, err := strconv.Unquote(lit.Value)
				if err != nil {
					continue
				}
				if key.Name == "Name" {
					p.Name, hasName = v, true
				} else {
					p.Version, hasVersion = v, true
				}
			}
		}
		if !hasName || !hasVersion {
			return true
		}
		p.Groups = peerGroups(cl)
		out = append(out, p)
		return false
	})
	return out
}

// peerGroups reads DepGroups (osv-scanner) or DepGroupVals (osv-scalibr)
// under a package literal; nil when neither is there.
func peerGroups(n ast.Node) []string {
	var groups []string
	ast.Inspect(n, func(n ast.Node) bool {
		kv, ok := n.(*ast.KeyValueExpr)
		if !ok {
			return true
		}
		key, ok := kv.Key.(*ast.Ident)
		if !ok || (key.Name != "DepGroups" && key.Name != "DepGroupVals") {
			return true
		}
		groups = []string{}
		if cl, ok := kv.Value.(*ast.CompositeLit); ok {
			for _, e := range cl.Elts {
				if lit, ok := e.(*ast.BasicLit); ok && lit.Kind == token.STRING {
					v, _ := strconv.Unquote(lit.Value)
					groups = append(groups, v)
				}
			}
		}
		sort.Strings(groups)
		return false
	})
	return groups
}

// peerWantsError reports whether the test expects an error: a WantErr key
// that is not nil, expectErrContaining / expectErrIs calls, or syft's WithError.
func peerWantsError(n ast.Node) bool {
	want := false
	ast.Inspect(n, func(n ast.Node) bool {
		switch n := n.(type) {
		case *ast.KeyValueExpr:
			if key, ok := n.Key.(*ast.Ident); ok && key.Name == "WantErr" {
				if id, ok := n.Value.(*ast.Ident); !ok || id.Name != "nil" {
					want = true
				}
			}
		case *ast.CallExpr:
			var name string
			switch fun := n.Fun.(type) {
			case *ast.Ident:
				name = fun.Name
			case *ast.SelectorExpr:
				name = fun.Sel.Name
			}
			if name == "expectErrContaining" || name == "WithError" {
				want = true
			}
		}
		return true
	})
	return want
}
