package feeds

import (
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"net/url"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"
)

// Value checks shared by the native and OSV readers. Each returns the value
// in its normal form (domains lowercased, hex digests lowercased) or an error
// that never quotes more than a short value.

// quote returns s quoted for an error message, cut short so that a hostile
// feed cannot flood a terminal through an error.
func quote(s string) string {
	const max = 64
	if len(s) > max {
		cut := max
		for cut > 0 && !utf8.RuneStart(s[cut]) {
			cut--
		}
		return fmt.Sprintf("%q…", s[:cut])
	}
	return fmt.Sprintf("%q", s)
}

// checkText rejects invalid UTF-8 and control characters other than tab and
// newline: a feed is read by people, and such bytes only hide things.
func checkText(s string) error {
	if !utf8.ValidString(s) {
		return errors.New("invalid utf-8")
	}
	for _, r := range s {
		if r == '\t' || r == '\n' {
			continue
		}
		if unicode.IsControl(r) || r == '\u2028' || r == '\u2029' || r == '\ufeff' {
			return fmt.Errorf("control character %U in text", r)
		}
	}
	return nil
}

// checkToken checks a one-word value: non-empty, printable, no spaces, at most max bytes.
func checkToken(what, s string, max int) error {
	if s == "" {
		return fmt.Errorf("empty %s", what)
	}
	if len(s) > max {
		return fmt.Errorf("%s longer than %d bytes", what, max)
	}
	if !utf8.ValidString(s) {
		return fmt.Errorf("%s is not valid utf-8", what)
	}
	for _, r := range s {
		if unicode.IsSpace(r) || !unicode.IsPrint(r) {
			return fmt.Errorf("%s %s contains a space or control character", what, quote(s))
		}
	}
	return nil
}

// checkID checks an advisory id or alias.
func checkID(s string) error { return checkToken("id", s, 128) }

// checkPackageName checks an npm package name: at most 214 bytes, no spaces
// or control characters, and "@scope/name" when scoped. It is lenient on
// case because legacy npm packages have upper-case names (JSONStream).
func checkPackageName(s string) error {
	if err := checkToken("package name", s, 214); err != nil {
		return err
	}
	name := s
	if strings.HasPrefix(s, "@") {
		scope, rest, ok := strings.Cut(s[1:], "/")
		if !ok || scope == "" || rest == "" || strings.Contains(rest, "/") {
			return fmt.Errorf("package name %s: want @scope/name", quote(s))
		}
		name = rest
	} else if strings.Contains(s, "/") {
		return fmt.Errorf("package name %s contains a slash", quote(s))
	}
	if name == "." || name == ".." || strings.ContainsAny(name, `\:"<>|?#%`) {
		return fmt.Errorf("invalid package name %s", quote(s))
	}
	return nil
}

// checkPublisher checks a registry account name.
func checkPublisher(s string) error {
	if err := checkToken("publisher", s, 214); err != nil {
		return err
	}
	if strings.ContainsAny(s, "@/:") {
		return fmt.Errorf("invalid publisher %s (want the account name alone)", quote(s))
	}
	return nil
}

// checkEcosystem accepts the ecosystems depsweep matches. Only npm for now:
// an indicator for any other ecosystem would never match and only look like
// coverage.
func checkEcosystem(s string) error {
	if s != "npm" {
		return fmt.Errorf("unsupported ecosystem %s (want npm)", quote(s))
	}
	return nil
}

// normDomain checks a host name (ASCII; IDNs in punycode) and lowercases it.
func normDomain(s string) (string, error) {
	if s == "" {
		return "", errors.New("empty domain")
	}
	d := strings.ToLower(strings.TrimSuffix(s, "."))
	if len(d) > 253 {
		return "", fmt.Errorf("domain %s longer than 253 bytes", quote(s))
	}
	labels := strings.Split(d, ".")
	if len(labels) < 2 {
		return "", fmt.Errorf("domain %s has a single label", quote(s))
	}
	for _, l := range labels {
		if l == "" || len(l) > 63 || l[0] == '-' || l[len(l)-1] == '-' {
			return "", fmt.Errorf("malformed domain %s", quote(s))
		}
		for i := 0; i < len(l); i++ {
			c := l[i]
			if !(c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '-' || c == '_') {
				return "", fmt.Errorf("malformed domain %s (want ascii letters, digits and dashes; punycode for IDNs)", quote(s))
			}
		}
	}
	return d, nil
}

// normEmail checks an e-mail address and lowercases its domain part.
func normEmail(s string) (string, error) {
	local, domain, ok := strings.Cut(s, "@")
	if !ok || local == "" || strings.Contains(domain, "@") {
		return "", fmt.Errorf("malformed email %s (want local@domain)", quote(s))
	}
	if len(local) > 64 {
		return "", fmt.Errorf("malformed email %s (local part longer than 64 bytes)", quote(s))
	}
	for i := 0; i < len(local); i++ {
		c := local[i]
		if c <= ' ' || c >= 0x7f || strings.IndexByte(`"(),:;<>[\]`, c) >= 0 {
			return "", fmt.Errorf("malformed email %s", quote(s))
		}
	}
	d, err := normDomain(domain)
	if err != nil {
		return "", fmt.Errorf("malformed email %s: %v", quote(s), err)
	}
	return local + "@" + d, nil
}

