package report

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"testing"
	"time"

	"github.com/depsweep/depsweep/ioc"
	"github.com/depsweep/depsweep/lockfiles/mail"
)

// BenchmarkMailPostfix reads, matches and collects a 64 MB Postfix log
// (the real log of testdata/mail repeated with fresh queue ids, the
// indicator kept in one copy in a thousand): the work of 'depsweep mail'
// but the output. bytes/s is the throughput; bench/mail.sh compares the
// command with grep -F.
func BenchmarkMailPostfix(b *testing.B) {
	src, err := os.ReadFile("../../testdata/mail/postfix/var/log/mail.log")
	if err != nil {
		b.Fatal(err)
	}
	qid := regexp.MustCompile(`\b[0-9A-F]{10}\b`)
	clean := regexp.MustCompile(`(?i)giftshop\.club`).ReplaceAll(src, []byte("example.net"))
	var buf bytes.Buffer
	for i := 0; buf.Len() < 64<<20; i++ {
		text := clean
		if i%1000 == 0 {
			text = src
		}
		buf.Write(qid.ReplaceAllFunc(text, func(m []byte) []byte { return fmt.Appendf(nil, "%06X%s", i, m[6:]) }))
	}
	path := filepath.Join(b.TempDir(), "mail.log")
	if err := os.WriteFile(path, buf.Bytes(), 0o644); err != nil {
		b.Fatal(err)
	}
	a := &ioc.Advisory{ID: "A", Exposure: ioc.Window{From: time.Date(2025, 9, 17, 0, 0, 0, 0, time.UTC), To: time.Date(2025, 9, 25, 0, 0, 0, 0, time.UTC)}}
	m, err := ioc.NewMailMatcher([]ioc.Indicator{{Kind: ioc.KindEmail, Value: "phan@giftshop.club", Advisory: a}, {Kind: ioc.KindDomain, Value: "giftshop.club", Advisory: a}})
	if err != nil {
		b.Fatal(err)
	}
	b.SetBytes(int64(buf.Len()))
	b.ResetTimer()
	for b.Loop() {
		c := NewMailCollector(m, false)
		files, err := mail.Read([]string{path}, mail.Options{Year: 2025}, func(msg *mail.Message) error { c.Message(msg); return nil })
		if err != nil {
			b.Fatal(err)
		}
		var r Report
		c.Finish(files, &r)
		if r.Mail.Copied == 0 {
			b.Fatal("no message copied")
		}
	}
}
