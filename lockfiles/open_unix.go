//go:build unix

package lockfiles

import (
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
func readRegularFile(name string, max int64, follow bool) ([]byte, error) {
	flags := syscall.O_RDONLY | syscall.O_CLOEXEC | openNonblock
	if !follow {
		flags |= openNoFollow
	}
	var fd int
	var err error
	for {
		fd, err = syscall.Open(name, flags, 0)
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
	size := st.Size
	if size > max {
		return nil, &TooLargeError{Size: size, Max: max}
	}
	// One read fills a buffer of the size fstat gave; reading goes on only
	// when it did not (a file that grows, or one whose size says nothing,
	// as in /proc), within max+1 bytes.
	if size < 0 || size > 1<<30 {
		size = 0
	}
	b := make([]byte, 0, size+1)
	for {
		n, err := syscall.Read(fd, b[len(b):cap(b)])
		if err == syscall.EINTR {
			continue
		}
		if err != nil {
			return nil, &fs.PathError{Op: "read", Path: name, Err: err}
		}
		b = b[:len(b)+n]
		if n == 0 || len(b) == int(size) && size > 0 {
			break
		}
		if int64(len(b)) > max {
			return nil, &TooLargeError{Size: -1, Max: max}
		}
		if len(b) == cap(b) {
			b = append(b, 0)[:len(b)]
		}
	}
	if int64(len(b)) > max {
		return nil, &TooLargeError{Size: -1, Max: max}
	}
	return b, nil
}