// checkURL checks an absolute URL with a host.
func checkURL(s string) error {
	if s == "" {
		return errors.New("empty url")
	}
	if checkToken("url", s, 4096) != nil {
		return fmt.Errorf("malformed url %s (want an absolute url with a host)", quote(s))
	}
	u, err := url.Parse(s)
	if err != nil || u.Scheme == "" || u.Host == "" {
		return fmt.Errorf("malformed url %s (want an absolute url with a host)", quote(s))
	}
	return nil
}

// digestSizes are the digest lengths in bytes of the hash algorithms npm
// integrity strings use.
var digestSizes = map[string]int{"sha1": 20, "sha256": 32, "sha384": 48, "sha512": 64}

// normHash checks a digest written as npm integrity ("sha512-<base64>") or
// as "<alg>:<hex>", and lowercases the hex form.
func normHash(s string) (string, error) {
	if alg, b64, ok := strings.Cut(s, "-"); ok {
		n, known := digestSizes[alg]
		if !known {
			return "", fmt.Errorf("unknown hash algorithm %s (want sha512, sha384, sha256 or sha1)", quote(alg))
		}
		raw, err := base64.StdEncoding.Strict().DecodeString(b64)
		if err != nil || len(raw) != n {
			return "", fmt.Errorf("malformed hash %s (want %s-<base64 of %d bytes>)", quote(s), alg, n)
		}
		return s, nil
	}
	if alg, hx, ok := strings.Cut(s, ":"); ok {
		n, known := digestSizes[alg]
		if !known {
			return "", fmt.Errorf("unknown hash algorithm %s (want sha512, sha384, sha256 or sha1)", quote(alg))
		}
		raw, err := hex.DecodeString(hx)
		if err != nil || len(raw) != n {
			return "", fmt.Errorf("malformed hash %s (want %s:<%d hex digits>)", quote(s), alg, 2*n)
		}
		return alg + ":" + strings.ToLower(hx), nil
	}
	return "", fmt.Errorf("malformed hash %s (want sha512-<base64> or sha512:<hex>)", quote(s))
}

// checkVersion checks an exact semver version (npm versions are semver
// 2.0.0: MAJOR.MINOR.PATCH, optional -prerelease and +build). Ranges such as
// "^1.0.0" are refused: ranges go in ranges.
func checkVersion(s string) error {
	if s == "" {
		return errors.New("empty version")
	}
	if len(s) > 256 {
		return errors.New("version longer than 256 bytes")
	}
	core, build, hasBuild := strings.Cut(s, "+")
	core, pre, hasPre := strings.Cut(core, "-")
	nums := strings.Split(core, ".")
	if len(nums) != 3 {
		return fmt.Errorf("version %s is not exact (want MAJOR.MINOR.PATCH)", quote(s))
	}
	for _, n := range nums {
		if !numeric(n) || len(n) > 1 && n[0] == '0' {
			return fmt.Errorf("version %s is not exact (want MAJOR.MINOR.PATCH)", quote(s))
		}
	}
	if hasPre && !identifiers(pre) || hasBuild && !identifiers(build) {
		return fmt.Errorf("malformed version %s", quote(s))
	}
	return nil
}

func numeric(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

// identifiers checks a dot-separated semver prerelease or build part.
func identifiers(s string) bool {
	for _, id := range strings.Split(s, ".") {
		if id == "" {
			return false
		}
		for i := 0; i < len(id); i++ {
			c := id[i]
			if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-') {
				return false
			}
		}
	}
	return true
}

// parseTime reads a date ("2025-09-17", midnight UTC) or an RFC 3339
// timestamp, in UTC.
func parseTime(s string) (time.Time, error) {
	var t time.Time
	var err error
	if len(s) == len(time.DateOnly) {
		t, err = time.Parse(time.DateOnly, s)
	} else {
		t, err = time.Parse(time.RFC3339Nano, s)
	}
	if err != nil || t.Year() < 1 || t.Year() > 9999 {
		return time.Time{}, fmt.Errorf("bad date %s (want 2006-01-02 or an RFC 3339 timestamp)", quote(s))
	}
	return t.UTC(), nil
}

// formatTime is the inverse of parseTime: a date when the time is midnight UTC.
func formatTime(t time.Time) string {
	t = t.UTC()
	if t.Hour() == 0 && t.Minute() == 0 && t.Second() == 0 && t.Nanosecond() == 0 {
		return t.Format(time.DateOnly)
	}
	return t.Format(time.RFC3339Nano)
}
