//go:build unix

package lockfiles

import (
	"io"
	"io/fs"
	"syscall"
)

// Open flags for files in the scanned trees. O_NONBLOCK: opening a FIFO for
// reading otherwise waits for a writer, so a FIFO planted under the name of
// a lockfile, a package.json or a git file would hang the whole sweep; with
// it the open returns at once and [OpenRegular] rejects the FIFO.
// O_NOFOLLOW: a lockfile swapped for a symbolic link after discovery is not
// followed out of the tree.
const (
	openNonblock = syscall.O_NONBLOCK
	openNoFollow = syscall.O_NOFOLLOW
)

// readRegularFile is [ReadRegular] on the file descriptor: open, fstat,
// read, close, and nothing else. os.OpenFile would add the poller's
// registration attempt and a flag change per file, which on a fleet of
// small projects is a third of the system calls a scan makes.
func readRegularFile(dst []byte, name string, max int64, follow bool) ([]byte, error) {
	return readRegularAt(dst, -1, name, max, follow)
}

// readRegularAt is readRegularFile for name relative to the directory open
// as dirfd (name is an OS path when dirfd < 0; only discovery on Linux
// holds directory descriptors). Errors name name.
func readRegularAt(dst []byte, dirfd int, name string, max int64, follow bool) ([]byte, error) {
	flags := syscall.O_RDONLY | syscall.O_CLOEXEC | openNonblock
	if !follow {
		flags |= openNoFollow
	}
	var fd int
	var err error
	for {
		if dirfd >= 0 {
			fd, err = openat(dirfd, name, flags)
		} else {
			fd, err = syscall.Open(name, flags, 0)
		}
		if err != syscall.EINTR {
			break
		}
	}
	if err != nil {
		if err == syscall.ELOOP && !follow {
			return nil, &fs.PathError{Op: "open", Path: name, Err: ErrSymlink}
		}
		return nil, &fs.PathError{Op: "open", Path: name, Err: err}
	}
	defer syscall.Close(fd)
	var st syscall.Stat_t
	if err := syscall.Fstat(fd, &st); err != nil {
		return nil, &fs.PathError{Op: "stat", Path: name, Err: err}
	}
	if st.Mode&syscall.S_IFMT != syscall.S_IFREG {
		return nil, &fs.PathError{Op: "open", Path: name, Err: ErrNotRegular}
	}
	return readLimited(dst, fdReader{fd, name}, st.Size, max)
}

// An fdReader reads a file descriptor, retrying on EINTR; errors name the
// file.
type fdReader struct {
	fd   int
	name string
}

func (r fdReader) Read(p []byte) (int, error) {
	for {
		n, err := syscall.Read(r.fd, p)
		switch {
		case err == syscall.EINTR:
			continue
		case err != nil:
			return 0, &fs.PathError{Op: "read", Path: r.name, Err: err}
		case n == 0 && len(p) > 0:
			return 0, io.EOF
		}
		return n, nil
	}
}
