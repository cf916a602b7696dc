//go:build unix

package lockfiles

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"syscall"
	"testing"
)

// TestReadRegular checks the one guarded read: regular files up to the
// limit are read; a FIFO (which would block a plain open), a directory, a
// symbolic link (unless followed) and a file over the limit are refused with
// the error callers test for.
func TestReadRegular(t *testing.T) {
	dir := t.TempDir()
	file := filepath.Join(dir, "package-lock.json")
	if err := os.WriteFile(file, []byte("0123456789"), 0o644); err != nil {
		t.Fatal(err)
	}
	fifo := filepath.Join(dir, "yarn.lock")
	if err := syscall.Mkfifo(fifo, 0o644); err != nil {
		t.Skip("no FIFOs here:", err)
	}
	link := filepath.Join(dir, "link.json")
	if err := os.Symlink(file, link); err != nil {
		t.Fatal(err)
	}
	if b, err := ReadRegular(file, 10, false); err != nil || string(b) != "0123456789" {
		t.Errorf("ReadRegular(file, 10) = %q, %v; want the content", b, err)
	}
	var tl *TooLargeError
	if _, err := ReadRegular(file, 9, false); !errors.As(err, &tl) || tl.Size != 10 || tl.Max != 9 ||
		err.Error() != "file is 10 bytes, over the 9-byte limit" {
		t.Errorf("ReadRegular(file, 9) error = %v, want a TooLargeError of 10 over 9 bytes", err)
	}
	if _, err := ReadRegular(fifo, 10, false); !errors.Is(err, ErrNotRegular) {
		t.Errorf("ReadRegular(fifo) error = %v, want ErrNotRegular", err)
	}
	if _, err := ReadRegular(dir, 10, true); !errors.Is(err, ErrNotRegular) {
		t.Errorf("ReadRegular(dir) error = %v, want ErrNotRegular", err)
	}
	if _, err := ReadRegular(link, 10, false); !errors.Is(err, ErrSymlink) {
		t.Errorf("ReadRegular(link, no follow) error = %v, want ErrSymlink", err)
	}
	if b, err := ReadRegular(link, 10, true); err != nil || len(b) != 10 {
		t.Errorf("ReadRegular(link, follow) = %q, %v; want the target's content", b, err)
	}
	fsys := DirFS(dir)
	if _, err := ReadRegularFS(fsys, "yarn.lock", 10); !errors.Is(err, ErrNotRegular) {
		t.Errorf("ReadRegularFS(DirFS, fifo) error = %v, want ErrNotRegular", err)
	}
	if _, err := ReadRegularFS(fsys, "missing", 10); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("ReadRegularFS(DirFS, missing) error = %v, want fs.ErrNotExist", err)
	}
	if _, err := ReadRegularFS(fsys, "package-lock.json", 9); !errors.As(err, &tl) {
		t.Errorf("ReadRegularFS(DirFS, file, 9) error = %v, want a TooLargeError", err)
	}
}
