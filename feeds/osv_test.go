package feeds

import (
	"encoding/json"
	"errors"
	"os"
	"reflect"
	"strings"
	"testing"
	"time"

	jsonv2 "github.com/go-json-experiment/json"

	"github.com/depsweep/depsweep/ioc"
)

func TestParseOSVPostmark(t *testing.T) {
	for _, tc := range []struct{ path, id string }{
		{"../testdata/osv/MAL-2025-47604.json", "MAL-2025-47604"},
		// An unassigned report: its id is "" and comes from the file name.
		{"../testdata/osv/MAL-0000-google-open-source-security-b71142d16d8ed2a6.json", "MAL-0000-google-open-source-security-b71142d16d8ed2a6"},
	} {
		fh, err := os.Open(tc.path)
		if err != nil {
			t.Fatal(err)
		}
		f, err := ParseOSV(fh, tc.path)
		fh.Close()
		if err != nil {
			t.Fatalf("ParseOSV(%q): %v", tc.path, err)
		}
		if len(f.Advisories) != 1 || len(f.Indicators) != 1 {
			t.Fatalf("ParseOSV(%q) = %d advisories, %d indicators, want 1, 1", tc.path, len(f.Advisories), len(f.Indicators))
		}
		adv, ind := f.Advisories[0], f.Indicators[0]
		if adv.ID != tc.id || adv.Severity != ioc.SeverityCritical || adv.Title != "Malicious code in postmark-mcp (npm)" {
			t.Errorf("ParseOSV(%q) advisory = %q %v %q, want %q critical", tc.path, adv.ID, adv.Severity, adv.Title, tc.id)
		}
		if want := time.Date(2025, 9, 26, 4, 14, 45, 0, time.UTC); !adv.Published.Equal(want) {
			t.Errorf("ParseOSV(%q) published = %v, want %v", tc.path, adv.Published, want)
		}
		if want := []string{"https://www.koi.security/blog/postmark-mcp-npm-malicious-backdoor-email-theft"}; !reflect.DeepEqual(adv.References, want) {
			t.Errorf("ParseOSV(%q) references = %q, want %q", tc.path, adv.References, want)
		}
		want := ioc.Indicator{Kind: ioc.KindPackage, Ecosystem: "npm", Value: "postmark-mcp",
			Versions: ioc.Versions{Ranges: []ioc.Range{{Introduced: "1.0.16"}}}, Advisory: adv}
		if !reflect.DeepEqual(ind, want) {
			t.Errorf("ParseOSV(%q) indicator = %+v, want %+v", tc.path, ind, want)
		}
	}
}

func TestParseOSVMapping(t *testing.T) {
	f, err := Load("../testdata/feeds/osv/MAL-2099-0100.json")
	if err != nil {
		t.Fatal(err)
	}
	got := summarize(f.Advisories, f.Indicators)
	for _, want := range []string{
		`package npm "evil-mailer" exact=["1.0.0" "1.2.0"] ranges=[{Introduced:0 Fixed:1.0.1 LastAffected:} {Introduced:1.2.0 Fixed: LastAffected:1.2.5} {Introduced:2.0.0 Fixed:3.0.0 LastAffected:}] severity=derived advisory=MAL-2099-0100`,
		`package npm "@evil/mailer-helper" exact=[] ranges=[{Introduced:0 Fixed: LastAffected:}] severity=derived advisory=MAL-2099-0100`,
		`domain  "exfil.evil.example" exact=[] ranges=[] severity=derived advisory=MAL-2099-0100`,
		`url  "https://exfil.evil.example/collect" exact=[] ranges=[] severity=derived advisory=MAL-2099-0100`,
	} {
		if !strings.Contains(got, want+"\n") {
			t.Errorf("Load(MAL-2099-0100.json) lacks\n%s\ngot\n%s", want, got)
		}
	}
	if len(f.Indicators) != 4 {
		t.Errorf("Load(MAL-2099-0100.json) = %d indicators, want 4", len(f.Indicators))
	}
	// Skipped: the PyPI entry, the GIT range and the IP address.
	if f.Skipped != 3 {
		t.Errorf("Load(MAL-2099-0100.json).Skipped = %d, want 3", f.Skipped)
	}
	if adv := f.Advisories[0]; adv.Severity != ioc.SeverityCritical || !reflect.DeepEqual(adv.Aliases, []string{"GHSA-aaaa-bbbb-cccc"}) {
		t.Errorf("Load(MAL-2099-0100.json) advisory = %v %q, want critical [GHSA-aaaa-bbbb-cccc]", adv.Severity, adv.Aliases)
	}

	g, err := Load("../testdata/feeds/osv/GHSA-moderate.json")
	if err != nil {
		t.Fatal(err)
	}
	if sev := g.Advisories[0].Severity; sev != ioc.SeverityMedium {
		t.Errorf("Load(GHSA-moderate.json) severity = %v, want medium (database_specific MODERATE)", sev)
	}
}

