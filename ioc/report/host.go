package report

import (
	"fmt"
	"strings"
)

// seenFrom says, in words, where a host trace's time comes from, when it
// is not the trace's own record of the fetch: " (directory time)".
func seenFrom(from string) string {
	switch from {
	case "", "npm-cache-entry":
		return ""
	case "file-mtime":
		return " (file time)"
	case "dir-mtime":
		return " (directory time)"
	case "log-file-name":
		return " (npm run start)"
	case "dlx-dir-name":
		return " (dlx directory made)"
	}
	return " (" + clean(from) + ")"
}

// machineLines describes the machines of a host report, one line each: the
// machine a 'scan --host' report read, or each machine of a merged one
// with its counts.
func machineLines(r *Report) []string {
	if len(r.Summary.Machines) == 0 {
		if r.Machine != nil {
			return []string{clean(r.Machine.Label())}
		}
		return nil
	}
	var out []string
	for _, m := range r.Summary.Machines {
		v := fmt.Sprintf("%s: %s", clean(m.Machine), plural(m.Findings, "finding", "findings"))
		if m.Findings > 0 {
			v += " (" + bySeverityPlain(m.BySeverity) + ")"
		}
		v += fmt.Sprintf(", %s, %s", plural(m.Lockfiles, "trace file", "trace files"), plural(m.Errors, "error", "errors"))
		out = append(out, v)
	}
	return out
}

// bySeverityPlain renders non-zero severity counts, highest first: "1 critical, 2 high".
func bySeverityPlain(by map[string]int) string {
	var parts []string
	for _, sev := range []string{"critical", "high", "medium", "low", "info"} {
		if by[sev] > 0 {
			parts = append(parts, fmt.Sprintf("%d %s", by[sev], sev))
		}
	}
	return strings.Join(parts, ", ")
}
