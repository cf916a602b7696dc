package ioc

import (
	"strings"
	"testing"
)

func TestCompareVersions(t *testing.T) {
	// Each row is strictly ordered a < b (npm semver precedence).
	less := []struct{ a, b string }{
		{"1.0.0", "1.0.1"},
		{"1.0.15", "1.0.16"},
		{"1.0.9", "1.0.10"},
		{"1.9.0", "1.10.0"},
		{"0.9.9", "1.0.0"},
		{"1.0.0-alpha", "1.0.0"},
		{"1.0.16-rc.1", "1.0.16"},
		{"1.0.15", "1.0.16-rc.1"},
		{"1.0.0-alpha", "1.0.0-alpha.1"},
		{"1.0.0-alpha.1", "1.0.0-alpha.beta"},
		{"1.0.0-alpha.beta", "1.0.0-beta"},
		{"1.0.0-beta", "1.0.0-beta.2"},
		{"1.0.0-beta.2", "1.0.0-beta.11"},
		{"1.0.0-beta.11", "1.0.0-rc.1"},
		{"1.0.0-1", "1.0.0-a"},
		{"1.0.0-99999999999999999999", "1.0.0-100000000000000000000"},
		{"18446744073709551614.0.0", "18446744073709551615.0.0"},
	}
	for _, tc := range less {
		if c, ok := CompareVersions(tc.a, tc.b); !ok || c != -1 {
			t.Errorf("CompareVersions(%q, %q) = %d, %v, want -1, true", tc.a, tc.b, c, ok)
		}
		if c, ok := CompareVersions(tc.b, tc.a); !ok || c != 1 {
			t.Errorf("CompareVersions(%q, %q) = %d, %v, want 1, true", tc.b, tc.a, c, ok)
		}
	}
	equal := []struct{ a, b string }{
		{"1.0.16", "1.0.16"},
		{"1.0.16", "v1.0.16"},
		{"1.0.16", "=1.0.16"},
		{"1.0.16+build.5", "1.0.16"},
		{"1.0.16-rc.1+a", "1.0.16-rc.1+b"},
		{" 1.0.16 ", "1.0.16"},
	}
	for _, tc := range equal {
		if c, ok := CompareVersions(tc.a, tc.b); !ok || c != 0 {
			t.Errorf("CompareVersions(%q, %q) = %d, %v, want 0, true", tc.a, tc.b, c, ok)
		}
	}
	bad := []string{"", "1", "1.0", "1.0.0.0", "01.0.0", "1.01.0", "1.0.0-", "1.0.0-01", "1.0.0+", "1.0.0-a..b",
		"1.x", "^1.0.0", "latest", "1.0.0-é", "18446744073709551616.0.0", "git+https://x/y", "abc123def"}
	for _, s := range bad {
		if _, ok := CompareVersions(s, "1.0.0"); ok {
			t.Errorf("CompareVersions(%q, \"1.0.0\") ok = true, want false", s)
		}
	}
}

func TestVersionsContains(t *testing.T) {
	postmark := Versions{Exact: []string{"1.0.16", "1.0.17", "1.0.18"}}
	osv := Versions{Ranges: []Range{{Introduced: "1.0.16"}}}
	fixed := Versions{Ranges: []Range{{Introduced: "0", Fixed: "2.0.0"}}}
	last := Versions{Ranges: []Range{{Introduced: "1.2.0", LastAffected: "1.2.5"}}}
	two := Versions{Exact: []string{"0.1.0"}, Ranges: []Range{{Introduced: "3.0.0", Fixed: "3.1.0"}, {Introduced: "5.0.0-beta.1", Fixed: "5.0.0"}}}
	tests := []struct {
		name string
		v    Versions
		ver  string
		want bool
	}{
		{"exact", postmark, "1.0.16", true},
		{"exact", postmark, "1.0.17", true},
		{"exact", postmark, "1.0.18", true},
		{"exact", postmark, "1.0.15", false},
		{"exact", postmark, "1.0.19", false},
		{"exact", postmark, "1.0.16-rc.1", false},
		{"exact", postmark, "1.0.16+rebuilt", true},
		{"exact", postmark, "v1.0.17", true},
		{"exact", postmark, "1.0.160", false},
		{"osv", osv, "1.0.15", false},
		{"osv", osv, "1.0.16", true},
		{"osv", osv, "1.0.16-rc.1", false},
		{"osv", osv, "1.0.17-rc.1", true},
		{"osv", osv, "99.0.0", true},
		{"fixed", fixed, "0.0.0-0", true},
		{"fixed", fixed, "1.99.99", true},
		{"fixed", fixed, "2.0.0-rc.1", true},
		{"fixed", fixed, "2.0.0", false},
		{"last", last, "1.1.9", false},
		{"last", last, "1.2.0", true},
		{"last", last, "1.2.5", true},
		{"last", last, "1.2.5+b", true},
		{"last", last, "1.2.6-0", false},
		{"two", two, "0.1.0", true},
		{"two", two, "3.0.5", true},
		{"two", two, "3.1.0", false},
		{"two", two, "5.0.0-beta.0", false},
		{"two", two, "5.0.0-beta.2", true},
		{"two", two, "4.0.0", false},
		{"all", Versions{}, "1.0.0", true},
		{"all", Versions{}, "not-a-version", true},
		{"open range", Versions{Ranges: []Range{{Introduced: "0"}}}, "github:x/y#abc", true},
		{"bounded range", fixed, "github:x/y#abc", false},
		{"non-semver exact", Versions{Exact: []string{"abc"}}, "abc", true},
	}
	for _, tc := range tests {
		if got := tc.v.Contains(tc.ver); got != tc.want {
			t.Errorf("%s: Versions.Contains(%q) = %v, want %v", tc.name, tc.ver, got, tc.want)
		}
	}
}

