package report

import (
	"bytes"
	"cmp"
	"fmt"
	"io"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"
)

func init() {
	register("text", 10, func(w io.Writer, r *Report, opts Options) error {
		return WriteText(w, r, TextOptions{Color: opts.Color})
	})
}

// TextOptions control the text report.
type TextOptions struct {
	// Color turns on ANSI colour and bold. The caller decides: set it only
	// when the output is a terminal and NO_COLOR is unset. The zero value
	// writes plain text with no escape sequence at all.
	Color bool
}

// textWidth is the column at which the text report wraps prose. Paths, URLs
// and dependency chains are never broken inside a token.
const textWidth = 100

// labelWidth is the width of the label column in a finding block.
const labelWidth = 15

// WriteText renders r for a terminal: a summary first, then one block per
// finding (highest severity first) holding what is specific to that finding,
// an Advisories section that gives each advisory's details (summary, exposure
// window, references, remediation) once for all its findings, name
// collisions, findings resolved since the baseline, and every error. The output depends only on r. It writes to w
// once, at the end, and returns the first error from w.
func WriteText(w io.Writer, r *Report, opts TextOptions) error {
	t := &textWriter{p: painter{opts.Color}}
	t.report(r)
	_, err := w.Write(t.buf.Bytes())
	return err
}

type textWriter struct {
	buf bytes.Buffer
	p   painter
}

func (t *textWriter) printf(format string, args ...any) { fmt.Fprintf(&t.buf, format, args...) }

func (t *textWriter) report(r *Report) {
	if r.Mail != nil {
		t.mailReport(r)
		return
	}
	p := t.p
	name := cmp.Or(r.Tool.Name, "depsweep")
	head := clean(name)
	if r.Tool.Version != "" {
		head += " " + clean(r.Tool.Version)
	}
	if !r.Started.IsZero() {
		head += " · scan of " + r.Started.UTC().Format("2006-01-02 15:04:05 UTC")
		if !r.Finished.IsZero() && r.Finished.After(r.Started) {
			head += " · " + r.Finished.Sub(r.Started).Round(time.Millisecond).String()
		}
	}
	t.printf("%s\n", p.bold(head))
	if len(r.Roots) > 0 {
		t.printf("roots: %s\n", strings.Join(cleanAll(r.Roots), ", "))
	}
	if r.Interrupted {
		t.printf("%s\n", p.warn("the scan was interrupted: only part of the inputs were checked"))
	}

	active, collisions, resolved := splitFindings(r.Findings)
	t.summary(r, collisions)
	t.historyRepos(r)
	t.repoTable(r)

	if len(active) == 0 {
		t.printf("\n")
		t.para(noFindings(r), 0)
	} else {
		t.printf("\n%s\n", p.bold(fmt.Sprintf("Findings (%d)", len(active))))
		oneRoot := singleRoot(r, active)
		for i := range active {
			t.printf("\n")
			t.finding(&active[i], oneRoot)
		}
		t.advisories(active, collisions)
	}
	if len(collisions) > 0 {
		t.printf("\n%s\n", p.bold(fmt.Sprintf("Name collisions, not malicious (%d)", len(collisions))))
		t.para("These packages share a name with a malicious package but were not installed from a registry (git, file, link or workspace). Check that the source is yours.", 2)
		for i := range collisions {
			t.collision(&collisions[i])
		}
	}
	if len(resolved) > 0 {
		t.printf("\n%s\n", p.bold(fmt.Sprintf("Resolved since the baseline (%d)", len(resolved))))
		for _, f := range resolved {
			t.printf("  %s %s in %s\n", clean(f.Advisory.ID), packageAt(f.Package), location(f))
		}
	}
	t.noLockfile(r)
	t.errors(r)
}

