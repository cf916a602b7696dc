//go:build unix

package sbom

import (
	"bufio"
	"fmt"
	"io/fs"
	"math/rand/v2"
	"path/filepath"
	"strconv"
	"sync/atomic"
	"syscall"
)

// modeState remembers, for the process, whether a file created with mode
// 0644 comes out as 0644 (the umask leaves it alone): 0 not known yet,
// 1 it does, 2 it does not and each file needs a chmod. The umask is a
// property of the process, so one look at the first file is enough.
var modeState atomic.Int32

// writeAtomic writes dst through a temporary file in the same directory and
// renames it into place, so that readers never see a partial file. It works
// on the file descriptor directly: open (created 0644), write, close, rename,
// and a chmod only when the umask took bits away. os.CreateTemp would add a
// chmod, a status check of dst before the rename, and the poller's
// registration attempts, all per file.
func writeAtomic(dst string, write func(*bufio.Writer) error) (err error) {
	dir, base := filepath.Dir(dst), filepath.Base(dst)
	var fd int
	var tmp string
	for try := 0; ; try++ {
		tmp = filepath.Join(dir, "."+base+".tmp"+strconv.FormatUint(uint64(rand.Uint32()), 10))
		fd, err = syscall.Open(tmp, syscall.O_WRONLY|syscall.O_CREAT|syscall.O_EXCL|syscall.O_CLOEXEC, 0o644)
		if err == syscall.EINTR || err == syscall.EEXIST && try < 10000 {
			continue
		}
		if err != nil {
			return fmt.Errorf("write sbom: %w", &fs.PathError{Op: "open", Path: tmp, Err: err})
		}
		break
	}
	closed := false
	defer func() {
		if err != nil {
			if !closed {
				syscall.Close(fd)
			}
			syscall.Unlink(tmp)
		}
	}()
	f := &fdWriter{fd: fd, name: tmp}
	bw := getWriter(f)
	defer putWriter(bw)
	if err := write(bw); err != nil {
		return err
	}
	if err := bw.Flush(); err != nil {
		return fmt.Errorf("write sbom: %w", err)
	}
	if err := fixMode(fd, tmp); err != nil {
		return fmt.Errorf("write sbom: %w", err)
	}
	closed = true
	if err := syscall.Close(fd); err != nil {
		return fmt.Errorf("write sbom: %w", &fs.PathError{Op: "close", Path: tmp, Err: err})
	}
	if err := syscall.Rename(tmp, dst); err != nil {
		return fmt.Errorf("write sbom: %w", &fs.PathError{Op: "rename", Path: tmp, Err: err})
	}
	return nil
}

// fixMode makes the file 0644 when the umask did not leave it so.
func fixMode(fd int, name string) error {
	switch modeState.Load() {
	case 1:
		return nil
	case 0:
		var st syscall.Stat_t
		if err := syscall.Fstat(fd, &st); err != nil {
			return &fs.PathError{Op: "stat", Path: name, Err: err}
		}
		if st.Mode&0o777 == 0o644 {
			modeState.Store(1)
			return nil
		}
		modeState.Store(2)
	}
	for {
		err := syscall.Fchmod(fd, 0o644)
		if err == syscall.EINTR {
			continue
		}
		if err != nil {
			return &fs.PathError{Op: "chmod", Path: name, Err: err}
		}
		return nil
	}
}

// An fdWriter writes to a file descriptor, the whole buffer or an error.
type fdWriter struct {
	fd   int
	name string
}

func (w *fdWriter) Write(p []byte) (int, error) {
	n := 0
	for n < len(p) {
		m, err := syscall.Write(w.fd, p[n:])
		if err == syscall.EINTR {
			continue
		}
		if err != nil {
			return n, &fs.PathError{Op: "write", Path: w.name, Err: err}
		}
		if m == 0 {
			return n, &fs.PathError{Op: "write", Path: w.name, Err: syscall.EIO}
		}
		n += m
	}
	return n, nil
}
