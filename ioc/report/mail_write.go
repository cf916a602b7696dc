package report

import (
	"bytes"
	"cmp"
	"fmt"
	"strconv"
	"strings"
	"time"
)

// mailListMax caps the messages the text and Markdown reports list per
// sender; the JSON report lists them all.
const mailListMax = 50

// mailReport writes a 'depsweep mail' report: the answer first (copied
// out of examined in the window), then the messages per sender, those
// outside the window, the advisories with their remediation, how dates
// were inferred, and every error.
func (t *textWriter) mailReport(r *Report) {
	p, m := t.p, r.Mail
	head := clean(cmp.Or(r.Tool.Name, "depsweep"))
	if r.Tool.Version != "" {
		head += " " + clean(r.Tool.Version)
	}
	if !r.Started.IsZero() {
		head += " · mail audit of " + r.Started.UTC().Format("2006-01-02 15:04:05 UTC")
		if r.Finished.After(r.Started) {
			head += " · " + r.Finished.Sub(r.Started).Round(time.Millisecond).String()
		}
	}
	t.printf("%s\n", p.bold(head))
	if len(r.Roots) > 0 {
		t.printf("inputs: %s\n", strings.Join(cleanAll(r.Roots), ", "))
	}
	if r.Interrupted {
		t.printf("%s\n", p.warn("the audit was interrupted: only part of the inputs were read"))
	}

	t.printf("\n%s\n", p.bold("Summary"))
	t.field("answer", mailSummaryLine(m))
	read, skipped := mailFileCounts(m)
	ex := fmt.Sprintf("%s messages in %s", thousands(m.Examined), plural(read, "file", "files"))
	if skipped > 0 {
		ex += fmt.Sprintf(" (%d skipped: not mail evidence)", skipped)
	}
	t.field("examined", ex)
	t.field("window", mailWindowText(m))
	t.field("copied", fmt.Sprintf("%s to an indicator address or domain", plural(m.Copied, "message", "messages")))
	if m.OutsideWindow > 0 {
		t.field("outside", fmt.Sprintf("%s to an indicator outside the window: listed, not counted", plural(m.OutsideWindow, "message", "messages")))
	}
	if m.YearInferred > 0 {
		t.field("inferred", fmt.Sprintf("the year of %s (syslog timestamps carry none; see Dates)", plural(m.YearInferred, "message", "messages")))
	}
	if n := len(allErrors(r)); n > 0 {
		t.field("errors", p.warn(fmt.Sprintf("%d: not everything was read, the result is incomplete", n)))
	}

	if m.Copied == 0 {
		t.printf("\n")
		t.para(fmt.Sprintf("No message in the window went to an indicator address or domain: %s.", mailSummaryLine(m)), 0)
	} else {
		t.printf("\n%s\n", p.bold(fmt.Sprintf("Copied to an indicator (%d)", m.Copied)))
		t.mailSenders(m, false)
	}
	if m.OutsideWindow > 0 {
		t.printf("\n%s\n", p.bold(fmt.Sprintf("Outside the window (%d): listed, not counted", m.OutsideWindow)))
		t.para("These messages went to an indicator but are dated outside the exposure window. Widen it with --since and --until to count them.", 2)
		t.mailSenders(m, true)
	}
	if len(m.Advisories) > 0 {
		t.printf("\n%s\n", p.bold("Advisories"))
		for _, a := range m.Advisories {
			t.printf("\n  %s  %s\n", p.bold(clean(a.ID)), clean(a.Title))
			t.field("window", mailWindow(a.Window))
			t.field("copied", strconv.Itoa(a.Copied))
			for i, s := range a.Remediation {
				t.numbered(cond(i == 0, "remediation", ""), i+1, s)
			}
			for i, ref := range a.References {
				t.field(cond(i == 0, "references", ""), clean(ref))
			}
		}
	}
	var dated bool
	for _, f := range m.Files {
		if f.Year != "" {
			if !dated {
				t.printf("\n%s\n", p.bold("Dates"))
				dated = true
			}
			t.para(clean(f.Path)+": "+clean(f.Year), 2)
		}
	}
	t.errors(r)
}

