package report

import (
	"bytes"
	"cmp"
	"fmt"
	"io"
	"net/url"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"
)

func init() {
	register("markdown", 50, func(w io.Writer, r *Report, _ Options) error { return WriteMarkdown(w, r) })
}

// WriteMarkdown renders r as GitHub-flavoured Markdown for a ticket or a
// pull-request comment: a title, a summary table, a findings table, then per
// advisory its references, a remediation checklist and the exposure window;
// name collisions apart; errors and partly read lockfiles in a collapsed
// <details> block. Values from lockfiles and feeds are escaped (pipes,
// backticks, HTML), and names sit in code spans so that "@scope" does not
// mention anyone. The output depends only on r. It writes to w once, at the
// end, and returns the first error from w.
func WriteMarkdown(w io.Writer, r *Report) error {
	var b bytes.Buffer
	markdown(&b, r)
	_, err := w.Write(b.Bytes())
	return err
}

func markdown(b *bytes.Buffer, r *Report) {
	if r.Mail != nil {
		mailMarkdown(b, r)
		return
	}
	markdownFull(b, r)
	if b.Len() <= MarkdownBudget {
		return
	}
	// Why: GitHub refuses an issue or comment body over 65,536
	// characters; a fleet-sized report is cut to fit (see markdownBudgeted).
	b.Reset()
	markdownBudgeted(b, r)
}

// markdownFull writes the whole report.
func markdownFull(b *bytes.Buffer, r *Report) {
	p := func(format string, args ...any) { fmt.Fprintf(b, format, args...) }
	active, collisions, resolved := splitFindings(r.Findings)
	mdHead(b, r, active, collisions)
	mdRepoTable(b, RepoLines(r), -1)

	if len(active) == 0 {
		p("## %s\n\n%s\n\n", cond(inconclusiveRepos(r) > 0, "Inconclusive", "No findings"), mdText(noFindings(r)))
	} else {
		hist, seen, header := mdFindingsHeader(active)
		p("## Findings\n\n%s", header)
		for i := range active {
			p("%s", mdFindingRow(&active[i], hist, seen))
		}
		p("\n")
		evidence(b, active)
		advisories(b, active)
	}

	if len(collisions) > 0 {
		p("## Name collisions (not malicious)\n\nThese packages share a name with a malicious package but were not installed from a registry (git, file, link or workspace). Check that the source is yours.\n\n")
		p("| Package | Repo | Lockfile | Source | Advisory |\n| --- | --- | --- | --- | --- |\n")
		for _, f := range collisions {
			p("| %s | %s | %s | %s | %s |\n", mdCell(pkgSpec(f)), mdCell(f.Repo),
				mdCell(location(f)), mdCell(cmp.Or(f.Package.Resolved, f.Package.Source, "unknown")), mdText(f.Advisory.ID))
		}
		p("\n")
	}
	if len(resolved) > 0 {
		p("## Resolved since the baseline\n\n")
		for _, f := range resolved {
			p("- %s %s in %s\n", mdText(f.Advisory.ID), mdCode(pkgSpec(f)), mdCode(location(f)))
		}
		p("\n")
	}

	mdNoLockfile(b, r)
	mdErrors(b, r, -1)
}

