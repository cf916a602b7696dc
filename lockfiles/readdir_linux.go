package lockfiles

import (
	"encoding/binary"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"syscall"
)

// readDir is os.ReadDir on the directory's descriptor: open, the
// directory entries, close, without an *os.File (its finalizer, its
// poller registration attempt and the allocations around them cost more,
// on a fleet of small checkouts, than the entries themselves). Entries
// are sorted by name; an entry's type is the one the directory gives
// (an lstat when the file system gives none, as os.ReadDir does). Errors
// are *fs.PathError, as os.ReadDir's.
func readDir(dir string) ([]fs.DirEntry, error) {
	entries, _, err := listDir(-1, "", dir, false)
	return entries, err
}

// listDir lists directory dir (an OS path) as [readDir] does, opening it
// as name relative to the directory open as parent when parent >= 0 (the
// kernel then resolves name alone rather than every element of dir). With
// keep, fd is its descriptor, left open for the caller to close; else -1.
// Errors name dir.
func listDir(parent int, name, dir string, keep bool) (entries []fs.DirEntry, fd int, err error) {
	if fd, err = openDir(parent, name, dir); err != nil {
		return nil, -1, err
	}
	entries, err = readDirFD(fd, dir)
	if err != nil || !keep {
		syscall.Close(fd)
		fd = -1
	}
	return entries, fd, err
}

// openDir opens directory dir (an OS path), as name relative to the
// directory open as parent when parent >= 0, for reading its entries or
// opening them relative to it.
func openDir(parent int, name, dir string) (fd int, err error) {
	for {
		if parent >= 0 {
			fd, err = syscall.Openat(parent, name, syscall.O_RDONLY|syscall.O_DIRECTORY|syscall.O_CLOEXEC, 0)
		} else {
			fd, err = syscall.Open(dir, syscall.O_RDONLY|syscall.O_DIRECTORY|syscall.O_CLOEXEC, 0)
		}
		if err != syscall.EINTR {
			break
		}
	}
	if err != nil {
		return -1, &fs.PathError{Op: "open", Path: dir, Err: err}
	}
	return fd, nil
}

// closeDir closes a descriptor listDir or openDir returned (none when fd < 0).
func closeDir(fd int) {
	if fd >= 0 {
		syscall.Close(fd)
	}
}

// readDirFD reads the entries of the directory open as fd, whose OS path
// is dir.
func readDirFD(fd int, dir string) ([]fs.DirEntry, error) {
	bp := direntBufs.Get().(*[]byte)
	defer direntBufs.Put(bp)
	buf := *bp
	var ents []dirEntry
	for {
		n, err := syscall.ReadDirent(fd, buf)
		if err == syscall.EINTR {
			continue
		}
		if err != nil {
			return nil, &fs.PathError{Op: "readdirent", Path: dir, Err: err}
		}
		if n <= 0 {
			break
		}
		ents = parseDirents(ents, buf[:n], dir)
	}
	slices.SortFunc(ents, func(a, b dirEntry) int { return strings.Compare(a.name, b.name) })
	out := make([]fs.DirEntry, 0, len(ents))
	for i := range ents {
		e := &ents[i]
		if e.typ == unknownType {
			// The file system did not say (DT_UNKNOWN): ask, as os.ReadDir
			// does, which also leaves out an entry gone in between.
			st, err := os.Lstat(filepath.Join(dir, e.name))
			if errors.Is(err, fs.ErrNotExist) {
				continue
			}
			if err != nil {
				return nil, err
			}
			e.typ = st.Mode().Type()
		}
		out = append(out, e)
	}
	return out, nil
}

// direntBufs holds readDir's buffers: one directory read fills one with
// what a few hundred entries take.
var direntBufs = sync.Pool{New: func() any { b := make([]byte, 8<<10); return &b }}

// unknownType marks an entry whose type the directory did not give.
const unknownType fs.FileMode = 1<<32 - 1

// parseDirents appends the entries of a buffer of linux_dirent64 records
// (d_ino u64, d_off i64, d_reclen u16, d_type u8, d_name NUL-terminated),
// but "." and "..", to ents.
func parseDirents(ents []dirEntry, b []byte, dir string) []dirEntry {
	const nameOff = 19
	for len(b) >= nameOff {
		reclen := int(binary.NativeEndian.Uint16(b[16:18]))
		if reclen < nameOff || reclen > len(b) {
			break // cannot happen with a kernel's buffer
		}
		name := b[nameOff:reclen]
		if i := slices.Index(name, 0); i >= 0 {
			name = name[:i]
		}
		if s := entryName(name); s != "." && s != ".." {
			ents = append(ents, dirEntry{name: s, typ: direntType(b[18]), dir: dir})
		}
		b = b[reclen:]
	}
	return ents
}

// entryName returns name as a string, without a copy for the names most
// project directories hold.
func entryName(name []byte) string {
	switch string(name) {
	case ".":
		return "."
	case "..":
		return ".."
	case "package.json":
		return "package.json"
	case "node_modules":
		return "node_modules"
	case ".git":
		return ".git"
	case ".npmrc":
		return ".npmrc"
	case NamePackageLock:
		return NamePackageLock
	case NameYarnLock:
		return NameYarnLock
	case NamePnpmLock:
		return NamePnpmLock
	case "packages":
		return "packages"
	case "src":
		return "src"
	case "README.md":
		return "README.md"
	case ".gitignore":
		return ".gitignore"
	case ".yarnrc":
		return ".yarnrc"
	case ".yarnrc.yml":
		return ".yarnrc.yml"
	}
	return string(name)
}

// direntType maps a d_type to the type bits of an fs.FileMode.
func direntType(t byte) fs.FileMode {
	switch t {
	case syscall.DT_REG:
		return 0
	case syscall.DT_DIR:
		return fs.ModeDir
	case syscall.DT_LNK:
		return fs.ModeSymlink
	case syscall.DT_FIFO:
		return fs.ModeNamedPipe
	case syscall.DT_SOCK:
		return fs.ModeSocket
	case syscall.DT_CHR:
		return fs.ModeDevice | fs.ModeCharDevice
	case syscall.DT_BLK:
		return fs.ModeDevice
	}
	return unknownType
}

// A dirEntry is an entry readDir read.
type dirEntry struct {
	name string
	typ  fs.FileMode
	dir  string
}

func (e *dirEntry) Name() string      { return e.name }
func (e *dirEntry) IsDir() bool       { return e.typ.IsDir() }
func (e *dirEntry) Type() fs.FileMode { return e.typ }
func (e *dirEntry) String() string    { return fs.FormatDirEntry(e) }

// Info returns the entry's status, read now (as os.ReadDir's entries do).
func (e *dirEntry) Info() (fs.FileInfo, error) {
	return os.Lstat(filepath.Join(e.dir, e.name))
}
