package mail

import (
	"os"
	"path/filepath"
	"testing"
)

// FuzzRead feeds arbitrary bytes to the readers (under each name that
// changes how a file is read). Properties: no panic; the file's message
// count is the number of messages passed on; every message names the
// file, and has a position (a line, or a byte offset for JSON); every
// problem outside JSON has a line.
func FuzzRead(f *testing.F) {
	seeds := 0
	for _, glob := range []string{"postfix/var/log/mail.log", "exim/mainlog", "mbox/Sent", "eml/*.eml", "postmark/*.json*"} {
		ms, _ := filepath.Glob(filepath.Join(fixtures, glob))
		for _, m := range ms {
			b, err := os.ReadFile(m)
			if err != nil {
				f.Fatal(err)
			}
			f.Add(b, uint8(seeds))
			seeds++
		}
	}
	if seeds < 5 {
		f.Fatalf("only %d seeds: fixtures missing", seeds)
	}
	for _, s := range []string{"", "null", "[]", "{}", "From \n", "{\"Messages\":[{\"MessageID\":1}]}", "Sep 18 10:00:00 h postfix/qmgr[1]: ABCDEF1234: removed\n"} {
		f.Add([]byte(s), uint8(0))
	}
	names := []string{"mail.log", "mainlog", "Sent", "m.eml", "page.json", "x.jsonl", "mail.log.1"}
	f.Fuzz(func(t *testing.T, data []byte, which uint8) {
		path := filepath.Join(t.TempDir(), names[int(which)%len(names)])
		if err := os.WriteFile(path, data, 0o644); err != nil {
			t.Fatal(err)
		}
		n := 0
		files, err := Read([]string{path}, Options{Year: 2025}, func(m *Message) error {
			n++
			if m.File != path {
				t.Errorf("message names %q, want %q", m.File, path)
			}
			if m.Line <= 0 && m.Offset < 0 {
				t.Errorf("message without a position: %+v", m)
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		if len(files) != 1 || files[0].Messages != n {
			t.Fatalf("files %+v, %d messages passed on", files, n)
		}
		for _, p := range files[0].Problems {
			// A JSON problem is at a byte offset (0 for the first value).
			if p.Line <= 0 && files[0].Format != FormatPostmark {
				t.Errorf("problem without a line: %+v", p)
			}
		}
	})
}