// mailSenders lists the matched messages per sender: those in the window,
// or those outside it.
func (t *textWriter) mailSenders(m *Mail, outside bool) {
	for i := range m.Senders {
		s := &m.Senders[i]
		n := cond(outside, s.OutsideWindow, s.Copied)
		if n == 0 {
			continue
		}
		t.printf("\n  %s\n", t.p.bold(clean(senderName(s))))
		if !outside {
			line := fmt.Sprintf("%d of %s copied", s.Copied, plural(s.Examined, "message", "messages"))
			if s.First != nil {
				line += " · first " + s.First.UTC().Format("2006-01-02 15:04:05") + " · last " + s.Last.UTC().Format("2006-01-02 15:04:05")
			}
			t.printf("    %s\n", line)
		}
		shown := 0
		for j := range s.Messages {
			mm := &s.Messages[j]
			if mm.OutsideWindow != outside {
				continue
			}
			if shown == mailListMax {
				t.printf("    … and %d more (the JSON report lists them all)\n", n-shown)
				break
			}
			shown++
			id := clean(mm.ID)
			if mm.MessageID != "" {
				id += "  <" + clean(mm.MessageID) + ">"
			}
			t.printf("    %s  %s\n", mailDate(mm), id)
			if mm.Subject != "" {
				t.printf("      subject  %s\n", truncate(clean(mm.Subject), textWidth-15))
			}
			t.printf("      to       %s\n", clean(mailRecipients(mm)))
			t.printf("      at       %s\n", clean(mailWhere(mm)))
			for _, a := range mm.AlsoAt {
				t.printf("      also at  %s\n", clean(a))
			}
		}
	}
}

// mailFileCounts counts the files read and skipped.
func mailFileCounts(m *Mail) (read, skipped int) {
	for _, f := range m.Files {
		if f.Skipped != "" {
			skipped++
		} else {
			read++
		}
	}
	return read, skipped
}

// mailWindowText describes the window(s) that applied.
func mailWindowText(m *Mail) string {
	if m.Window != nil {
		w := &Window{}
		if m.Window.From != nil {
			w.From = *m.Window.From
		}
		w.To = m.Window.To
		return mailWindow(w) + " (--since/--until)"
	}
	var parts []string
	for _, a := range m.Advisories {
		parts = append(parts, mailWindow(a.Window)+" ("+a.ID+" exposure)")
	}
	if len(parts) == 0 {
		return "all time"
	}
	return strings.Join(parts, "; ")
}

// mailMarkdown writes a 'depsweep mail' report as Markdown.
func mailMarkdown(b *bytes.Buffer, r *Report) {
	p := func(format string, args ...any) { fmt.Fprintf(b, format, args...) }
	m := r.Mail
	switch {
	case m.Copied > 0:
		p("# depsweep mail audit: %s copied to an indicator\n\n", plural(m.Copied, "message", "messages"))
	case len(allErrors(r)) > 0 || r.Interrupted:
		p("# depsweep mail audit: nothing copied in what was read, incomplete\n\n")
	default:
		p("# depsweep mail audit: nothing copied\n\n")
	}
	p("**%s.**\n\n", mdText(mailSummaryLine(m)))
	read, skipped := mailFileCounts(m)
	p("| | |\n|---|---|\n")
	p("| examined | %s messages in %s |\n", thousands(m.Examined), plural(read, "file", "files"))
	if skipped > 0 {
		p("| skipped | %s: not mail evidence |\n", plural(skipped, "file", "files"))
	}
	p("| window | %s |\n", mdText(mailWindowText(m)))
	p("| copied | %d |\n", m.Copied)
	p("| outside the window | %d (listed, not counted) |\n", m.OutsideWindow)
	p("| undated | %d |\n", m.Undated)
	p("| year inferred | %d |\n", m.YearInferred)
	p("| errors | %d |\n", len(allErrors(r)))
	for _, outside := range []bool{false, true} {
		n := cond(outside, m.OutsideWindow, m.Copied)
		if n == 0 {
			continue
		}
		p("\n## %s (%d)\n", cond(outside, "Outside the window: listed, not counted", "Copied to an indicator"), n)
		for i := range m.Senders {
			s := &m.Senders[i]
			k := cond(outside, s.OutsideWindow, s.Copied)
			if k == 0 {
				continue
			}
			p("\n### %s\n\n", mdText(senderName(s)))
			if !outside {
				p("%d of %s copied", s.Copied, plural(s.Examined, "message", "messages"))
				if s.First != nil {
					p(", first %s, last %s", s.First.UTC().Format(time.DateTime), s.Last.UTC().Format(time.DateTime))
				}
				p(".\n\n")
			}
			p("| date | id | subject | to | at |\n|---|---|---|---|---|\n")
			shown := 0
			for j := range s.Messages {
				mm := &s.Messages[j]
				if mm.OutsideWindow != outside {
					continue
				}
				if shown == mailListMax {
					p("\n… and %d more (the JSON report lists them all).\n", k-shown)
					break
				}
				shown++
				p("| %s | %s | %s | %s | %s |\n", mdText(mailDate(mm)), mdCell(mm.ID), mdText(mm.Subject), mdText(mailRecipients(mm)), mdCell(strings.Join(append([]string{mailWhere(mm)}, mm.AlsoAt...), ", ")))
			}
		}
	}
	if len(m.Advisories) > 0 {
		p("\n## Advisories\n")
		for _, a := range m.Advisories {
			p("\n### %s: %s\n\n", mdText(a.ID), mdText(a.Title))
			p("Window: %s. Copied: %d.\n", mdText(mailWindow(a.Window)), a.Copied)
			if len(a.Remediation) > 0 {
				p("\n")
				for i, s := range a.Remediation {
					p("%d. %s\n", i+1, mdText(s))
				}
			}
			if len(a.References) > 0 {
				p("\n")
				for _, ref := range a.References {
					p("- %s\n", mdLink(ref))
				}
			}
		}
	}
	var dated bool
	for _, f := range m.Files {
		if f.Year != "" {
			if !dated {
				p("\n## Dates\n\n")
				dated = true
			}
			p("- %s: %s\n", mdCode(f.Path), mdText(f.Year))
		}
	}
	if errs := allErrors(r); len(errs) > 0 {
		p("\n## Errors (%d): not read, the result is incomplete\n\n", len(errs))
		for _, e := range errs {
			p("- %s\n", mdText(errorLine(e)))
		}
	}
}

