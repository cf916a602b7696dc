package publisher

import (
	"bytes"
	"encoding/json"
	"net/url"
	"strings"

	"github.com/depsweep/depsweep/lockfiles"
)

// A SupplierSource is a [Source] that also tells who supplies a package
// version: the author and maintainers its packument (or installed
// package.json) names, for an SBOM's component.supplier. The sources of
// this package that read full packuments or manifests implement it;
// callers find it by type assertion. Implementations are safe for
// concurrent use.
type SupplierSource interface {
	// Supplier returns the supplier of name@version and where the answer
	// came from, in the words of [Source.Publisher]; ok is false when the
	// source does not know: an abbreviated packument (which carries neither
	// author nor maintainers) gives no supplier, never an invented one.
	// The Contacts slice may be shared between answers: do not modify it.
	Supplier(name, version string) (s lockfiles.Supplier, from string, ok bool)
}

// A person is an author or maintainer as package documents write them:
// the object {"name", "email", "url"} or npm's string form
// "Name <email> (url)". Decoding never fails: any other JSON value (null,
// a number, an array) is a person with nothing known, so that an odd
// author field costs its supplier, not the whole document.
type person struct {
	Name, Email, URL string
}

// UnmarshalJSON implements json.Unmarshaler.
func (p *person) UnmarshalJSON(b []byte) error {
	*p = person{}
	b = bytes.TrimSpace(b)
	if len(b) == 0 {
		return nil
	}
	switch b[0] {
	case '"':
		var s string
		if json.Unmarshal(b, &s) == nil {
			*p = parsePersonString(s)
		}
	case '{':
		var obj struct {
			Name  json.RawMessage `json:"name"`
			Email json.RawMessage `json:"email"`
			URL   json.RawMessage `json:"url"`
		}
		if json.Unmarshal(b, &obj) != nil {
			return nil
		}
		p.Name = jsonString(obj.Name)
		p.Email = jsonString(obj.Email)
		p.URL = jsonString(obj.URL)
	}
	return nil
}

// parsePerson decodes a raw person; absent or odd values give the zero person.
func parsePerson(raw json.RawMessage) person {
	var p person
	p.UnmarshalJSON(raw)
	return p
}

// parsePeople decodes a raw list of people; absent or odd values give none.
func parsePeople(raw json.RawMessage) people {
	var ps people
	ps.UnmarshalJSON(raw)
	return ps
}

// jsonString returns raw as a string, trimmed; "" when it is not a string.
func jsonString(raw json.RawMessage) string {
	var s string
	if len(raw) == 0 || raw[0] != '"' || json.Unmarshal(raw, &s) != nil {
		return ""
	}
	return strings.TrimSpace(s)
}

// parsePersonString reads npm's string form of a person: "Name <email> (url)",
// email and url optional, in that order.
func parsePersonString(s string) person {
	var p person
	name := s
	if i := strings.IndexAny(s, "<("); i >= 0 {
		name = s[:i]
		rest := s[i:]
		if strings.HasPrefix(rest, "<") {
			if j := strings.IndexByte(rest, '>'); j > 0 {
				p.Email = strings.TrimSpace(rest[1:j])
				rest = strings.TrimSpace(rest[j+1:])
			}
		}
		if strings.HasPrefix(rest, "(") {
			if j := strings.IndexByte(rest, ')'); j > 0 {
				p.URL = strings.TrimSpace(rest[1:j])
			}
		}
	}
	p.Name = strings.TrimSpace(name)
	return p
}

// people is a list of maintainers. Like [person], decoding never fails: a
// lone person (string or object) is a list of one, other values an empty
// list.
type people []person

