package mail

import (
	"bytes"
	"compress/gzip"
	"errors"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"
	"unicode/utf8"
)

const fixtures = "../../testdata/mail"

// copyTree copies the fixture tree under dir (mtimes are then set by the
// test: git does not keep them).
func copyTree(t testing.TB, dir string) string {
	t.Helper()
	dst := filepath.Join(t.TempDir(), "mail")
	n := 0
	err := filepath.WalkDir(dir, func(p string, d os.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(dir, p)
		if rel == "script-gen" {
			return filepath.SkipDir
		}
		out := filepath.Join(dst, rel)
		if d.IsDir() {
			return os.MkdirAll(out, 0o755)
		}
		b, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		n++
		return os.WriteFile(out, b, 0o644)
	})
	if err != nil {
		t.Fatal(err)
	}
	if n == 0 {
		t.Fatalf("no fixture under %s", dir)
	}
	return dst
}

func readAll(t testing.TB, opts Options, paths ...string) ([]*Message, []File) {
	t.Helper()
	var msgs []*Message
	files, err := Read(paths, opts, func(m *Message) error {
		msgs = append(msgs, m)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return msgs, files
}

func byMessageID(msgs []*Message) map[string]*Message {
	out := map[string]*Message{}
	for _, m := range msgs {
		id := m.MessageID
		if id == "" {
			id = m.ID
		}
		out[id] = m
	}
	return out
}

// TestReadFixtures reads each kind of evidence the generator wrote with
// real software and checks formats, counts and the parts of each message.
func TestReadFixtures(t *testing.T) {
	dir := copyTree(t, fixtures)
	tests := []struct {
		path   string
		format Format
		count  int
	}{
		{"postfix/var/log/mail.log", FormatPostfix, 6},
		{"postfix/var/log/mail.log.1.gz", FormatPostfix, 6},
		{"exim/mainlog", FormatExim, 6},
		{"exim/gz/mainlog.1.gz", FormatExim, 6},
		{"mbox/Sent", FormatMbox, 8},
		{"mutt/Sent", FormatMbox, 3},
		{"eml/bcc.eml", FormatEML, 1},
		{"postmark/outbound-page1.json", FormatPostmark, 3},
		{"postmark/outbound-page2.json", FormatPostmark, 3},
		{"postmark/details-reset.json", FormatPostmark, 1},
		{"postmark/messages.jsonl", FormatPostmark, 6},
	}
	for _, tc := range tests {
		t.Run(tc.path, func(t *testing.T) {
			_, files := readAll(t, Options{Year: 2025}, filepath.Join(dir, tc.path))
			if len(files) != 1 {
				t.Fatalf("got %d files", len(files))
			}
			f := files[0]
			if f.Err != nil || len(f.Problems) > 0 {
				t.Fatalf("err %v, problems %v", f.Err, f.Problems)
			}
			if f.Format != tc.format || f.Messages != tc.count {
				t.Errorf("format %s, %d messages; want %s, %d", f.Format, f.Messages, tc.format, tc.count)
			}
		})
	}

	// Postfix: from=, to= with status, message-id and the Subject that
	// header_checks WARN logged, joined by queue id.
	msgs, _ := readAll(t, Options{Year: 2025}, filepath.Join(dir, "postfix/var/log/mail.log"))
	m := byMessageID(msgs)["bcc-case.postfix@example.com"]
	if m == nil {
		t.Fatal("postfix: bcc-case message not found")
	}
	if m.From != "mcp@example.com" || m.Server != "mx1" || m.Subject != "Invoice 2025-0918" || len(m.Recipients) != 3 {
		t.Errorf("postfix message = %+v", m)
	}
	if r := m.Recipients[2]; r.Addr != "PHAN@GiftShop.club" || r.Status != "sent" || r.Field != "rcpt" {
		t.Errorf("postfix recipient = %+v", r)
	}
	if m.Date.Year() != 2025 || m.Date.Month() != time.September || m.Date.Day() != 18 || !m.YearInferred {
		t.Errorf("postfix date %v (inferred %v)", m.Date, m.YearInferred)
	}

	// Exim: <= gives the sender and subject (octal escapes decoded),
	// deliveries the recipients; the year is in the log.
	msgs, _ = readAll(t, Options{}, filepath.Join(dir, "exim/mainlog"))
	m = byMessageID(msgs)["encoded.exim@example.com"]
	if m == nil {
		t.Fatal("exim: encoded message not found")
	}
	if m.Subject != "Résumé de compte" || m.YearInferred || m.Date.Year() != 2025 {
		t.Errorf("exim message = %+v", m)
	}
	if !hasRcpt(m, "phan@giftshop.club") {
		t.Errorf("exim: recipients %+v lack phan@giftshop.club", m.Recipients)
	}

	// mbox: the Bcc header of the sent folder, RFC 2047 name and subject.
	msgs, _ = readAll(t, Options{}, filepath.Join(dir, "mbox/Sent"))
	m = byMessageID(msgs)["encoded.mbox@example.com"]
	if m == nil || m.Subject != "Résumé de compte" || !hasField(m, "phan@giftshop.club", "bcc") {
		t.Errorf("mbox message = %+v", m)
	}
	if m := byMessageID(msgs)["undated.mbox@example.com"]; m == nil || !m.Date.IsZero() {
		t.Errorf("undated mbox message = %+v", m)
	}

	// maildir: each entry is one message of the folder.
	msgs, files := readAll(t, Options{}, filepath.Join(dir, "maildir"))
	if len(msgs) != 8 {
		t.Errorf("maildir: %d messages, want 8 (files %+v)", len(msgs), files)
	}
	for _, m := range msgs {
		if filepath.Base(m.Server) != "Sent" {
			t.Errorf("maildir message server %q, want the Sent folder", m.Server)
		}
	}

	// Postmark: Bcc and Recipients, the stream, the Eastern offset.
	msgs, _ = readAll(t, Options{}, filepath.Join(dir, "postmark/details-reset.json"))
	if m := msgs[0]; m.Server != "postmark/outbound" || m.From != "noreply@acme.example" ||
		!hasField(m, "phan@giftshop.club", "bcc") || !m.Date.Equal(time.Date(2025, 9, 18, 15, 2, 11, 555000000, time.UTC)) {
		t.Errorf("postmark message = %+v", m)
	}
}

func hasRcpt(m *Message, addr string) bool {
	for _, r := range m.Recipients {
		if strings.EqualFold(r.Addr, addr) {
			return true
		}
	}
	return false
}

func hasField(m *Message, addr, field string) bool {
	for _, r := range m.Recipients {
		if strings.EqualFold(r.Addr, addr) && r.Field == field {
			return true
		}
	}
	return false
}

// TestYearInference dates the year-less Postfix logs: by the file's
// modification time, and across a rotation whose older file's time was
// lost (a copy): then by the newer file's first entry. A new year inside
// the file is counted.
func TestYearInference(t *testing.T) {
	dir := copyTree(t, fixtures)
	logs := filepath.Join(dir, "postfix/var/log")
	cur, old := filepath.Join(logs, "mail.log"), filepath.Join(logs, "mail.log.1.gz")
	// The current log was last written after its last entry; the rotated
	// one was copied today, so its modification time says nothing.
	if err := os.Chtimes(cur, time.Now(), time.Date(2025, 9, 18, 10, 5, 0, 0, time.UTC)); err != nil {
		t.Fatal(err)
	}
	if err := os.Chtimes(old, time.Now(), time.Now()); err != nil {
		t.Fatal(err)
	}
	msgs, files := readAll(t, Options{}, logs)
	if len(files) != 2 || files[0].Path != cur || files[1].Path != old {
		t.Fatalf("files read %+v; want mail.log, then mail.log.1.gz", files)
	}
	if !strings.Contains(files[0].Year, "modification time 2025-09-18") {
		t.Errorf("mail.log year note %q", files[0].Year)
	}
	if !strings.Contains(files[1].Year, "newer file of its rotation") || !strings.Contains(files[1].Year, "1 year boundary") {
		t.Errorf("mail.log.1.gz year note %q", files[1].Year)
	}
	ids := byMessageID(msgs)
	for id, want := range map[string]string{
		"bcc.postfix@example.com":             "2025-09-18",
		"bcc.postfix-newyear@example.com":     "2024-12-31", // before midnight
		"encoded.postfix-newyear@example.com": "2025-01-01", // after
	} {
		m := ids[id]
		if m == nil || m.Date.Format(time.DateOnly) != want || !m.YearInferred {
			t.Errorf("%s: %+v, want %s, year inferred", id, m, want)
		}
	}

	// The same file alone, copied today: its year comes from today's
	// modification time, and the report says so; --year overrides.
	_, files = readAll(t, Options{}, old)
	if !strings.Contains(files[0].Year, "modification time "+time.Now().UTC().Format("2006")) {
		t.Errorf("note %q", files[0].Year)
	}
	msgs, files = readAll(t, Options{Year: 2024}, old)
	if files[0].Year != "year 2024 given for the first entry" || byMessageID(msgs)["encoded.postfix-newyear@example.com"].Date.Year() != 2025 {
		t.Errorf("--year: note %q", files[0].Year)
	}
}

// TestTruncatedMbox cuts a mailbox inside a message's header: every
// message before the cut, and the headers read so far, are still
// reported, with an error naming the line.
func TestTruncatedMbox(t *testing.T) {
	b, err := os.ReadFile(filepath.Join(fixtures, "mbox/Sent"))
	if err != nil {
		t.Fatal(err)
	}
	// Cut the fourth message (to ops@mail.giftshop.club) in its header.
	i := bytes.Index(b, []byte("To: ops@mail.giftshop.club\n"))
	if i < 0 {
		t.Fatal("fixture changed")
	}
	cut := i + len("To: ops@mail.giftshop.club\nSubj")
	path := filepath.Join(t.TempDir(), "Sent")
	if err := os.WriteFile(path, b[:cut], 0o644); err != nil {
		t.Fatal(err)
	}
	msgs, files := readAll(t, Options{}, path)
	var le *LineError
	if !errors.As(files[0].Err, &le) || le.Line == 0 || !strings.Contains(le.Error(), "cut inside the header") {
		t.Fatalf("err = %v, want a cut at a line", files[0].Err)
	}
	ids := byMessageID(msgs)
	for _, id := range []string{"plain.mbox@example.com", "bcc.mbox@example.com", "bcc-case.mbox@example.com"} {
		if ids[id] == nil {
			t.Errorf("%s before the cut not reported", id)
		}
	}
	// The header cut short still gave its To (the Bcc line is after the cut).
	if m := msgs[len(msgs)-1]; !hasRcpt(m, "ops@mail.giftshop.club") {
		t.Errorf("last, cut message %+v", m)
	}
}

// TestBinaryGarbage puts binary junk (NUL bytes, invalid UTF-8, a line
// over the length cap) between the lines of a real Postfix log: every
// message is still joined, the long line is a problem with its number,
// and a file of junk alone is not mail evidence.
func TestBinaryGarbage(t *testing.T) {
	b, err := os.ReadFile(filepath.Join(fixtures, "postfix/var/log/mail.log"))
	if err != nil {
		t.Fatal(err)
	}
	lines := bytes.SplitAfter(b, []byte("\n"))
	var out bytes.Buffer
	junk := []byte("\x00\xff\xfe\x1b[2J\x00postfix/qmgr[1]: \xc3(: to=<\x00\n")
	for i, l := range lines {
		out.Write(l)
		if i == 10 {
			out.Write(junk)
			out.Write(bytes.Repeat([]byte{0xfa}, maxLine+10))
			out.WriteByte('\n')
		}
		if i%7 == 3 {
			out.Write(junk)
		}
	}
	dir := t.TempDir()
	path := filepath.Join(dir, "mail.log")
	if err := os.WriteFile(path, out.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	msgs, files := readAll(t, Options{Year: 2025}, path)
	if len(msgs) != 6 {
		t.Errorf("%d messages, want 6", len(msgs))
	}
	if m := byMessageID(msgs)["bcc.postfix@example.com"]; m == nil || !hasRcpt(m, "phan@giftshop.club") {
		t.Errorf("bcc message = %+v", m)
	}
	if ps := files[0].Problems; len(ps) != 1 || ps[0].Line == 0 || !strings.Contains(ps[0].Msg, "longer than") {
		t.Errorf("problems = %v, want the long line", ps)
	}

	garbage := filepath.Join(dir, "junk.bin")
	if err := os.WriteFile(garbage, bytes.Repeat([]byte{0, 0xff, 0x13, 0x80}, 4096), 0o644); err != nil {
		t.Fatal(err)
	}
	_, files = readAll(t, Options{}, garbage)
	if !errors.Is(files[0].Err, errNotMail) {
		t.Errorf("junk named explicitly: err %v", files[0].Err)
	}
	_, files = readAll(t, Options{Year: 2025}, dir)
	for _, f := range files {
		if f.Path == garbage && (f.Err != nil || f.Skipped == "") {
			t.Errorf("junk under a directory: %+v, want skipped", f)
		}
	}
}

// TestNonUTF8Headers reads a message whose headers carry raw Latin-1
// bytes (no RFC 2047 encoding) and a broken display name: the address is
// still found, read loosely and said so, and the subject is valid UTF-8.
func TestNonUTF8Headers(t *testing.T) {
	raw := "From: \"Ren\xe9\" <rene@example.com>\r\n" +
		"To: bob@example.org\r\n" +
		"Bcc: \"Ph\xe9an (\" <phan@giftshop.club>\r\n" +
		"Subject: R\xe9sum\xe9 =?iso-8859-15?q?=A4uro?= =?x-unknown?q?abc?=\r\n" +
		"Date: Thu, 18 Sep 2025 10:00:00 +0000\r\n" +
		"Message-ID: <latin1@example.com>\r\n\r\nbody\r\n"
	path := filepath.Join(t.TempDir(), "latin1.eml")
	if err := os.WriteFile(path, []byte(raw), 0o644); err != nil {
		t.Fatal(err)
	}
	msgs, files := readAll(t, Options{}, path)
	if len(msgs) != 1 {
		t.Fatalf("%d messages", len(msgs))
	}
	m := msgs[0]
	if !hasField(m, "phan@giftshop.club", "bcc") {
		t.Errorf("recipients %+v lack the Bcc", m.Recipients)
	}
	if !utf8.ValidString(m.Subject) || m.From != "rene@example.com" {
		t.Errorf("subject %q, from %q", m.Subject, m.From)
	}
	if len(files[0].Problems) == 0 || files[0].Problems[0].Line != 1 {
		t.Errorf("problems %v, want the loosely read header at line 1", files[0].Problems)
	}
}

// TestJSONCut cuts a Postmark search page in the middle of its second
// message: the first is reported, and the error names the byte offset. A
// JSON Lines export with a line cut mid-object loses that line only.
func TestJSONCut(t *testing.T) {
	b, err := os.ReadFile(filepath.Join(fixtures, "postmark/outbound-page1.json"))
	if err != nil {
		t.Fatal(err)
	}
	first := bytes.Index(b, []byte(`"MessageID"`))
	second := bytes.Index(b[first+1:], []byte(`"MessageID"`)) + first + 1
	dir := t.TempDir()
	path := filepath.Join(dir, "page.json")
	if err := os.WriteFile(path, b[:second+40], 0o644); err != nil {
		t.Fatal(err)
	}
	msgs, files := readAll(t, Options{}, path)
	var oe *OffsetError
	if !errors.As(files[0].Err, &oe) || oe.Offset <= int64(first) || !strings.Contains(oe.Error(), "cut") {
		t.Errorf("err = %v, want a cut at a byte offset in the second message", files[0].Err)
	}
	if len(msgs) != 1 {
		t.Errorf("%d messages before the cut, want 1", len(msgs))
	}

	jl, err := os.ReadFile(filepath.Join(fixtures, "postmark/messages.jsonl"))
	if err != nil {
		t.Fatal(err)
	}
	ls := bytes.SplitAfter(jl, []byte("\n"))
	ls[2] = append(ls[2][:len(ls[2])/2:len(ls[2])/2], '\n')
	path = filepath.Join(dir, "export.jsonl")
	if err := os.WriteFile(path, bytes.Join(ls, nil), 0o644); err != nil {
		t.Fatal(err)
	}
	msgs, files = readAll(t, Options{}, path)
	if len(msgs) != 5 || len(files[0].Problems) != 1 || files[0].Problems[0].Line != 3 {
		t.Errorf("%d messages, problems %v; want 5 and line 3", len(msgs), files[0].Problems)
	}
}

// TestHugeLog streams a 2 GB log (sparse: real Postfix lines, a hole of
// NUL bytes, the same lines again) in constant memory: the messages after
// the hole are found, and the hole is one over-long line.
func TestHugeLog(t *testing.T) {
	size := int64(2 << 30)
	if testing.Short() {
		size = 64 << 20
	}
	tail, err := os.ReadFile(filepath.Join(fixtures, "postfix/var/log/mail.log"))
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "mail.log")
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.Write(tail); err != nil {
		t.Fatal(err)
	}
	if err := f.Truncate(size); err != nil {
		t.Skipf("no sparse file: %v", err)
	}
	if _, err := f.WriteAt(append([]byte("\n"), tail...), size); err != nil {
		t.Fatal(err)
	}
	f.Close()
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	peak := uint64(0)
	n := 0
	files, err := Read([]string{path}, Options{Year: 2025}, func(m *Message) error {
		n++
		var ms runtime.MemStats
		runtime.ReadMemStats(&ms)
		peak = max(peak, ms.HeapInuse)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	runtime.ReadMemStats(&after)
	if n != 12 {
		t.Errorf("%d messages, want 6 before the hole and 6 after", n)
	}
	lines := bytes.Count(tail, []byte("\n"))
	if ps := files[0].Problems; len(ps) != 1 || ps[0].Line != lines+1 {
		t.Errorf("problems %v, want line %d too long", ps, lines+1)
	}
	if peak > before.HeapInuse+64<<20 {
		t.Errorf("heap grew to %d MB reading a %d MB log", peak>>20, size>>20)
	}
}

// TestFIFO: a named pipe given by name is an error, not a hang.
func TestFIFO(t *testing.T) {
	path := filepath.Join(t.TempDir(), "mail.log")
	if err := mkfifo(path); err != nil {
		t.Skipf("no FIFO here: %v", err)
	}
	_, files := readAll(t, Options{}, path)
	if !errors.Is(files[0].Err, errNotRegular) {
		t.Errorf("err %v", files[0].Err)
	}
}

// TestRotationOrder reads rotations newest first.
func TestRotationOrder(t *testing.T) {
	in := []input{{path: "a/mail.log.2.gz"}, {path: "a/mail.log"}, {path: "b.eml"}, {path: "a/mail.log.1"}, {path: "a/mail.log.10.gz"}}
	var got []string
	for _, i := range rotationOrder(in) {
		got = append(got, i.path)
	}
	want := "a/mail.log a/mail.log.1 a/mail.log.2.gz a/mail.log.10.gz b.eml"
	if strings.Join(got, " ") != want {
		t.Errorf("order %v, want %s", got, want)
	}
}

// TestGzipCut reads a gzip'd log cut short: what was decompressed is
// reported, and the error names the line.
func TestGzipCut(t *testing.T) {
	b, err := os.ReadFile(filepath.Join(fixtures, "postfix/var/log/mail.log"))
	if err != nil {
		t.Fatal(err)
	}
	var z bytes.Buffer
	zw, _ := gzip.NewWriterLevel(&z, gzip.NoCompression)
	zw.Write(b)
	zw.Close()
	path := filepath.Join(t.TempDir(), "mail.log.3.gz")
	if err := os.WriteFile(path, z.Bytes()[:z.Len()*2/3], 0o644); err != nil {
		t.Fatal(err)
	}
	msgs, files := readAll(t, Options{Year: 2025}, path)
	var le *LineError
	if !errors.As(files[0].Err, &le) || le.Line < 2 {
		t.Errorf("err = %v, want a line", files[0].Err)
	}
	if len(msgs) == 0 {
		t.Error("nothing before the cut reported")
	}
}
