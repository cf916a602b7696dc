package report

import (
	"bytes"
	"encoding/csv"
	"strconv"
	"strings"
	"testing"
)

func renderCSV(t *testing.T, r *Report) []byte {
	t.Helper()
	var b bytes.Buffer
	if err := WriteCSV(&b, r); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// TestCSVRoundTrip parses every sample's CSV back with encoding/csv: one
// row per finding, each cell the report's value.
func TestCSVRoundTrip(t *testing.T) {
	for name, r := range samples(t) {
		out := renderCSV(t, r)
		golden(t, name+".csv", out)
		if !bytes.Equal(out, renderCSV(t, r)) {
			t.Errorf("%s: WriteCSV is not deterministic", name)
		}
		if len(out) > 0 && !bytes.HasSuffix(out, []byte("\r\n")) {
			t.Errorf("%s: rows do not end in CRLF (RFC 4180)", name)
		}
		rd := csv.NewReader(bytes.NewReader(out))
		rd.FieldsPerRecord = len(CSVHeader)
		rows, err := rd.ReadAll()
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if strings.Join(rows[0], ",") != strings.Join(CSVHeader, ",") {
			t.Errorf("%s: header = %q", name, rows[0])
		}
		if len(rows)-1 != len(r.Findings) {
			t.Fatalf("%s: %d rows, want one per finding (%d)", name, len(rows)-1, len(r.Findings))
		}
		byID := map[string]Finding{}
		for _, f := range r.Findings {
			byID[f.ID+"/"+f.Branch] = f
		}
		repos := map[string]Repo{}
		for _, rp := range r.Repos {
			repos[rp.Path] = rp
		}
		col := map[string]int{}
		for i, h := range CSVHeader {
			col[h] = i
		}
		for _, row := range rows[1:] {
			f, ok := byID[row[col["id"]]+"/"+row[col["branch"]]]
			if !ok {
				f, ok = byID[row[col["id"]]+"/"]
			}
			if !ok {
				t.Errorf("%s: row for unknown finding %q", name, row[col["id"]])
				continue
			}
			line := ""
			if f.Line > 0 {
				line = strconv.Itoa(f.Line)
			}
			want := map[string]string{
				"severity": f.Severity, "status": f.Status, "repo": f.Repo, "remote": repos[f.Repo].Remote,
				"lockfile": f.Lockfile, "line": line, "package": f.Package.Name, "version": f.Package.Version,
				"alias": f.Package.Alias, "scope": scopeOf(f.Package), "direct": strconv.FormatBool(f.Package.Direct),
				"path": strings.Join(f.Path, " > "), "indicator_kind": f.Indicator.Kind,
				"indicator_value": f.Indicator.Value, "advisory": f.Advisory.ID, "suppressed": "",
			}
			for k, v := range want {
				if got := row[col[k]]; got != v {
					t.Errorf("%s: finding %s: %s = %q, want %q", name, f.ID, k, got, v)
				}
			}
		}
	}
}

// TestCSVHostile checks quoting and formula-injection defusing.
func TestCSVHostile(t *testing.T) {
	r := samples(t)["incident"]
	f := r.Findings[0]
	f.Package.Name = "=HYPERLINK(\"http://x\",\"y\")"
	f.Package.Alias = "+1"
	f.Package.Version = "-2"
	f.Indicator.Value = "@SUM(A1)"
	f.Repo = "\tcmd"
	f.Lockfile = "a,b\n\"c\"/package-lock.json"
	f.Advisory.ID = "\rX"
	r.Findings = []Finding{f}
	rows, err := csv.NewReader(bytes.NewReader(renderCSV(t, r))).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	if len(rows) != 2 {
		t.Fatalf("%d rows, want 2", len(rows))
	}
	for i, c := range rows[1] {
		if c != "" && strings.ContainsRune("=+-@\t\r", rune(c[0])) {
			t.Errorf("column %s = %q starts a formula", CSVHeader[i], c)
		}
	}
	got := strings.Join([]string{rows[1][3], rows[1][6], rows[1][8], rows[1][9], rows[1][10], rows[1][15]}, "|")
	want := "'\tcmd|a,b\n\"c\"/package-lock.json|'=HYPERLINK(\"http://x\",\"y\")|'-2|'+1|'@SUM(A1)"
	if got != want {
		t.Errorf("cells = %q, want %q", got, want)
	}
}
