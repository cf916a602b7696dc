package report

import (
	"cmp"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/depsweep/depsweep/ioc"
	"github.com/depsweep/depsweep/lockfiles/mail"
)

// Mail is what 'depsweep mail' examined and found: the messages that went
// to an indicator address or domain, per sending account, server or
// stream, and the totals that make "none" an answer. Nil in other reports.
type Mail struct {
	// Window is the --since/--until period that replaced every advisory's
	// exposure window; nil when each advisory's own window applied (see
	// MailAdvisory.Window).
	Window *Period `json:"window,omitempty"`
	// Examined counts the message records read (a message in two exports
	// counts twice here, once in Copied); InWindow those dated inside a
	// window, Undated those with no date (they are matched, and marked).
	Examined int `json:"examined"`
	InWindow int `json:"in_window"`
	Undated  int `json:"undated"`
	// YearInferred counts the messages whose year was inferred (syslog
	// timestamps carry none; see MailFile.Year).
	YearInferred int `json:"year_inferred"`
	// Copied counts the messages in the window (or undated) that went to
	// an indicator; OutsideWindow those that went to one outside every
	// window: listed, not counted (--since/--until widens the window).
	Copied           int            `json:"copied"`
	OutsideWindow    int            `json:"outside_window"`
	SubjectsRedacted bool           `json:"subjects_redacted,omitempty"`
	Advisories       []MailAdvisory `json:"advisories"` // those with an e-mail or domain indicator
	Senders          []MailSender   `json:"senders"`    // those with a matched message, most copied first
	Files            []MailFile     `json:"files"`      // every file read or skipped, in reading order
}

// A MailAdvisory is an advisory whose indicators the mail was matched
// against.
type MailAdvisory struct {
	Advisory
	Window      *Window  `json:"window,omitempty"` // the window applied; nil: all time
	Copied      int      `json:"copied"`
	Remediation []string `json:"remediation,omitempty"`
}

// A MailSender is one sending account on one server or stream.
type MailSender struct {
	Source   string `json:"source"`  // "postmark", "postfix", "exim" or "mailbox"
	Server   string `json:"server"`  // MTA host, Postmark stream ("postmark/outbound") or mailbox path
	Account  string `json:"account"` // SMTP login, or the sender address
	Examined int    `json:"examined"`
	InWindow int    `json:"in_window"`
	Copied   int    `json:"copied"`
	// OutsideWindow counts matched messages outside the window.
	OutsideWindow int        `json:"outside_window"`
	First         *time.Time `json:"first,omitempty"` // first copied message (dated)
	Last          *time.Time `json:"last,omitempty"`
	// Messages lists the matched messages (copied and outside the window),
	// oldest first, undated last.
	Messages []MailMessage `json:"messages"`
}

// A MailMessage is one message that went to an indicator.
type MailMessage struct {
	ID            string     `json:"id"`                   // Postmark MessageID, Message-ID, or the MTA's id
	MessageID     string     `json:"message_id,omitempty"` // the Message-ID an MTA log gives besides its id
	Date          *time.Time `json:"date,omitempty"`
	YearInferred  bool       `json:"year_inferred,omitempty"`
	Undated       bool       `json:"undated,omitempty"`
	OutsideWindow bool       `json:"outside_window,omitempty"`
	Subject       string     `json:"subject,omitempty"` // "" when redacted or unknown
	From          string     `json:"from,omitempty"`
	Status        string     `json:"status,omitempty"`
	File          string     `json:"file"`
	Line          int        `json:"line,omitempty"`
	Offset        int64      `json:"offset,omitempty"` // byte offset, for JSON exports
	// AlsoAt lists the other records of the same message (the same id in
	// another export or log copy: "file:line" or "file (byte N)"); it is
	// counted once.
	AlsoAt  []string    `json:"also_at,omitempty"`
	Matches []MailMatch `json:"matches"`
}

