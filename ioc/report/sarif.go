package report

import (
	"bytes"
	"cmp"
	"encoding/json"
	"fmt"
	"io"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"sync"
	"time"
)

func init() {
	register("sarif", 40, func(w io.Writer, r *Report, _ Options) error { return WriteSARIF(w, r) })
}

// SARIFSchema is the JSON schema URI that WriteSARIF puts in "$schema".
const SARIFSchema = "https://json.schemastore.org/sarif-2.1.0.json"

// informationURI is the project's home page, for tool.driver.informationUri.
const informationURI = "https://github.com/depsweep/depsweep"

// srcRoot is the uriBaseId of every location: lockfile paths are relative
// to the scan root, which code scanning takes as the repository root.
const srcRoot = "%SRCROOT%"

// fingerprintKey names the finding id in result.partialFingerprints.
const fingerprintKey = "depsweepFindingId/v1"

// WriteSARIF renders r as a SARIF 2.1.0 log that GitHub code scanning
// accepts: one run, one rule per advisory and indicator kind (for example
// "MAL-2025-47604/package"; name collisions get their own rule,
// "MAL-2025-47604/package-collision", so that their rule severity is 0), and
// one result per finding, located at its lockfile and line relative to the
// scan root ("%SRCROOT%"). Findings resolved since a baseline are left out,
// so that code scanning closes their alerts. Errors and lockfiles with
// skipped entries become tool execution notifications, and any error (or an
// interrupted scan) marks the invocation as not successful. The output
// depends only on r.
func WriteSARIF(w io.Writer, r *Report) error { return WriteSARIFWith(w, r, SARIFOptions{}) }

// WriteSARIFWith is [WriteSARIF] with options: see [SARIFOptions] for the
// cap on results per run.
func WriteSARIFWith(w io.Writer, r *Report, opts SARIFOptions) error {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetIndent("", "  ")
	// Why: help.markdown holds autolinks; "<" reads better than "\u003c".
	enc.SetEscapeHTML(false)
	var v any = buildSARIFWith(r, opts)
	if r.Mail != nil {
		v = buildMailSARIF(r)
	}
	if err := enc.Encode(v); err != nil {
		return err
	}
	_, err := w.Write(b.Bytes())
	return err
}

