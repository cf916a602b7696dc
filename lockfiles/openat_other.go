//go:build unix && !linux

package lockfiles

import "syscall"

// openat is not used here: discovery holds no directory descriptors
// outside Linux (see listDir), so every dirfd is -1.
func openat(int, string, int) (int, error) { return -1, syscall.ENOSYS }
