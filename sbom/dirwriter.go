package sbom

import (
	"bufio"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/depsweep/depsweep/ioc"
)

// A DirWriter writes one BOM per lockfile of a scan into a directory. It
// implements [ioc.Handler]: the findings of a lockfile arrive right after its
// Lockfile event, so the BOM of a lockfile is written when the next Lockfile
// event (or Flush) comes, and only one inventory is held at a time. Each
// file appears atomically (written to a temporary file in the directory,
// then renamed), named by [FileName]; when two lockfiles of one scan map to
// the same name, the later one gets "~2", "~3", ... before the extension.
//
// A lockfile that could not be parsed gets no BOM, and findings that arrive
// when no lockfile is pending are ignored. Like every Handler, a DirWriter
// is not safe for concurrent use.
type DirWriter struct {
	dir      string
	opts     Options
	pending  *ioc.LockfileResult
	findings []ioc.Finding
	names    map[string]bool
	files    []string
}

// NewDirWriter returns a DirWriter writing into dir, which it creates if needed.
func NewDirWriter(dir string, opts Options) (*DirWriter, error) {
	if _, err := opts.specVersion(); err != nil {
		return nil, err
	}
	if _, err := opts.timestamp(); err != nil {
		return nil, err
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, fmt.Errorf("sbom directory: %w", err)
	}
	return &DirWriter{dir: dir, opts: opts, names: map[string]bool{}}, nil
}

// Lockfile implements ioc.Handler: it writes the BOM of the previous
// lockfile, if any, and starts collecting the findings of lf.
func (d *DirWriter) Lockfile(lf *ioc.LockfileResult) error {
	err := d.finish()
	if lf.Err == nil && lf.Inventory != nil {
		d.pending = lf
	}
	return err
}

// Finding implements ioc.Handler: it adds f to the BOM of the pending lockfile.
func (d *DirWriter) Finding(f *ioc.Finding) error {
	if d.pending != nil {
		d.findings = append(d.findings, *f)
	}
	return nil
}

// Flush writes the BOM of the last lockfile.
func (d *DirWriter) Flush() error { return d.finish() }

// Files returns the paths of the files written so far, in order.
func (d *DirWriter) Files() []string { return d.files }

// finish writes the pending BOM, if any.
func (d *DirWriter) finish() error {
	lf, findings := d.pending, d.findings
	d.pending, d.findings = nil, nil
	if lf == nil {
		return nil
	}
	name := FileName(lf.Path, d.opts.Format)
	if d.names[name] {
		stem, ext := name, ""
		if i := strings.Index(name, ".cdx."); i >= 0 {
			stem, ext = name[:i], name[i:]
		}
		for n := 2; d.names[name]; n++ {
			name = stem + "~" + strconv.Itoa(n) + ext
		}
	}
	d.names[name] = true
	// build and write rather than New and Write: a deterministic serial
	// number is then derived while the BOM is encoded, not in a second pass.
	bom, err := build(lf.Inventory, findings, d.opts)
	if err != nil {
		return fmt.Errorf("%s: sbom: %w", lf.Path, err)
	}
	if !d.opts.Deterministic {
		bom.SerialNumber = randomSerial()
	}
	dst := filepath.Join(d.dir, name)
	if err := writeAtomic(dst, func(w *bufio.Writer) error { return write(w, bom, d.opts, d.opts.Deterministic) }); err != nil {
		return fmt.Errorf("%s: %w", lf.Path, err)
	}
	d.files = append(d.files, dst)
	return nil
}

// writeAtomic writes dst through a temporary file in the same directory and
// renames it into place, so that readers never see a partial file.
func writeAtomic(dst string, write func(*bufio.Writer) error) (err error) {
	f, err := os.CreateTemp(filepath.Dir(dst), "."+filepath.Base(dst)+".tmp*")
	if err != nil {
		return fmt.Errorf("write sbom: %w", err)
	}
	defer func() {
		if err != nil {
			f.Close()
			os.Remove(f.Name())
		}
	}()
	bw := bufio.NewWriterSize(f, 64<<10)
	if err := write(bw); err != nil {
		return err
	}
	if err := bw.Flush(); err != nil {
		return fmt.Errorf("write sbom: %w", err)
	}
	if err := f.Chmod(0o644); err != nil {
		return fmt.Errorf("write sbom: %w", err)
	}
	if err := f.Close(); err != nil {
		return fmt.Errorf("write sbom: %w", err)
	}
	if err := os.Rename(f.Name(), dst); err != nil {
		return fmt.Errorf("write sbom: %w", err)
	}
	return nil
}
