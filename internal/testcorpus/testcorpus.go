// Package testcorpus reads the corpus of real lockfiles in testdata/corpus
// for tests and benchmarks: gzip'd files from public repositories, listed
// with their format in MANIFEST.tsv.
package testcorpus

import (
	"bufio"
	"bytes"
	"compress/gzip"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
)

// A File is one corpus lockfile.
type File struct {
	Path   string // slash path in the corpus without ".gz", e.g. "npm__cli@7f4ad1c/package-lock.json"
	Format string // the format MANIFEST.tsv gives: npm-v3, yarn-berry-v10, pnpm-9.0, ...
	Data   []byte // the decompressed content; shared between callers, never modify it
}

// BrokenPaths lists, by Path, the corpus files that are genuinely broken: a
// parser must fail on them. Callers must not modify it.
var BrokenPaths = map[string]bool{
	"Kong__insomnia@0c1afbe/packages/insomnia-prettify/package-lock.json": true,
}

// Broken reports whether f is listed in [BrokenPaths].
func (f File) Broken() bool { return BrokenPaths[f.Path] }

var (
	once  sync.Once
	files []File
	err   error
)

// Load returns every file MANIFEST.tsv lists, in its order, read once per
// test binary from the testdata/corpus directory of the module root (found
// from the working directory, which go test sets to the package's). A
// manifest that lists nothing, or a listed file that is missing or not
// gzip, fails tb. Load is safe for concurrent use.
func Load(tb testing.TB) []File {
	tb.Helper()
	once.Do(func() { files, err = read() })
	if err != nil {
		tb.Fatal(err)
	}
	return files
}

func read() ([]File, error) {
	root, err := moduleRoot()
	if err != nil {
		return nil, err
	}
	dir := filepath.Join(root, "testdata", "corpus")
	m, err := os.Open(filepath.Join(dir, "MANIFEST.tsv"))
	if err != nil {
		return nil, err
	}
	defer m.Close()
	var out []File
	sc := bufio.NewScanner(m)
	for first := true; sc.Scan(); first = false {
		cols := strings.Split(sc.Text(), "\t")
		if first || len(cols) < 4 {
			continue // the header, or not a file line
		}
		gz, err := os.ReadFile(filepath.Join(dir, filepath.FromSlash(cols[0])))
		if err != nil {
			return nil, err
		}
		zr, err := gzip.NewReader(bytes.NewReader(gz))
		if err != nil {
			return nil, fmt.Errorf("%s: %v", cols[0], err)
		}
		data, err := io.ReadAll(zr)
		if err != nil {
			return nil, fmt.Errorf("%s: %v", cols[0], err)
		}
		out = append(out, File{Path: strings.TrimSuffix(cols[0], ".gz"), Format: cols[3], Data: data})
	}
	if err := sc.Err(); err != nil {
		return nil, err
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("%s/MANIFEST.tsv lists no files", dir)
	}
	return out, nil
}

// moduleRoot returns the nearest directory at or above the working
// directory that holds go.mod.
func moduleRoot() (string, error) {
	dir, err := os.Getwd()
	if err != nil {
		return "", err
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return dir, nil
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", errors.New("testcorpus: no go.mod at or above the working directory")
		}
		dir = parent
	}
}
