package lockfiles

import (
	"strconv"
	"strings"
)

// This file holds a line scanner for the regular YAML subset that pnpm writes:
// block mappings indented with spaces, plain, single- and double-quoted
// scalars, one-line flow collections ({integrity: ...}, [arm64]), block
// sequences and "---" document markers. It yields one entry per line and
// never builds a tree, so a pnpm-lock.yaml of several megabytes is read with
// a handful of allocations.
//
// It deliberately does not implement anchors, aliases, tags, complex keys or
// multi-line scalars: pnpm never writes them, and expanding aliases is how a
// "billion laughs" file blows up memory. Such lines are reported as problems
// and skipped.

// A yamlLine is one logical line of a block-structured YAML document.
type yamlLine struct {
	Num    int    // 1-based line number
	Indent int    // column of the key (after any "- " sequence markers), 0-based
	Dash   int    // column of the leading "- " sequence marker, -1 when none
	Key    string // unquoted key; "" when the line holds no key (a bare sequence item)
	HasKey bool
	Value  string // unquoted scalar, or the raw text of a flow collection; "" when the value is a nested block
	Flow   bool   // Value is a raw flow collection ("{...}" or "[...]")
	DocSep bool   // the line is a "---" document start marker (Key and Value are empty)
}

// yamlScanner yields the lines of a document; see [yamlScanner.next].
type yamlScanner struct {
	s    string // the whole file
	pos  int    // offset of the next line
	num  int    // number of the last line read
	prob func(line, col int, msg string)
}

func newYAMLScanner(data string, prob func(line, col int, msg string)) *yamlScanner {
	data = strings.TrimPrefix(data, "\ufeff") // a byte order mark is not content
	return &yamlScanner{s: data, prob: prob}
}

// rawLine returns the next physical line without its line ending, and false
// at the end of the input.
func (sc *yamlScanner) rawLine() (string, bool) {
	if sc.pos >= len(sc.s) {
		return "", false
	}
	rest := sc.s[sc.pos:]
	line := rest
	if i := strings.IndexByte(rest, '\n'); i >= 0 {
		line = rest[:i]
		sc.pos += i + 1
	} else {
		sc.pos = len(sc.s)
	}
	sc.num++
	if n := len(line); n > 0 && line[n-1] == '\r' {
		line = line[:n-1]
	}
	return line, true
}

// next returns the next meaningful line (skipping blank lines, comments and
// the content of block scalars), and false at the end of the input. Lines it
// cannot understand are reported through prob and skipped.
func (sc *yamlScanner) next() (yamlLine, bool) {
	for {
		raw, ok := sc.rawLine()
		if !ok {
			return yamlLine{}, false
		}
		indent := 0
		for indent < len(raw) && raw[indent] == ' ' {
			indent++
		}
		if indent == len(raw) {
			continue // blank
		}
		c := raw[indent]
		if c == '#' {
			continue
		}
		if c == '\t' {
			sc.prob(sc.num, indent+1, "tab character in indentation")
			continue
		}
		if indent == 0 && (raw == "---" || strings.HasPrefix(raw, "--- ") || raw == "...") {
			if raw == "..." {
				continue // document end: the next "---" or the end of input follows
			}
			return yamlLine{Num: sc.num, Dash: -1, DocSep: true}, true
		}
		l := yamlLine{Num: sc.num, Indent: indent, Dash: -1}
		rest := raw[indent:]
		// Block sequence markers: "- key: value", "- scalar", "- - x".
		for len(rest) > 0 && rest[0] == '-' && (len(rest) == 1 || rest[1] == ' ') {
			if l.Dash < 0 {
				l.Dash = l.Indent
			}
			n := 1
			for n < len(rest) && rest[n] == ' ' {
				n++
			}
			l.Indent += n
			rest = rest[n:]
		}
		if rest == "" {
			return l, true
		}
		if ok := sc.parseContent(&l, rest); !ok {
			continue
		}
		if !l.Flow && (strings.HasPrefix(l.Value, "|") || strings.HasPrefix(l.Value, ">")) && isBlockScalarHeader(l.Value) {
			sc.skipMoreIndented(l.Indent)
			l.Value = ""
		}
		return l, true
	}
}

