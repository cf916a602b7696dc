package report

import (
	"bytes"
	"encoding/csv"
	"io"
	"strconv"
	"strings"
)

func init() {
	register("csv", 60, func(w io.Writer, r *Report, _ Options) error { return WriteCSV(w, r) })
}

// CSVHeader is the first row of [WriteCSV]'s output: the columns, in order.
// Columns may be added at the end, never removed, renamed or moved.
var CSVHeader = []string{
	"id", "severity", "status", "repo", "remote", "branch", "lockfile", "line",
	"package", "version", "alias", "scope", "direct", "path",
	"indicator_kind", "indicator_value", "advisory", "suppressed",
}

// WriteCSV renders r as CSV for a ticket system or a spreadsheet: the
// [CSVHeader] row, then one row per finding in the report's order (name
// collisions and findings resolved since a baseline included: the severity
// and status columns tell them apart). Quoting follows RFC 4180 (CRLF line
// ends, fields with commas, quotes or line breaks quoted). A cell that a
// spreadsheet would take for a formula (starting with =, +, -, @, a tab
// or a carriage return) is prefixed with a single quote. The remote and
// branch come from the finding's repository (the branch of a history
// finding is the branch it was traced on); path joins the dependency path
// with " > "; line is empty when unknown; suppressed is empty unless an
// ignore rule accepts the finding: then its reason, source and end date. The output depends only on r. It writes to w once,
// at the end, and returns the first error from w.
func WriteCSV(w io.Writer, r *Report) error {
	var b bytes.Buffer
	cw := csv.NewWriter(&b)
	cw.UseCRLF = true
	if err := cw.Write(CSVHeader); err != nil {
		return err
	}
	repos := make(map[string]Repo, len(r.Repos))
	for _, rp := range r.Repos {
		repos[rp.Path] = rp
	}
	active, collisions, resolved := splitFindings(r.Findings)
	row := make([]string, len(CSVHeader))
	for _, list := range [][]Finding{active, collisions, resolved} {
		for _, f := range list {
			rp := repos[f.Repo]
			line := ""
			if f.Line > 0 {
				line = strconv.Itoa(f.Line)
			}
			branch := f.Branch
			if branch == "" {
				branch = rp.Branch
			}
			row = append(row[:0],
				f.ID, f.Severity, f.Status, f.Repo, rp.Remote, branch, f.Lockfile, line,
				f.Package.Name, f.Package.Version, f.Package.Alias, scopeOf(f.Package),
				strconv.FormatBool(f.Package.Direct), strings.Join(f.Path, " > "),
				f.Indicator.Kind, f.Indicator.Value, f.Advisory.ID, "",
			)
			if sp := f.Suppressed; sp != nil {
				row[len(row)-1] = suppressedText(sp)
			}
			for i, c := range row {
				row[i] = csvSafe(c)
			}
			if err := cw.Write(row); err != nil {
				return err
			}
		}
	}
	cw.Flush()
	if err := cw.Error(); err != nil {
		return err
	}
	_, err := w.Write(b.Bytes())
	return err
}

// csvSafe defuses a cell that a spreadsheet would evaluate as a formula
// (OWASP's "CSV injection"): a leading =, +, -, @, tab or carriage return
// gets a single quote in front, which spreadsheets show as text.
func csvSafe(s string) string {
	if s != "" && strings.ContainsRune("=+-@\t\r", rune(s[0])) {
		return "'" + s
	}
	return s
}
