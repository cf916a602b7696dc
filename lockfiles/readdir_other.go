//go:build !linux

package lockfiles

import "os"

// readDir is os.ReadDir; on Linux it works on the descriptor (see
// readdir_linux.go).
var readDir = os.ReadDir