func isBlockScalarHeader(v string) bool {
	for i := 1; i < len(v); i++ {
		switch c := v[i]; {
		case c == '-' || c == '+' || (c >= '1' && c <= '9'):
		case c == ' ' || c == '#':
			return true
		default:
			return false
		}
	}
	return true
}

// skipMoreIndented skips the lines of a block scalar: blank lines and lines
// indented deeper than indent.
func (sc *yamlScanner) skipMoreIndented(indent int) {
	for sc.pos < len(sc.s) {
		save, saveNum := sc.pos, sc.num
		raw, _ := sc.rawLine()
		n := 0
		for n < len(raw) && raw[n] == ' ' {
			n++
		}
		if n < len(raw) && n <= indent {
			sc.pos, sc.num = save, saveNum
			return
		}
	}
}

// unsupported reports the node at col that starts with c: an anchor or
// alias ('&', '*') or a tag ('!').
func (sc *yamlScanner) unsupported(c byte, col int) {
	if c == '!' {
		sc.prob(sc.num, col, "yaml tags are not supported")
		return
	}
	sc.prob(sc.num, col, "yaml anchors and aliases are not supported")
}

// flow sets l's value to the flow collection at the start of s (at column
// col), kept raw; it reports false when the collection is malformed.
func (sc *yamlScanner) flow(l *yamlLine, s string, col int) bool {
	v, ok := sc.flowValue(s, col)
	if !ok {
		return false
	}
	l.Value, l.Flow = v, true
	return true
}

// parseContent fills l.Key, l.Value and l.Flow from the text after the
// indentation. It reports a problem and returns false for lines it does not
// support.
func (sc *yamlScanner) parseContent(l *yamlLine, rest string) bool {
	col := l.Indent + 1
	switch rest[0] {
	case '&', '*', '!':
		sc.unsupported(rest[0], col)
		return false
	case '?':
		if len(rest) == 1 || rest[1] == ' ' {
			sc.prob(sc.num, col, "yaml complex keys are not supported")
			return false
		}
	case '{', '[':
		// A flow collection as a sequence item or a bare value: keep it raw.
		return sc.flow(l, rest, col)
	}
	var key, after string
	switch rest[0] {
	case '\'', '"':
		k, n, ok := unquote(rest)
		if !ok {
			sc.prob(sc.num, col, "unterminated quoted string")
			return false
		}
		after = strings.TrimLeft(rest[n:], " ")
		if after == "" || after[0] == '#' {
			// A quoted scalar on its own: a sequence item or a continuation.
			l.Value = k
			return true
		}
		if after[0] != ':' || (len(after) > 1 && after[1] != ' ') {
			sc.prob(sc.num, col, "expected ':' after a quoted key")
			return false
		}
		key, after = k, after[1:]
	default:
		i := indexMapColon(rest)
		if i < 0 {
			// A plain scalar on its own line: a sequence item or the
			// continuation of a multi-line scalar, which callers ignore.
			l.Value = trimComment(rest)
			return true
		}
		key, after = strings.TrimRight(rest[:i], " "), rest[i+1:]
	}
	l.Key, l.HasKey = key, true
	after = strings.TrimLeft(after, " ")
	if after == "" || after[0] == '#' {
		return true
	}
	vcol := l.Indent + 1 + len(rest) - len(after)
	switch after[0] {
	case '&', '*', '!':
		sc.unsupported(after[0], vcol)
		return false
	case '{', '[':
		return sc.flow(l, after, vcol)
	case '\'', '"':
		v, _, ok := unquote(after)
		if !ok {
			sc.prob(sc.num, vcol, "unterminated quoted string")
			return false
		}
		l.Value = v
	default:
		l.Value = trimComment(after)
	}
	return true
}

