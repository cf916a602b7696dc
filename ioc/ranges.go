package ioc

import (
	"regexp"
	"strconv"
	"strings"
	"sync"
)

// A NPMRange is a version range as npm reads it in a package.json
// ("^1.0.15", "~1.2", "1.x || >=2.5.0", "1.0 - 1.1", ">=1.0.16 <1.0.19"),
// with the semantics of npm's own semver package (strict mode, prereleases
// excluded unless a comparator of the same set names a prerelease of the
// same major.minor.patch).
//
// Why hand-written: the Go semver libraries (Masterminds/semver v3 among
// them) differ from npm on the forms package.json files use: prerelease
// admission, hyphen ranges with partial versions, x-ranges under < and >,
// whitespace after operators. TestNPMRange checks this matcher against a
// table computed by npm's semver itself (testdata/ranges/npm-ranges.tsv).
type NPMRange struct {
	raw  string
	sets [][]comparator // a union of intersections
}

// A comparator is one "<op><version>" of a range; op "" means equal, and
// any means "every version".
type comparator struct {
	op  string // "", "<", "<=", ">", ">="
	v   semver
	any bool
}

// The tokens of npm's semver (internal/re.js), strict forms, as Go
// regular expressions (Go's leftmost-first matching agrees with
// JavaScript's on these patterns).
const (
	tNum        = `0|[1-9]\d*`
	tNonNum     = `\d*[a-zA-Z-][a-zA-Z0-9-]*`
	tPreID      = `(?:` + tNonNum + `|` + tNum + `)`
	tPre        = `(?:-(` + tPreID + `(?:\.` + tPreID + `)*))`
	tPreIDL     = `(?:` + tNonNum + `|\d+)`
	tPreL       = `(?:-?(` + tPreIDL + `(?:\.` + tPreIDL + `)*))`
	tBuildID    = `[a-zA-Z0-9-]+`
	tBuild      = `(?:\+(` + tBuildID + `(?:\.` + tBuildID + `)*))`
	tFullPlain  = `v?(?:` + tNum + `)\.(?:` + tNum + `)\.(?:` + tNum + `)(?:` + tPre + `)?(?:` + tBuild + `)?`
	tLoosePlain = `[v=\s]*(?:\d+)\.(?:\d+)\.(?:\d+)(?:` + tPreL + `)?(?:` + tBuild + `)?`
	tXID        = `0|[1-9]\d*|x|X|\*`
	// groups: major, minor, patch, prerelease, build
	tXPlain = `[v=\s]*(` + tXID + `)(?:\.(` + tXID + `)(?:\.(` + tXID + `)(?:` + tPre + `)?(?:` + tBuild + `)?)?)?`
	tGTLT   = `((?:<|>)?=?)`
)

// rangeRE returns the expressions of npm's range grammar, compiled on
// first use: compiled at start-up, they cost every command, whatever it
// does, about a millisecond.
var rangeRE = sync.OnceValue(func() *rangeExprs {
	return &rangeExprs{
		buildStrip: regexp.MustCompile(tBuild),
		hyphen:     regexp.MustCompile(`^\s*(` + tXPlain + `)\s+-\s+(` + tXPlain + `)\s*$`),
		compTrim:   regexp.MustCompile(`(\s*)` + tGTLT + `\s*(` + tLoosePlain + `|` + tXPlain + `)`),
		tildeTrim:  regexp.MustCompile(`(\s*)(?:~>?)\s+`),
		caretTrim:  regexp.MustCompile(`(\s*)(?:\^)\s+`),
		tilde:      regexp.MustCompile(`^(?:~>?)` + tXPlain + `$`),
		caret:      regexp.MustCompile(`^(?:\^)` + tXPlain + `$`),
		xRange:     regexp.MustCompile(`^` + tGTLT + `\s*` + tXPlain + `$`),
		star:       regexp.MustCompile(`(<|>)?=?\s*\*`),
		gte0:       regexp.MustCompile(`^\s*>=\s*0\.0\.0\s*$`),
		comparator: regexp.MustCompile(`^` + tGTLT + `\s*(` + tFullPlain + `)$|^$`),
		spaces:     regexp.MustCompile(`\s+`),
	}
})

// rangeExprs are the compiled expressions of npm's range grammar.
type rangeExprs struct {
	buildStrip, hyphen, compTrim, tildeTrim, caretTrim, tilde, caret, xRange, star, gte0, comparator, spaces *regexp.Regexp
}

const reOrSeparator = "||"

// ParseNPMRange parses a range the way npm's semver.validRange does (strict
// mode). ok is false for what npm does not read as a range: a dist-tag
// ("latest"), a URL, a git or file spec, or malformed text.
func ParseNPMRange(s string) (r NPMRange, ok bool) {
	if len(s) > 256 {
		return r, false // npm's MAX_LENGTH
	}
	r.raw = rangeRE().spaces.ReplaceAllString(strings.TrimSpace(s), " ")
	for part := range strings.SplitSeq(r.raw, reOrSeparator) {
		set, ok := parseCompSet(strings.TrimSpace(part))
		if !ok {
			return NPMRange{}, false
		}
		r.sets = append(r.sets, set)
	}
	return r, len(r.sets) > 0
}

