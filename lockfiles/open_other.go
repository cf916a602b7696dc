//go:build !unix

package lockfiles

// Open flags for files in the scanned trees; see open_unix.go. Other systems
// have no FIFOs to fear in the file system, and discovery's own symlink check
// is all there is.
const (
	openNonblock = 0
	openNoFollow = 0
)

// readRegularAt is readRegularFile: dirfd is always -1 here (discovery
// holds no directory descriptors), name an OS path.
func readRegularAt(dst []byte, _ int, name string, max int64, follow bool) ([]byte, error) {
	return readRegularFile(dst, name, max, follow)
}

// readRegularFile is [ReadRegular] through the os package.
func readRegularFile(dst []byte, name string, max int64, follow bool) ([]byte, error) {
	f, st, err := OpenRegular(name, follow, false)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	return readLimited(dst, f, st.Size(), max)
}
