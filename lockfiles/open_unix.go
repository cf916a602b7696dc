//go:build unix

package lockfiles

import "syscall"

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
