package report

import (
	"bytes"
	"fmt"
	"regexp"
	"strings"
	"sync"
)

// MarkdownBudget is the most bytes [WriteMarkdown] writes. GitHub refuses
// an issue, comment or pull-request body over 65,536 characters; a
// character is at least one byte, and the margin leaves room for a line a
// person adds when pasting.
const MarkdownBudget = 64000

// Limits on the parts of a report cut to fit, in bytes.
const (
	mdAdvisoryShare = 8000 // advisories with their remediation
	mdErrorShare    = 3000 // inputs not read
	mdTailReserve   = 1500 // the closing lines (findings left out) and slack
)

// markdownBudgeted writes a report that does not fit MarkdownBudget in
// full: the head and summary, the per-repository table (as many rows as
// its share allows), the advisories with their remediation, then the
// findings of each repository in a collapsed <details> block until the
// budget is spent, then how many findings were left out, with a pointer to
// the JSON report, which holds them all.
func markdownBudgeted(b *bytes.Buffer, r *Report) {
	p := func(format string, args ...any) { fmt.Fprintf(b, format, args...) }
	active, collisions, resolved := splitFindings(r.Findings)
	mdHead(b, r, active, collisions)
	p("> [!NOTE]\n> This report is cut to fit in %d characters: the per-repository table and the advisories come first, then the findings of each repository until the budget is spent. The JSON report (`--format json`, or `depsweep convert --format json`) holds every finding.\n\n", MarkdownBudget)
	lines := RepoLines(r)
	// The advisories and the tail are rendered first, so that the
	// per-repository table can take what they leave, and the findings
	// the rest.
	var adv bytes.Buffer
	if len(active) == 0 {
		fmt.Fprintf(&adv, "## No findings\n\n%s\n\n", mdText(noFindings(r)))
	} else {
		advisoriesUpTo(&adv, active, mdAdvisoryShare)
	}
	var tail bytes.Buffer
	if len(collisions) > 0 {
		fmt.Fprintf(&tail, "%s (not malicious: same name, not from a registry): see the JSON report.\n\n",
			plural(len(collisions), "name collision", "name collisions"))
	}
	if len(resolved) > 0 {
		fmt.Fprintf(&tail, "%s since the baseline: see the JSON report.\n\n", plural(len(resolved), "finding resolved", "findings resolved"))
	}
	mdErrors(&tail, r, mdErrorShare)
	mdRepoTable(b, lines, max(0, MarkdownBudget-b.Len()-adv.Len()-tail.Len()-mdTailReserve))
	b.Write(adv.Bytes())

	if len(active) > 0 {
		room := MarkdownBudget - b.Len() - tail.Len() - mdTailReserve
		mdFindingsByRepo(b, active, lines, room)
	}
	b.Write(tail.Bytes())
	if b.Len() > MarkdownBudget {
		// Only a head bloated by its feeds' names can get here: say
		// where the report is rather than break the limit.
		b.Reset()
		fmt.Fprintf(b, "# depsweep report: %s\n\nThis report does not fit in %d characters: see the JSON report (`--format json`).\n",
			plural(len(active), "finding", "findings"), MarkdownBudget)
	}
}

// mdFindingsByRepo writes the findings grouped by repository, in the order
// of lines, one <details> block per repository, while they fit in room
// bytes; then how many were left out.
func mdFindingsByRepo(b *bytes.Buffer, active []Finding, lines []RepoLine, room int) {
	byRepo := map[string][]int{}
	for i, f := range active {
		byRepo[f.Repo] = append(byRepo[f.Repo], i)
	}
	hist, seen, header := mdFindingsHeader(active)
	start := b.Len()
	fmt.Fprintf(b, "## Findings\n\n")
	written := 0
	for _, l := range lines {
		idx := byRepo[l.Path]
		if len(idx) == 0 {
			continue
		}
		open := fmt.Sprintf("<details>\n<summary>%s: %s, worst %s</summary>\n\n%s",
			mdText(l.Path), plural(len(idx), "finding", "findings"), mdText(l.Summary.Severity), header)
		const closing = "\n</details>\n\n"
		if b.Len()-start+len(open)+len(closing) > room {
			break
		}
		b.WriteString(open)
		for _, i := range idx {
			row := mdFindingRow(&active[i], hist, seen)
			if b.Len()-start+len(row)+len(closing) > room {
				break
			}
			b.WriteString(row)
			written++
		}
		b.WriteString(closing)
	}
	if n := len(active) - written; n > 0 {
		fmt.Fprintf(b, "**%s: see the JSON report.**\n\n", plural(n, "more finding", "more findings"))
	}
}

// mdRepoTable writes the per-repository summary table: one row per
// repository with findings to act on. With limit ≥ 0, rows stop once the
// table takes limit bytes, and a line says how many were left out.
func mdRepoTable(b *bytes.Buffer, lines []RepoLine, limit int) {
	if len(lines) == 0 {
		return
	}
	start := b.Len()
	fmt.Fprintf(b, "## Affected repositories (%d)\n\n| Repository | Remote | Branch | Worst | Packages | Lockfiles | Scope |\n| --- | --- | --- | --- | --- | --- | --- |\n", len(lines))
	for i, l := range lines {
		s := l.Summary
		pkgs := make([]string, len(s.Packages))
		for j, p := range s.Packages {
			pkgs[j] = mdCell(p)
		}
		remote, branch := "", ""
		if l.Remote != "" {
			remote = mdCell(l.Remote)
		}
		if l.Branch != "" {
			branch = mdCell(l.Branch)
		}
		sev := "**" + mdText(s.Severity) + "**"
		if s.New > 0 {
			sev += fmt.Sprintf(" (%d new)", s.New)
		}
		row := fmt.Sprintf("| %s | %s | %s | %s | %s | %d | %s |\n", mdCell(l.Path), remote, branch, sev,
			strings.Join(pkgs, " "), s.Lockfiles, s.Scope)
		if limit >= 0 && b.Len()-start+len(row) > limit {
			fmt.Fprintf(b, "\n%s: see the JSON report.\n", plural(len(lines)-i, "more repository", "more repositories"))
			break
		}
		b.WriteString(row)
	}
	b.WriteString("\n")
}

// emailRE matches what GitHub turns into a mailto: link in Markdown text
// (GFM's extended email autolink): an attacker's address must be shown,
// never offered as a link to click.
var emailRE = sync.OnceValue(func() *regexp.Regexp {
	return regexp.MustCompile(`[A-Za-z0-9.+_-]+@[A-Za-z0-9_-]+(?:\.[A-Za-z0-9_-]+)+`)
})

// mdTextCode is mdText with every e-mail address in a code span.
func mdTextCode(s string) string {
	locs := emailRE().FindAllStringIndex(s, -1)
	if locs == nil {
		return mdReplacer.Replace(s)
	}
	var out strings.Builder
	last := 0
	for _, m := range locs {
		end := m[1]
		for end > m[0] && s[end-1] == '.' {
			end-- // a sentence's full stop is not part of the address
		}
		out.WriteString(mdReplacer.Replace(s[last:m[0]]))
		out.WriteString(codeSpan(s[m[0]:end], true))
		last = end
	}
	out.WriteString(mdReplacer.Replace(s[last:]))
	return out.String()
}
