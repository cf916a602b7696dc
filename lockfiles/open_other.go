//go:build !unix

package lockfiles

// Open flags for files in the scanned trees; see open_unix.go. Other systems
// have no FIFOs to fear in the file system, and discovery's own symlink check
// is all there is.
const (
	openNonblock = 0
	openNoFollow = 0
)

// readRegularFile is [ReadRegular] through the os package.
func readRegularFile(dst []byte, name string, max int64, follow bool) ([]byte, error) {
	f, st, err := OpenRegular(name, follow, false)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	return readLimited(dst, f, st.Size(), max)
}
