//go:build linux

package main

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
)

// smallDisk mounts a 64 KiB tmpfs for the test and returns its path. It
// skips (saying why) where mounting is not permitted, e.g. without root.
func smallDisk(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	if err := syscall.Mount("tmpfs", dir, "tmpfs", 0, "size=64k"); err != nil {
		t.Skipf("cannot mount a small tmpfs to fill (needs root): %v", err)
	}
	t.Cleanup(func() { syscall.Unmount(dir, 0) })
	return dir
}

// fill writes a file into dir until the disk is full.
func fill(t *testing.T, dir string) {
	t.Helper()
	f, err := os.Create(filepath.Join(dir, "filler"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if _, err := f.Write(make([]byte, 1<<20)); err == nil {
		t.Fatal("the small disk took 1 MiB: it is not full")
	}
}

// TestFullDisk: when the disk fills up, the report and the SBOMs are not
// left half-written: the run exits 2 saying why, no temporary file stays
// behind, and a previous report under the same name is kept intact.
func TestFullDisk(t *testing.T) {
	disk := smallDisk(t)
	tree := affectedTree(t)
	prev := filepath.Join(disk, "report.json")
	if err := os.WriteFile(prev, []byte(`{"previous":true}`), 0o644); err != nil {
		t.Fatal(err)
	}
	fill(t, disk)
	var stderr bytes.Buffer
	code := run(context.Background(), []string{"scan", "--format", "json", "-q", "--fail-on", "none",
		"--output", prev, "--sbom-dir", filepath.Join(disk, "sboms"), tree}, nil, io.Discard, &stderr)
	if code != 2 {
		t.Errorf("exit %d, want 2; stderr:\n%s", code, stderr.String())
	}
	if !strings.Contains(stderr.String(), "no space left on device") {
		t.Errorf("stderr does not say the disk is full:\n%s", stderr.String())
	}
	if b, err := os.ReadFile(prev); err != nil || string(b) != `{"previous":true}` {
		t.Errorf("previous report = %q, %v; want it untouched", b, err)
	}
	err := filepath.WalkDir(disk, func(p string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() || p == prev || d.Name() == "filler" {
			return err
		}
		t.Errorf("left behind on the full disk: %s", p)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

// TestFullSBOMDisk: SBOMs that cannot be written (their disk is full) do not
// cost the findings report: it is written, lists the SBOM error, and the
// run exits 2; no partial SBOM stays behind.
func TestFullSBOMDisk(t *testing.T) {
	disk := smallDisk(t)
	tree := affectedTree(t)
	fill(t, disk)
	out := filepath.Join(t.TempDir(), "report.json")
	var stderr bytes.Buffer
	code := run(context.Background(), []string{"scan", "--format", "json", "-q", "--fail-on", "none",
		"--output", out, "--sbom-dir", filepath.Join(disk, "sboms"), tree}, nil, io.Discard, &stderr)
	if code != 2 {
		t.Errorf("exit %d, want 2; stderr:\n%s", code, stderr.String())
	}
	b, err := os.ReadFile(out)
	if err != nil {
		t.Fatalf("no findings report: %v", err)
	}
	var rep struct {
		Findings []json.RawMessage `json:"findings"`
		Errors   []struct{ Path, Error string }
	}
	if err := json.Unmarshal(b, &rep); err != nil {
		t.Fatal(err)
	}
	if len(rep.Findings) == 0 {
		t.Error("the report lost the findings")
	}
	if len(rep.Errors) != 1 || !strings.Contains(rep.Errors[0].Error, "no space left on device") {
		t.Errorf("report errors = %+v, want the SBOM write failure", rep.Errors)
	}
	entries, _ := os.ReadDir(filepath.Join(disk, "sboms"))
	if len(entries) != 0 {
		t.Errorf("partial SBOM files left behind: %v", entries)
	}
}