// summary writes the counts a reader looks at first.
func (t *textWriter) summary(r *Report, collisions []Finding) {
	s := r.Summary
	t.printf("\n%s\n", t.p.bold("Summary"))
	t.field("repos", strconv.Itoa(s.Repos))
	lf := strconv.Itoa(s.Lockfiles)
	var notes []string
	if n := unreadable(r); n > 0 {
		notes = append(notes, fmt.Sprintf("%d unreadable", n))
	}
	if n := len(partlyRead(r)); n > 0 {
		notes = append(notes, fmt.Sprintf("%d partly read", n))
	}
	if len(notes) > 0 {
		lf += " (" + strings.Join(notes, ", ") + ")"
	}
	t.field("lockfiles", lf)
	t.field("packages", strconv.Itoa(s.Packages))
	if h := historySummary(r); h != "" {
		t.field("history", h)
	}
	fv := fmt.Sprintf("%d", s.Findings)
	if s.Findings > 0 {
		fv += ": " + bySeverity(s.BySeverity, t.p)
	}
	if n := len(collisions); n > 0 {
		fv += fmt.Sprintf(" (%s a name collision)", plural(n, "is", "are"))
	}
	t.field("findings", fv)
	if s.Errors > 0 {
		t.field("errors", fmt.Sprintf("%d: the result is incomplete", s.Errors))
	} else {
		t.field("errors", "0")
	}
	label := "machine"
	if len(r.Summary.Machines) > 0 {
		label = "machines"
	}
	for _, m := range machineLines(r) {
		t.field(label, m)
		label = ""
	}
	if c := s.Publisher; c.Packages > 0 {
		v := fmt.Sprintf("data for %d of %d packages", c.Known, c.Packages)
		if len(c.Sources) > 0 {
			v += " (" + strings.Join(cleanAll(c.Sources), ", ") + ")"
		}
		t.field("publisher", v)
		if missing := c.Packages - c.Known; missing > 0 {
			t.field("warning", t.p.warn(publisherWarning(c)))
		}
	}
	if c := s.Supplier; c != nil && c.Packages > 0 {
		t.field("supplier", supplierLine(*c, cleanAll(c.Sources)))
	}
	if len(r.Feeds) == 0 {
		t.field("feeds", "none")
	}
	for i, f := range r.Feeds {
		label := ""
		if i == 0 {
			label = "feeds"
		}
		t.field(label, feedLine(f))
	}
}

// singleRoot reports whether the scan covered one repository, the scan root
// itself, so that a "repo ." line in every finding block would say nothing.
func singleRoot(r *Report, active []Finding) bool {
	if r.Summary.Repos > 1 || len(r.Repos) > 1 {
		return false
	}
	for _, f := range active {
		if f.Repo != "." {
			return false
		}
	}
	return true
}

// finding writes one finding block: only what is specific to the finding.
// The advisory's details are written once, in the Advisories section. With
// oneRoot, the repo line is left out (see singleRoot).
func (t *textWriter) finding(f *Finding, oneRoot bool) {
	p := t.p
	sev := strings.ToUpper(clean(f.Severity))
	head := clean(f.Advisory.ID)
	if f.Advisory.Title != "" {
		head += ": " + clean(f.Advisory.Title)
	}
	var tag string
	if f.Status == "new" {
		tag = "  [new]"
	}
	if f.Suppressed != nil {
		tag += "  [suppressed]"
	}
	// Why one line: the severity column must stay scannable down a long
	// list; the full title is in the Advisories section.
	head = truncate(head, textWidth-10-len(tag)) + tag
	t.printf("%s%s%s\n", p.sev(f.Severity, sev), strings.Repeat(" ", max(1, 10-len(sev))), p.bold(head))
	if !oneRoot {
		t.field("repo", clean(f.Repo))
	}
	t.field("lockfile", location(*f))
	pkg := packageAt(f.Package)
	if f.Package.Alias != "" {
		pkg += fmt.Sprintf(", installed as %q", clean(f.Package.Alias))
	}
	t.field("package", pkg)
	if f.Package.Resolved != "" {
		t.field("resolved", clean(f.Package.Resolved))
	}
	scope := scopeOf(f.Package)
	if f.Package.Direct {
		if len(f.Path) > 1 {
			scope += ", direct dependency of " + clean(f.Path[0])
		} else {
			scope += ", direct dependency"
		}
		t.field("scope", scope)
	} else {
		t.field("scope", scope)
		if len(f.Path) > 0 {
			t.chain("pulled in by", cleanAll(f.Path))
		} else {
			t.field("pulled in by", "unknown (the lockfile records no path to this package)")
		}
	}
	if f.Declared != "" {
		t.field("declared", fmt.Sprintf("%q in a project without a lockfile: could resolve to an affected version", clean(f.Declared)))
	}
	t.field("matched", clean(f.Indicator.Kind)+" "+clean(f.Indicator.Value))
	if f.Evidence != "" {
		t.field("evidence", clean(f.Evidence))
	}
	if f.Trace != "" || f.SeenAt != nil {
		t.field("seen", seenText(f))
	}
	if f.FirstSeen != nil {
		t.field("history", historyText(f))
	}
	if f.Exposure != nil {
		t.field("audit", auditText(f))
	}
	if sp := f.Suppressed; sp != nil {
		t.field("suppressed", clean(sp.Reason)+" ("+clean(sp.Source)+cond(sp.Until != "", ", until "+sp.Until, "")+")")
	}
	if f.ID != "" {
		t.field("id", clean(f.ID))
	}
}

