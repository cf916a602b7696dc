// Package sbom builds CycloneDX software bills of materials from lockfile
// inventories, with the dependency graph, hashes from lockfile integrity,
// scopes and, from a scan, the findings as vulnerabilities (a VDR).
package sbom

// Placeholders: the API the SBOM builder provides, until it is written.

import (
	"errors"
	"io"
	"time"

	cdx "github.com/CycloneDX/cyclonedx-go"

	"github.com/depsweep/depsweep/ioc"
	"github.com/depsweep/depsweep/lockfiles"
)

var errNotYet = errors.New("sbom builder not written yet")

// Options control how BOMs are built and encoded.
type Options struct {
	SpecVersion   cdx.SpecVersion
	Format        cdx.BOMFileFormat
	Deterministic bool
	Time          time.Time
	ToolVersion   string
}

// New builds the BOM of one lockfile project.
func New(inv *lockfiles.Inventory, findings []ioc.Finding, opts Options) (*cdx.BOM, error) {
	return nil, errNotYet
}

// Write encodes bom.
func Write(w io.Writer, bom *cdx.BOM, opts Options) error { return errNotYet }

// PURL returns the package URL of p.
func PURL(p *lockfiles.Package) string { return "" }

// FileName returns the SBOM file name for a lockfile path.
func FileName(lockfilePath string, format cdx.BOMFileFormat) string { return "" }

// A DirWriter writes one BOM per lockfile into a directory.
type DirWriter struct{}

// NewDirWriter returns a DirWriter.
func NewDirWriter(dir string, opts Options) (*DirWriter, error) { return nil, errNotYet }

// Lockfile implements ioc.Handler.
func (d *DirWriter) Lockfile(lf *ioc.LockfileResult) error { return errNotYet }

// Finding implements ioc.Handler.
func (d *DirWriter) Finding(f *ioc.Finding) error { return errNotYet }

// Flush writes what is buffered.
func (d *DirWriter) Flush() error { return errNotYet }
