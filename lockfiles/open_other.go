//go:build !unix

package lockfiles

// Open flags for files in the scanned trees; see open_unix.go. Other systems
// have no FIFOs to fear in the file system, and discovery's own symlink check
// is all there is.
const (
	openNonblock = 0
	openNoFollow = 0
)
