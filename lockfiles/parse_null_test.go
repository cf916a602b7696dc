package lockfiles

import "testing"

// TestParseNull: a package-lock.json whose content is `null` (which makes
// osv-scanner's parser panic) is a parse error here.
func TestParseNull(t *testing.T) {
	if _, err := Parse(Input{Path: "app/package-lock.json", Data: []byte("null")}); err == nil {
		t.Error("Parse(null package-lock.json) succeeded, want an error")
	}
}