// A MailMatch is one recipient that matched one indicator.
type MailMatch struct {
	Recipient string    `json:"recipient"`
	Field     string    `json:"field"` // to, cc, bcc, recipients, rcpt, orig_to, ...
	Status    string    `json:"status,omitempty"`
	Indicator Indicator `json:"indicator"`
	Advisory  string    `json:"advisory"`
}

// A MailFile is one file read (or skipped).
type MailFile struct {
	Path     string    `json:"path"`
	Format   string    `json:"format,omitempty"`
	Messages int       `json:"messages"`
	Year     string    `json:"year,omitempty"`    // how the year of its dates was inferred
	Skipped  string    `json:"skipped,omitempty"` // why it was not read
	Problems []Problem `json:"problems,omitempty"`
	Error    string    `json:"error,omitempty"`
}

// A MailCollector builds the Mail section from messages as they are read.
// It is not safe for concurrent use.
type MailCollector struct {
	m       *ioc.MailMatcher
	redact  bool
	mail    Mail
	senders map[[3]string]*MailSender
	copied  map[*ioc.Advisory]int
	// seen finds a matched message recorded before (by its ids), so that
	// one message read from two exports is counted once.
	seen map[string]msgRef
}

// msgRef points at a recorded message.
type msgRef struct {
	s *MailSender
	i int
}

// NewMailCollector returns a collector matching with m; redact leaves
// subjects out.
func NewMailCollector(m *ioc.MailMatcher, redact bool) *MailCollector {
	return &MailCollector{m: m, redact: redact, senders: map[[3]string]*MailSender{}, copied: map[*ioc.Advisory]int{}, seen: map[string]msgRef{}}
}

// source names the kind of evidence for the report.
func source(f mail.Format) string {
	switch f {
	case mail.FormatEML, mail.FormatMbox:
		return "mailbox"
	}
	return string(f)
}

// Message counts msg and records it when it went to an indicator.
func (c *MailCollector) Message(msg *mail.Message) {
	key := [3]string{source(msg.Format), msg.Server, strings.ToLower(msg.Account)}
	s := c.senders[key]
	if s == nil {
		s = &MailSender{Source: key[0], Server: msg.Server, Account: msg.Account}
		c.senders[key] = s
	}
	c.mail.Examined++
	s.Examined++
	switch {
	case msg.Date.IsZero():
		c.mail.Undated++
	case c.m.InAnyWindow(msg.Date):
		c.mail.InWindow++
		s.InWindow++
	}
	if msg.YearInferred {
		c.mail.YearInferred++
	}
	hits := c.m.Match(msg)
	if len(hits) == 0 {
		return
	}
	// The same message in two files: a Postfix queue id on its host, an
	// Exim message id, a Postmark MessageID, or a mailbox's Message-ID.
	dup := ""
	if msg.ID != "" {
		dup = key[0] + "\x00" + msg.ID + "\x00" + msg.MessageID
		if key[0] == "postfix" { // queue ids are unique on one host only
			dup = key[1] + "\x00" + dup
		}
		if ref, ok := c.seen[dup]; ok {
			first := &ref.s.Messages[ref.i]
			first.AlsoAt = append(first.AlsoAt, mailWhere(&MailMessage{File: msg.File, Line: msg.Line, Offset: msg.Offset}))
			return
		}
	}
	mm := MailMessage{
		ID: msg.ID, MessageID: msg.MessageID, From: msg.From, Status: msg.Status,
		File: msg.File, Line: msg.Line, Offset: msg.Offset,
		YearInferred: msg.YearInferred, Undated: msg.Date.IsZero(),
	}
	if msg.MessageID == msg.ID {
		mm.MessageID = ""
	}
	if !c.redact {
		mm.Subject = msg.Subject
	}
	if !msg.Date.IsZero() {
		d := msg.Date
		mm.Date = &d
	}
	in := false
	var advs []*ioc.Advisory
	for _, h := range hits {
		a := h.Indicator.Advisory
		id := ""
		if a != nil {
			id = a.ID
		}
		mm.Matches = append(mm.Matches, MailMatch{
			Recipient: h.Recipient.Addr, Field: h.Recipient.Field, Status: h.Recipient.Status,
			Indicator: Indicator{Kind: string(h.Indicator.Kind), Value: h.Indicator.Value}, Advisory: id,
		})
		if c.m.InWindow(a, msg.Date) {
			in = true
			if !slices.Contains(advs, a) {
				advs = append(advs, a)
			}
		}
	}
	if !in {
		mm.OutsideWindow = true
		c.mail.OutsideWindow++
		s.OutsideWindow++
	} else {
		c.mail.Copied++
		s.Copied++
		for _, a := range advs {
			c.copied[a]++
		}
		if mm.Date != nil {
			if s.First == nil || mm.Date.Before(*s.First) {
				s.First = mm.Date
			}
			if s.Last == nil || mm.Date.After(*s.Last) {
				s.Last = mm.Date
			}
		}
	}
	s.Messages = append(s.Messages, mm)
	if dup != "" {
		c.seen[dup] = msgRef{s, len(s.Messages) - 1}
	}
}

