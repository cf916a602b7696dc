//go:build unix

package feeds

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/depsweep/depsweep/lockfiles"
)

// TestCacheFIFO: a FIFO in place of the index is a damaged index (the
// load does not block, and rebuilds it); in place of the zip it is an
// error naming it.
func TestCacheFIFO(t *testing.T) {
	dir, want, _ := cachedExport(t)
	index := filepath.Join(dir, cacheIndex)
	os.Remove(index)
	if err := syscall.Mkfifo(index, 0o644); err != nil {
		t.Fatal(err)
	}
	load := func() (*Feed, error) {
		t.Helper()
		type result struct {
			f   *Feed
			err error
		}
		done := make(chan result, 1)
		go func() {
			f, err := LoadCachedOSV(dir, OSVNPMName, "")
			done <- result{f, err}
		}()
		select {
		case r := <-done:
			return r.f, r.err
		case <-time.After(30 * time.Second):
			t.Fatal("LoadCachedOSV blocked on a FIFO")
			return nil, nil
		}
	}
	got, err := load()
	if err != nil {
		t.Fatal(err)
	}
	if d := sameFeed(got, want); d != "" {
		t.Error(d)
	}
	if st, err := os.Lstat(index); err != nil || !st.Mode().IsRegular() {
		t.Errorf("index not rebuilt over the FIFO: %v %v", st.Mode(), err)
	}

	zip := filepath.Join(dir, cacheZip)
	os.Remove(zip)
	if err := syscall.Mkfifo(zip, 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := load(); !errors.Is(err, lockfiles.ErrNotRegular) || !strings.Contains(err.Error(), zip) {
		t.Errorf("LoadCachedOSV with a FIFO for the zip = %v, want an error naming it", err)
	}
}