func TestParseOSVSkipped(t *testing.T) {
	for _, tc := range []struct {
		path               string
		withdrawn, skipped int
	}{
		{"../testdata/feeds/hostile/withdrawn.json", 1, 0},
		// IOCs of a record that names no npm package are not taken.
		{"../testdata/feeds/hostile/pypi-only.json", 0, 1},
	} {
		fh, err := os.Open(tc.path)
		if err != nil {
			t.Fatal(err)
		}
		f, err := ParseOSV(fh, tc.path)
		fh.Close()
		if err != nil || len(f.Indicators) != 0 || f.Withdrawn != tc.withdrawn || f.Skipped != tc.skipped {
			t.Errorf("ParseOSV(%q) = %v, %v; want 0 indicators, withdrawn %d, skipped %d, no error", tc.path, f, err, tc.withdrawn, tc.skipped)
		}
		if _, err := Load(tc.path); !errors.Is(err, ErrNoIndicators) {
			t.Errorf("Load(%q) = %v, want ErrNoIndicators", tc.path, err)
		}
	}
}

func TestParseOSVErrors(t *testing.T) {
	for _, tc := range []struct{ path, want string }{
		{"../testdata/feeds/osv/bad-version.json", `../testdata/feeds/osv/bad-version.json:10:5: affected[1]: version "1.0" is not exact (want MAJOR.MINOR.PATCH)`},
		{"../testdata/feeds/osv/syntax.json", `../testdata/feeds/osv/syntax.json:4:52: invalid character '}' looking for beginning of object key string`},
	} {
		_, err := Load(tc.path)
		if err == nil || err.Error() != tc.want {
			t.Errorf("Load(%q) = %v, want %s", tc.path, err, tc.want)
		}
	}
	for _, tc := range []struct{ in, want string }{
		{``, `r.json:1:1: unexpected end of JSON input`},
		{`null`, `r.json:1:1: record without id`},
		{`[]`, `r.json:1:2: want a json object, got array`},
		{`{"id": 5}`, `r.json:1:9: id: want string, got json number`},
		{`{"id": "x y"}`, `r.json:1:8: id "x y" contains a space or control character`},
		{`{"id": "X", "affected": [{"package": {"ecosystem": "npm", "name": ""}}]}`, `r.json:1:26: affected[0]: empty package name`},
		{`{"id": "X", "affected": [{"package": {"ecosystem": "npm", "name": "a"}, "ranges": [{"type": "SEMVER", "events": [{"introduced": "1", "fixed": "2"}]}]}]}`, `r.json:1:26: affected[0]: range event with other than one field`},
		{`{"id": "X", "published": "yesterday"}`, `r.json:1:26: published: bad date "yesterday" (want 2006-01-02 or an RFC 3339 timestamp)`},
		{`{"id": "X", "database_specific": {"x": ` + strings.Repeat("[", 20000) + strings.Repeat("]", 20000) + `}}`, `r.json:1:10039: invalid character '[' exceeded max depth`},
	} {
		_, err := ParseOSV(strings.NewReader(tc.in), "r.json")
		if err == nil || err.Error() != tc.want {
			t.Errorf("ParseOSV(%.40q) = %v, want %s", tc.in, err, tc.want)
		}
	}
}

func TestOSVRanges(t *testing.T) {
	ev := func(kv ...string) []map[string]string {
		var out []map[string]string
		for i := 0; i < len(kv); i += 2 {
			out = append(out, map[string]string{kv[i]: kv[i+1]})
		}
		return out
	}
	for _, tc := range []struct {
		events []map[string]string
		want   []ioc.Range
	}{
		{ev("introduced", "0"), []ioc.Range{{Introduced: "0"}}},
		{ev("introduced", "1.0.16"), []ioc.Range{{Introduced: "1.0.16"}}},
		{ev("introduced", "1.0.0", "fixed", "1.0.2"), []ioc.Range{{Introduced: "1.0.0", Fixed: "1.0.2"}}},
		{ev("introduced", "1.0.0", "last_affected", "1.0.2"), []ioc.Range{{Introduced: "1.0.0", LastAffected: "1.0.2"}}},
		{ev("fixed", "2.0.0"), []ioc.Range{{Introduced: "0", Fixed: "2.0.0"}}},
		{ev("introduced", "0", "fixed", "1.0.0", "introduced", "2.0.0", "fixed", "2.0.1"), []ioc.Range{{Introduced: "0", Fixed: "1.0.0"}, {Introduced: "2.0.0", Fixed: "2.0.1"}}},
		{ev("introduced", "1.0.0", "limit", "1.5.0"), []ioc.Range{{Introduced: "1.0.0", Fixed: "1.5.0"}}},
		{nil, nil},
	} {
		got, err := osvRanges(tc.events)
		if err != nil || !reflect.DeepEqual(got, tc.want) {
			t.Errorf("osvRanges(%v) = %+v, %v, want %+v", tc.events, got, err, tc.want)
		}
	}
}

