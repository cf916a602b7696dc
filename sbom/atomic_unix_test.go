//go:build unix

package sbom

import (
	"bufio"
	"errors"
	"os"
	"path/filepath"
	"syscall"
	"testing"
)

// TestWriteAtomicMode: a written SBOM is 0644 whatever the umask (a chmod
// only when the umask took bits away), no temporary file is left, and a
// failing write leaves neither the file nor a temporary one.
func TestWriteAtomicMode(t *testing.T) {
	for _, mask := range []int{0o022, 0o077, 0o022} {
		old := syscall.Umask(mask)
		modeState.Store(0)
		dir := t.TempDir()
		dst := filepath.Join(dir, "a.cdx.json")
		err := writeAtomic(dst, func(w *bufio.Writer) error { _, err := w.WriteString("{}\n"); return err })
		syscall.Umask(old)
		if err != nil {
			t.Fatalf("umask %#o: %v", mask, err)
		}
		st, err := os.Stat(dst)
		if err != nil {
			t.Fatal(err)
		}
		if st.Mode().Perm() != 0o644 {
			t.Errorf("umask %#o: mode = %v, want 0644", mask, st.Mode().Perm())
		}
		if b, _ := os.ReadFile(dst); string(b) != "{}\n" {
			t.Errorf("umask %#o: content = %q", mask, b)
		}
		if ents, _ := os.ReadDir(dir); len(ents) != 1 {
			t.Errorf("umask %#o: %d entries, want only the SBOM", mask, len(ents))
		}
		// Writing over an existing file replaces it.
		if err := writeAtomic(dst, func(w *bufio.Writer) error { _, err := w.WriteString("[]\n"); return err }); err != nil {
			t.Fatal(err)
		}
		if b, _ := os.ReadFile(dst); string(b) != "[]\n" {
			t.Errorf("umask %#o: rewritten content = %q", mask, b)
		}
	}
	modeState.Store(0)

	dir := t.TempDir()
	boom := errors.New("boom")
	err := writeAtomic(filepath.Join(dir, "b.cdx.json"), func(w *bufio.Writer) error { return boom })
	if !errors.Is(err, boom) {
		t.Errorf("err = %v, want the writer's error", err)
	}
	if ents, _ := os.ReadDir(dir); len(ents) != 0 {
		t.Errorf("a failed write left %d entries", len(ents))
	}
	// A directory that is gone is an error naming the file.
	err = writeAtomic(filepath.Join(dir, "missing", "c.cdx.json"), func(w *bufio.Writer) error { return nil })
	if err == nil || !errors.Is(err, os.ErrNotExist) {
		t.Errorf("err = %v, want a not-exist error", err)
	}
}
