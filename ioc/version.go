package ioc

import (
	"errors"
	"strconv"
	"strings"

	"github.com/depsweep/depsweep/lockfiles"
)

// A semver is a parsed npm version: major.minor.patch, an optional
// prerelease and build metadata. Build metadata takes no part in ordering.
type semver struct {
	major, minor, patch uint64
	pre                 []string // prerelease identifiers; nil for a release
	build               string   // build metadata without the "+"; "" when none
}

var (
	errEmptyVersion = errors.New("empty version")
	errBadVersion   = errors.New("not a semantic version (want major.minor.patch)")
)

// parseSemver parses a version the way npm's semver does for exact versions:
// surrounding spaces and a leading "v" or "=" are allowed, numeric parts
// must not have leading zeros, and prerelease and build identifiers are
// non-empty runs of [0-9A-Za-z-].
func parseSemver(s string) (semver, error) {
	s = strings.TrimSpace(s)
	s = strings.TrimLeft(s, "=v")
	if s == "" {
		return semver{}, errEmptyVersion
	}
	var v semver
	if i := strings.IndexByte(s, '+'); i >= 0 {
		v.build = s[i+1:]
		if !lockfiles.SemverIdents(v.build, false) {
			return semver{}, errBadVersion
		}
		s = s[:i]
	}
	if i := strings.IndexByte(s, '-'); i >= 0 {
		pre := s[i+1:]
		if !lockfiles.SemverIdents(pre, true) {
			return semver{}, errBadVersion
		}
		v.pre = strings.Split(pre, ".")
		s = s[:i]
	}
	var nums [3]uint64
	for k := range nums {
		part := s
		if k < 2 {
			j := strings.IndexByte(s, '.')
			if j < 0 {
				return semver{}, errBadVersion
			}
			part, s = s[:j], s[j+1:]
		}
		n, ok := parseNum(part)
		if !ok {
			return semver{}, errBadVersion
		}
		nums[k] = n
	}
	v.major, v.minor, v.patch = nums[0], nums[1], nums[2]
	return v, nil
}

// parseNum parses a numeric identifier: digits, no leading zero, fits in 64 bits.
func parseNum(s string) (uint64, bool) {
	if s == "" || (len(s) > 1 && s[0] == '0') {
		return 0, false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return 0, false
		}
	}
	n, err := strconv.ParseUint(s, 10, 64)
	return n, err == nil
}

// compare orders a and b by semver precedence: -1, 0 or +1. Build metadata
// is ignored, so 1.0.0+a and 1.0.0+b compare equal.
func (a semver) compare(b semver) int {
	if c := cmpU(a.major, b.major); c != 0 {
		return c
	}
	if c := cmpU(a.minor, b.minor); c != 0 {
		return c
	}
	if c := cmpU(a.patch, b.patch); c != 0 {
		return c
	}
	// A release ranks above any of its prereleases.
	switch {
	case a.pre == nil && b.pre == nil:
		return 0
	case a.pre == nil:
		return 1
	case b.pre == nil:
		return -1
	}
	for i := 0; i < len(a.pre) && i < len(b.pre); i++ {
		if c := comparePreIdent(a.pre[i], b.pre[i]); c != 0 {
			return c
		}
	}
	return cmpInt(len(a.pre), len(b.pre))
}

// comparePreIdent orders two prerelease identifiers: numeric ones by value
// (and below alphanumeric ones), alphanumeric ones in ASCII order.
func comparePreIdent(x, y string) int {
	xn, yn := isDigits(x), isDigits(y)
	switch {
	case xn && yn:
		// No leading zeros (checked at parse time), so a longer number is
		// larger; compare lengths first so that huge numbers never overflow.
		if c := cmpInt(len(x), len(y)); c != 0 {
			return c
		}
		return strings.Compare(x, y)
	case xn:
		return -1
	case yn:
		return 1
	}
	return strings.Compare(x, y)
}

func isDigits(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return s != ""
}

func cmpU(a, b uint64) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

func cmpInt(a, b int) int { return cmpU(uint64(a), uint64(b)) }

// String returns the canonical form of v: no "v" prefix, build metadata kept.
func (v semver) String() string {
	var b strings.Builder
	b.WriteString(strconv.FormatUint(v.major, 10))
	b.WriteByte('.')
	b.WriteString(strconv.FormatUint(v.minor, 10))
	b.WriteByte('.')
	b.WriteString(strconv.FormatUint(v.patch, 10))
	if v.pre != nil {
		b.WriteByte('-')
		b.WriteString(strings.Join(v.pre, "."))
	}
	if v.build != "" {
		b.WriteByte('+')
		b.WriteString(v.build)
	}
	return b.String()
}

// CompareVersions orders two npm versions by semver precedence, returning
// -1, 0 or +1; build metadata is ignored. ok is false when either is not a
// semantic version, and then the result is 0.
func CompareVersions(a, b string) (c int, ok bool) {
	va, err := parseSemver(a)
	if err != nil {
		return 0, false
	}
	vb, err := parseSemver(b)
	if err != nil {
		return 0, false
	}
	return va.compare(vb), true
}

// isOpenStart reports whether an OSV "introduced" value means "from the
// first version on".
func isOpenStart(s string) bool {
	s = strings.TrimSpace(s)
	return s == "" || s == "0"
}

// A compiledRange is a [Range] with its bounds parsed.
type compiledRange struct {
	lo         semver
	hasLo      bool
	hi         semver // Fixed (exclusive)
	hasHi      bool
	last       semver // LastAffected (inclusive)
	hasLast    bool
	everything bool // no bound at all: every version, parsable or not
}