// The few SARIF 2.1.0 objects depsweep writes, by the names the spec gives
// them.
type (
	sarifLog struct {
		Schema  string     `json:"$schema"`
		Version string     `json:"version"`
		Runs    []sarifRun `json:"runs"`
	}
	sarifRun struct {
		Tool               sarifTool                        `json:"tool"`
		AutomationDetails  *sarifAutomationDetails          `json:"automationDetails,omitempty"`
		Invocations        []sarifInvocation                `json:"invocations"`
		OriginalURIBaseIDs map[string]sarifArtifactLocation `json:"originalUriBaseIds,omitempty"`
		Results            []sarifResult                    `json:"results"`
	}
	sarifTool struct {
		Driver sarifDriver `json:"driver"`
	}
	sarifDriver struct {
		Name            string      `json:"name"`
		FullName        string      `json:"fullName,omitempty"`
		Version         string      `json:"version,omitempty"`
		SemanticVersion string      `json:"semanticVersion,omitempty"`
		InformationURI  string      `json:"informationUri"`
		Rules           []sarifRule `json:"rules"`
	}
	sarifRule struct {
		ID                   string            `json:"id"`
		Name                 string            `json:"name"`
		ShortDescription     sarifText         `json:"shortDescription"`
		FullDescription      sarifText         `json:"fullDescription"`
		HelpURI              string            `json:"helpUri,omitempty"`
		Help                 sarifMultiformat  `json:"help"`
		DefaultConfiguration sarifRuleConfig   `json:"defaultConfiguration"`
		Properties           sarifRuleProperty `json:"properties"`
	}
	sarifText struct {
		Text string `json:"text"`
	}
	sarifMultiformat struct {
		Text     string `json:"text"`
		Markdown string `json:"markdown"`
	}
	sarifRuleConfig struct {
		Level string `json:"level"`
	}
	sarifRuleProperty struct {
		SecuritySeverity string   `json:"security-severity"`
		Tags             []string `json:"tags"`
		Precision        string   `json:"precision"`
	}
	sarifInvocation struct {
		ExecutionSuccessful bool                `json:"executionSuccessful"`
		StartTimeUTC        string              `json:"startTimeUtc,omitempty"`
		EndTimeUTC          string              `json:"endTimeUtc,omitempty"`
		Notifications       []sarifNotification `json:"toolExecutionNotifications,omitempty"`
	}
	sarifNotification struct {
		Level     string          `json:"level"`
		Message   sarifText       `json:"message"`
		Locations []sarifLocation `json:"locations,omitempty"`
	}
	sarifResult struct {
		RuleID              string             `json:"ruleId"`
		RuleIndex           int                `json:"ruleIndex"`
		Level               string             `json:"level"`
		Message             sarifText          `json:"message"`
		Locations           []sarifLocation    `json:"locations"`
		PartialFingerprints map[string]string  `json:"partialFingerprints,omitempty"`
		BaselineState       string             `json:"baselineState,omitempty"`
		Suppressions        []sarifSuppression `json:"suppressions,omitempty"`
		Properties          sarifResultProps   `json:"properties"`
	}
	// sarifSuppression marks a result an ignore rule accepts: code scanning
	// shows it as dismissed, with the reason.
	sarifSuppression struct {
		Kind          string `json:"kind"`   // "external": the rule is in a file beside the code
		Status        string `json:"status"` // "accepted"
		Justification string `json:"justification"`
	}
	sarifResultProps struct {
		Severity       string   `json:"severity"`
		Repo           string   `json:"repo"`
		Package        string   `json:"package"`
		Version        string   `json:"version"`
		Alias          string   `json:"alias,omitempty"`
		DependencyPath []string `json:"dependencyPath"`
		Dev            bool     `json:"dev"`
		Direct         bool     `json:"direct"`
		Indicator      string   `json:"indicator"`
		Collision      bool     `json:"collision,omitempty"`
		// History ('depsweep history') and host trace ('scan --host') fields.
		Branch    string     `json:"branch,omitempty"`
		FirstSeen *CommitRef `json:"firstSeen,omitempty"`
		Before    string     `json:"before,omitempty"`
		LastSeen  *CommitRef `json:"lastSeen,omitempty"`
		RemovedIn *CommitRef `json:"removedIn,omitempty"`
		Exposure  *Exposure  `json:"exposure,omitempty"`
		Trace     string     `json:"trace,omitempty"`
		SeenAt    *time.Time `json:"seenAt,omitempty"`
	}
	sarifLocation struct {
		PhysicalLocation sarifPhysicalLocation `json:"physicalLocation"`
	}
	sarifPhysicalLocation struct {
		ArtifactLocation sarifArtifactLocation `json:"artifactLocation"`
		Region           *sarifRegion          `json:"region,omitempty"`
	}
	sarifArtifactLocation struct {
		URI       string `json:"uri"`
		URIBaseID string `json:"uriBaseId,omitempty"`
	}
	sarifRegion struct {
		StartLine int `json:"startLine"`
	}
)

// securitySeverity is GitHub's numeric severity per severity name (GitHub
// reads it as a string: over 9.0 critical, 7.0–8.9 high, 4.0–6.9 medium,
// 0.1–3.9 low).
var securitySeverity = map[string]string{
	"critical": "9.5",
	"high":     "8.0",
	"medium":   "5.5",
	"low":      "3.0",
	"info":     "0.0",
}

// sarifLevel maps a severity to a SARIF level.
func sarifLevel(severity string, collision bool) string {
	if collision {
		return "note"
	}
	switch severity {
	case "critical", "high":
		return "error"
	case "medium":
		return "warning"
	}
	return "note"
}

var semverRE = sync.OnceValue(func() *regexp.Regexp {
	return regexp.MustCompile(`^(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)(-[0-9A-Za-z.-]+)?(\+[0-9A-Za-z.-]+)?$`)
})

func buildSARIF(r *Report) *sarifLog { return buildSARIFWith(r, SARIFOptions{}) }