// An advisoryGroup is one advisory and the findings it covers.
type advisoryGroup struct {
	adv         Advisory // from the first finding; lists merged from all
	remediation []string // each step once, in first-seen order
	bySeverity  map[string]int
	findings    int
	fresh       int // findings new since the baseline
	repos       map[string]bool
	collisions  int
}

// groupAdvisories returns the advisories of active in order of first
// appearance (so the one with the most severe finding comes first), each
// with the findings and name collisions it covers.
func groupAdvisories(active, collisions []Finding) []*advisoryGroup {
	var order []*advisoryGroup
	byID := map[string]*advisoryGroup{}
	for _, f := range active {
		g := byID[f.Advisory.ID]
		if g == nil {
			g = &advisoryGroup{adv: f.Advisory, bySeverity: map[string]int{}, repos: map[string]bool{}}
			g.adv.Aliases = slices.Clone(f.Advisory.Aliases)
			g.adv.References = slices.Clone(f.Advisory.References)
			byID[f.Advisory.ID] = g
			order = append(order, g)
		}
		// Why merge: findings of one advisory id normally carry the same
		// details, but two feeds may describe it differently; say all.
		g.adv.Title = cmp.Or(g.adv.Title, f.Advisory.Title)
		g.adv.Summary = cmp.Or(g.adv.Summary, f.Advisory.Summary)
		if g.adv.Published == nil {
			g.adv.Published = f.Advisory.Published
		}
		if g.adv.Exposure == nil {
			g.adv.Exposure = f.Advisory.Exposure
		}
		g.adv.Aliases = appendNew(g.adv.Aliases, f.Advisory.Aliases)
		g.adv.References = appendNew(g.adv.References, f.Advisory.References)
		g.remediation = appendNew(g.remediation, f.Remediation)
		g.findings++
		g.bySeverity[f.Severity]++
		g.repos[f.Repo] = true
		if f.Status == "new" {
			g.fresh++
		}
	}
	for _, f := range collisions {
		if g := byID[f.Advisory.ID]; g != nil {
			g.collisions++
		}
	}
	return order
}

// appendNew appends the elements of add that dst does not hold yet.
func appendNew(dst, add []string) []string {
	for _, s := range add {
		if !slices.Contains(dst, s) {
			dst = append(dst, s)
		}
	}
	return dst
}

// advisories writes the Advisories section: each advisory that has findings,
// once, with its details and what it covers. Advisories that only name
// collisions match are left out: their remediation is not for those packages.
func (t *textWriter) advisories(active, collisions []Finding) {
	groups := groupAdvisories(active, collisions)
	t.printf("\n%s\n", t.p.bold(fmt.Sprintf("Advisories (%d)", len(groups))))
	for _, g := range groups {
		a := g.adv
		head := clean(a.ID)
		if a.Title != "" {
			head += ": " + clean(a.Title)
		}
		// The title wraps under itself, like a finding's used to.
		indent := min(visibleLen(clean(a.ID))+2, 40)
		t.printf("\n")
		for i, l := range wrap(head, textWidth-indent) {
			t.printf("%s%s\n", cond(i == 0, "", strings.Repeat(" ", indent)), t.p.bold(l))
		}
		if len(a.Aliases) > 0 {
			t.field("aliases", strings.Join(cleanAll(a.Aliases), ", "))
		}
		if a.Published != nil {
			t.field("published", a.Published.UTC().Format(time.DateOnly))
		}
		t.field("covers", t.covers(g))
		if a.Summary != "" {
			// A summary is prose, often with hard line breaks from the feed:
			// keep them as breaks between words (wrap splits on them and
			// never prints them), not as escapes.
			t.field("summary", cleanWith(a.Summary, true))
		}
		if a.Exposure != nil {
			t.field("exposure", exposure(a.Exposure))
		}
		for i, ref := range a.References {
			t.field(cond(i == 0, "references", ""), clean(ref))
		}
		for i, step := range g.remediation {
			t.numbered(cond(i == 0, "remediation", ""), i+1, clean(step))
		}
	}
}