// mdErrors writes every input that could not be read and every lockfile
// read in part, in a collapsed block. With limit ≥ 0, items stop once
// they take limit bytes, and a last item says how many were left out.
func mdErrors(b *bytes.Buffer, r *Report, limit int) {
	p := func(format string, args ...any) { fmt.Fprintf(b, format, args...) }
	errs, pr := allErrors(r), partlyRead(r)
	if len(errs) > 0 || len(pr) > 0 {
		var parts []string
		if len(errs) > 0 {
			parts = append(parts, plural(len(errs), "error", "errors"))
		}
		if len(pr) > 0 {
			parts = append(parts, plural(len(pr), "lockfile", "lockfiles")+" partly read")
		}
		p("<details>\n<summary>%s: not checked, the result is incomplete</summary>\n\n", strings.Join(parts, ", "))
		start, left := b.Len(), 0
		fits := func() bool { return limit < 0 || b.Len()-start < limit }
		for _, e := range errs {
			if !fits() {
				left++
				continue
			}
			where, msg := e.Path, e.Error
			// Why: a parse error names its file and position already
			// ("a/yarn.lock:17:1: ..."); show that position as the place.
			if rest, ok := strings.CutPrefix(msg, e.Path); ok {
				if pos := positionRE().FindString(rest); pos != "" {
					where, msg = e.Path+strings.TrimSuffix(pos, ": "), rest[len(pos):]
				}
			}
			p("- %s: %s\n", mdCode(where), mdText(msg))
		}
		for _, lf := range pr {
			if !fits() {
				left++
				continue
			}
			p("- %s: %s skipped\n", mdCode(lf.Path), plural(len(lf.Problems), "entry", "entries"))
			for k, pb := range lf.Problems {
				if !fits() {
					p("  - %d more: see the JSON report\n", len(lf.Problems)-k)
					break
				}
				if pb.Line > 0 {
					p("  - line %d: %s\n", pb.Line, mdText(pb.Msg))
				} else {
					p("  - %s\n", mdText(pb.Msg))
				}
			}
		}
		if left > 0 {
			p("- %d more: see the JSON report\n", left)
		}
		p("\n</details>\n")
	}
}

// mdHead writes the title, the warnings and the summary table.
func mdHead(b *bytes.Buffer, r *Report, active, collisions []Finding) {
	p := func(format string, args ...any) { fmt.Fprintf(b, format, args...) }
	s := r.Summary
	title := "depsweep report: "
	switch {
	case len(active) > 0:
		title += plural(len(active), "finding", "findings")
	case len(allErrors(r)) > 0 || s.Errors > 0 || r.Interrupted:
		title += "no findings, incomplete"
	case inconclusiveRepos(r) > 0:
		title += "no findings, inconclusive"
	default:
		title += "no findings"
	}
	p("# %s\n\n", title)

	var by []string
	for _, sev := range severities {
		if n := s.BySeverity[sev]; n > 0 {
			by = append(by, fmt.Sprintf("%d %s", n, sev))
		}
	}
	tool := cmp.Or(r.Tool.Name, "depsweep")
	if r.Tool.Version != "" {
		tool += " " + r.Tool.Version
	}
	p("Scanned by %s", mdText(tool))
	if !r.Started.IsZero() {
		p(" on %s", r.Started.UTC().Format("2006-01-02 15:04 UTC"))
	}
	if len(r.Roots) > 0 {
		var roots []string
		for _, root := range r.Roots {
			roots = append(roots, mdCode(root))
		}
		p(" over %s", strings.Join(roots, ", "))
	}
	p(".\n\n")

	if r.Interrupted {
		p("> [!WARNING]\n> The scan was interrupted: inputs after that point were not checked.\n\n")
	}
	if n := max(len(allErrors(r)), s.Errors); n > 0 {
		p("> [!WARNING]\n> The result is incomplete: %s could not be read (see the errors below).\n\n", plural(n, "input", "inputs"))
	}
	if c := s.Publisher; c.Packages > c.Known {
		w := publisherWarning(c)
		p("> [!NOTE]\n> %s.\n\n", mdText(strings.ToUpper(w[:1])+w[1:]))
	}

	p("## Summary\n\n| | |\n| --- | --- |\n")
	p("| Repositories | %d |\n", s.Repos)
	lf := strconv.Itoa(s.Lockfiles)
	if n := unreadable(r); n > 0 {
		lf += fmt.Sprintf(", %d unreadable", n)
	}
	if n := len(partlyRead(r)); n > 0 {
		lf += fmt.Sprintf(", %d partly read", n)
	}
	p("| Lockfiles | %s |\n", lf)
	p("| Packages | %d |\n", s.Packages)
	if h := historySummary(r); h != "" {
		p("| History | %s |\n", mdText(h))
	}
	fv := strconv.Itoa(s.Findings)
	if len(by) > 0 {
		fv += " (" + strings.Join(by, ", ") + ")"
	}
	if len(collisions) > 0 {
		fv += fmt.Sprintf(", %s a name collision", plural(len(collisions), "is", "are"))
	}
	p("| Findings | %s |\n", fv)
	p("| Errors | %d |\n", s.Errors)
	for _, m := range machineLines(r) {
		p("| Machine | %s |\n", mdText(m))
	}
	if c := s.Publisher; c.Packages > 0 {
		v := fmt.Sprintf("%d of %d packages", c.Known, c.Packages)
		if len(c.Sources) > 0 {
			var src []string
			for _, x := range c.Sources {
				src = append(src, mdCell(x))
			}
			v += " (" + strings.Join(src, ", ") + ")"
		}
		p("| Publisher data | %s |\n", v)
	}
	if c := s.Supplier; c != nil && c.Packages > 0 {
		var src []string
		for _, x := range c.Sources {
			src = append(src, mdCell(x))
		}
		p("| Supplier data | %s |\n", supplierLine(*c, src))
	}
	for _, f := range r.Feeds {
		v := fmt.Sprintf("%s: %s, %s", mdCell(f.Name), plural(f.Advisories, "advisory", "advisories"),
			plural(f.Indicators, "indicator", "indicators"))
		if f.SHA256 != "" {
			v += ", sha256 " + mdCell(shortHash(f.SHA256))
		}
		p("| Feed | %s |\n", v)
	}
	p("\n")
	historyReposMarkdown(b, r)
}