// Finish completes the section with the files read and sets r.Mail; each
// file error and problem also becomes one of r.Errors, naming the file
// and the position.
func (c *MailCollector) Finish(files []mail.File, r *Report) {
	ml := &c.mail
	ml.SubjectsRedacted = c.redact
	for _, a := range c.m.Advisories() {
		ma := MailAdvisory{Advisory: convertAdvisory(a), Copied: c.copied[a], Remediation: a.Remediation}
		if w := c.m.Window(a); !w.From.IsZero() || !w.To.IsZero() {
			win := Window{From: w.From}
			if !w.To.IsZero() {
				to := w.To
				win.To = &to
			}
			ma.Window = &win
		}
		ml.Advisories = append(ml.Advisories, ma)
	}
	for _, s := range c.senders {
		if len(s.Messages) == 0 {
			continue
		}
		slices.SortStableFunc(s.Messages, func(a, b MailMessage) int {
			switch {
			case a.Date == nil && b.Date == nil:
			case a.Date == nil:
				return 1
			case b.Date == nil:
				return -1
			default:
				if c := a.Date.Compare(*b.Date); c != 0 {
					return c
				}
			}
			return cmp.Or(cmp.Compare(a.File, b.File), cmp.Compare(a.Line, b.Line), cmp.Compare(a.Offset, b.Offset))
		})
		ml.Senders = append(ml.Senders, *s)
	}
	slices.SortFunc(ml.Senders, func(a, b MailSender) int {
		return cmp.Or(cmp.Compare(b.Copied, a.Copied), cmp.Compare(a.Source, b.Source),
			cmp.Compare(a.Server, b.Server), cmp.Compare(a.Account, b.Account))
	})
	for _, f := range files {
		mf := MailFile{Path: f.Path, Format: string(f.Format), Messages: f.Messages, Year: f.Year, Skipped: f.Skipped}
		for _, p := range f.Problems {
			msg := p.Msg
			if p.Line == 0 {
				msg = p.String()
			}
			mf.Problems = append(mf.Problems, Problem{Line: p.Line, Msg: msg})
			r.Errors = append(r.Errors, Error{Path: f.Path, Error: p.String()})
		}
		if f.Err != nil {
			mf.Error = f.Err.Error()
			r.Errors = append(r.Errors, Error{Path: f.Path, Error: f.Err.Error()})
		}
		ml.Files = append(ml.Files, mf)
	}
	searchShortfall(files, r)
	if ml.Advisories == nil {
		ml.Advisories = []MailAdvisory{}
	}
	if ml.Senders == nil {
		ml.Senders = []MailSender{}
	}
	if ml.Files == nil {
		ml.Files = []MailFile{}
	}
	r.Mail = ml
}

// convertAdvisory describes a for the report.
func convertAdvisory(a *ioc.Advisory) Advisory {
	out := Advisory{ID: a.ID, Aliases: a.Aliases, Title: a.Title, Summary: a.Summary, References: a.References}
	if !a.Published.IsZero() {
		p := a.Published
		out.Published = &p
	}
	if out.References == nil {
		out.References = []string{}
	}
	return out
}