// covers says which findings an advisory covers: "6 findings in 4
// repositories: 4 critical, 2 medium; 1 name collision, not malicious".
func (t *textWriter) covers(g *advisoryGroup) string {
	v := plural(g.findings, "finding", "findings") + " in " + plural(len(g.repos), "repository", "repositories")
	var parts []string
	for _, s := range severities {
		if n := g.bySeverity[s]; n > 0 {
			parts = append(parts, t.p.sev(s, fmt.Sprintf("%d %s", n, s)))
		}
	}
	var other []string
	for s := range g.bySeverity {
		if severityRank(s) < 0 {
			other = append(other, s)
		}
	}
	slices.Sort(other)
	for _, s := range other {
		parts = append(parts, fmt.Sprintf("%d %s", g.bySeverity[s], cmp.Or(clean(s), "unknown severity")))
	}
	v += ": " + strings.Join(parts, ", ")
	if g.fresh > 0 {
		v += fmt.Sprintf(" (%d new)", g.fresh)
	}
	if g.collisions > 0 {
		v += "; " + plural(g.collisions, "name collision", "name collisions") + ", not malicious (listed below)"
	}
	return v
}

// collision writes one name collision, shortly.
func (t *textWriter) collision(f *Finding) {
	t.printf("  %s  %s\n", packageAt(f.Package), location(*f))
	var b strings.Builder
	b.WriteString(clean(f.Advisory.ID) + ": ")
	if f.Evidence != "" {
		b.WriteString(clean(f.Evidence))
	} else {
		b.WriteString("same name as the malicious package " + clean(f.Indicator.Value))
	}
	if f.Package.Resolved != "" {
		b.WriteString("; resolved " + clean(f.Package.Resolved))
	} else if f.Package.Source != "" {
		b.WriteString("; source " + clean(f.Package.Source))
	}
	t.para(b.String(), 6)
}

// errors writes every input that could not be read, and the lockfiles
// whose parser skipped entries.
func (t *textWriter) errors(r *Report) {
	errs := allErrors(r)
	if len(errs) > 0 {
		t.printf("\n%s\n", t.p.bold(fmt.Sprintf("Errors (%d): not checked, the result is incomplete", len(errs))))
		for _, e := range errs {
			t.para(errorLine(e), 2)
		}
	}
	if pr := partlyRead(r); len(pr) > 0 {
		t.printf("\n%s\n", t.p.bold(fmt.Sprintf("Partly read (%d): entries skipped, those packages were not checked", len(pr))))
		for _, lf := range pr {
			t.printf("  %s: %s skipped\n", clean(lf.Path), plural(len(lf.Problems), "entry", "entries"))
			for _, pb := range lf.Problems {
				msg := clean(pb.Msg)
				if pb.Line > 0 {
					msg = fmt.Sprintf("line %d: %s", pb.Line, msg)
				}
				t.para(msg, 4)
			}
		}
	}
}

// field writes a label and a value, wrapping the value under itself.
func (t *textWriter) field(label, value string) {
	pad := "  " + label + strings.Repeat(" ", max(1, labelWidth-len(label)-2))
	indent := strings.Repeat(" ", labelWidth)
	for i, l := range wrap(value, textWidth-labelWidth) {
		t.printf("%s%s\n", cond(i == 0, pad, indent), l)
	}
}

// numbered writes step n of a list under label.
func (t *textWriter) numbered(label string, n int, text string) {
	num := strconv.Itoa(n) + ". "
	pad := "  " + label + strings.Repeat(" ", max(1, labelWidth-len(label)-2))
	indent := strings.Repeat(" ", labelWidth+len(num))
	for i, l := range wrap(text, textWidth-labelWidth-len(num)) {
		if i == 0 {
			t.printf("%s%s%s\n", pad, num, l)
		} else {
			t.printf("%s%s\n", indent, l)
		}
	}
}