// mdFindingsHeader returns whether the findings table needs the history
// and the host-trace columns, and its header and separator rows.
func mdFindingsHeader(active []Finding) (hist, seen bool, header string) {
	// History and host-trace reports get their own columns; scan
	// reports keep the six.
	for _, f := range active {
		hist = hist || f.FirstSeen != nil
		seen = seen || f.Trace != "" || f.SeenAt != nil
	}
	h := "| Severity | Package | Repo | Lockfile | Path | Indicator |"
	sep := "\n| --- | --- | --- | --- | --- | --- |"
	if hist {
		h += " Branch | First seen | Removed | Audit window |"
		sep += " --- | --- | --- | --- |"
	}
	if seen {
		h += " Seen |"
		sep += " --- |"
	}
	return hist, seen, h + sep + "\n"
}

// mdFindingRow is one row of the findings table, with its newline.
func mdFindingRow(f *Finding, hist, seen bool) string {
	var b strings.Builder
	p := func(format string, args ...any) { fmt.Fprintf(&b, format, args...) }
	sev := "**" + mdText(f.Severity) + "**"
	switch f.Status {
	case "new":
		sev += " (new)"
	}
	if f.Suppressed != nil {
		sev += " (suppressed)"
	}
	pkg := mdCell(f.Package.Name + "@" + f.Package.Version)
	if f.Package.Alias != "" {
		pkg += " as " + mdCell(f.Package.Alias)
	}
	pkg += " " + cond(f.Package.Dev, "dev", "prod")
	path := "direct"
	if !f.Package.Direct || len(f.Path) == 0 {
		path = mdPath(f.Path)
	}
	p("| %s | %s | %s | %s | %s | %s |", sev, pkg, mdCell(f.Repo), mdCell(location(*f)), path,
		mdText(f.Indicator.Kind)+" "+mdCell(f.Indicator.Value))
	if hist {
		p(" %s |", mdHistory(f))
	}
	if seen {
		p(" %s |", mdText(seenText(f)))
	}
	p("\n")
	return b.String()
}

// positionRE matches the ":line:col: " after a path in an error message.
var positionRE = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`^(:[0-9]+){1,2}: `) })

