package lockfiles

import "testing"

// TestIsSemver checks the version test of pnpm 5.x dependency paths against
// node-semver valid() cases.
func TestIsSemver(t *testing.T) {
	for v, want := range map[string]bool{
		"1.2.3": true, "v1.2.3": true, "=1.2.3": true, "1.0.0-rc.1": true, "1.0.0-alpha.beta+build.5": true,
		"0.0.0": true, "10.20.30": true,
		"1.2": false, "1.2.3.4": false, "01.2.3": false, "1.2.x": false, "bar": false, "": false,
		"1.0.0-": false, "1.0.0-01": false, "1.0.0+": false, "1..3": false, "1.2.3-a_b": false,
	} {
		if got := isSemver(v); got != want {
			t.Errorf("isSemver(%q) = %v, want %v", v, got, want)
		}
	}
}

// TestPnpmShapeAfterSkippedLine: lines the scanner skipped (a quoted
// string folded over several lines, which it does not read) leave what
// follows unjudged until the next key, so valid YAML is not an error.
func TestPnpmShapeAfterSkippedLine(t *testing.T) {
	data := "lockfileVersion: 5.4\n\npackages:\n\n  /a/1.0.0:\n    resolution: {integrity: sha512-AAAA}\n" +
		"    deprecated: 'a long message that was folded\n      over two lines'\n    dev: false\n\n  /b/2.0.0:\n    resolution: {integrity: sha512-BBBB}\n    dev: false\n"
	inv, err := Parse(Input{Path: "x/pnpm-lock.yaml", Data: []byte(data)})
	if err != nil {
		t.Fatal(err)
	}
	if len(inv.Packages) != 2 {
		t.Errorf("packages %v, want a and b", inv.Packages)
	}
}
