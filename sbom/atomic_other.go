//go:build !unix

package sbom

import (
	"bufio"
	"fmt"
	"os"
	"path/filepath"
)

// writeAtomic writes dst through a temporary file in the same directory and
// renames it into place, so that readers never see a partial file.
func writeAtomic(dst string, write func(*bufio.Writer) error) (err error) {
	f, err := os.CreateTemp(filepath.Dir(dst), "."+filepath.Base(dst)+".tmp*")
	if err != nil {
		return fmt.Errorf("write sbom: %w", err)
	}
	defer func() {
		if err != nil {
			f.Close()
			os.Remove(f.Name())
		}
	}()
	bw := getWriter(f)
	defer putWriter(bw)
	if err := write(bw); err != nil {
		return err
	}
	if err := bw.Flush(); err != nil {
		return fmt.Errorf("write sbom: %w", err)
	}
	if err := f.Chmod(0o644); err != nil {
		return fmt.Errorf("write sbom: %w", err)
	}
	if err := f.Close(); err != nil {
		return fmt.Errorf("write sbom: %w", err)
	}
	if err := os.Rename(f.Name(), dst); err != nil {
		return fmt.Errorf("write sbom: %w", err)
	}
	return nil
}
