package lockfiles

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"syscall"
)

// OpenRegular opens a file of a scanned tree for reading, and fails unless
// it is a regular file (or, with dirOK, a directory), with an *fs.PathError
// wrapping [ErrNotRegular]. It never blocks on a FIFO, and with follow false
// it does not follow a symbolic link in the last path element (the error
// then wraps [ErrSymlink]): the tree may have changed since discovery
// looked at it.
func OpenRegular(name string, follow, dirOK bool) (*os.File, fs.FileInfo, error) {
	flags := os.O_RDONLY | openNonblock
	if !follow {
		flags |= openNoFollow
	}
	f, err := os.OpenFile(name, flags, 0)
	if err != nil {
		if errors.Is(err, syscall.ELOOP) && !follow {
			return nil, nil, &fs.PathError{Op: "open", Path: name, Err: ErrSymlink}
		}
		return nil, nil, err
	}
	st, err := f.Stat()
	if err != nil {
		f.Close()
		return nil, nil, err
	}
	if !st.Mode().IsRegular() && !(dirOK && st.IsDir()) {
		f.Close()
		return nil, nil, &fs.PathError{Op: "open", Path: name, Err: ErrNotRegular}
	}
	return f, st, nil
}

// WithoutPath drops the OS path an *fs.PathError carries, keeping its
// operation ("open: permission denied"): reports name a file by its path
// relative to the scan root, stated once by the caller.
func WithoutPath(err error) error {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return fmt.Errorf("%s: %w", pe.Op, pe.Err)
	}
	return err
}

// A TooLargeError is what [ReadRegular] returns for a file over its limit.
type TooLargeError struct {
	Size int64 // the file's size; -1 when it grew past the limit while read
	Max  int64 // the limit, in bytes
}

func (e *TooLargeError) Error() string {
	if e.Size < 0 {
		return fmt.Sprintf("file is over the %d-byte limit", e.Max)
	}
	return fmt.Sprintf("file is %d bytes, over the %d-byte limit", e.Size, e.Max)
}

// ReadRegular reads the file at OS path name, which must be a regular file
// of at most max bytes: the one way depsweep reads a file of a scanned tree
// or a machine. It never blocks on a FIFO (see [OpenRegular]); with follow
// false a symbolic link in the last path element is refused. Open and read
// errors are the *fs.PathError the os package returns; a file over max is a
// *[TooLargeError], checked before reading and again while reading (the
// file may grow in between).
func ReadRegular(name string, max int64, follow bool) ([]byte, error) {
	return readRegularFile(nil, name, max, follow)
}

// ReadRegularInto is [ReadRegular] reading into dst's array when it has
// room (else into a new one): the result may share dst's memory, so dst
// must not be used while the result is.
func ReadRegularInto(dst []byte, name string, max int64, follow bool) ([]byte, error) {
	return readRegularFile(dst, name, max, follow)
}

// ReadRegularFS is [ReadRegular] for the file name of fsys: it fails unless
// the file fsys opens is regular and at most max bytes. Open errors are
// fsys's own (an *fs.PathError naming name). For a file system from
// [DirFS], the open does not block on a FIFO either.
func ReadRegularFS(fsys fs.FS, name string, max int64) ([]byte, error) {
	// Discovery's file systems only list directories their own way; a
	// file is read from the directory they wrap, relative to its
	// descriptor when the walk holds one.
	at := -1
	switch l := fsys.(type) {
	case listingFS:
		fsys, at = l.FS, l.at
	case listedFS:
		fsys = l.FS
	}
	if d, ok := fsys.(dirFS); ok {
		if !fs.ValidPath(name) {
			return nil, &fs.PathError{Op: "open", Path: name, Err: fs.ErrInvalid}
		}
		osName := filepath.FromSlash(name)
		if at < 0 {
			osName = filepath.Join(d.dir, osName)
		}
		data, err := readRegularAt(nil, at, osName, max, true)
		var pe *fs.PathError
		if errors.As(err, &pe) {
			pe.Path = name // like os.DirFS: the name as given, not the OS path
		}
		return data, err
	}
	f, err := fsys.Open(name)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return nil, err
	}
	if !st.Mode().IsRegular() {
		return nil, &fs.PathError{Op: "open", Path: name, Err: ErrNotRegular}
	}
	return readLimited(nil, f, st.Size(), max)
}