// sarifMail* are the SARIF objects of a mail report: a result per copied
// message, with its own properties.
type (
	sarifMailLog struct {
		Schema  string         `json:"$schema"`
		Version string         `json:"version"`
		Runs    []sarifMailRun `json:"runs"`
	}
	sarifMailRun struct {
		Tool        sarifTool         `json:"tool"`
		Invocations []sarifInvocation `json:"invocations"`
		Results     []sarifMailResult `json:"results"`
	}
	sarifMailResult struct {
		RuleID     string          `json:"ruleId"`
		RuleIndex  int             `json:"ruleIndex"`
		Level      string          `json:"level"`
		Message    sarifText       `json:"message"`
		Locations  []sarifLocation `json:"locations"`
		Properties sarifMailProps  `json:"properties"`
	}
	sarifMailProps struct {
		Source    string     `json:"source"`
		Server    string     `json:"server"`
		Account   string     `json:"account"`
		MessageID string     `json:"messageId"`
		Date      *time.Time `json:"date,omitempty"`
		Undated   bool       `json:"undated,omitempty"`
		Recipient string     `json:"recipient"`
		Indicator string     `json:"indicator"`
	}
)

// buildMailSARIF renders a mail report: one rule per advisory
// ("DEPSWEEP-2025-0001/mail") and one result per copied message, located
// at its record in the evidence file.
func buildMailSARIF(r *Report) *sarifMailLog {
	m := r.Mail
	driver := sarifDriver{Name: cmp.Or(r.Tool.Name, "depsweep"), Version: r.Tool.Version, InformationURI: informationURI, Rules: []sarifRule{}}
	index := map[string]int{}
	for _, a := range m.Advisories {
		id := a.ID + "/mail"
		index[a.ID] = len(driver.Rules)
		text := fmt.Sprintf("Mail sent to an address or domain of %s: %s", a.ID, a.Title)
		help := text + "\n\nRemediation:\n"
		for i, s := range a.Remediation {
			help += fmt.Sprintf("%d. %s\n", i+1, s)
		}
		driver.Rules = append(driver.Rules, sarifRule{
			ID: id, Name: ruleName(id), ShortDescription: sarifText{Text: text}, FullDescription: sarifText{Text: text},
			HelpURI: firstHTTP(a.References), Help: sarifMultiformat{Text: help, Markdown: help},
			DefaultConfiguration: sarifRuleConfig{Level: "error"},
			Properties:           sarifRuleProperty{SecuritySeverity: securitySeverity["critical"], Tags: []string{"security", "mail"}, Precision: "high"},
		})
	}
	results := []sarifMailResult{}
	for i := range m.Senders {
		s := &m.Senders[i]
		for j := range s.Messages {
			mm := &s.Messages[j]
			if mm.OutsideWindow || len(mm.Matches) == 0 {
				continue
			}
			x := mm.Matches[0]
			msg := fmt.Sprintf("message %s from %s on %s went to %s (%s), %s %s of %s", mm.ID, s.Account, s.Server, x.Recipient, x.Field, x.Indicator.Kind, x.Indicator.Value, x.Advisory)
			if mm.Subject != "" {
				msg += fmt.Sprintf(": %q", mm.Subject)
			}
			results = append(results, sarifMailResult{
				RuleID: x.Advisory + "/mail", RuleIndex: index[x.Advisory], Level: "error",
				Message:   sarifText{Text: msg},
				Locations: []sarifLocation{location1(mm.File, mm.Line)},
				Properties: sarifMailProps{Source: s.Source, Server: s.Server, Account: s.Account, MessageID: mm.ID,
					Date: mm.Date, Undated: mm.Undated, Recipient: x.Recipient, Indicator: x.Indicator.Kind + ":" + x.Indicator.Value},
			})
		}
	}
	run := sarifMailRun{Tool: sarifTool{Driver: driver}, Invocations: []sarifInvocation{sarifInvocationFor(r)}, Results: results}
	return &sarifMailLog{Schema: SARIFSchema, Version: "2.1.0", Runs: []sarifMailRun{run}}
}
