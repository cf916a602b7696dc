package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"os"
	"path/filepath"
	"syscall"
	"testing"
	"time"
)

// affectedTree copies one real-client fixture with a malicious version into
// a fresh directory and returns it.
func affectedTree(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	src := "../../testdata/fixtures/npm11-alias-scoped-lockv3"
	for _, name := range []string{"package.json", "package-lock.json"} {
		b, err := os.ReadFile(filepath.Join(src, name))
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, name), b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

// TestOutputToFIFO: --output naming a FIFO (or a device such as /dev/null)
// writes into it; the atomic rename used for regular files would replace
// the FIFO with a plain file.
func TestOutputToFIFO(t *testing.T) {
	tree := affectedTree(t)
	fifo := filepath.Join(t.TempDir(), "report.pipe")
	if err := syscall.Mkfifo(fifo, 0o600); err != nil {
		t.Skipf("cannot make a FIFO here: %v", err)
	}
	// Open the read end first, without blocking, so that the writer's open
	// succeeds at once and a regression fails fast instead of hanging.
	fd, err := syscall.Open(fifo, syscall.O_RDONLY|syscall.O_NONBLOCK, 0)
	if err != nil {
		t.Fatal(err)
	}
	r := os.NewFile(uintptr(fd), fifo)
	defer r.Close()
	got := make(chan []byte, 1)
	ran := make(chan struct{}) // closed when run returned: only then is EOF the end
	go func() {
		var buf bytes.Buffer
		chunk := make([]byte, 64<<10)
		for {
			n, err := r.Read(chunk)
			buf.Write(chunk[:n])
			if err != nil && err != io.EOF && !errors.Is(err, syscall.EAGAIN) {
				break
			}
			if err == io.EOF { // no writer: either not yet, or done
				select {
				case <-ran:
					got <- buf.Bytes()
					return
				default:
				}
			}
			if n == 0 {
				time.Sleep(5 * time.Millisecond)
			}
		}
		got <- buf.Bytes()
	}()
	var stderr bytes.Buffer
	code := run(context.Background(), []string{"scan", "--format", "json", "--output", fifo, tree}, nil, io.Discard, &stderr)
	close(ran)
	if code != 1 {
		t.Fatalf("exit %d, want 1 (findings); stderr:\n%s", code, stderr.String())
	}
	var b []byte
	select {
	case b = <-got:
	case <-time.After(10 * time.Second):
		t.Fatal("the FIFO's reader saw no end of the report")
	}
	var rep struct {
		Findings []json.RawMessage `json:"findings"`
	}
	if err := json.Unmarshal(b, &rep); err != nil || len(rep.Findings) == 0 {
		t.Fatalf("the FIFO's reader got no report with findings (err %v, %d bytes)", err, len(b))
	}
	st, err := os.Lstat(fifo)
	if err != nil {
		t.Fatal(err)
	}
	if st.Mode()&os.ModeNamedPipe == 0 {
		t.Errorf("%s is now %v, want it to stay a FIFO", fifo, st.Mode())
	}
}

// TestOutputThroughSymlink: --output naming a symlink replaces the file it
// points at, atomically, and leaves the link in place.
func TestOutputThroughSymlink(t *testing.T) {
	tree := affectedTree(t)
	dir := t.TempDir()
	target := filepath.Join(dir, "real.json")
	if err := os.WriteFile(target, []byte("old"), 0o644); err != nil {
		t.Fatal(err)
	}
	link := filepath.Join(dir, "report.json")
	if err := os.Symlink("real.json", link); err != nil {
		t.Fatal(err)
	}
	var stderr bytes.Buffer
	if code := run(context.Background(), []string{"scan", "--format", "json", "--output", link, tree}, nil, io.Discard, &stderr); code != 1 {
		t.Fatalf("exit %d, want 1; stderr:\n%s", code, stderr.String())
	}
	if st, err := os.Lstat(link); err != nil || st.Mode()&os.ModeSymlink == 0 {
		t.Fatalf("%s is no longer a symlink (%v, %v)", link, st.Mode(), err)
	}
	b, err := os.ReadFile(target)
	if err != nil || !json.Valid(b) {
		t.Fatalf("the link's target does not hold the JSON report (%v)", err)
	}
	entries, _ := os.ReadDir(dir)
	if len(entries) != 2 {
		t.Errorf("output dir holds %d entries, want the link and its target only (no temporary files)", len(entries))
	}
}
