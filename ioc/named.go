package ioc

import (
	"errors"
	"io/fs"

	"github.com/depsweep/depsweep/lockfiles"
)

// readNamed reads a file named on the command line by what it holds: the
// type cfg.FileType forces, or else the one [lockfiles.Sniff] tells from
// its content. It marks lf as Named (and SBOM for an SBOM).
func readNamed(cfg ScanConfig, relPath string, data []byte, project fs.FS, lf *LockfileResult) (*lockfiles.Inventory, error) {
	t := cfg.FileType
	if t == "" {
		var err error
		if t, err = lockfiles.Sniff(data); err != nil {
			return nil, &lockfiles.ParseError{Path: relPath, Err: err}
		}
	}
	lf.Named = true
	if t.IsSBOM() {
		if cfg.ReadFile == nil {
			return nil, &lockfiles.ParseError{Path: relPath, Err: errors.New("SBOMs cannot be read here")}
		}
		lf.SBOM = true
		return cfg.ReadFile(relPath, data)
	}
	return lockfiles.ParseAs(t, lockfiles.Input{Path: relPath, Data: data, Project: project})
}
