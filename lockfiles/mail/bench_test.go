package mail

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"testing"
)

// benchLog writes a Postfix log of about size bytes: the real log of the
// fixtures repeated, each copy with its own queue ids, the indicator
// domain renamed in all but one copy in a thousand (a relay's log where
// a few messages went to the attacker).
func benchLog(b *testing.B, size int) string {
	b.Helper()
	src, err := os.ReadFile(filepath.Join(fixtures, "postfix/var/log/mail.log"))
	if err != nil {
		b.Fatal(err)
	}
	qid := regexp.MustCompile(`\b[0-9A-F]{10}\b`)
	clean := bytes.ReplaceAll(bytes.ReplaceAll(src, []byte("giftshop.club"), []byte("example.net")), []byte("GiftShop.club"), []byte("example.net"))
	var buf bytes.Buffer
	for i := 0; buf.Len() < size; i++ {
		text := clean
		if i%1000 == 0 {
			text = src
		}
		buf.Write(qid.ReplaceAllFunc(text, func(m []byte) []byte {
			return fmt.Appendf(nil, "%06X%s", i, m[6:])
		}))
	}
	path := filepath.Join(b.TempDir(), "mail.log")
	if err := os.WriteFile(path, buf.Bytes(), 0o644); err != nil {
		b.Fatal(err)
	}
	return path
}

// BenchmarkPostfix reads a 64 MB Postfix log (bytes/s is the throughput).
func BenchmarkPostfix(b *testing.B) {
	path := benchLog(b, 64<<20)
	st, _ := os.Stat(path)
	b.SetBytes(st.Size())
	b.ResetTimer()
	for b.Loop() {
		n := 0
		if _, err := Read([]string{path}, Options{Year: 2025}, func(*Message) error { n++; return nil }); err != nil {
			b.Fatal(err)
		}
	}
}