// mailSummaryLine is the one-line answer: "2 copied out of 12,400
// examined in the window".
func mailSummaryLine(m *Mail) string {
	s := fmt.Sprintf("%s copied out of %s examined in the window", thousands(m.Copied), thousands(m.InWindow))
	if m.Undated > 0 {
		s += fmt.Sprintf(" (and %s undated)", thousands(m.Undated))
	}
	return s
}

// thousands writes n with comma separators.
func thousands(n int) string {
	s := fmt.Sprint(n)
	if n < 0 {
		return s
	}
	for i := len(s) - 3; i > 0; i -= 3 {
		s = s[:i] + "," + s[i:]
	}
	return s
}

// mailWindow describes a window for people.
func mailWindow(w *Window) string {
	if w == nil {
		return "all time"
	}
	from := "the beginning"
	if !w.From.IsZero() {
		from = w.From.UTC().Format(time.DateOnly)
	}
	to := "now"
	if w.To != nil {
		// The end is exclusive; a window ending at midnight reads as the day before.
		e := w.To.UTC()
		if e.Equal(e.Truncate(24 * time.Hour)) {
			e = e.Add(-24 * time.Hour)
		}
		to = e.Format(time.DateOnly)
	}
	return from + " to " + to
}

// mailDate formats a message's date, marking an inferred year.
func mailDate(m *MailMessage) string {
	switch {
	case m.Date == nil:
		return "undated"
	case m.YearInferred:
		return m.Date.UTC().Format("2006-01-02 15:04:05") + " (year inferred)"
	}
	return m.Date.UTC().Format("2006-01-02 15:04:05 UTC")
}

// mailWhere is where a message's record is: file:line or file@byte.
func mailWhere(m *MailMessage) string {
	switch {
	case m.Line > 0:
		return fmt.Sprintf("%s:%d", m.File, m.Line)
	case m.Offset > 0:
		return fmt.Sprintf("%s (byte %d)", m.File, m.Offset)
	}
	return m.File
}

// mailRecipients lists a message's matched recipients.
func mailRecipients(m *MailMessage) string {
	var parts []string
	for _, x := range m.Matches {
		p := x.Recipient + " (" + x.Field
		if x.Status != "" {
			p += ", " + x.Status
		}
		p += ")"
		if !slices.Contains(parts, p) {
			parts = append(parts, p)
		}
	}
	return strings.Join(parts, ", ")
}

// senderName names a sender group.
func senderName(s *MailSender) string {
	name := s.Source
	if s.Server != "" && s.Server != s.Source {
		name += " " + s.Server
	}
	if s.Account != "" {
		name += " · " + s.Account
	}
	return name
}

// searchShortfall reports, as an error, a Postmark search whose exported
// pages hold fewer messages than its TotalCount: the missing pages were not
// examined, and "nothing copied" must not be read from them. Pages are
// grouped by the TotalCount they give.
func searchShortfall(files []mail.File, r *Report) {
	type pages struct {
		messages int
		first    string
	}
	byTotal := map[int]*pages{}
	for _, f := range files {
		if f.SearchTotal == 0 {
			continue
		}
		p := byTotal[f.SearchTotal]
		if p == nil {
			p = &pages{first: f.Path}
			byTotal[f.SearchTotal] = p
		}
		p.messages += f.SearchMessages
	}
	totals := make([]int, 0, len(byTotal))
	for t := range byTotal {
		totals = append(totals, t)
	}
	slices.Sort(totals)
	for _, t := range totals {
		if p := byTotal[t]; p.messages < t {
			r.Errors = append(r.Errors, Error{Path: p.first, Error: fmt.Sprintf(
				"the Postmark search found %s messages but its pages here hold %s: export the other pages "+
					"(count and offset; one search returns at most 10,000, split it with fromdate and todate)",
				thousands(t), thousands(p.messages))})
		}
	}
}
