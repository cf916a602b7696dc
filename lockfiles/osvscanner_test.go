package lockfiles

import (
	"strings"
	"testing"
)

// TestReferenceRecoversPanics: osv-scanner's pkg/lockfile v1.9.2 panics on a
// package-lock.json whose content is `null`; the adapter turns that into an
// error naming the file, and our own parser gives a positioned error.
func TestReferenceRecoversPanics(t *testing.T) {
	_, err := ReferencePackages("app/package-lock.json", []byte("null"))
	if err == nil || !strings.HasPrefix(err.Error(), "app/package-lock.json: ") || !strings.Contains(err.Error(), "panicked") {
		t.Errorf("ReferencePackages(null) error = %v, want the recovered panic naming the file", err)
	}
	if _, err := Parse(Input{Path: "app/package-lock.json", Data: []byte("null")}); err == nil {
		t.Error("Parse(null package-lock.json) succeeded, want an error")
	}
}

// TestParseOther: lockfiles of other ecosystems go through pkg/lockfile,
// names and versions only, with junk names dropped.
func TestParseOther(t *testing.T) {
	cargo := "[[package]]\nname = \"serde\"\nversion = \"1.0.188\"\n\n[[package]]\nname = \"libc\"\nversion = \"0.2.147\"\n"
	if !IsOtherLockfile("svc/Cargo.lock") || IsOtherLockfile("web/package-lock.json") {
		t.Fatal("IsOtherLockfile misclassifies Cargo.lock or package-lock.json")
	}
	inv, err := ParseOther(Input{Path: "svc/Cargo.lock", Data: []byte(cargo)})
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, p := range inv.Packages {
		got = append(got, p.ID())
	}
	if strings.Join(got, " ") != "libc@0.2.147 serde@1.0.188" && strings.Join(got, " ") != "serde@1.0.188 libc@0.2.147" {
		t.Errorf("ParseOther(Cargo.lock) = %v, want libc@0.2.147 and serde@1.0.188", got)
	}
	if inv.Format != "other-crates.io" {
		t.Errorf("ParseOther(Cargo.lock).Format = %q, want other-crates.io", inv.Format)
	}
}
