package main

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/depsweep/depsweep/ioc/report"
)

const mailFixtures = "../../testdata/mail"

func runMail(t *testing.T, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	var out, errb bytes.Buffer
	code = run(context.Background(), args, strings.NewReader(""), &out, &errb)
	return code, out.String(), errb.String()
}

// mailJSON runs mail with args, which must exit 1 (messages were
// copied), and reads its JSON report.
func mailJSON(t *testing.T, args ...string) *report.Report {
	t.Helper()
	code, out, stderr := runMail(t, args...)
	if code != 1 {
		t.Fatalf("exit %d, want 1; stderr:\n%s", code, stderr)
	}
	rep, err := report.Read(strings.NewReader(out))
	if err != nil {
		t.Fatal(err)
	}
	return rep
}

// mailInputs are the fixture directories whose dates carry their year.
func mailInputs(t *testing.T) []string {
	var ps []string
	for _, d := range []string{"exim", "mbox", "maildir", "eml", "postmark"} {
		p := filepath.Join(mailFixtures, d)
		if _, err := os.Stat(p); err != nil {
			t.Fatal(err)
		}
		ps = append(ps, p)
	}
	return ps
}

// TestMailReport runs 'depsweep mail' over the fixtures: exit 1, the
// messages per sender, the windows, and a JSON report that reads back
// (as JSON and as JSONL) to the same mail section.
func TestMailReport(t *testing.T) {
	rep := mailJSON(t, append([]string{"mail", "--format", "json", "-q"}, mailInputs(t)...)...)
	m := rep.Mail
	if m == nil {
		t.Fatal("no mail section")
	}
	// From TRUTH.tsv: in the window or undated, exim 4 (the gz'd copy of
	// the log holds the same messages), mbox, maildir and eml 4 + 1
	// undated each, Postmark 2 (each message in a page, the JSON Lines
	// export and, for one, its details).
	if m.Copied != 4+5+5+5+2 || m.Undated != 3 {
		t.Errorf("copied %d, undated %d; want 21, 3", m.Copied, m.Undated)
	}
	dups := 0
	for _, s := range m.Senders {
		for _, mm := range s.Messages {
			dups += len(mm.AlsoAt)
		}
	}
	if dups != 4+3+1 {
		t.Errorf("%d records of messages already counted, want 8", dups)
	}
	if m.OutsideWindow != 1+1+1+1 || m.Examined == 0 || m.InWindow >= m.Examined {
		t.Errorf("outside %d, examined %d, in window %d", m.OutsideWindow, m.Examined, m.InWindow)
	}
	var streams []string
	for _, s := range m.Senders {
		if s.Source == "postmark" {
			streams = append(streams, s.Server)
		}
	}
	if !reflect.DeepEqual(streams, []string{"postmark/broadcast", "postmark/outbound"}) {
		t.Errorf("postmark senders %v", streams)
	}
	if len(m.Advisories) != 1 || m.Advisories[0].Window == nil || len(m.Advisories[0].Remediation) == 0 {
		t.Errorf("advisories %+v", m.Advisories)
	}

	var jl bytes.Buffer
	if err := report.WriteJSONL(&jl, rep); err != nil {
		t.Fatal(err)
	}
	back, err := report.Read(&jl)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(back.Mail, rep.Mail) {
		t.Error("the mail section does not survive a JSONL round trip")
	}
}

// TestMailFormats renders the same audit in every report format.
func TestMailFormats(t *testing.T) {
	for _, f := range []string{"text", "json", "jsonl", "sarif", "markdown"} {
		args := append([]string{"mail", "-q", "--format", f}, mailInputs(t)...)
		code, out, stderr := runMail(t, args...)
		if code != 1 || stderr != "" {
			t.Errorf("%s: exit %d, stderr %q", f, code, stderr)
		}
		var want string
		switch f {
		case "text":
			want = "21 copied out of"
		case "markdown":
			want = "# depsweep mail audit: 21 messages copied"
		case "sarif":
			var log struct {
				Runs []struct {
					Results []json.RawMessage
				}
			}
			if err := json.Unmarshal([]byte(out), &log); err != nil || len(log.Runs[0].Results) != 21 {
				t.Errorf("sarif: %v, %d results", err, len(log.Runs[0].Results))
			}
			want = "DEPSWEEP-2025-0001/mail"
		default:
			want = `"copied": 21`
			if f == "jsonl" {
				want = `"copied":21`
			}
		}
		if !strings.Contains(out, want) {
			t.Errorf("%s: output lacks %q", f, want)
		}
	}
}

// TestMailClean: nothing to an indicator is an answer with its totals,
// exit 0.
func TestMailClean(t *testing.T) {
	code, out, _ := runMail(t, "mail", "-q", filepath.Join(mailFixtures, "eml/plain.eml"), filepath.Join(mailFixtures, "eml/lookalike.eml"))
	if code != 0 || !strings.Contains(out, "0 copied out of 2 examined in the window") {
		t.Errorf("exit %d, output:\n%s", code, out)
	}
}