// indexMapColon returns the index of the ':' that ends a plain key (followed
// by a space or the end of the line), or -1.
func indexMapColon(s string) int {
	for i := 0; i < len(s); i++ {
		switch s[i] {
		case ':':
			if i+1 == len(s) || s[i+1] == ' ' {
				return i
			}
		case '#':
			if i > 0 && s[i-1] == ' ' {
				return -1 // a comment starts before any key separator
			}
		}
	}
	return -1
}

// trimComment strips a trailing " # comment" and spaces from a plain scalar.
func trimComment(s string) string {
	for i := 1; i < len(s); i++ {
		if s[i] == '#' && (s[i-1] == ' ' || s[i-1] == '\t') {
			s = s[:i]
			break
		}
	}
	return strings.TrimRight(s, " \t")
}

// flowValue returns a one-line flow collection. Flow collections that pnpm
// writes fit on one line; a collection left open is joined with the
// following lines (up to a limit) so that a wrapped one still parses.
func (sc *yamlScanner) flowValue(s string, col int) (string, bool) {
	if flowBalanced(s) {
		return s, true
	}
	startLine := sc.num
	var b strings.Builder
	b.WriteString(s)
	for range 64 {
		save, saveNum := sc.pos, sc.num
		raw, ok := sc.rawLine()
		if !ok {
			break
		}
		if strings.TrimSpace(raw) == "" {
			continue
		}
		if raw[0] != ' ' { // a new top-level key: the collection was never closed
			sc.pos, sc.num = save, saveNum
			break
		}
		b.WriteByte(' ')
		b.WriteString(strings.TrimSpace(raw))
		if flowBalanced(b.String()) {
			return b.String(), true
		}
	}
	sc.prob(startLine, col, "unterminated flow collection")
	return "", false
}

// flowBalanced reports whether the brackets of a flow collection are closed,
// ignoring brackets inside quoted strings.
func flowBalanced(s string) bool {
	depth := 0
	for i := 0; i < len(s); i++ {
		switch s[i] {
		case '{', '[':
			depth++
		case '}', ']':
			depth--
			if depth <= 0 {
				return true
			}
		case '\'':
			j := strings.IndexByte(s[i+1:], '\'')
			if j < 0 {
				return false
			}
			i += j + 1
		case '"':
			_, n, ok := unquote(s[i:])
			if !ok {
				return false
			}
			i += n - 1
		}
	}
	return depth <= 0
}

// unquote reads a quoted scalar at the start of s and returns its value and
// the number of bytes consumed. Single-quoted strings escape ' as ”; double
// quoted strings use backslash escapes.
func unquote(s string) (string, int, bool) {
	q := s[0]
	if q == '\'' {
		for i := 1; i < len(s); i++ {
			if s[i] == '\'' {
				if i+1 < len(s) && s[i+1] == '\'' {
					// Escaped quote: rebuild the value (rare, so allocate).
					var b strings.Builder
					for j := 1; j < len(s); j++ {
						if s[j] == '\'' {
							if j+1 < len(s) && s[j+1] == '\'' {
								b.WriteByte('\'')
								j++
								continue
							}
							return b.String(), j + 1, true
						}
						b.WriteByte(s[j])
					}
					return "", 0, false
				}
				return s[1:i], i + 1, true
			}
		}
		return "", 0, false
	}
	v, n, badEscape := unquoteDouble(s)
	if badEscape {
		return s[1 : n-1], n, true // an escape Go does not know: keep the raw text
	}
	return v, n, n > 0
}

// unquoteDouble reads the double-quoted string at the start of s (s[0] is
// '"') with backslash escapes, as YAML and both yarn.lock formats write
// them, and returns its value and the number of bytes it took, quotes
// included; n is 0 when the string is not terminated. badEscape is true
// (and val "") when it holds an escape strconv.Unquote rejects; the caller
// decides what that means. The common case has no escape and costs no
// allocation.
func unquoteDouble(s string) (val string, n int, badEscape bool) {
	escaped := false
	for i := 1; i < len(s); i++ {
		switch s[i] {
		case '\\':
			escaped = true
			i++
		case '"':
			if !escaped {
				return s[1:i], i + 1, false
			}
			v, err := strconv.Unquote(s[:i+1])
			if err != nil {
				return "", i + 1, true
			}
			return v, i + 1, false
		}
	}
	return "", 0, false
}