func TestCompileVersionsErrors(t *testing.T) {
	tests := []struct {
		v    Versions
		want string
	}{
		{Versions{Exact: []string{"1.x"}}, `exact version "1.x"`},
		{Versions{Ranges: []Range{{Introduced: "latest"}}}, `introduced version "latest"`},
		{Versions{Ranges: []Range{{Introduced: "1.0.0", Fixed: ">=2"}}}, `fixed version ">=2"`},
		{Versions{Ranges: []Range{{LastAffected: "1.0"}}}, `last_affected version "1.0"`},
	}
	for _, tc := range tests {
		_, err := compileVersions(tc.v, true)
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("compileVersions(%+v) error = %v, want one containing %q", tc.v, err, tc.want)
		}
	}
}

// FuzzVersionCompare checks that parsing never panics, that the canonical
// form re-parses to an equal version, and that the order is antisymmetric
// and transitive on every triple.
func FuzzVersionCompare(f *testing.F) {
	seeds := [][3]string{
		{"1.0.16", "1.0.17", "1.0.18"},
		{"1.0.0-alpha", "1.0.0-alpha.1", "1.0.0"},
		{"1.0.0-1", "1.0.0-a", "1.0.0-a.1"},
		{"v1.2.3+x", "=1.2.3", "1.2.3-0"},
		{"", "0", "1.x"},
		{"1.0.0-99999999999999999999", "1.0.0-100000000000000000000", "18446744073709551615.0.0"},
	}
	for _, s := range seeds {
		f.Add(s[0], s[1], s[2])
	}
	f.Fuzz(func(t *testing.T, a, b, c string) {
		va, ea := parseSemver(a)
		vb, eb := parseSemver(b)
		vc, ec := parseSemver(c)
		for _, p := range []struct {
			s   string
			v   semver
			err error
		}{{a, va, ea}, {b, vb, eb}, {c, vc, ec}} {
			if p.err != nil {
				continue
			}
			back, err := parseSemver(p.v.String())
			if err != nil || back.compare(p.v) != 0 || back.build != p.v.build {
				t.Fatalf("parseSemver(%q).String() = %q does not round-trip (%v)", p.s, p.v.String(), err)
			}
			if p.v.compare(p.v) != 0 {
				t.Fatalf("%q does not compare equal to itself", p.s)
			}
		}
		if ea != nil || eb != nil || ec != nil {
			return
		}
		if ab, ba := va.compare(vb), vb.compare(va); ab != -ba {
			t.Fatalf("compare(%q, %q) = %d but compare(%q, %q) = %d", a, b, ab, b, a, ba)
		}
		ab, bc, ac := va.compare(vb), vb.compare(vc), va.compare(vc)
		if ab <= 0 && bc <= 0 && ac > 0 {
			t.Fatalf("%q <= %q <= %q but compare(%q, %q) = %d", a, b, c, a, c, ac)
		}
		if ab >= 0 && bc >= 0 && ac < 0 {
			t.Fatalf("%q >= %q >= %q but compare(%q, %q) = %d", a, b, c, a, c, ac)
		}
	})
}
