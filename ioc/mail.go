package ioc

import (
	"errors"
	"strings"
	"time"

	"golang.org/x/net/idna"

	"github.com/depsweep/depsweep/lockfiles/mail"
)

// ErrNoMailIndicators is returned by [NewMailMatcher] for indicators among
// which there is no e-mail and no domain: matching mail against them
// would report every message clean.
var ErrNoMailIndicators = errors.New("no e-mail or domain indicator to match mail against")

// A MailMatcher matches the recipients of sent messages against e-mail
// and domain indicators, and says whether a message falls in the
// exposure window of an advisory. It is safe for concurrent reads.
type MailMatcher struct {
	emails  map[string][]*Indicator // lower-cased address → indicators
	domains map[string][]*Indicator // lower-cased domain → indicators
	// Since and Until, when set, replace every advisory's exposure window
	// (a zero Since: from the beginning; a zero Until: open).
	since, until time.Time
	override     bool
	advisories   []*Advisory // those with a mail indicator, in feed order
}

// A MailHit is one recipient of a message that matched an indicator.
type MailHit struct {
	Indicator *Indicator
	Recipient mail.Recipient
}

// NewMailMatcher compiles the e-mail and domain indicators of inds; the
// others are ignored.
//
// E-mail indicators match an address exactly, ignoring case in both the
// local part and the domain (mail systems deliver PHAN@GiftShop.club to
// phan@giftshop.club). Domain indicators match a recipient whose domain
// is the domain or one of its subdomains. Internationalised domains are
// compared in their ASCII (punycode) form.
func NewMailMatcher(inds []Indicator) (*MailMatcher, error) {
	m := &MailMatcher{emails: map[string][]*Indicator{}, domains: map[string][]*Indicator{}}
	seen := map[*Advisory]bool{}
	for i := range inds {
		ind := &inds[i]
		switch ind.Kind {
		case KindEmail:
			local, dom, ok := strings.Cut(ind.Value, "@")
			if !ok {
				continue
			}
			key := strings.ToLower(local) + "@" + asciiDomain(dom)
			m.emails[key] = append(m.emails[key], ind)
		case KindDomain:
			d := asciiDomain(ind.Value)
			m.domains[d] = append(m.domains[d], ind)
		default:
			continue
		}
		if ind.Advisory != nil && !seen[ind.Advisory] {
			seen[ind.Advisory] = true
			m.advisories = append(m.advisories, ind.Advisory)
		}
	}
	if len(m.emails) == 0 && len(m.domains) == 0 {
		return nil, ErrNoMailIndicators
	}
	return m, nil
}

// SetWindow replaces every advisory's exposure window with [since, until]
// (until inclusive of its day when it is a date at midnight). Zero values
// leave that end open.
func (m *MailMatcher) SetWindow(since, until time.Time) {
	m.since, m.until, m.override = since, until, true
}

// Advisories returns the advisories that have an e-mail or domain
// indicator.
func (m *MailMatcher) Advisories() []*Advisory { return m.advisories }

// asciiDomain lower-cases a domain, drops a trailing dot and converts an
// internationalised name to punycode (as written when it cannot be).
func asciiDomain(d string) string {
	d = strings.TrimSuffix(strings.ToLower(strings.TrimSpace(d)), ".")
	ascii := true
	for i := 0; i < len(d); i++ {
		if d[i] >= 0x80 {
			ascii = false
			break
		}
	}
	if ascii && !strings.Contains(d, "xn--") {
		return d
	}
	if a, err := idna.Lookup.ToASCII(d); err == nil {
		return a
	}
	return d
}

// Match returns the recipients of msg that match an indicator, each with
// every indicator it matched.
func (m *MailMatcher) Match(msg *mail.Message) []MailHit {
	var hits []MailHit
	for _, r := range msg.Recipients {
		local, dom, ok := cutLast(r.Addr)
		if !ok {
			continue
		}
		dom = asciiDomain(dom)
		for _, ind := range m.emails[strings.ToLower(local)+"@"+dom] {
			hits = append(hits, MailHit{Indicator: ind, Recipient: r})
		}
		for d := dom; d != ""; {
			for _, ind := range m.domains[d] {
				hits = append(hits, MailHit{Indicator: ind, Recipient: r})
			}
			i := strings.IndexByte(d, '.')
			if i < 0 {
				break
			}
			d = d[i+1:]
		}
	}
	return hits
}

// cutLast splits an address at its last '@'.
func cutLast(addr string) (local, domain string, ok bool) {
	i := strings.LastIndexByte(addr, '@')
	if i <= 0 || i == len(addr)-1 {
		return "", "", false
	}
	return addr[:i], addr[i+1:], true
}

// Window returns the window that counts for advisory a: the --since and
// --until override when set, else its exposure window (zero: all time).
// The end is exclusive: a window that ends on a date includes that day.
func (m *MailMatcher) Window(a *Advisory) Window {
	var w Window
	if m.override {
		w = Window{From: m.since, To: m.until}
	} else if a != nil {
		w = a.Exposure
	}
	if !w.To.IsZero() && w.To.Equal(w.To.Truncate(24*time.Hour)) {
		w.To = w.To.Add(24 * time.Hour)
	}
	return w
}

// InWindow reports whether a message sent at t counts for advisory a. A
// message with no date counts (it is reported as undated).
func (m *MailMatcher) InWindow(a *Advisory, t time.Time) bool {
	if t.IsZero() {
		return true
	}
	w := m.Window(a)
	return (w.From.IsZero() || !t.Before(w.From)) && (w.To.IsZero() || t.Before(w.To))
}

// InAnyWindow reports whether t is inside the window of at least one
// advisory with a mail indicator (or the override): the messages
// "examined in the window". A zero t is not.
func (m *MailMatcher) InAnyWindow(t time.Time) bool {
	if t.IsZero() {
		return false
	}
	if m.override || len(m.advisories) == 0 {
		return m.InWindow(nil, t)
	}
	for _, a := range m.advisories {
		if m.InWindow(a, t) {
			return true
		}
	}
	return false
}
