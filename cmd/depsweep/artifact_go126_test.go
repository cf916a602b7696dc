//go:build go1.26

package main

import "testing"

// artifactDir is the directory for the test's output files: with
// 'go test -artifacts' one that outlives the test, under -outputdir.
func artifactDir(t *testing.T) string { return t.ArtifactDir() }