func buildSARIFWith(r *Report, opts SARIFOptions) *sarifLog {
	driver := sarifDriver{
		Name:           cmp.Or(r.Tool.Name, "depsweep"),
		FullName:       strings.TrimSpace(cmp.Or(r.Tool.Name, "depsweep") + " " + cmp.Or(r.Tool.Version, "(devel)")),
		Version:        r.Tool.Version,
		InformationURI: informationURI,
		Rules:          []sarifRule{},
	}
	if v := strings.TrimPrefix(r.Tool.Version, "v"); semverRE().MatchString(v) {
		driver.SemanticVersion = v
	}

	var findings []Finding
	for _, f := range r.Findings {
		if f.Status != "resolved" {
			findings = append(findings, f)
		}
	}
	sortFindings(findings)
	// Why cap: GitHub rejects a run over 25,000 results, and then shows
	// no alert at all; the findings are sorted most severe first, so the
	// cut keeps what matters.
	total := len(findings)
	findings = findings[:min(total, opts.maxResults())]

	// One rule per advisory and kind; its severity is the highest of its
	// findings (a rule must carry one security-severity for all of them).
	rules := map[string][]*Finding{}
	for i := range findings {
		id := ruleID(&findings[i])
		rules[id] = append(rules[id], &findings[i])
	}
	ids := make([]string, 0, len(rules))
	for id := range rules {
		ids = append(ids, id)
	}
	slices.Sort(ids)
	index := make(map[string]int, len(ids))
	for i, id := range ids {
		index[id] = i
		driver.Rules = append(driver.Rules, sarifRuleFor(id, rules[id]))
	}

	results := []sarifResult{}
	for i := range findings {
		results = append(results, sarifResultFor(&findings[i], index))
	}

	inv := sarifInvocationFor(r)
	if left := total - len(findings); left > 0 {
		inv.Notifications = append([]sarifNotification{capNotification(left, total, opts)}, inv.Notifications...)
	}
	run := sarifRun{
		Tool:              sarifTool{Driver: driver},
		AutomationDetails: automationDetails(r),
		Invocations:       []sarifInvocation{inv},
		Results:           results,
	}
	if len(r.Roots) == 1 {
		if u, ok := rootURI(r.Roots[0]); ok {
			run.OriginalURIBaseIDs = map[string]sarifArtifactLocation{srcRoot: {URI: u}}
		}
	} else {
		relativeToRoots(&run, r.Roots)
	}
	return &sarifLog{Schema: SARIFSchema, Version: "2.1.0", Runs: []sarifRun{run}}
}

func ruleID(f *Finding) string {
	id := f.Advisory.ID + "/" + f.Indicator.Kind
	if f.Collision {
		id += "-collision"
	}
	return id
}

func sarifRuleFor(id string, fs []*Finding) sarifRule {
	f := fs[0]
	sev := f.Severity
	for _, g := range fs[1:] {
		if severityRank(g.Severity) > severityRank(sev) {
			sev = g.Severity
		}
	}
	adv := f.Advisory
	title := cmp.Or(adv.Title, adv.ID)
	short := fmt.Sprintf("%s (%s indicator)", title, f.Indicator.Kind)
	if f.Collision {
		short = "Name collision, not malicious: " + title
	}
	full := cmp.Or(adv.Summary, title)
	help := sarifMultiformat{Text: helpText(f), Markdown: helpMarkdown(f)}
	if f.Collision {
		why := "A package shares its name with a package named by " + adv.ID +
			" but was not installed from a registry (git, file, link or workspace), so it is not the malicious package. Check that its source is yours."
		full = why + " " + full
		help.Text = why + "\n\n" + help.Text
		help.Markdown = mdText(why) + "\n\n" + help.Markdown
	}
	sevText, ok := securitySeverity[sev]
	if !ok || f.Collision {
		sevText = "0.0"
	}
	precision := "very-high"
	if f.Indicator.Kind != "package" || f.Collision {
		precision = "high"
	}
	return sarifRule{
		ID:                   id,
		Name:                 ruleName(id),
		ShortDescription:     sarifText{Text: short},
		FullDescription:      sarifText{Text: full},
		HelpURI:              firstHTTP(adv.References),
		Help:                 help,
		DefaultConfiguration: sarifRuleConfig{Level: sarifLevel(sev, f.Collision)},
		Properties: sarifRuleProperty{
			SecuritySeverity: sevText,
			Tags:             []string{"security", "malicious-package", "supply-chain"},
			Precision:        precision,
		},
	}
}

// ruleName turns "MAL-2025-47604/package" into "MAL202547604Package": SARIF
// wants a rule name that is an identifier.
func ruleName(id string) string {
	var b strings.Builder
	up := true
	for _, r := range id {
		switch {
		case r >= 'a' && r <= 'z', r >= 'A' && r <= 'Z', r >= '0' && r <= '9':
			if up && r >= 'a' && r <= 'z' {
				r -= 'a' - 'A'
			}
			b.WriteRune(r)
			up = false
		default:
			up = true
		}
	}
	return b.String()
}