// TestOSVVersionsMatch checks with the matcher that the real record's range
// covers 1.0.16 and every later version, and nothing before.
func TestOSVVersionsMatch(t *testing.T) {
	f, err := Load("../testdata/osv/MAL-2025-47604.json")
	if err != nil {
		t.Fatal(err)
	}
	def, err := Default()
	if err != nil {
		t.Fatal(err)
	}
	if _, err := ioc.NewIndex(append(f.Indicators, def.Indicators...)); err != nil {
		t.Fatalf("ioc.NewIndex: %v", err)
	}
	for _, tc := range []struct {
		v             string
		osv, embedded bool
	}{
		{"1.0.0", false, false},
		{"1.0.15", false, false},
		{"1.0.16", true, true},
		{"1.0.17", true, true},
		{"1.0.18", true, true},
		{"1.0.19", true, false},
		{"2.0.0", true, false},
		{"1.0.16-beta.1", false, false},
	} {
		if got := f.Indicators[0].Versions.Contains(tc.v); got != tc.osv {
			t.Errorf("MAL-2025-47604 Versions.Contains(%q) = %v, want %v", tc.v, got, tc.osv)
		}
		if got := def.Indicators[0].Versions.Contains(tc.v); got != tc.embedded {
			t.Errorf("embedded Versions.Contains(%q) = %v, want %v", tc.v, got, tc.embedded)
		}
	}
}

// TestOSVDecodersAgree: the fast decoder and encoding/json agree on the
// corners where JSON decoders differ (FuzzOSVDecoders explores more).
func TestOSVDecodersAgree(t *testing.T) {
	for _, in := range []string{
		`{"id":"MAL-1","id":"MAL-2"}`,                      // duplicate names: the last wins
		`{"ID":"MAL-1","Summary":"x"}`,                     // names match case-insensitively
		`{"id":"MAL-1","summary":"a\xffb"}`,                // invalid UTF-8 is replaced
		`{"id":"MAL-1","summary":"\ud800"}`,                // a lone surrogate is replaced
		`{"id":null,"aliases":null,"affected":null}`,       // null leaves the zero value
		`{"id":"MAL-1","aliases":["a",null]}`,              // null in a list
		`{"id":1}`,                                         // a number for a string
		`{"id":"MAL-1","affected":[{"versions":"1.0.0"}]}`, // a string for a list
		`{"id":"MAL-1","affected":[{"ranges":[{"events":[{"introduced":"0","fixed":null}]}]}]}`,
		`{"id":"MAL-1","affected":[{"ranges":[{"events":[{"introduced":1}]}]}]}`,
		`{"id":"MAL-1","database_specific":"text"}`,
		`{"id":"MAL-1","database_specific":{"severity":"HIGH","iocs":{"domains":["a.example"]},"malicious-packages-origins":null}}`,
		`{"id":"MAL-1"} trailing`,
		`{"id":"MAL-1",}`,
		`{"id":"MAL-1"`,
		` {"id" : "MAL-1" , "summary" : "x\u0000y"} `,
		`{"id":"MAL-1","published":"2025-09-26T04:14:45Z","unknown":{"deep":[1,2,{"x":true}]}}`,
		`{"id":"MAL-1","references":[{"url":"https://x.example","URL":"https://y.example"}]}`,
		`{"id":"MAL-1","summary":"` + strings.Repeat("é", 100) + `"}`,
		`{"id":"MAL-1","affected":[{"package":{"ecosystem":"npm","name":"a"},"versions":["1.0.0"]},{"package":null}]}`,
		`[]`, `null`, `""`, `1e400`, `{"id":"MAL-1","x":1e400}`,
	} {
		var fast, std osvRecord
		fastErr := jsonv2.Unmarshal([]byte(in), &fast, v1Options)
		stdErr := json.Unmarshal([]byte(in), &std)
		if fastErr == nil && stdErr != nil {
			t.Errorf("%s: fast decoder accepts what encoding/json refuses (%v)", in, stdErr)
		} else if fastErr == nil && !reflect.DeepEqual(fast, std) {
			t.Errorf("%s: decoders differ:\nfast %+v\nstd  %+v", in, fast, std)
		}
		// What parseOSVInto uses: encoding/json's result and error, always.
		var got osvRecord
		err := unmarshalOSV([]byte(in), &got)
		if (err == nil) != (stdErr == nil) || err != nil && err.Error() != stdErr.Error() || !reflect.DeepEqual(got, std) {
			t.Errorf("%s: unmarshalOSV = %+v, %v; want %+v, %v", in, got, err, std, stdErr)
		}
	}
}