// chain writes a dependency path, breaking lines only between elements so
// that a long name is never cut.
func (t *textWriter) chain(label string, path []string) {
	pad := "  " + label + strings.Repeat(" ", max(1, labelWidth-len(label)-2))
	indent := strings.Repeat(" ", labelWidth)
	line, col := pad, labelWidth
	for i, el := range path {
		if i > 0 {
			el = "→ " + el
			if col+1+utf8.RuneCountInString(el) > textWidth {
				t.printf("%s\n", line)
				line, col = indent, labelWidth
			} else {
				line += " "
				col++
			}
		}
		line += el
		col += utf8.RuneCountInString(el)
	}
	t.printf("%s\n", line)
}

// para writes prose wrapped at textWidth with the given indent.
func (t *textWriter) para(s string, indent int) {
	in := strings.Repeat(" ", indent)
	for _, l := range wrap(s, textWidth-indent) {
		t.printf("%s%s\n", in, l)
	}
}

// noFindings says what was checked when nothing was found, and whether that
// result is incomplete.
func noFindings(r *Report) string {
	s := r.Summary
	var b strings.Builder
	lead := "No findings"
	if inconclusiveRepos(r) > 0 {
		lead = "Inconclusive, no finding in the history walked"
	}
	fmt.Fprintf(&b, "%s: checked %s (%s) in %s against %s", lead,
		plural(s.Lockfiles, "lockfile", "lockfiles"), plural(s.Packages, "package", "packages"),
		plural(s.Repos, "repository", "repositories"), plural(len(r.Feeds), "feed", "feeds"))
	var names []string
	for _, f := range r.Feeds {
		names = append(names, fmt.Sprintf("%s: %s, %s", clean(f.Name),
			plural(f.Advisories, "advisory", "advisories"), plural(f.Indicators, "indicator", "indicators")))
	}
	if len(names) > 0 {
		b.WriteString(" (" + strings.Join(names, "; ") + ")")
	}
	b.WriteString(".")
	if n := len(allErrors(r)); n > 0 || s.Errors > 0 {
		n = max(n, s.Errors)
		fmt.Fprintf(&b, " The result is incomplete: %s could not be read (listed below) and %s not checked.",
			plural(n, "input", "inputs"), cond(n == 1, "was", "were"))
	}
	if r.Interrupted {
		b.WriteString(" The scan was interrupted: inputs after that point were not checked.")
	}
	if n := inconclusiveRepos(r); n > 0 {
		fmt.Fprintf(&b, " Inconclusive: the history of %s starts at a shallow clone's boundary after the advisory's window opened, so the package cannot be ruled out there.",
			plural(n, "repository", "repositories"))
	}
	if c := s.Publisher; c.Packages > c.Known {
		fmt.Fprintf(&b, " Publisher indicators were not checked for %s.", plural(c.Packages-c.Known, "package", "packages"))
	}
	return b.String()
}

// supplierLine describes the supplier coverage of SBOMs, sources being
// its sources as the format writes them.
func supplierLine(c Coverage, sources []string) string {
	v := fmt.Sprintf("in SBOMs for %d of %d packages", c.Known, c.Packages)
	switch {
	case len(sources) > 0:
		v += " (" + strings.Join(sources, ", ") + ")"
	case c.Known < c.Packages:
		v += ": pass --registry-metadata or --registry"
	}
	return v
}

// publisherWarning says what is missing for publisher indicators: the
// flags when no source was given, else which packages the sources lacked.
func publisherWarning(c Coverage) string {
	missing := c.Packages - c.Known
	head := fmt.Sprintf("publisher indicators were not checked for %d %s", missing, cond(missing == 1, "package", "packages"))
	if len(c.Sources) == 0 {
		return head + ": pass --registry-metadata or --registry"
	}
	return head + ": " + cond(missing == 1, "it is", "they are") + " not in " + strings.Join(cleanAll(c.Sources), ", ")
}

func feedLine(f Feed) string {
	v := fmt.Sprintf("%s (%s, %s", clean(f.Name), plural(f.Advisories, "advisory", "advisories"),
		plural(f.Indicators, "indicator", "indicators"))
	if f.SHA256 != "" {
		v += ", sha256 " + clean(shortHash(f.SHA256))
	}
	return v + ")"
}

func shortHash(h string) string {
	if len(h) > 12 {
		return h[:12]
	}
	return h
}