// flowPairs calls f for each "key: value" pair of a one-line flow mapping
// ("{integrity: sha512-..., tarball: https://...}"), with both unquoted.
// Nested collections are passed raw. It stops when f returns false.
func flowPairs(s string, f func(k, v string) bool) {
	s = strings.TrimSpace(s)
	if len(s) < 2 || s[0] != '{' {
		return
	}
	s = s[1:]
	if j := strings.LastIndexByte(s, '}'); j >= 0 {
		s = s[:j]
	}
	for len(s) > 0 {
		// Find the end of this item: a comma at depth 0 outside quotes.
		depth, end := 0, len(s)
	scan:
		for i := 0; i < len(s); i++ {
			switch s[i] {
			case '{', '[':
				depth++
			case '}', ']':
				depth--
			case '\'', '"':
				if _, n, ok := unquote(s[i:]); ok {
					i += n - 1
				}
			case ',':
				if depth == 0 {
					end = i
					break scan
				}
			}
		}
		item := strings.TrimSpace(s[:end])
		if end < len(s) {
			s = s[end+1:]
		} else {
			s = ""
		}
		if item == "" {
			continue
		}
		var k, v string
		if item[0] == '\'' || item[0] == '"' {
			kk, n, ok := unquote(item)
			if !ok {
				continue
			}
			k = kk
			v = strings.TrimPrefix(strings.TrimSpace(item[n:]), ":")
		} else {
			i := indexMapColon(item)
			if i < 0 {
				k = item
			} else {
				k, v = strings.TrimSpace(item[:i]), item[i+1:]
			}
		}
		v = strings.TrimSpace(v)
		if v != "" && (v[0] == '\'' || v[0] == '"') {
			if uv, _, ok := unquote(v); ok {
				v = uv
			}
		}
		if !f(k, v) {
			return
		}
	}
}

// yamlShape checks that consecutive lines form a valid block structure, so
// that a file that is not YAML at all (a truncated or spliced
// pnpm-lock.yaml) is an error at its position rather than a lockfile read as
// empty. It catches the two shapes such files take: a bare word where a
// "key: value" line must be, and a line indented under a key that already
// has its value on its own line.
type yamlShape struct {
	known bool // a previous line was seen (and no skipped line since)
	kind  uint8
	owner int // column of the key (or "- ") that owns the current value
}

const (
	shapeOpen   uint8 = iota // the owner's value is the block that follows
	shapeScalar              // the owner has a scalar that may continue on more indented lines
	shapeClosed              // the owner has a flow collection
)

// check judges line l against the lines before it and records it. It
// returns the column and message of a structural error, or "" when l fits.
func (s *yamlShape) check(l *yamlLine) (col int, msg string) {
	if l.DocSep {
		*s = yamlShape{}
		return 0, ""
	}
	top := l.Indent
	if l.Dash >= 0 {
		top = l.Dash
	}
	if !l.HasKey && l.Dash < 0 {
		// A bare scalar: the value of an open key above it, or the
		// continuation of a plain scalar. After a skipped line (the rest
		// of a quoted string the scanner could not read, say) bare lines
		// are not judged until the next key.
		if !s.known {
			return 0, ""
		}
		if !(top > s.owner && (s.kind == shapeOpen || s.kind == shapeScalar)) {
			return top + 1, "not valid YAML: expected a \"key: value\" line"
		}
		s.kind = shapeScalar
		return 0, ""
	}
	known := s.known
	s.known = true
	if known && s.kind != shapeOpen && top > s.owner {
		return top + 1, "not valid YAML: unexpected indentation (the line above already has a value)"
	}
	s.owner = top
	if l.HasKey {
		s.owner = l.Indent
	}
	switch {
	case l.Flow:
		s.kind = shapeClosed
	case l.Value != "":
		s.kind = shapeScalar
	default:
		s.kind = shapeOpen
	}
	return 0, ""
}
