package lockfiles

import "syscall"

// openat opens name relative to the directory open as dirfd.
func openat(dirfd int, name string, flags int) (int, error) {
	return syscall.Openat(dirfd, name, flags, 0)
}