// UnmarshalJSON implements json.Unmarshaler.
func (ps *people) UnmarshalJSON(b []byte) error {
	*ps = nil
	b = bytes.TrimSpace(b)
	if len(b) == 0 {
		return nil
	}
	switch b[0] {
	case '[':
		var raw []json.RawMessage
		if json.Unmarshal(b, &raw) != nil {
			return nil
		}
		for _, r := range raw {
			var p person
			p.UnmarshalJSON(r)
			*ps = append(*ps, p)
		}
	case '"', '{':
		var p person
		p.UnmarshalJSON(b)
		*ps = people{p}
	}
	return nil
}

// supplierOf builds the supplier of a version from its author and
// maintainers: the author's name (else the sole maintainer's), the author's
// URL when it is an http or https URL, and the maintainers as contacts
// (else the author, when it gives an email). It returns nil when nothing is
// known.
func supplierOf(author person, maintainers people) *lockfiles.Supplier {
	var s lockfiles.Supplier
	for _, m := range maintainers {
		c := lockfiles.Contact{Name: cleanField(m.Name), Email: plainEmail(m.Email)}
		if c != (lockfiles.Contact{}) {
			s.Contacts = append(s.Contacts, c)
		}
	}
	s.Name = cleanField(author.Name)
	if s.Name == "" && len(s.Contacts) == 1 {
		s.Name = s.Contacts[0].Name
	}
	s.URL = webURL(author.URL)
	if len(s.Contacts) == 0 {
		if e := plainEmail(author.Email); e != "" {
			s.Contacts = []lockfiles.Contact{{Name: cleanField(author.Name), Email: e}}
		}
	}
	if s.IsZero() {
		return nil
	}
	return &s
}

// maxField caps a name taken from a package document, in bytes: names are
// short; a longer one is not a name worth putting in an SBOM.
const maxField = 256

// cleanField returns s trimmed, "" when it is too long or holds control
// characters.
func cleanField(s string) string {
	s = strings.TrimSpace(s)
	if len(s) > maxField {
		return ""
	}
	for _, r := range s {
		if r < 0x20 || r == 0x7f || (r >= 0x80 && r < 0xa0) {
			return ""
		}
	}
	return s
}

// plainEmail returns s when it is a plain ASCII address, local@domain: a
// dot-atom local part and a host name, the subset every consumer of
// CycloneDX's idn-email accepts; else "".
func plainEmail(s string) string {
	s = strings.TrimSpace(s)
	at := strings.LastIndexByte(s, '@')
	if at <= 0 || len(s) > 254 {
		return ""
	}
	local, domain := s[:at], s[at+1:]
	if len(local) > 64 || local[0] == '.' || local[len(local)-1] == '.' || strings.Contains(local, "..") {
		return ""
	}
	for i := 0; i < len(local); i++ {
		c := local[i]
		if !(nameChar(c) || c == '.' || strings.IndexByte("!#$%&'*+/=?^`{|}~", c) >= 0) {
			return ""
		}
	}
	if !hostName(domain) {
		return ""
	}
	return s
}

// hostName reports whether s is a DNS host name: dot-separated labels of
// 1 to 63 letters, digits and inner hyphens, 253 bytes at most.
func hostName(s string) bool {
	if s == "" || len(s) > 253 {
		return false
	}
	for _, label := range strings.Split(s, ".") {
		if len(label) == 0 || len(label) > 63 || label[0] == '-' || label[len(label)-1] == '-' {
			return false
		}
		for i := 0; i < len(label); i++ {
			if c := label[i]; !(nameChar(c) && c != '_') {
				return false
			}
		}
	}
	return true
}

// webURL returns s when it is an absolute http or https URL with a host
// and nothing that needs escaping, else "".
func webURL(s string) string {
	s = strings.TrimSpace(s)
	if s == "" || len(s) > 2048 || strings.ContainsAny(s, " \"<>\\^`{|}") {
		return ""
	}
	for i := 0; i < len(s); i++ {
		if s[i] < 0x21 || s[i] >= 0x7f {
			return ""
		}
	}
	u, err := url.Parse(s)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || u.User != nil {
		return ""
	}
	return s
}
