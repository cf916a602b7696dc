package ioc

import (
	"bufio"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/depsweep/depsweep/lockfiles/mail"
)

// mailIndicators are the e-mail and domain indicators of the embedded
// feed, with its exposure window.
func mailIndicators() []Indicator {
	a := &Advisory{ID: "DEPSWEEP-2025-0001", Exposure: Window{
		From: time.Date(2025, 9, 17, 0, 0, 0, 0, time.UTC),
		To:   time.Date(2025, 9, 25, 0, 0, 0, 0, time.UTC),
	}}
	return []Indicator{
		{Kind: KindPackage, Value: "postmark-mcp", Advisory: a},
		{Kind: KindDomain, Value: "giftshop.club", Advisory: a},
		{Kind: KindEmail, Value: "phan@giftshop.club", Advisory: a},
	}
}

func TestMailMatcher(t *testing.T) {
	m, err := NewMailMatcher(mailIndicators())
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		addr  string
		kinds string // matched kinds, sorted
	}{
		{"phan@giftshop.club", "domain email"},
		{"PHAN@GiftShop.Club", "domain email"},
		{"phan@giftshop.club.", "domain email"},
		{"ops@mail.giftshop.club", "domain"},
		{"other@giftshop.club", "domain"},
		{"phan@giftshop.club.example.com", ""},
		{"phan@notgiftshop.club", ""},
		{"phan@xn--giftshop.club", ""},
		{"giftshop.club", ""},
		{"phan@", ""},
	}
	for _, tc := range tests {
		var kinds []string
		for _, h := range m.Match(&mail.Message{Recipients: []mail.Recipient{{Addr: tc.addr}}}) {
			kinds = append(kinds, string(h.Indicator.Kind))
		}
		slices.Sort(kinds)
		if got := strings.Join(kinds, " "); got != tc.kinds {
			t.Errorf("Match(%q) = %q, want %q", tc.addr, got, tc.kinds)
		}
	}

	// An internationalised indicator matches the recipient however it is
	// written: Unicode or punycode.
	idn, err := NewMailMatcher([]Indicator{{Kind: KindDomain, Value: "xn--bcher-kva.example", Advisory: &Advisory{ID: "X"}}})
	if err != nil {
		t.Fatal(err)
	}
	for _, addr := range []string{"a@bücher.example", "a@BÜCHER.example", "a@mail.xn--bcher-kva.example"} {
		if len(idn.Match(&mail.Message{Recipients: []mail.Recipient{{Addr: addr}}})) != 1 {
			t.Errorf("IDN: %q not matched", addr)
		}
	}

	if _, err := NewMailMatcher(mailIndicators()[:1]); err != ErrNoMailIndicators {
		t.Errorf("package indicators only: err %v", err)
	}
}

func TestMailWindow(t *testing.T) {
	m, _ := NewMailMatcher(mailIndicators())
	a := m.Advisories()[0]
	for _, tc := range []struct {
		t    time.Time
		want bool
	}{
		{time.Date(2025, 9, 16, 23, 59, 59, 0, time.UTC), false},
		{time.Date(2025, 9, 17, 0, 0, 0, 0, time.UTC), true},
		{time.Date(2025, 9, 25, 23, 59, 59, 0, time.UTC), true}, // the last day counts whole
		{time.Date(2025, 9, 26, 0, 0, 0, 0, time.UTC), false},
		{time.Time{}, true}, // undated: reported
	} {
		if got := m.InWindow(a, tc.t); got != tc.want {
			t.Errorf("InWindow(%v) = %v", tc.t, got)
		}
	}
	if m.InAnyWindow(time.Time{}) {
		t.Error("an undated message is not 'in the window'")
	}
	m.SetWindow(time.Date(2025, 10, 1, 0, 0, 0, 0, time.UTC), time.Time{})
	if !m.InWindow(a, time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)) || m.InWindow(a, time.Date(2025, 9, 20, 0, 0, 0, 0, time.UTC)) {
		t.Error("--since override not applied")
	}
}

// TestMailTruth reads every fixture written by real software (Postfix,
// Exim, Mutt, Python's mailbox and email modules, Postmark JSON per its schema)
// and compares the matches with TRUTH.tsv: every expected match is found
// with its window, and nothing else matches.
func TestMailTruth(t *testing.T) {
	const dir = "../testdata/mail"
	f, err := os.Open(filepath.Join(dir, "TRUTH.tsv"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	want := map[string]string{} // file|id|addr → kind window
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if strings.HasPrefix(sc.Text(), "#") || sc.Text() == "" {
			continue
		}
		c := strings.Split(sc.Text(), "\t")
		if len(c) != 5 {
			t.Fatalf("TRUTH.tsv: bad line %q", sc.Text())
		}
		want[c[0]+"|"+c[1]+"|"+strings.ToLower(c[2])] = c[3] + " " + c[4]
	}
	if len(want) < 30 {
		t.Fatalf("TRUTH.tsv: only %d expected matches", len(want))
	}
	// Git does not keep modification times: date the Postfix logs as the
	// server left them (the current log last written after its last
	// entry; the rotated one copied, its time lost).
	logs := filepath.Join(t.TempDir(), "postfix")
	for _, n := range []string{"mail.log", "mail.log.1.gz"} {
		b, err := os.ReadFile(filepath.Join(dir, "postfix/var/log", n))
		if err != nil {
			t.Fatal(err)
		}
		if err := os.MkdirAll(logs, 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(logs, n), b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.Chtimes(filepath.Join(logs, "mail.log"), time.Now(), time.Date(2025, 9, 18, 10, 0, 0, 0, time.UTC)); err != nil {
		t.Fatal(err)
	}
	m, _ := NewMailMatcher(mailIndicators())
	got := map[string]string{}
	paths := []string{logs}
	for _, d := range []string{"exim", "mbox", "maildir", "eml", "postmark", "mutt"} {
		paths = append(paths, filepath.Join(dir, d))
	}
	files, err := mail.Read(paths, mail.Options{}, func(msg *mail.Message) error {
		hits := m.Match(msg)
		if len(hits) == 0 {
			return nil
		}
		file := filepath.ToSlash(msg.File)
		switch {
		case strings.HasPrefix(file, filepath.ToSlash(logs)):
			file = "postfix/var/log" + strings.TrimPrefix(file, filepath.ToSlash(logs))
		case strings.Contains(file, "/maildir/Sent/"):
			file = "maildir/Sent"
		default:
			file = strings.TrimPrefix(file, dir+"/")
		}
		id := msg.MessageID
		if id == "" {
			id = msg.ID
		}
		window := "in"
		switch {
		case msg.Date.IsZero():
			window = "undated"
		case !m.InWindow(hits[0].Indicator.Advisory, msg.Date):
			window = "out"
		}
		for _, h := range hits {
			k := file + "|" + id + "|" + strings.ToLower(h.Recipient.Addr)
			// phan@giftshop.club matches the e-mail and the domain
			// indicator: TRUTH gives the most specific.
			if prev, ok := got[k]; ok && strings.HasPrefix(prev, "email") {
				continue
			}
			got[k] = string(h.Indicator.Kind) + " " + window
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range files {
		if f.Err != nil || len(f.Problems) > 0 {
			t.Errorf("%s: %v %v", f.Path, f.Err, f.Problems)
		}
	}
	for k, w := range want {
		if got[k] != w {
			t.Errorf("%s: got %q, want %q", k, got[k], w)
		}
	}
	for k, g := range got {
		if _, ok := want[k]; !ok {
			t.Errorf("%s: unexpected match %q", k, g)
		}
	}
}
