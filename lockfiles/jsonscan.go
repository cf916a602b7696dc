package lockfiles

import (
	"errors"
	"unicode/utf16"
	"unicode/utf8"
)

// jsonScanner is a small pull scanner over a JSON document held in memory.
// It exists because the npm parser needs the line of every package key,
// which encoding/json does not give, and because reading only the fields
// depsweep keeps (skipping the rest without building values) is several
// times faster than decoding into maps.
//
// The scanner validates everything it reads or skips with the JSON grammar
// (RFC 8259), so a syntax error anywhere in the file is reported with its
// line and column. It does not check UTF-8 (encoding/json does not either).
// Lines only advance in whitespace: a JSON string cannot hold a raw newline.
type jsonScanner struct {
	path      string
	data      []byte
	pos       int
	line      int // 1-based line of data[pos]
	lineStart int // offset of the first byte of the current line
	depth     int
	scratch   []byte // reused buffer for unescaping strings
}

// maxJSONDepth caps the nesting of arrays and objects. npm lockfiles nest a
// few levels (v1 nests dependencies per install depth, rarely beyond 30);
// the cap keeps hostile input from exhausting the stack.
const maxJSONDepth = 1000

var errJSONDepth = errors.New("syntax error: nesting too deep")

func newJSONScanner(path string, data []byte) *jsonScanner {
	s := &jsonScanner{path: path, data: data, line: 1}
	// A UTF-8 byte order mark is not JSON, but editors on Windows write one
	// and npm reads such files; accept it.
	if len(data) >= 3 && data[0] == 0xef && data[1] == 0xbb && data[2] == 0xbf {
		s.pos = 3
		s.lineStart = 3
	}
	return s
}

// errAt returns a *ParseError at the current position.
func (s *jsonScanner) errAt(msg string) error {
	return s.errAtPos(s.pos, msg)
}

func (s *jsonScanner) errAtPos(pos int, msg string) error {
	line, start := s.line, s.lineStart
	if pos < start { // only happens for positions remembered before a newline; recount
		line, start = 1, 0
		for i := 0; i < pos && i < len(s.data); i++ {
			if s.data[i] == '\n' {
				line, start = line+1, i+1
			}
		}
	}
	return &ParseError{Path: s.path, Line: line, Col: pos - start + 1, Err: errors.New(msg)}
}

func (s *jsonScanner) wrap(err error) error {
	if _, ok := err.(*ParseError); ok {
		return err
	}
	return &ParseError{Path: s.path, Line: s.line, Col: s.pos - s.lineStart + 1, Err: err}
}

// ws skips whitespace, counting lines (CR LF counts once: only LF advances).
func (s *jsonScanner) ws() {
	for s.pos < len(s.data) {
		switch s.data[s.pos] {
		case ' ', '\t', '\r':
			s.pos++
		case '\n':
			s.pos++
			s.line++
			s.lineStart = s.pos
		default:
			return
		}
	}
}

// peek skips whitespace and returns the next byte, or 0 at the end of input.
func (s *jsonScanner) peek() byte {
	s.ws()
	if s.pos >= len(s.data) {
		return 0
	}
	return s.data[s.pos]
}

func (s *jsonScanner) unexpected() error {
	if s.pos >= len(s.data) {
		return s.errAt("syntax error: unexpected end of input")
	}
	return s.errAt("syntax error: unexpected character")
}

// end checks that only whitespace follows the top-level value. It looks at
// the position, not at peek's 0, which a NUL byte in the input also gives.
func (s *jsonScanner) end() error {
	if s.ws(); s.pos < len(s.data) {
		return s.errAt("syntax error: data after the top-level value")
	}
	return nil
}