// String returns the range as written (whitespace collapsed).
func (r NPMRange) String() string { return r.raw }

func parseCompSet(s string) ([]comparator, bool) {
	s = rangeRE().buildStrip.ReplaceAllString(s, "")
	if m := rangeRE().hyphen.FindStringSubmatch(s); m != nil {
		s = hyphenReplace(m)
	}
	s = rangeRE().compTrim.ReplaceAllString(s, "${1}${2}${3}")
	s = rangeRE().tildeTrim.ReplaceAllString(s, "${1}~")
	s = rangeRE().caretTrim.ReplaceAllString(s, "${1}^")
	var comps []string
	for c := range strings.SplitSeq(s, " ") {
		c = replaceFirst(rangeRE().buildStrip, c, "")
		c = mapFields(c, caretReplace)
		c = mapFields(c, tildeReplace)
		c = mapFields(c, xrangeReplace)
		c = replaceFirst(rangeRE().star, strings.TrimSpace(c), "")
		comps = append(comps, c)
	}
	var out []comparator
	// JavaScript splits the joined comparators on /\s+/; empty strings are
	// the "every version" comparator, which changes nothing in a set.
	for _, c := range rangeRE().spaces.Split(strings.Join(comps, " "), -1) {
		if c == "" {
			continue
		}
		if rangeRE().gte0.MatchString(c) {
			c = ""
		}
		m := rangeRE().comparator.FindStringSubmatch(c)
		if m == nil {
			return nil, false
		}
		if m[2] == "" {
			continue
		}
		v, err := parseSemver(m[2])
		if err != nil {
			return nil, false
		}
		op := m[1]
		if op == "=" {
			op = ""
		}
		out = append(out, comparator{op: op, v: v})
	}
	if len(out) == 0 {
		out = append(out, comparator{any: true})
	}
	return out, true
}

// replaceFirst replaces the first match of re in s, as JavaScript's
// String.replace does with a non-global pattern.
func replaceFirst(re *regexp.Regexp, s, with string) string {
	loc := re.FindStringIndex(s)
	if loc == nil {
		return s
	}
	return s[:loc[0]] + with + s[loc[1]:]
}

// mapFields applies f to each whitespace-separated field of s.
func mapFields(s string, f func(string) string) string {
	fields := rangeRE().spaces.Split(strings.TrimSpace(s), -1)
	for i := range fields {
		fields[i] = f(fields[i])
	}
	return strings.Join(fields, " ")
}

func isXID(id string) bool { return id == "" || id == "x" || id == "X" || id == "*" }

func inc(s string) string {
	n, _ := strconv.ParseUint(s, 10, 64)
	return strconv.FormatUint(n+1, 10)
}

func tildeReplace(c string) string {
	m := rangeRE().tilde.FindStringSubmatch(c)
	if m == nil {
		return c
	}
	M, mi, p, pr := m[1], m[2], m[3], m[4]
	switch {
	case isXID(M):
		return ""
	case isXID(mi):
		return ">=" + M + ".0.0 <" + inc(M) + ".0.0-0"
	case isXID(p):
		return ">=" + M + "." + mi + ".0 <" + M + "." + inc(mi) + ".0-0"
	case pr != "":
		return ">=" + M + "." + mi + "." + p + "-" + pr + " <" + M + "." + inc(mi) + ".0-0"
	}
	return ">=" + M + "." + mi + "." + p + " <" + M + "." + inc(mi) + ".0-0"
}

func caretReplace(c string) string {
	m := rangeRE().caret.FindStringSubmatch(c)
	if m == nil {
		return c
	}
	M, mi, p, pr := m[1], m[2], m[3], m[4]
	switch {
	case isXID(M):
		return ""
	case isXID(mi):
		return ">=" + M + ".0.0 <" + inc(M) + ".0.0-0"
	case isXID(p):
		if M == "0" {
			return ">=" + M + "." + mi + ".0 <" + M + "." + inc(mi) + ".0-0"
		}
		return ">=" + M + "." + mi + ".0 <" + inc(M) + ".0.0-0"
	}
	lo := ">=" + M + "." + mi + "." + p
	if pr != "" {
		lo += "-" + pr
	}
	switch {
	case M == "0" && mi == "0":
		return lo + " <" + M + "." + mi + "." + inc(p) + "-0"
	case M == "0":
		return lo + " <" + M + "." + inc(mi) + ".0-0"
	}
	return lo + " <" + inc(M) + ".0.0-0"
}

