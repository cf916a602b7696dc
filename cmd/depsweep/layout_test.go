package main

import (
	"go/ast"
	"go/parser"
	"go/token"
	"path/filepath"
	"strings"
	"testing"
)

// TestNoReportByHand checks that the command assembles no report itself:
// every report comes from a report.Builder (or is read, merged or
// compared by package report), so no file of the command may write a
// report.Report{...} literal.
func TestNoReportByHand(t *testing.T) {
	files, err := filepath.Glob("*.go")
	if err != nil {
		t.Fatal(err)
	}
	fset := token.NewFileSet()
	n := 0
	for _, name := range files {
		if strings.HasSuffix(name, "_test.go") {
			continue
		}
		n++
		f, err := parser.ParseFile(fset, name, nil, 0)
		if err != nil {
			t.Fatal(err)
		}
		ast.Inspect(f, func(node ast.Node) bool {
			lit, ok := node.(*ast.CompositeLit)
			if !ok {
				return true
			}
			if sel, ok := lit.Type.(*ast.SelectorExpr); ok && sel.Sel.Name == "Report" {
				if id, ok := sel.X.(*ast.Ident); ok && id.Name == "report" {
					t.Errorf("%s: a report.Report literal: build reports with report.Builder", fset.Position(lit.Pos()))
				}
			}
			return true
		})
	}
	if n == 0 {
		t.Fatal("no Go files in the command")
	}
}