// object reads an object, calling fn for each member with the key (valid
// only during the call) and the key's line; fn must consume the value. It
// reads `null` as an empty object. isObj is false, and nothing is consumed,
// when the next value is not an object or null.
func (s *jsonScanner) object(fn func(key []byte, line int) error) (isObj bool, err error) {
	switch s.peek() {
	case 'n':
		return true, s.literal("null")
	case '{':
	default:
		return false, nil
	}
	if s.depth++; s.depth > maxJSONDepth {
		return true, s.wrap(errJSONDepth)
	}
	s.pos++
	if s.peek() == '}' {
		s.pos++
		s.depth--
		return true, nil
	}
	for {
		if s.peek() != '"' {
			return true, s.errAt("syntax error: expected a string key")
		}
		line := s.line
		key, err := s.strBytes()
		if err != nil {
			return true, err
		}
		if s.peek() != ':' {
			return true, s.errAt("syntax error: expected ':' after object key")
		}
		s.pos++
		if err := fn(key, line); err != nil {
			return true, err
		}
		switch s.peek() {
		case ',':
			s.pos++
		case '}':
			s.pos++
			s.depth--
			return true, nil
		default:
			return true, s.errAt("syntax error: expected ',' or '}' after object member")
		}
	}
}

// members is object for callers that require an object (or null) there;
// any other value is an error naming the field.
func (s *jsonScanner) members(field string, fn func(key []byte, line int) error) error {
	s.ws()
	pos := s.pos
	ok, err := s.object(fn)
	if err == nil && !ok {
		return s.errAtPos(pos, field+": expected an object")
	}
	return err
}

// strBytes reads a string and returns its unescaped bytes, valid until the
// next call.
func (s *jsonScanner) strBytes() ([]byte, error) {
	if s.peek() != '"' {
		return nil, s.unexpected()
	}
	s.pos++
	start := s.pos
	for i := start; i < len(s.data); i++ {
		c := s.data[i]
		if c == '"' {
			s.pos = i + 1
			return s.data[start:i], nil
		}
		if c == '\\' {
			return s.strSlow(start)
		}
		if c < 0x20 {
			s.pos = i
			return nil, s.errAt("syntax error: control character in string")
		}
	}
	s.pos = len(s.data)
	return nil, s.errAt("syntax error: unterminated string")
}

// strSlow unescapes a string that holds a backslash, from start (just after
// the opening quote).
func (s *jsonScanner) strSlow(start int) ([]byte, error) {
	buf := s.scratch[:0]
	i := start
	for i < len(s.data) {
		c := s.data[i]
		switch {
		case c == '"':
			s.pos = i + 1
			s.scratch = buf
			return buf, nil
		case c < 0x20:
			s.pos = i
			return nil, s.errAt("syntax error: control character in string")
		case c != '\\':
			buf = append(buf, c)
			i++
			continue
		}
		if i+1 >= len(s.data) {
			break
		}
		switch e := s.data[i+1]; e {
		case '"', '\\', '/':
			buf = append(buf, e)
		case 'b':
			buf = append(buf, '\b')
		case 'f':
			buf = append(buf, '\f')
		case 'n':
			buf = append(buf, '\n')
		case 'r':
			buf = append(buf, '\r')
		case 't':
			buf = append(buf, '\t')
		case 'u':
			r, ok := hex4(s.data, i+2)
			if !ok {
				s.pos = i
				return nil, s.errAt("syntax error: invalid \\u escape in string")
			}
			i += 6
			if utf16.IsSurrogate(r) {
				if r2, ok := hex4(s.data, i+2); ok && i+1 < len(s.data) && s.data[i] == '\\' && s.data[i+1] == 'u' {
					if dec := utf16.DecodeRune(r, r2); dec != utf8.RuneError {
						buf = utf8.AppendRune(buf, dec)
						i += 6
						continue
					}
				}
				r = utf8.RuneError
			}
			buf = utf8.AppendRune(buf, r)
			continue
		default:
			s.pos = i
			return nil, s.errAt("syntax error: invalid escape in string")
		}
		i += 2
	}
	s.pos = len(s.data)
	return nil, s.errAt("syntax error: unterminated string")
}

func hex4(b []byte, at int) (rune, bool) {
	if at+4 > len(b) {
		return 0, false
	}
	var r rune
	for _, c := range b[at : at+4] {
		switch {
		case '0' <= c && c <= '9':
			r = r<<4 | rune(c-'0')
		case 'a' <= c && c <= 'f':
			r = r<<4 | rune(c-'a'+10)
		case 'A' <= c && c <= 'F':
			r = r<<4 | rune(c-'A'+10)
		default:
			return 0, false
		}
	}
	return r, true
}