// TestMailDamaged: a damaged input is an error naming file and position;
// exit 2 without matches, 1 with them.
func TestMailDamaged(t *testing.T) {
	dir := t.TempDir()
	b, err := os.ReadFile(filepath.Join(mailFixtures, "postmark/outbound-page2.json"))
	if err != nil {
		t.Fatal(err)
	}
	cut := filepath.Join(dir, "cut.json")
	if err := os.WriteFile(cut, b[:30], 0o644); err != nil {
		t.Fatal(err)
	}
	code, out, _ := runMail(t, "mail", "-q", "--format", "json", cut)
	if code != 2 || !strings.Contains(out, `"path": "`+cut) || !strings.Contains(out, "byte ") {
		t.Errorf("cut export: exit %d\n%s", code, out)
	}
	code, out, _ = runMail(t, "mail", "-q", cut, filepath.Join(mailFixtures, "eml/bcc.eml"))
	if code != 1 || !strings.Contains(out, "Errors (1)") {
		t.Errorf("cut export and a match: exit %d\n%s", code, out)
	}
}

// TestMailMissingPages: a Postmark search whose other pages were not
// exported is an error, not a clean result.
func TestMailMissingPages(t *testing.T) {
	code, out, _ := runMail(t, "mail", "-q", "--format", "json", filepath.Join(mailFixtures, "postmark/outbound-page2.json"))
	if code != 1 || !strings.Contains(out, "found 6 messages but its pages here hold 3") {
		t.Errorf("exit %d\n%s", code, out)
	}
	code, out, _ = runMail(t, "mail", "-q", filepath.Join(mailFixtures, "postmark/outbound-page1.json"), filepath.Join(mailFixtures, "postmark/outbound-page2.json"))
	if code != 1 || strings.Contains(out, "other pages") {
		t.Errorf("both pages: exit %d\n%s", code, out)
	}
}

// TestMailRedact leaves subjects out.
func TestMailRedact(t *testing.T) {
	code, out, _ := runMail(t, "mail", "-q", "--format", "json", "--redact-subjects", filepath.Join(mailFixtures, "mbox"))
	if code != 1 || strings.Contains(out, "Password reset") || !strings.Contains(out, `"subjects_redacted": true`) {
		t.Errorf("exit %d\n%s", code, out)
	}
}

// TestMailWindowFlags: --since/--until replace the exposure window.
func TestMailWindowFlags(t *testing.T) {
	code, out, _ := runMail(t, "mail", "-q", "--format", "json", "--since", "2025-10-01", "--until", "2025-10-31", filepath.Join(mailFixtures, "mbox"))
	rep, err := report.Read(strings.NewReader(out))
	if err != nil {
		t.Fatal(err)
	}
	// Only the message sent on 2 October, and the undated one, count.
	if code != 1 || rep.Mail.Copied != 2 || rep.Mail.Window == nil {
		t.Errorf("exit %d, copied %d, window %+v", code, rep.Mail.Copied, rep.Mail.Window)
	}
}

func TestMailUsage(t *testing.T) {
	for _, args := range [][]string{
		{"mail"},
		{"mail", "--since", "yesterday", mailFixtures},
		{"mail", "--since", "2025-10-01", "--until", "2025-09-01", mailFixtures},
		{"mail", "--format", "xml", mailFixtures},
		{"mail", filepath.Join(mailFixtures, "no-such-file")},
	} {
		if code, _, stderr := runMail(t, args...); code != 2 || !strings.HasPrefix(stderr, "depsweep: ") {
			t.Errorf("%v: exit %d, stderr %q", args, code, stderr)
		}
	}
}

// TestFeedExport writes each blocklist format of the embedded feed.
func TestFeedExport(t *testing.T) {
	for f, want := range map[string]string{
		"hosts":   "0.0.0.0 giftshop.club\n",
		"rpz":     "*.giftshop.club CNAME .\n",
		"dnsmasq": "address=/giftshop.club/\n",
		"unbound": `local-zone: "giftshop.club." always_nxdomain`,
		"squid":   "dstdomain .giftshop.club\n",
		"csv":     "giftshop.club,domain,DEPSWEEP-2025-0001,embedded:",
	} {
		code, out, stderr := runMail(t, "feed", "export", "--blocklist", f)
		if code != 0 || !strings.Contains(out, want) || !strings.Contains(out, "sha256 ") {
			t.Errorf("%s: exit %d, stderr %q\n%s", f, code, stderr, out)
		}
	}
	if code, _, _ := runMail(t, "feed", "export", "--blocklist", "pf"); code != 2 {
		t.Errorf("unknown format: exit %d", code)
	}
	if code, _, _ := runMail(t, "feed", "export"); code != 2 {
		t.Errorf("no format: exit %d", code)
	}
}

// TestMailFeedsUnified: a feed that describes the embedded incident again
// (the same id, other details) is one advisory in a mail report, as in a
// scan: the same messages copied, one advisory with the embedded id and
// the OSV alias.
func TestMailFeedsUnified(t *testing.T) {
	m := mailJSON(t, append([]string{"mail", "--format", "json", "-q", "--feed", "../../testdata/feeds/valid/example.v1.yaml"}, mailInputs(t)...)...).Mail
	if m == nil || len(m.Advisories) != 1 {
		t.Fatalf("mail advisories = %+v, want one", m)
	}
	a := m.Advisories[0]
	if a.ID != "DEPSWEEP-2025-0001" || !slices.Contains(a.Aliases, "MAL-2025-47604") || m.Copied != 21 {
		t.Errorf("advisory %s aliases %v, copied %d; want DEPSWEEP-2025-0001 with MAL-2025-47604, 21", a.ID, a.Aliases, m.Copied)
	}
}
