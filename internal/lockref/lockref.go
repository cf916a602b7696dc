// Package lockref is test support: the reference parser that depsweep's
// differential tests compare its JavaScript lockfile parsers against,
// google/osv-scanner's pkg/lockfile (v1.9.2, frozen). It is the only place
// the module touches that library; production code never uses it.
package lockref

import (
	"bytes"
	"errors"
	"fmt"
	"path"
	"sort"

	osvlockfile "github.com/google/osv-scanner/pkg/lockfile"
)

// memDepFile feeds in-memory content to pkg/lockfile's extractors.
type memDepFile struct {
	*bytes.Reader
	path string
}

func (f memDepFile) Path() string { return f.path }

func (f memDepFile) Open(string) (osvlockfile.NestedDepFile, error) {
	return nil, osvlockfile.ErrOpenNotSupported
}

// extract runs the pkg/lockfile extractor chosen by file name. It recovers
// from the library's panics (it panics on a package-lock.json whose content
// is `null`) and turns them into errors naming the file.
func extract(p string, data []byte) (pkgs []osvlockfile.PackageDetails, err error) {
	ex, _ := osvlockfile.FindExtractor(path.Base(p), "")
	if ex == nil {
		return nil, fmt.Errorf("%s: no parser for this file name", p)
	}
	defer func() {
		if r := recover(); r != nil {
			pkgs, err = nil, fmt.Errorf("%s: osv-scanner's parser panicked: %v", p, r)
		}
	}()
	pkgs, err = ex.Extract(memDepFile{bytes.NewReader(data), p})
	if err != nil {
		return nil, fmt.Errorf("%s: %w", p, err)
	}
	return pkgs, nil
}

// jsLockfile reports whether name is a JavaScript lockfile name (as
// lockfiles.IsLockfile, which this package cannot import: the lockfiles
// tests import it).
func jsLockfile(name string) bool {
	switch path.Base(name) {
	case "package-lock.json", "npm-shrinkwrap.json", ".package-lock.json", "yarn.lock", "pnpm-lock.yaml":
		return true
	}
	return false
}

// Packages parses a JavaScript lockfile with pkg/lockfile and returns the
// sorted, de-duplicated "name@version" pairs it reports.
func Packages(p string, data []byte) ([]string, error) {
	if !jsLockfile(p) {
		return nil, errors.New("not a JavaScript lockfile name")
	}
	pkgs, err := extract(p, data)
	if err != nil {
		return nil, err
	}
	seen := make(map[string]bool, len(pkgs))
	out := make([]string, 0, len(pkgs))
	for _, q := range pkgs {
		id := q.Name + "@" + q.Version
		if !seen[id] {
			seen[id] = true
			out = append(out, id)
		}
	}
	sort.Strings(out)
	return out, nil
}
