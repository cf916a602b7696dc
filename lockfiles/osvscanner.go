package lockfiles

import (
	"bytes"
	"errors"
	"fmt"
	"path"
	"sort"

	osvlockfile "github.com/google/osv-scanner/pkg/lockfile"
)

// This file is the only place depsweep touches osv-scanner's pkg/lockfile
// (v1.9.2, frozen). It serves two purposes: lockfiles of ecosystems other than
// npm (names and versions only), and the reference parser that the
// differential tests compare our JavaScript parsers against.

// memDepFile feeds in-memory content to pkg/lockfile's extractors.
type memDepFile struct {
	*bytes.Reader
	path string
}

func (f memDepFile) Path() string { return f.path }

func (f memDepFile) Open(string) (osvlockfile.NestedDepFile, error) {
	return nil, osvlockfile.ErrOpenNotSupported
}

// extractOSV runs the pkg/lockfile extractor chosen by file name. It recovers
// from the library's panics (it panics on a package-lock.json whose content
// is `null`) and turns them into errors naming the file.
func extractOSV(p string, data []byte) (pkgs []osvlockfile.PackageDetails, err error) {
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

// IsOtherLockfile reports whether pkg/lockfile has a parser for a file name
// that is not a JavaScript lockfile (Cargo.lock, go.mod, poetry.lock, ...).
func IsOtherLockfile(name string) bool {
	if IsLockfile(name) {
		return false
	}
	ex, _ := osvlockfile.FindExtractor(path.Base(name), "")
	return ex != nil
}

// ParseOther parses a lockfile of another ecosystem through pkg/lockfile. The
// Inventory has names, versions and (where the library reports it) dev scope;
// no edges, resolved URLs, hashes or lines, which pkg/lockfile does not keep.
func ParseOther(in Input) (*Inventory, error) {
	pkgs, err := extractOSV(in.Path, in.Data)
	if err != nil {
		return nil, err
	}
	inv := &Inventory{Path: in.Path, Format: "other"}
	for _, p := range pkgs {
		if p.Name == "" {
			continue // the library yields empty names for junk input
		}
		if inv.Format == "other" && p.Ecosystem != "" {
			inv.Format = "other-" + string(p.Ecosystem)
		}
		inv.Packages = append(inv.Packages, Package{
			Name:    p.Name,
			Version: p.Version,
			Dev:     p.Ecosystem.IsDevGroup(p.DepGroups),
		})
	}
	inv.Root()
	return inv, nil
}

// ReferencePackages parses a JavaScript lockfile with pkg/lockfile and returns
// the sorted, de-duplicated "name@version" pairs it reports. It is the oracle
// of the differential tests; depsweep never uses it to produce results.
func ReferencePackages(p string, data []byte) ([]string, error) {
	if !IsLockfile(p) {
		return nil, errors.New("not a JavaScript lockfile name")
	}
	pkgs, err := extractOSV(p, data)
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