// bySeverity lists the counts per severity, highest first, with unknown
// severity names after the known ones in name order.
func bySeverity(m map[string]int, p painter) string {
	var parts []string
	for _, s := range severities {
		v := fmt.Sprintf("%d %s", m[s], s)
		if m[s] > 0 {
			v = p.sev(s, v)
		}
		parts = append(parts, v)
	}
	var other []string
	for s := range m {
		if severityRank(s) < 0 {
			other = append(other, s)
		}
	}
	slices.Sort(other)
	for _, s := range other {
		parts = append(parts, fmt.Sprintf("%d %s", m[s], clean(s)))
	}
	return strings.Join(parts, ", ")
}

func scopeOf(p Package) string {
	s := cond(p.Dev, "dev", "prod")
	if p.Optional {
		s += " (optional)"
	}
	return s
}

// exposure says when the malicious versions were installable, and what to do
// about that window.
func exposure(w *Window) string {
	from := w.From.UTC().Format(time.DateOnly)
	if w.To == nil {
		return "malicious versions installable since " + from + " (no end known): audit activity since then"
	}
	return "malicious versions installable " + from + " → " + w.To.UTC().Format(time.DateOnly) +
		": audit activity in that window"
}

func errorLine(e Error) string {
	path, msg := clean(e.Path), clean(e.Error)
	// Why: a parse error usually names its file already ("a/yarn.lock:3:1:
	// ..."); say the path once, at the front.
	if path == "" || strings.HasPrefix(msg, path+":") {
		return msg
	}
	return path + ": " + msg
}

// Shared by the writers.

// severities lists the severity names, highest first.
var severities = []string{"critical", "high", "medium", "low", "info"}

// severityRank orders severity names: critical is highest; unknown names
// rank below info.
func severityRank(s string) int {
	switch s {
	case "critical":
		return 4
	case "high":
		return 3
	case "medium":
		return 2
	case "low":
		return 1
	case "info":
		return 0
	}
	return -1
}

// splitFindings sorts a copy of fs and splits it into findings to act on,
// name collisions, and findings resolved since the baseline.
func splitFindings(fs []Finding) (active, collisions, resolved []Finding) {
	sorted := slices.Clone(fs)
	sortFindings(sorted)
	for _, f := range sorted {
		switch {
		case f.Status == "resolved":
			resolved = append(resolved, f)
		case f.Collision:
			collisions = append(collisions, f)
		default:
			active = append(active, f)
		}
	}
	return active, collisions, resolved
}

// allErrors returns r.Errors plus the lockfiles whose Error is set but that
// r.Errors does not list, sorted by path: no unreadable input goes unsaid.
func allErrors(r *Report) []Error {
	errs := slices.Clone(r.Errors)
	seen := make(map[string]bool, len(errs))
	for _, e := range errs {
		seen[e.Path] = true
	}
	for _, lf := range r.Lockfiles {
		if lf.Error != "" && !seen[lf.Path] {
			errs = append(errs, Error{Path: lf.Path, Error: lf.Error})
			seen[lf.Path] = true
		}
	}
	slices.SortStableFunc(errs, func(a, b Error) int { return cmp.Compare(a.Path, b.Path) })
	return errs
}

// unreadable counts the lockfiles that contributed nothing.
func unreadable(r *Report) int {
	n := 0
	for _, lf := range r.Lockfiles {
		if lf.Error != "" {
			n++
		}
	}
	return n
}

// partlyRead returns the lockfiles that were read but had entries skipped,
// sorted by path.
func partlyRead(r *Report) []Lockfile {
	var out []Lockfile
	for _, lf := range r.Lockfiles {
		if len(lf.Problems) > 0 && lf.Error == "" {
			out = append(out, lf)
		}
	}
	slices.SortStableFunc(out, func(a, b Lockfile) int { return cmp.Compare(a.Path, b.Path) })
	return out
}

// packageAt is "name@version".
func packageAt(p Package) string {
	if p.Version == "" {
		return clean(p.Name)
	}
	return clean(p.Name) + "@" + clean(p.Version)
}

// location is "lockfile:line", or the lockfile alone when the line is unknown.
func location(f Finding) string {
	if f.Line > 0 {
		return clean(f.Lockfile) + ":" + strconv.Itoa(f.Line)
	}
	return clean(f.Lockfile)
}

func plural(n int, one, many string) string {
	if n == 1 {
		return "1 " + one
	}
	return strconv.Itoa(n) + " " + many
}

func cond[T any](c bool, a, b T) T {
	if c {
		return a
	}
	return b
}

