package main

import (
	"io"
	"os"
	"path/filepath"

	"github.com/mattn/go-isatty"

	"github.com/depsweep/depsweep/ioc/report"
)

// Output: where a report goes (standard output, or a file replaced
// atomically) and in which format it is rendered.

// render writes rep in format.
func render(w io.Writer, rep *report.Report, format string, color bool) error {
	return report.Write(w, rep, format, report.Options{Color: color})
}

// An output is where a report goes: standard output, or a temporary file
// renamed over the target on commit, so that a reader never sees half a
// report and a failed run leaves the previous one in place.
type output struct {
	w      io.Writer
	f      *os.File // the temporary file, nil for standard output or a direct write
	direct *os.File // a device or FIFO written in place
	final  string
	closed bool
}

func openOutput(e *env, name string) (*output, error) {
	if name == "" || name == "-" {
		return &output{w: e.stdout}, nil
	}
	if st, err := os.Stat(name); err == nil && !st.Mode().IsRegular() {
		// A device, FIFO or socket (/dev/null, a named pipe): write to it
		// directly. Renaming a file over it would replace the device.
		f, err := os.OpenFile(name, os.O_WRONLY, 0)
		if err != nil {
			return nil, err
		}
		return &output{w: f, direct: f}, nil
	}
	if real, err := filepath.EvalSymlinks(name); err == nil {
		name = real // replace the file a symlink points at, not the link
	}
	f, err := os.CreateTemp(filepath.Dir(name), "."+filepath.Base(name)+".*.tmp")
	if err != nil {
		return nil, err
	}
	return &output{w: f, f: f, final: name}, nil
}

// color reports whether a text report here should be coloured: on a
// terminal only, unless NO_COLOR is set.
func (o *output) color(e *env) bool {
	return o.f == nil && o.direct == nil && isTerminal(e.stdout) && e.getenv("NO_COLOR") == ""
}

// commit makes the report visible under its name.
func (o *output) commit() error {
	if o.direct != nil {
		return o.direct.Close()
	}
	if o.f == nil {
		return nil
	}
	o.closed = true
	if err := o.f.Chmod(0o644); err != nil {
		o.f.Close()
		os.Remove(o.f.Name())
		return err
	}
	if err := o.f.Close(); err != nil {
		os.Remove(o.f.Name())
		return err
	}
	if err := os.Rename(o.f.Name(), o.final); err != nil {
		os.Remove(o.f.Name())
		return err
	}
	return nil
}

// write renders rep in format and makes the report visible under its name.
func (o *output) write(e *env, rep *report.Report, format string) error {
	if err := render(o.w, rep, format, o.color(e)); err != nil {
		return errOutput(err)
	}
	if err := o.commit(); err != nil {
		return errOutput(err)
	}
	return nil
}

// writeReport writes rep in format to the output named name (see
// [openOutput]).
func writeReport(e *env, name string, rep *report.Report, format string) error {
	out, err := openOutput(e, name)
	if err != nil {
		return errOutput(err)
	}
	defer out.abort()
	return out.write(e, rep, format)
}

// abort removes an uncommitted temporary file.
func (o *output) abort() {
	if o.direct != nil {
		o.direct.Close()
	}
	if o.f != nil && !o.closed {
		o.f.Close()
		os.Remove(o.f.Name())
	}
}

// isTerminal reports whether w is a terminal.
func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	return ok && (isatty.IsTerminal(f.Fd()) || isatty.IsCygwinTerminal(f.Fd()))
}