func firstHTTP(refs []string) string {
	for _, ref := range refs {
		if u, err := url.Parse(ref); err == nil && (u.Scheme == "https" || u.Scheme == "http") && u.Host != "" {
			return ref
		}
	}
	return ""
}

// helpText is the rule's help as plain text: what happened, the exposure
// window, what to do, where to read more.
func helpText(f *Finding) string {
	var b strings.Builder
	adv := f.Advisory
	b.WriteString(cmp.Or(adv.Summary, adv.Title, adv.ID))
	if e := adv.Exposure; e != nil {
		b.WriteString("\n\nExposure: " + exposure(e) + ".")
	}
	if len(f.Remediation) > 0 {
		b.WriteString("\n\nRemediation:")
		for i, s := range f.Remediation {
			fmt.Fprintf(&b, "\n%d. %s", i+1, s)
		}
	}
	if len(adv.References) > 0 {
		b.WriteString("\n\nReferences:")
		for _, ref := range adv.References {
			b.WriteString("\n- " + ref)
		}
	}
	return b.String()
}

// helpMarkdown is helpText as Markdown, with the remediation as a checklist.
func helpMarkdown(f *Finding) string {
	var b strings.Builder
	adv := f.Advisory
	fmt.Fprintf(&b, "**%s**", mdText(cmp.Or(adv.Title, adv.ID)))
	if adv.Summary != "" {
		b.WriteString("\n\n" + mdText(adv.Summary))
	}
	if e := adv.Exposure; e != nil {
		b.WriteString("\n\n**Exposure:** " + mdText(exposure(e)) + ".")
	}
	if len(f.Remediation) > 0 {
		b.WriteString("\n\n**Remediation**\n")
		for _, s := range f.Remediation {
			b.WriteString("\n- [ ] " + mdText(s))
		}
	}
	if len(adv.References) > 0 {
		b.WriteString("\n\n**References**\n")
		for _, ref := range adv.References {
			b.WriteString("\n- " + mdLink(ref))
		}
	}
	return b.String()
}

func sarifResultFor(f *Finding, index map[string]int) sarifResult {
	id := ruleID(f)
	pkg := pkgSpec(*f)
	if f.Package.Alias != "" {
		pkg += " (installed as " + f.Package.Alias + ")"
	}
	var msg string
	if f.Collision {
		msg = fmt.Sprintf("%s shares its name with a malicious package (%s) but is not from a registry", pkg, f.Advisory.ID)
	} else {
		msg = fmt.Sprintf("%s matches %s %s (%s)", pkg, f.Indicator.Kind, f.Indicator.Value, f.Advisory.ID)
	}
	if f.Evidence != "" {
		msg += ": " + f.Evidence
	}
	if !f.Package.Direct && len(f.Path) > 1 {
		msg += "; pulled in by " + strings.Join(f.Path, " → ")
	}
	if f.FirstSeen != nil {
		msg += "; " + historyText(f)
	}
	if f.Trace != "" || f.SeenAt != nil {
		msg += "; seen in the " + seenText(f)
	}
	res := sarifResult{
		RuleID:    id,
		RuleIndex: index[id],
		Level:     sarifLevel(f.Severity, f.Collision),
		Message:   sarifText{Text: msg},
		Locations: []sarifLocation{location1(f.Lockfile, max(f.Line, 1))},
		Properties: sarifResultProps{
			Severity:       f.Severity,
			Repo:           f.Repo,
			Package:        f.Package.Name,
			Version:        f.Package.Version,
			Alias:          f.Package.Alias,
			DependencyPath: append([]string{}, f.Path...),
			Dev:            f.Package.Dev,
			Direct:         f.Package.Direct,
			Indicator:      f.Indicator.Kind + ":" + f.Indicator.Value,
			Collision:      f.Collision,
			Branch:         f.Branch,
			FirstSeen:      f.FirstSeen,
			Before:         f.Before,
			LastSeen:       f.LastSeen,
			RemovedIn:      f.RemovedIn,
			Exposure:       f.Exposure,
			Trace:          f.Trace,
			SeenAt:         f.SeenAt,
		},
	}
	if f.ID != "" {
		// The same finding on two branches is two results: the branch is
		// part of the fingerprint there.
		res.PartialFingerprints = map[string]string{fingerprintKey: f.ID + cond(f.Branch != "", "/"+f.Branch, "")}
	}
	if sp := f.Suppressed; sp != nil {
		res.Suppressions = []sarifSuppression{{Kind: "external", Status: "accepted", Justification: sp.Reason + " (" + sp.Source + cond(sp.Until != "", ", until "+sp.Until, "") + ")"}}
	}
	switch f.Status {
	case "new":
		res.BaselineState = "new"
	case "present":
		res.BaselineState = "unchanged"
	}
	return res
}