// clean makes an untrusted value safe to print: control characters
// (including ESC, so a package name cannot drive the terminal) and Unicode
// bidirectional overrides (which can make text read differently than it is)
// are shown as \x.. or \u.... escapes; invalid UTF-8 becomes U+FFFD.
func clean(s string) string { return cleanWith(s, false) }

// cleanWith is clean; with keepNL, it leaves line feeds and carriage
// returns alone.
func cleanWith(s string, keepNL bool) string {
	if !needsClean(s) {
		return s
	}
	var b strings.Builder
	for _, r := range s {
		switch {
		case keepNL && (r == '\n' || r == '\r'):
			b.WriteRune(r)
		case r < 0x80 && unicode.IsControl(r):
			fmt.Fprintf(&b, `\x%02x`, r)
		case unicode.IsControl(r) || isBidi(r):
			fmt.Fprintf(&b, `\u%04x`, r)
		default:
			b.WriteRune(r)
		}
	}
	return b.String()
}

func needsClean(s string) bool {
	for _, r := range s {
		if r == utf8.RuneError || unicode.IsControl(r) || isBidi(r) {
			return true
		}
	}
	return false
}

// isBidi reports the Unicode bidirectional formatting characters that the
// "Trojan Source" attacks use.
func isBidi(r rune) bool {
	return (r >= 0x202A && r <= 0x202E) || (r >= 0x2066 && r <= 0x2069) || r == 0x200E || r == 0x200F || r == 0x061C
}

func cleanAll(ss []string) []string {
	out := make([]string, len(ss))
	for i, s := range ss {
		out[i] = clean(s)
	}
	return out
}

// truncate shortens s to at most width runes, marking the cut with "…". It
// cuts between words when a space is in the second half of what fits, and
// inside a word otherwise.
func truncate(s string, width int) string {
	if visibleLen(s) <= width {
		return s
	}
	r := []rune(s)
	if width < 2 {
		return string(r[:max(width, 0)])
	}
	cut := string(r[:width-1])
	if i := strings.LastIndexByte(cut, ' '); i > len(cut)/2 {
		return strings.TrimRight(cut[:i], " ") + " …"
	}
	return cut + "…"
}

// wrap splits s into lines of at most width runes, breaking at spaces. A
// word longer than width (a path, a URL) gets a line of its own, unbroken.
func wrap(s string, width int) []string {
	words := strings.Fields(s)
	if len(words) == 0 {
		return []string{""}
	}
	var lines []string
	line := words[0]
	n := visibleLen(line)
	for _, w := range words[1:] {
		wn := visibleLen(w)
		if n+1+wn > width {
			lines = append(lines, line)
			line, n = w, wn
			continue
		}
		line += " " + w
		n += 1 + wn
	}
	return append(lines, line)
}

// visibleLen is the number of runes in s that a terminal shows: the ANSI
// colour sequences the painter adds take no room.
func visibleLen(s string) int {
	n := 0
	for len(s) > 0 {
		if s[0] == 0x1b {
			if j := strings.IndexByte(s, 'm'); j > 0 {
				s = s[j+1:]
				continue
			}
		}
		_, size := utf8.DecodeRuneInString(s)
		s = s[size:]
		n++
	}
	return n
}

// painter adds ANSI colour when on; off, it returns its input unchanged.
type painter struct{ on bool }

const (
	ansiReset  = "\x1b[0m"
	ansiBold   = "\x1b[1m"
	ansiRed    = "\x1b[31m"
	ansiYellow = "\x1b[33m"
	ansiCyan   = "\x1b[36m"
	ansiDim    = "\x1b[2m"
)

func (p painter) paint(code, s string) string {
	if !p.on || s == "" {
		return s
	}
	return code + s + ansiReset
}

func (p painter) bold(s string) string { return p.paint(ansiBold, s) }
func (p painter) warn(s string) string { return p.paint(ansiBold+ansiYellow, s) }

// sev colours s by the severity name sev.
func (p painter) sev(sev, s string) string {
	switch sev {
	case "critical":
		return p.paint(ansiBold+ansiRed, s)
	case "high":
		return p.paint(ansiRed, s)
	case "medium":
		return p.paint(ansiYellow, s)
	case "low":
		return p.paint(ansiCyan, s)
	case "info":
		return p.paint(ansiDim, s)
	}
	return s
}
