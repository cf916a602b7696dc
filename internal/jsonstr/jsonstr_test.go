package jsonstr

import (
	"bytes"
	"encoding/json"
	"math/rand/v2"
	"strings"
	"testing"
)

// std is encoding/json's encoding of s without HTML escaping.
func std(t testing.TB, s string) string {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(s); err != nil {
		t.Fatal(err)
	}
	return strings.TrimSuffix(b.String(), "\n")
}

func check(t testing.TB, s string) {
	if got, want := string(Append([]byte("x"), s)), "x"+std(t, s); got != want {
		t.Fatalf("Append(%q) = %s, encoding/json gives %s", s, got[1:], want[1:])
	}
	slow := true
	for i := 0; i < len(s); i++ {
		if c := s[i]; c < 0x20 || c >= 0x80 || c == '"' || c == '\\' {
			slow = false
		}
	}
	if Plain(s) != slow {
		t.Fatalf("Plain(%q) = %v", s, !slow)
	}
}

// TestAppend compares Append with encoding/json on every byte value at
// every position of strings of 1 to 24 bytes (the eight-byte words and
// the tail), on the runes it treats apart (U+2028, U+2029, invalid and
// cut UTF-8) and on random strings of the bytes near those edges.
func TestAppend(t *testing.T) {
	for n := 1; n <= 24; n++ {
		for pos := range n {
			for c := range 256 {
				b := []byte(strings.Repeat("a", n))
				b[pos] = byte(c)
				check(t, string(b))
			}
		}
	}
	for _, s := range []string{
		"", "\u2028", "a\u2029b", "\u2027\u202a", "é", "日本語", "\xff", "\xe2\x80", "a\xe2\x80\xa8b",
		"\x00\x01\x1f\x7f", "\b\f\n\r\t", `"\`, "<>&", "\ufffd", "\U0001F600", "\xed\xa0\x80",
		"postmark-mcp@1.0.18; version in DEPSWEEP-2025-0001's affected set",
	} {
		check(t, s)
		check(t, strings.Repeat("abcdefgh", 3)+s+strings.Repeat("ijklmnop", 2))
	}
	rng := rand.New(rand.NewPCG(5, 6))
	edge := []string{"\x00", "\x1f", " ", "!", `"`, "#", `\`, "\x7e", "\x7f", "\x80", "\xff", "\xe2", "\x80", "\xa8",
		"\u2028", "é", "a", "/", "\n"}
	for range 20000 {
		var b strings.Builder
		for range rng.IntN(40) {
			if rng.IntN(3) > 0 {
				b.WriteByte('a' + byte(rng.IntN(26)))
			} else {
				b.WriteString(edge[rng.IntN(len(edge))])
			}
		}
		check(t, b.String())
	}
}

func FuzzAppend(f *testing.F) {
	for _, s := range []string{"", "plain ascii text", "tab\there", "\u2028", "\xff\xfe", "日本語 \"quoted\" \\"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) { check(t, s) })
}

func BenchmarkAppend(b *testing.B) {
	s := "Rotate Postmark server tokens, SMTP credentials and any secret that may have passed through email sent by the server."
	var dst []byte
	b.SetBytes(int64(len(s)))
	for b.Loop() {
		dst = Append(dst[:0], s)
	}
}