// readLimited reads f, whose status gave its size, refusing more than max
// bytes.
func readLimited(dst []byte, f io.Reader, size, max int64) ([]byte, error) {
	if size > max {
		return nil, &TooLargeError{Size: size, Max: max}
	}
	// Read through a limit too: the file may grow between the status and
	// the read, or its size may say nothing (as in /proc).
	data, err := readAllSized(dst, io.LimitReader(f, max+1), size)
	if err != nil {
		return nil, err
	}
	if int64(len(data)) > max {
		return nil, &TooLargeError{Size: -1, Max: max}
	}
	return data, nil
}

// DirFS returns a file system for the tree rooted at dir, like os.DirFS,
// whose Open goes through [OpenRegular] (following symbolic links, allowing
// directories), so that a FIFO named package.json or .npmrc cannot block
// the parser that reads it.
func DirFS(dir string) fs.FS { return dirFS{dir: dir, FS: os.DirFS(dir)} }

type dirFS struct {
	dir string
	fs.FS
}

// Open implements fs.FS.
func (p dirFS) Open(name string) (fs.File, error) {
	if !fs.ValidPath(name) {
		return nil, &fs.PathError{Op: "open", Path: name, Err: fs.ErrInvalid}
	}
	f, st, err := OpenRegular(filepath.Join(p.dir, filepath.FromSlash(name)), true, true)
	if err != nil {
		var pe *fs.PathError
		if errors.As(err, &pe) {
			pe.Path = name // like os.DirFS: the name as given, not the OS path
		}
		return nil, err
	}
	return statFile{f, st}, nil
}

// A statFile is an open file whose Stat answers from the status taken when
// it was opened (one fstat per file, not one per Stat call).
type statFile struct {
	*os.File
	st fs.FileInfo
}

// Stat implements fs.File.
func (f statFile) Stat() (fs.FileInfo, error) { return f.st, nil }

// Stat implements fs.StatFS (a stat never blocks).
func (p dirFS) Stat(name string) (fs.FileInfo, error) { return fs.Stat(p.FS, name) }

// ReadDir implements fs.ReadDirFS.
func (p dirFS) ReadDir(name string) ([]fs.DirEntry, error) { return fs.ReadDir(p.FS, name) }

// ReadFile implements fs.ReadFileFS through Open (os.DirFS's own would block on a FIFO).
func (p dirFS) ReadFile(name string) ([]byte, error) {
	f, err := p.Open(name)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	sf := f.(statFile)
	return readAllSized(nil, sf.File, sf.st.Size())
}

// readAllSized is io.ReadAll with a first buffer of size+1 bytes (a file's
// size from its status), dst's array when it has that room: no regrowth
// when the size is right, the same result when it is not. Once it holds size bytes (size > 0) it stops: a
// file read whole takes one read, not a second one that sees its end.
func readAllSized(dst []byte, r io.Reader, size int64) ([]byte, error) {
	if size < 0 || size > 1<<30 {
		size = 0
	}
	b := dst[:0]
	if int64(cap(b)) < size+1 {
		b = make([]byte, 0, size+1)
	}
	for {
		n, err := r.Read(b[len(b):cap(b)])
		b = b[:len(b)+n]
		if err != nil {
			if err == io.EOF {
				err = nil
			}
			return b, err
		}
		if size > 0 && int64(len(b)) == size {
			return b, nil
		}
		if len(b) == cap(b) {
			b = append(b, 0)[:len(b)] // grow as append does
		}
	}
}