func compileRange(r Range) (compiledRange, error) {
	var c compiledRange
	var err error
	if !isOpenStart(r.Introduced) {
		if c.lo, err = parseSemver(r.Introduced); err != nil {
			return c, &versionError{"introduced", r.Introduced, err}
		}
		c.hasLo = true
	}
	if strings.TrimSpace(r.Fixed) != "" {
		if c.hi, err = parseSemver(r.Fixed); err != nil {
			return c, &versionError{"fixed", r.Fixed, err}
		}
		c.hasHi = true
	}
	if strings.TrimSpace(r.LastAffected) != "" {
		if c.last, err = parseSemver(r.LastAffected); err != nil {
			return c, &versionError{"last_affected", r.LastAffected, err}
		}
		c.hasLast = true
	}
	c.everything = !c.hasLo && !c.hasHi && !c.hasLast
	return c, nil
}

func (c *compiledRange) contains(v semver) bool {
	if c.hasLo && v.compare(c.lo) < 0 {
		return false
	}
	if c.hasHi && v.compare(c.hi) >= 0 {
		return false
	}
	if c.hasLast && v.compare(c.last) > 0 {
		return false
	}
	return true
}

// A versionError names the bad field of a version list.
type versionError struct {
	field, value string
	err          error
}

func (e *versionError) Error() string {
	return e.field + " version " + strconv.Quote(e.value) + ": " + e.err.Error()
}

func (e *versionError) Unwrap() error { return e.err }

// A versionSet is [Versions] compiled for matching.
type versionSet struct {
	all    bool // no versions listed: every version
	exact  []exactVersion
	ranges []compiledRange
}

// An exactVersion is one listed version: compared by semver precedence
// when both sides are semantic versions, else as written.
type exactVersion struct {
	raw string
	v   semver
	ok  bool // raw parsed as semver
}

// compileVersions parses every version and bound of v. An unparsable range
// bound is an error; so is an unparsable exact version when strict (npm,
// whose versions are all semver), while other ecosystems' exact versions
// (PEP 440, Maven, ...) are kept as written and compared as strings.
func compileVersions(v Versions, strict bool) (versionSet, error) {
	return compileVersionsIn(v, strict, nil)
}

// A versionPool holds the compiled versions of many indicators in two
// slices, so that compiling 200,000 of them allocates twice, not 200,000
// times. The zero pool allocates per set.
type versionPool struct {
	exact  []exactVersion
	ranges []compiledRange
}

// compileVersionsIn is compileVersions taking the set's slices from pool
// when it has room (nil: allocate).
func compileVersionsIn(v Versions, strict bool, pool *versionPool) (versionSet, error) {
	s := versionSet{all: v.All()}
	if pool != nil && len(v.Exact) > 0 && cap(pool.exact)-len(pool.exact) >= len(v.Exact) {
		at := len(pool.exact)
		s.exact = pool.exact[at : at : at+len(v.Exact)]
		pool.exact = pool.exact[:at+len(v.Exact)]
	}
	if pool != nil && len(v.Ranges) > 0 && cap(pool.ranges)-len(pool.ranges) >= len(v.Ranges) {
		at := len(pool.ranges)
		s.ranges = pool.ranges[at : at : at+len(v.Ranges)]
		pool.ranges = pool.ranges[:at+len(v.Ranges)]
	}
	for _, e := range v.Exact {
		p, err := parseSemver(e)
		if err != nil && strict {
			return s, &versionError{"exact", e, err}
		}
		s.exact = append(s.exact, exactVersion{raw: strings.TrimSpace(e), v: p, ok: err == nil})
	}
	for _, r := range v.Ranges {
		c, err := compileRange(r)
		if err != nil {
			return s, err
		}
		s.ranges = append(s.ranges, c)
	}
	return s, nil
}

// contains reports whether version is in the set. A version that is not
// semver is only covered by "every version" (no list, or a range without
// bounds), or by an exact entry written the same way.
func (s *versionSet) contains(version string) bool {
	if s.all {
		return true
	}
	v, err := parseSemver(version)
	ok := err == nil
	if !ok {
		version = strings.TrimSpace(version)
	}
	for i := range s.exact {
		e := &s.exact[i]
		if ok && e.ok {
			if e.v.compare(v) == 0 {
				return true
			}
		} else if e.raw == version {
			return true
		}
	}
	for i := range s.ranges {
		if s.ranges[i].everything || ok && s.ranges[i].contains(v) {
			return true
		}
	}
	return false
}

// Contains reports whether version is covered by v: listed in Exact (by
// semver precedence, so build metadata and a "v" prefix do not matter;
// versions that are not semver compare as written) or inside one of the
// Ranges (npm semver ordering, prereleases included: 1.0.16-rc.1 is inside
// [1.0.15, 1.0.16) and outside [1.0.16, ...)). Empty Versions contain every
// version. A version that is not semver never falls inside a bounded
// range, and a range with a malformed bound matches nothing ([NewIndex]
// rejects them).
func (v Versions) Contains(version string) bool {
	s, err := compileVersions(v, false)
	if err != nil {
		// Keep the good ranges: one bad bound must not hide the rest.
		s.ranges = s.ranges[:0]
		for _, r := range v.Ranges {
			if c, err := compileRange(r); err == nil {
				s.ranges = append(s.ranges, c)
			}
		}
	}
	return s.contains(version)
}