// evidence lists what matched, finding by finding, in the table's order.
func evidence(b *bytes.Buffer, fs []Finding) {
	b.WriteString("<details>\n<summary>Evidence</summary>\n\n")
	for _, f := range fs {
		fmt.Fprintf(b, "- %s in %s: %s", mdCode(pkgSpec(f)), mdCode(location(f)), mdText(cmp.Or(f.Evidence, "no evidence recorded")))
		if f.ID != "" {
			fmt.Fprintf(b, " (id %s)", mdCode(f.ID))
		}
		if sp := f.Suppressed; sp != nil {
			fmt.Fprintf(b, "; suppressed: %s (%s)", mdText(sp.Reason), mdCode(sp.Source))
		}
		b.WriteString("\n")
	}
	b.WriteString("\n</details>\n\n")
}

// advisories writes one section per advisory: summary, exposure window,
// remediation checklist and references.
func advisories(b *bytes.Buffer, fs []Finding) { advisoriesUpTo(b, fs, -1) }

// advisoriesUpTo is advisories; with limit ≥ 0, sections stop once they
// take limit bytes, and a last line says how many were left out.
func advisoriesUpTo(b *bytes.Buffer, fs []Finding, limit int) {
	type group struct {
		adv         Advisory
		remediation []string
		findings    int
		repos       map[string]bool
	}
	var order []string
	groups := map[string]*group{}
	for _, f := range fs {
		g := groups[f.Advisory.ID]
		if g == nil {
			g = &group{adv: f.Advisory, repos: map[string]bool{}}
			groups[f.Advisory.ID] = g
			order = append(order, f.Advisory.ID)
		}
		g.findings++
		g.repos[f.Repo] = true
		// The steps come with each finding; keep each once, in order.
		for _, s := range f.Remediation {
			if !slices.Contains(g.remediation, s) {
				g.remediation = append(g.remediation, s)
			}
		}
	}
	start := b.Len()
	for i, id := range order {
		gb := &bytes.Buffer{}
		g := groups[id]
		fmt.Fprintf(gb, "## %s", mdText(id))
		if g.adv.Title != "" {
			fmt.Fprintf(gb, ": %s", mdText(g.adv.Title))
		}
		gb.WriteString("\n\n")
		fmt.Fprintf(gb, "%s in %s.", plural(g.findings, "finding", "findings"), plural(len(g.repos), "repository", "repositories"))
		if len(g.adv.Aliases) > 0 {
			var al []string
			for _, a := range g.adv.Aliases {
				al = append(al, mdText(a))
			}
			fmt.Fprintf(gb, " Also known as %s.", strings.Join(al, ", "))
		}
		if g.adv.Published != nil {
			fmt.Fprintf(gb, " Published %s.", g.adv.Published.UTC().Format(time.DateOnly))
		}
		gb.WriteString("\n\n")
		if g.adv.Summary != "" {
			gb.WriteString(mdText(g.adv.Summary) + "\n\n")
		}
		if e := g.adv.Exposure; e != nil {
			fmt.Fprintf(gb, "**Exposure window:** %s.\n\n", mdText(exposure(e)))
		}
		if len(g.remediation) > 0 {
			gb.WriteString("**Remediation**\n\n")
			for _, s := range g.remediation {
				gb.WriteString("- [ ] " + mdText(s) + "\n")
			}
			gb.WriteString("\n")
		}
		if len(g.adv.References) > 0 {
			gb.WriteString("**References**\n\n")
			for _, ref := range g.adv.References {
				gb.WriteString("- " + mdLink(ref) + "\n")
			}
			gb.WriteString("\n")
		}
		if limit >= 0 && b.Len()-start+gb.Len() > limit {
			fmt.Fprintf(b, "%s: see the JSON report.\n\n", plural(len(order)-i, "more advisory", "more advisories"))
			break
		}
		b.Write(gb.Bytes())
	}
}