// str reads a string value (or null, as ""); any other value is an error
// naming the field.
func (s *jsonScanner) str(field string) (string, error) {
	b, err := s.strOrNull(field)
	return string(b), err
}

func (s *jsonScanner) strOrNull(field string) ([]byte, error) {
	switch s.peek() {
	case '"':
		return s.strBytes()
	case 'n':
		return nil, s.literal("null")
	}
	pos := s.pos
	if err := s.skip(); err != nil {
		return nil, err
	}
	return nil, s.errAtPos(pos, field+": expected a string")
}

// boolish reads a flag: true, false, null, or the strings "true" and
// "false" (npm 6 wrote `"bundled": "true"` in some lockfiles). Any other
// value is skipped and read as false.
func (s *jsonScanner) boolish() (bool, error) {
	switch s.peek() {
	case 't':
		return true, s.literal("true")
	case '"':
		b, err := s.strBytes()
		return string(b) == "true", err
	}
	return false, s.skip()
}

// intValue reads a non-negative integer, returning -1 (after skipping it)
// when the value is anything else.
func (s *jsonScanner) intValue() (int, error) {
	s.ws()
	start := s.pos
	if err := s.skip(); err != nil {
		return 0, err
	}
	lit := s.data[start:s.pos]
	if len(lit) == 0 || len(lit) > 6 {
		return -1, nil
	}
	n := 0
	for _, c := range lit {
		if c < '0' || c > '9' {
			return -1, nil
		}
		n = n*10 + int(c-'0')
	}
	return n, nil
}

func (s *jsonScanner) literal(lit string) error {
	if len(s.data)-s.pos >= len(lit) && string(s.data[s.pos:s.pos+len(lit)]) == lit {
		s.pos += len(lit)
		return nil
	}
	return s.unexpected()
}

// skip reads and validates any value without keeping it.
func (s *jsonScanner) skip() error {
	switch c := s.peek(); {
	case c == '{':
		_, err := s.object(func([]byte, int) error { return s.skip() })
		return err
	case c == '[':
		return s.array(s.skip)
	case c == '"':
		_, err := s.strBytes()
		return err
	case c == 't':
		return s.literal("true")
	case c == 'f':
		return s.literal("false")
	case c == 'n':
		return s.literal("null")
	case c == '-' || ('0' <= c && c <= '9'):
		return s.number()
	}
	return s.unexpected()
}

// array reads an array, calling fn to consume each element.
func (s *jsonScanner) array(fn func() error) error {
	if s.peek() != '[' {
		return s.unexpected()
	}
	if s.depth++; s.depth > maxJSONDepth {
		return s.wrap(errJSONDepth)
	}
	s.pos++
	if s.peek() == ']' {
		s.pos++
		s.depth--
		return nil
	}
	for {
		if err := fn(); err != nil {
			return err
		}
		switch s.peek() {
		case ',':
			s.pos++
		case ']':
			s.pos++
			s.depth--
			return nil
		default:
			return s.errAt("syntax error: expected ',' or ']' after array element")
		}
	}
}

// number validates a JSON number.
func (s *jsonScanner) number() error {
	d := s.data
	i := s.pos
	if i < len(d) && d[i] == '-' {
		i++
	}
	digits := func() bool {
		j := i
		for i < len(d) && '0' <= d[i] && d[i] <= '9' {
			i++
		}
		return i > j
	}
	switch {
	case i < len(d) && d[i] == '0':
		i++
	case !digits():
		s.pos = i
		return s.unexpected()
	}
	if i < len(d) && d[i] == '.' {
		i++
		if !digits() {
			s.pos = i
			return s.unexpected()
		}
	}
	if i < len(d) && (d[i] == 'e' || d[i] == 'E') {
		i++
		if i < len(d) && (d[i] == '+' || d[i] == '-') {
			i++
		}
		if !digits() {
			s.pos = i
			return s.unexpected()
		}
	}
	s.pos = i
	return nil
}