// sarifInvocationFor reports the scan's times, every error and every
// lockfile with skipped entries.
func sarifInvocationFor(r *Report) sarifInvocation {
	errs := allErrors(r)
	inv := sarifInvocation{ExecutionSuccessful: len(errs) == 0 && r.Summary.Errors == 0 && !r.Interrupted}
	if !r.Started.IsZero() {
		inv.StartTimeUTC = r.Started.UTC().Format(time.RFC3339Nano)
	}
	if !r.Finished.IsZero() {
		inv.EndTimeUTC = r.Finished.UTC().Format(time.RFC3339Nano)
	}
	if r.Interrupted {
		inv.Notifications = append(inv.Notifications, sarifNotification{
			Level:   "error",
			Message: sarifText{Text: "the scan was interrupted: inputs after that point were not checked"},
		})
	}
	for _, e := range errs {
		n := sarifNotification{Level: "error", Message: sarifText{Text: errorLine(e)}}
		if e.Path != "" {
			n.Locations = []sarifLocation{location1(e.Path, 0)}
		}
		inv.Notifications = append(inv.Notifications, n)
	}
	for _, lf := range partlyRead(r) {
		for _, p := range lf.Problems {
			inv.Notifications = append(inv.Notifications, sarifNotification{
				Level:     "warning",
				Message:   sarifText{Text: fmt.Sprintf("%s: entry skipped, not checked: %s", lf.Path, p.Msg)},
				Locations: []sarifLocation{location1(lf.Path, p.Line)},
			})
		}
	}
	return inv
}

// location1 is a location in the file at path (relative to the scan root),
// at line when line ≥ 1.
func location1(path string, line int) sarifLocation {
	loc := sarifLocation{PhysicalLocation: sarifPhysicalLocation{ArtifactLocation: artifactLocation(path)}}
	if line >= 1 {
		loc.PhysicalLocation.Region = &sarifRegion{StartLine: line}
	}
	return loc
}

// artifactLocation turns a report path into a SARIF artifact location: a
// relative URI reference against %SRCROOT% (forward slashes, each segment
// percent-escaped), or a file URI when the path is absolute.
func artifactLocation(path string) sarifArtifactLocation {
	p := strings.ReplaceAll(path, `\`, "/")
	if u, ok := absFileURI(p); ok {
		return sarifArtifactLocation{URI: u}
	}
	segs := strings.Split(p, "/")
	for i, s := range segs {
		segs[i] = url.PathEscape(s)
	}
	u := strings.Join(segs, "/")
	// Why: "a:b/c" would read as a URI with scheme "a"; "./" keeps it a path.
	if first, _, _ := strings.Cut(u, "/"); strings.Contains(first, ":") {
		u = "./" + u
	}
	return sarifArtifactLocation{URI: u, URIBaseID: srcRoot}
}

// absFileURI returns the file URI of an absolute slash path ("/srv/x",
// "C:/x"), and false for a relative one.
func absFileURI(p string) (string, bool) {
	drive := len(p) >= 3 && p[1] == ':' && p[2] == '/' &&
		((p[0] >= 'a' && p[0] <= 'z') || (p[0] >= 'A' && p[0] <= 'Z'))
	if !strings.HasPrefix(p, "/") && !drive {
		return "", false
	}
	if drive {
		p = "/" + p
	}
	return (&url.URL{Scheme: "file", Path: p}).String(), true
}

// rootURI is the file URI of an absolute scan root, ending in "/" as SARIF
// requires of a base URI.
func rootURI(root string) (string, bool) {
	p := strings.ReplaceAll(root, `\`, "/")
	if !strings.HasSuffix(p, "/") {
		p += "/"
	}
	return absFileURI(p)
}