// mdHistory writes the branch, first seen, removed and audit window cells
// of a finding traced through git history ("" cells for one that was not).
func mdHistory(f *Finding) string {
	if f.FirstSeen == nil {
		return " | | |"
	}
	first := mdCommit(f.FirstSeen)
	switch f.Before {
	case "shallow":
		first = "shallow boundary " + first + " (may be older)"
	case "since":
		first = "before " + first + " (--since)"
	}
	removed := "still present"
	if f.RemovedIn != nil {
		removed = mdCommit(f.RemovedIn)
	}
	audit := ""
	if f.Exposure != nil {
		if ws := auditPeriods(f); len(ws) > 0 {
			// One window per span of presence: not the clean days between.
			var parts []string
			for _, w := range ws {
				parts = append(parts, mdText(periodText(w)))
			}
			audit = strings.Join(parts, "; ")
		} else {
			audit = "none (outside the advisory's window)"
		}
	}
	return mdCell(f.Branch) + " | " + first + " | " + removed + " | " + audit
}

// mdCommit writes a commit for a table cell: date, short hash, author.
func mdCommit(c *CommitRef) string {
	s := mdCell(shortHash(c.Hash))
	if !c.Date.IsZero() {
		s = c.Date.UTC().Format(time.DateOnly) + " " + s
	}
	if c.Author != "" {
		s += " " + mdText(c.Author)
	}
	return s
}

// mdPath writes a dependency path for a table cell, as code spans joined by
// arrows.
func mdPath(path []string) string {
	if len(path) == 0 {
		return "unknown"
	}
	parts := make([]string, len(path))
	for i, el := range path {
		parts[i] = mdCell(el)
	}
	return strings.Join(parts, " → ")
}

// mdReplacer escapes text for Markdown prose and table cells: Markdown
// punctuation with a backslash, HTML characters as entities, so that a value
// can neither break a table nor inject markup.
var mdReplacer = strings.NewReplacer(
	`\`, `\\`, "`", "\\`", "|", `\|`, "*", `\*`, "_", `\_`, "[", `\[`, "]", `\]`,
	"<", "&lt;", ">", "&gt;", "&", "&amp;", "#", `\#`, "~", `\~`,
	"\r\n", " ", "\n", " ", "\r", " ",
)

// newlines turns line breaks into spaces: a Markdown value is one line.
var newlines = strings.NewReplacer("\r\n", " ", "\n", " ", "\r", " ")

// mdText escapes s for Markdown prose.
// E-mail addresses are put in code spans, so that GitHub does not make
// them mailto: links.
func mdText(s string) string { return mdTextCode(clean1(s)) }

// mdCode puts s in a code span, for use outside tables. Backticks inside
// get a longer fence; HTML inside a code span is shown, not rendered.
func mdCode(s string) string { return codeSpan(s, false) }

// mdCell is mdCode for a table cell: a pipe is escaped even inside a code
// span there, because GFM splits table rows on pipes first.
func mdCell(s string) string { return codeSpan(s, true) }

func codeSpan(s string, cell bool) string {
	// Why: a code span would show "<" as it is, which is safe in GFM but
	// leaves markup in the source that other renderers may not treat as
	// code; such a value is written as escaped text instead.
	if strings.ContainsAny(s, "<>") {
		return mdText(s)
	}
	s = newlines.Replace(clean1(s))
	if s == "" {
		return "` `"
	}
	if cell {
		s = strings.ReplaceAll(s, "|", `\|`)
	}
	fence := "`"
	for strings.Contains(s, fence) {
		fence += "`"
	}
	if strings.HasPrefix(s, "`") || strings.HasSuffix(s, "`") || (strings.HasPrefix(s, " ") && strings.HasSuffix(s, " ")) {
		s = " " + s + " "
	}
	return fence + s + fence
}

// mdLink writes an http(s) URL as an autolink, anything else as code.
func mdLink(ref string) string {
	u, err := url.Parse(ref)
	if err == nil && (u.Scheme == "https" || u.Scheme == "http") && u.Host != "" &&
		!strings.ContainsAny(ref, " <>\"`|\\\n\r\t") {
		return "<" + ref + ">"
	}
	return mdCode(ref)
}

// clean1 is clean, but keeps line breaks as they are: the Markdown
// escapers turn them into spaces.
func clean1(s string) string { return cleanWith(s, true) }
