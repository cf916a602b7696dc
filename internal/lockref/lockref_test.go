package lockref

import (
	"strings"
	"testing"
)

// TestPackagesRecoversPanics: osv-scanner's pkg/lockfile v1.9.2 panics on a
// package-lock.json whose content is `null`; the adapter turns that into an
// error naming the file.
func TestPackagesRecoversPanics(t *testing.T) {
	_, err := Packages("app/package-lock.json", []byte("null"))
	if err == nil || !strings.HasPrefix(err.Error(), "app/package-lock.json: ") || !strings.Contains(err.Error(), "panicked") {
		t.Errorf("Packages(null) error = %v, want the recovered panic naming the file", err)
	}
	if _, err := Packages("svc/Cargo.lock", []byte("")); err == nil {
		t.Error("Packages(Cargo.lock) error = nil, want: not a JavaScript lockfile")
	}
}
