// Package jsonstr writes JSON strings byte for byte as encoding/json
// writes them with HTML escaping off (Encoder.SetEscapeHTML(false)), for
// the encoders that lay out the JSON of the report and the SBOMs by hand:
// a quote, a backslash and the control bytes are escaped (\b, \f, \n, \r
// and \t by their short forms, the others as \u00XX), invalid UTF-8 is
// written as \ufffd, U+2028 and U+2029 as \u2028 and \u2029, and every
// other byte as is.
package jsonstr

import "unicode/utf8"

const hex = "0123456789abcdef"

// Append appends s to dst as a JSON string.
func Append(dst []byte, s string) []byte {
	dst = append(dst, '"')
	start := 0 // s[start:i] is still to be copied as is
	for i := 0; i < len(s); {
		if i+8 <= len(s) && plainWord(s[i:i+8]) {
			i += 8
			continue
		}
		c := s[i]
		if c < utf8.RuneSelf {
			if c >= 0x20 && c != '"' && c != '\\' {
				i++
				continue
			}
			dst = append(dst, s[start:i]...)
			switch c {
			case '"', '\\':
				dst = append(dst, '\\', c)
			case '\b':
				dst = append(dst, '\\', 'b')
			case '\f':
				dst = append(dst, '\\', 'f')
			case '\n':
				dst = append(dst, '\\', 'n')
			case '\r':
				dst = append(dst, '\\', 'r')
			case '\t':
				dst = append(dst, '\\', 't')
			default:
				dst = append(dst, '\\', 'u', '0', '0', hex[c>>4], hex[c&0xf])
			}
			i++
			start = i
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		switch {
		case r == utf8.RuneError && size == 1:
			dst = append(dst, s[start:i]...)
			dst = append(dst, `\ufffd`...)
		case r == '\u2028' || r == '\u2029':
			dst = append(dst, s[start:i]...)
			dst = append(dst, '\\', 'u', '2', '0', '2', hex[r&0xf])
		default:
			i += size
			continue
		}
		i += size
		start = i
	}
	dst = append(dst, s[start:]...)
	return append(dst, '"')
}

// Plain reports whether s is written as is between the quotes: it is
// printable ASCII (or DEL) without a quote or a backslash. It looks at
// eight bytes at a time; the strings of a report or an SBOM (paths, purls,
// digests, URLs) run to dozens of bytes.
func Plain(s string) bool {
	i := 0
	for ; i+8 <= len(s) && plainWord(s[i:i+8]); i += 8 {
	}
	for ; i < len(s); i++ {
		if c := s[i]; c < 0x20 || c >= utf8.RuneSelf || c == '"' || c == '\\' {
			return false
		}
	}
	return true
}

// plainWord reports whether the eight bytes of w are all written as is.
func plainWord(w string) bool {
	const ones, highs = 0x0101010101010101, 0x8080808080808080
	x := uint64(w[0]) | uint64(w[1])<<8 | uint64(w[2])<<16 | uint64(w[3])<<24 |
		uint64(w[4])<<32 | uint64(w[5])<<40 | uint64(w[6])<<48 | uint64(w[7])<<56
	// zero(y) has the high bit of each zero byte of y set (and perhaps of
	// bytes above one, which only makes a word fail the test: its bytes
	// are then looked at one by one).
	zero := func(y uint64) uint64 { return (y - ones) & ^y & highs }
	return x&highs == 0 && // ASCII
		(x-0x20*ones)&^x&highs == 0 && // no byte below 0x20 (all are below 0x80 here)
		zero(x^('"'*ones))|zero(x^('\\'*ones)) == 0
}
