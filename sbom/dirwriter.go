package sbom

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"sync"

	cdx "github.com/CycloneDX/cyclonedx-go"
	"github.com/depsweep/depsweep/ioc"
	"github.com/depsweep/depsweep/lockfiles"
)

// A DirWriter writes one BOM per lockfile of a scan into a directory. It
// implements [ioc.Handler]: the findings of a lockfile arrive right after its
// Lockfile event, so the BOM of a lockfile is written when the next Lockfile
// event (or Flush) comes, and only one inventory is held at a time. Each
// file appears atomically (written to a temporary file in the directory,
// then renamed), named by [FileName]; when two lockfiles of one scan map to
// the same name, the later one gets "~2", "~3", ... before the extension.
//
// Names are chosen in event order, so they do not depend on timing; the
// BOMs themselves are built, encoded and written by a few goroutines
// (GOMAXPROCS) behind a bounded queue, so that SBOM encoding does not
// serialize a sweep on the one goroutine that calls the handlers. Errors of
// those writes are returned by Flush, which waits for every write.
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
	repos    map[string]*Provenance // by repository path, from Repo events

	jobs  chan dirJob
	wg    sync.WaitGroup
	mu    sync.Mutex // guards files, errs and supplier
	done  bool
	files []string
	errs  []error
	// supplier counts the components of the BOMs written that publisher
	// data could give a supplier, and those that have one.
	supplier struct{ packages, known int }
}

// A dirJob is one BOM to build and write.
type dirJob struct {
	lf       *ioc.LockfileResult
	findings []ioc.Finding
	dst      string
	prov     *Provenance
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
	n := runtime.GOMAXPROCS(0)
	d := &DirWriter{dir: dir, opts: opts, names: map[string]bool{}, repos: map[string]*Provenance{}, jobs: make(chan dirJob, n)}
	for range n {
		d.wg.Go(func() {
			for j := range d.jobs {
				n, k, err := d.write(j)
				d.mu.Lock()
				if err != nil {
					d.errs = append(d.errs, err)
				} else {
					d.files = append(d.files, j.dst)
					d.supplier.packages += n
					d.supplier.known += k
				}
				d.mu.Unlock()
			}
		})
	}
	return d, nil
}

// Repo implements [ioc.RepoHandler]: the repository's origin, commit and
// branch go into the BOMs of its lockfiles (see [Provenance]).
func (d *DirWriter) Repo(ri *ioc.RepoInfo) error {
	if p := ProvenanceOf(ri); p != nil {
		d.repos[ri.Path] = p
	}
	return nil
}

// Lockfile implements ioc.Handler: it writes the BOM of the previous
// lockfile, if any, and starts collecting the findings of lf.
func (d *DirWriter) Lockfile(lf *ioc.LockfileResult) error {
	err := d.finish()
	// A workspace MCP configuration is read for its findings; it is not a
	// project's dependency tree, so it gets no BOM.
	if lf.Err == nil && lf.Inventory != nil && !lockfiles.IsMCPConfig(lf.Path) {
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

// Flush writes the BOM of the last lockfile, waits for every write, and
// returns their errors. The DirWriter takes no more lockfiles after it.
func (d *DirWriter) Flush() error {
	err := d.finish()
	if !d.done {
		d.done = true
		close(d.jobs)
		d.wg.Wait()
	}
	d.mu.Lock()
	defer d.mu.Unlock()
	slices.Sort(d.files)
	slices.SortFunc(d.errs, func(a, b error) int { return strings.Compare(a.Error(), b.Error()) })
	return errors.Join(append([]error{err}, d.errs...)...)
}

// Files returns the paths of the files written, sorted; complete after Flush.
func (d *DirWriter) Files() []string {
	d.mu.Lock()
	defer d.mu.Unlock()
	return slices.Clone(d.files)
}

// SupplierCoverage returns, over the BOMs written, how many components
// publisher data could give a supplier and how many have one (see the
// function [SupplierCoverage]); complete after Flush.
func (d *DirWriter) SupplierCoverage() (packages, known int) {
	d.mu.Lock()
	defer d.mu.Unlock()
	return d.supplier.packages, d.supplier.known
}

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
	if d.done {
		return fmt.Errorf("%s: sbom: lockfile after Flush", lf.Path)
	}
	d.jobs <- dirJob{lf: lf, findings: findings, dst: filepath.Join(d.dir, name), prov: d.repos[lf.Repo]}
	return nil
}

// write builds and writes one BOM, and returns its supplier coverage. It
// runs on the DirWriter's goroutines.
func (d *DirWriter) write(j dirJob) (packages, known int, err error) {
	// build and write rather than New and Write: a deterministic serial
	// number is then derived while the BOM is encoded, not in a second pass.
	opts := d.opts
	if j.prov != nil {
		opts.Provenance = j.prov
	}
	if j.lf.Publishers != nil {
		// The project's own publisher data: its installed manifests and
		// the registries its .npmrc names, as matching used them.
		opts.Publishers = j.lf.Publishers
	}
	if d.opts.Format == cdx.BOMFileFormatJSON && !d.opts.Deterministic {
		// The usual case: each component is made as it is encoded (see
		// writeJSONStream), never an array of them for the whole BOM.
		bom, lz, err := buildLazy(j.lf.Inventory, j.findings, opts)
		if err != nil {
			return 0, 0, fmt.Errorf("%s: sbom: %w", j.lf.Path, err)
		}
		if spec, _ := opts.specVersion(); bom.SpecVersion == spec && fastEncodable(bom) {
			bom.SerialNumber = randomSerial()
			if err := writeAtomic(j.dst, func(w *bufio.Writer) error { return writeJSONStream(w, withHeader(bom, spec), lz) }); err != nil {
				return 0, 0, fmt.Errorf("%s: %w", j.lf.Path, err)
			}
			return lz.supplier.packages, lz.supplier.known, nil
		}
	}
	bom, err := build(j.lf.Inventory, j.findings, opts)
	if err != nil {
		return 0, 0, fmt.Errorf("%s: sbom: %w", j.lf.Path, err)
	}
	if !d.opts.Deterministic {
		bom.SerialNumber = randomSerial()
	}
	if err := writeAtomic(j.dst, func(w *bufio.Writer) error { return write(w, bom, d.opts, d.opts.Deterministic) }); err != nil {
		return 0, 0, fmt.Errorf("%s: %w", j.lf.Path, err)
	}
	packages, known = SupplierCoverage(bom)
	return packages, known, nil
}

// writerPool holds the 64 KiB buffered writers writeAtomic fills files
// through: one per BOM would be 64 KiB allocated and cleared per file,
// more than a small BOM's whole encoding costs.
var writerPool = sync.Pool{New: func() any { return bufio.NewWriterSize(nil, 64<<10) }}

// getWriter returns a pooled buffered writer onto w.
func getWriter(w io.Writer) *bufio.Writer {
	bw := writerPool.Get().(*bufio.Writer)
	bw.Reset(w)
	return bw
}

// putWriter returns bw to the pool, holding no reference to its file.
func putWriter(bw *bufio.Writer) {
	bw.Reset(nil)
	writerPool.Put(bw)
}
