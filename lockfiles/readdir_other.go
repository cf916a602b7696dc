//go:build !linux

package lockfiles

import (
	"io/fs"
	"os"
)

// readDir is os.ReadDir; on Linux it works on the descriptor (see
// readdir_linux.go).
var readDir = os.ReadDir

// listDir lists directory dir by its OS path; only the Linux version opens
// it relative to parent and keeps a descriptor, so fd is always -1.
func listDir(_ int, _, dir string, _ bool) (entries []fs.DirEntry, fd int, err error) {
	entries, err = os.ReadDir(dir)
	return entries, -1, err
}

// openDir opens nothing: no descriptor is held here.
func openDir(int, string, string) (int, error) { return -1, nil }

// closeDir closes nothing: listDir keeps no descriptor here.
func closeDir(int) {}