func xrangeReplace(c string) string {
	c = strings.TrimSpace(c)
	m := rangeRE().xRange.FindStringSubmatch(c)
	if m == nil {
		return c
	}
	gtlt, M, mi, p := m[1], m[2], m[3], m[4]
	if isXID(M) && !isXID(mi) || isXID(mi) && p != "" && !isXID(p) {
		return c // invalid x-range order ("x.1"): left for the comparator check
	}
	xM := isXID(M)
	xm := xM || isXID(mi)
	xp := xm || isXID(p)
	if gtlt == "=" && xp {
		gtlt = ""
	}
	pr := ""
	switch {
	case xM:
		if gtlt == ">" || gtlt == "<" {
			return "<0.0.0-0" // nothing is allowed
		}
		return "*"
	case gtlt != "" && xp:
		if xm {
			mi = "0"
		}
		p = "0"
		switch gtlt {
		case ">":
			gtlt = ">="
			if xm {
				M, mi = inc(M), "0"
			} else {
				mi = inc(mi)
			}
		case "<=":
			gtlt = "<"
			if xm {
				M = inc(M)
			} else {
				mi = inc(mi)
			}
		}
		if gtlt == "<" {
			pr = "-0"
		}
		return gtlt + M + "." + mi + "." + p + pr
	case xm:
		return ">=" + M + ".0.0 <" + inc(M) + ".0.0-0"
	case xp:
		return ">=" + M + "." + mi + ".0 <" + M + "." + inc(mi) + ".0-0"
	}
	return m[0]
}

// hyphenReplace turns "A - B" (m from rangeRE().hyphen) into comparators.
func hyphenReplace(m []string) string {
	from, fM, fm, fp, fpr := m[1], m[2], m[3], m[4], m[5]
	to, tM, tm, tp, tpr := m[7], m[8], m[9], m[10], m[11]
	switch {
	case isXID(fM):
		from = ""
	case isXID(fm):
		from = ">=" + fM + ".0.0"
	case isXID(fp):
		from = ">=" + fM + "." + fm + ".0"
	case fpr != "":
		from = ">=" + from
	default:
		from = ">=" + from
	}
	switch {
	case isXID(tM):
		to = ""
	case isXID(tm):
		to = "<" + inc(tM) + ".0.0-0"
	case isXID(tp):
		to = "<" + tM + "." + inc(tm) + ".0-0"
	case tpr != "":
		to = "<=" + tM + "." + tm + "." + tp + "-" + tpr
	default:
		to = "<=" + to
	}
	return strings.TrimSpace(from + " " + to)
}

func (c *comparator) test(v semver) bool {
	if c.any {
		return true
	}
	k := v.compare(c.v)
	switch c.op {
	case "":
		return k == 0
	case ">":
		return k > 0
	case ">=":
		return k >= 0
	case "<":
		return k < 0
	case "<=":
		return k <= 0
	}
	return false
}

// testSet is npm's testSet: every comparator holds, and a prerelease
// version is only admitted when a comparator names a prerelease of the
// same major.minor.patch.
func testSet(set []comparator, v semver) bool {
	for i := range set {
		if !set[i].test(v) {
			return false
		}
	}
	if v.pre == nil {
		return true
	}
	for i := range set {
		c := &set[i]
		if !c.any && c.v.pre != nil && c.v.major == v.major && c.v.minor == v.minor && c.v.patch == v.patch {
			return true
		}
	}
	return false
}

// Admits reports whether version satisfies r (npm's semver.satisfies); a
// version that is not semver never does.
func (r NPMRange) Admits(version string) bool {
	version = strings.TrimPrefix(strings.TrimSpace(version), "v")
	if strings.HasPrefix(version, "=") || strings.HasPrefix(version, "v") {
		return false // not a version in npm's strict mode
	}
	v, err := parseSemver(version)
	if err != nil {
		return false
	}
	return r.admits(v)
}

func (r NPMRange) admits(v semver) bool {
	for _, set := range r.sets {
		if testSet(set, v) {
			return true
		}
	}
	return false
}

// overlaps reports whether some release version (or a prerelease the range
// admits by npm's rule) lies both in r and in the OSV range c. The smallest
// element of the intersection of one comparator set with c is one of the
// lower bounds or the smallest release just above one, so only those
// candidates are tried.
func (r NPMRange) overlaps(c *compiledRange) bool {
	if c.everything {
		return len(r.sets) > 0
	}
	for _, set := range r.sets {
		var cands []semver
		add := func(v semver, strict bool) {
			if !strict {
				cands = append(cands, v)
			}
			rel := semver{major: v.major, minor: v.minor, patch: v.patch}
			if v.pre == nil {
				rel.patch++ // the smallest release above a release
				if !strict {
					cands = append(cands, semver{major: v.major, minor: v.minor, patch: v.patch})
				}
			}
			cands = append(cands, rel)
		}
		add(semver{}, false)
		if c.hasLo {
			add(c.lo, false)
		}
		for i := range set {
			switch set[i].op {
			case ">=", "":
				if !set[i].any {
					add(set[i].v, false)
				}
			case ">":
				add(set[i].v, true)
			}
		}
		for _, v := range cands {
			if testSet(set, v) && c.contains(v) {
				return true
			}
		}
	}
	return false
}
