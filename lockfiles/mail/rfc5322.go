package mail

import (
	"bufio"
	"bytes"
	"fmt"
	"io"
	"mime"
	"net/mail"
	"net/textproto"
	"regexp"
	"strings"
	"sync"

	"golang.org/x/text/encoding/htmlindex"
)

// maxHeader bounds a message's header block; the rest of an oversized
// block is skipped as a problem.
const maxHeader = 1 << 20

// wordDecoder decodes RFC 2047 encoded words in any charset the WHATWG
// encoding index knows (ISO-8859-x, windows-125x, KOI8, Shift_JIS, ...).
var wordDecoder = &mime.WordDecoder{CharsetReader: func(charset string, r io.Reader) (io.Reader, error) {
	e, err := htmlindex.Get(charset)
	if err != nil {
		return nil, err
	}
	return e.NewDecoder().Reader(r), nil
}}

var addrParser = &mail.AddressParser{WordDecoder: wordDecoder}

// decodeHeader decodes a header value's encoded words; a value that
// cannot be decoded is kept as written, invalid UTF-8 replaced.
func decodeHeader(s string) string {
	if d, err := wordDecoder.DecodeHeader(s); err == nil {
		s = d
	}
	return strings.ToValidUTF8(s, "\uFFFD")
}

// parseAddress returns the address of "Name <addr>" or "addr".
func parseAddress(s string) (string, error) {
	a, err := addrParser.Parse(s)
	if err != nil {
		return "", err
	}
	return a.Address, nil
}

// looseAddr finds what looks like an address in a header that RFC 5322
// parsing refused (non-UTF-8 bytes, a broken display name): an address
// must not be missed because the name next to it is garbage.
var looseAddr = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`[^\s<>,;:"()\[\]\\]+@[^\s<>,;:"()\[\]\\]+`) })

// addresses parses an address-list header. ok is false when it had to be
// read loosely.
func addresses(v string) ([]string, bool) {
	if strings.TrimSpace(v) == "" {
		return nil, true
	}
	list, err := addrParser.ParseList(v)
	if err == nil {
		out := make([]string, len(list))
		for i, a := range list {
			out[i] = a.Address
		}
		return out, true
	}
	var out []string
	for _, m := range looseAddr().FindAllString(v, -1) {
		out = append(out, strings.Trim(m, "'."))
	}
	return out, false
}

// recipientFields are the header fields whose addresses a message went to.
var recipientFields = []string{"To", "Cc", "Bcc", "Resent-To", "Resent-Cc", "Resent-Bcc"}

// header is one message's header block: canonical key → values.
type header map[string][]string

func (h header) get(k string) string {
	if v := h[k]; len(v) > 0 {
		return v[0]
	}
	return ""
}

// message builds a Message from a header block that starts at line.
func (h header) message(line int, server string) (*Message, []Problem) {
	var probs []Problem
	m := &Message{Line: line, Server: server}
	m.ID = cleanAddr(h.get("Message-Id"))
	m.Subject = decodeHeader(h.get("Subject"))
	if from, ok := addresses(h.get("From")); len(from) > 0 {
		m.From = from[0]
		if !ok {
			probs = append(probs, Problem{Line: line, Msg: "header From: not an RFC 5322 address list; address read loosely"})
		}
	}
	if s, ok := addresses(h.get("Sender")); ok && len(s) > 0 {
		m.Account = s[0]
	}
	if m.Account == "" {
		m.Account = m.From
	}
	for _, f := range recipientFields {
		for _, v := range h[f] {
			as, ok := addresses(v)
			if !ok {
				probs = append(probs, Problem{Line: line, Msg: fmt.Sprintf("header %s: not an RFC 5322 address list; addresses read loosely", f)})
			}
			for _, a := range as {
				m.Recipients = append(m.Recipients, Recipient{Addr: a, Field: strings.ToLower(f)})
			}
		}
	}
	if d := h.get("Date"); d != "" {
		if t, err := mail.ParseDate(d); err == nil {
			m.Date = t.UTC()
		} else {
			probs = append(probs, Problem{Line: line, Msg: "header Date: not a date; message undated"})
		}
	}
	return m, probs
}

// readHeader reads a header block from lr up to its blank line. cut is
// set when the input ended first.
func readHeader(lr *lineReader, first []byte) (h header, cut bool, probs []Problem, err error) {
	h = header{}
	var key string
	var val []byte
	size := 0
	put := func() {
		if key != "" {
			v := string(bytes.TrimSpace(val))
			h[key] = append(h[key], v)
		}
		key, val = "", nil
	}
	add := func(l []byte) {
		size += len(l)
		if size > maxHeader {
			return
		}
		if len(l) > 0 && (l[0] == ' ' || l[0] == '\t') {
			if key != "" {
				val = append(append(val, ' '), bytes.TrimSpace(l)...)
			}
			return
		}
		put()
		i := bytes.IndexByte(l, ':')
		if i <= 0 {
			probs = append(probs, Problem{Line: lr.line, Msg: "header line without a colon ignored"})
			return
		}
		key = textproto.CanonicalMIMEHeaderKey(string(bytes.TrimSpace(l[:i])))
		val = append([]byte(nil), l[i+1:]...)
	}
	if first != nil {
		add(first)
	}
	for {
		l, ok, rerr := lr.next()
		if !ok {
			put()
			return h, true, probs, rerr
		}
		if len(l) == 0 {
			put()
			if size > maxHeader {
				probs = append(probs, Problem{Line: lr.line, Msg: fmt.Sprintf("header block longer than %d bytes; the rest ignored", maxHeader)})
			}
			return h, false, probs, nil
		}
		add(l)
	}
}

// readEML reads one message: its header block (the body is not read).
func readEML(mailbox string, br *bufio.Reader, fn func(*Message) error) ([]Problem, error) {
	lr := &lineReader{r: br}
	h, cut, probs, err := readHeader(lr, nil)
	m, p := h.message(1, mailbox)
	probs = append(probs, p...)
	probs = append(lr.problems(), probs...)
	if ferr := fn(m); ferr != nil {
		return probs, ferr
	}
	if err != nil {
		return probs, &LineError{Line: lr.line + 1, Err: err}
	}
	if cut && len(h) == 0 {
		return probs, &LineError{Line: lr.line, Err: fmt.Errorf("no header block")}
	}
	return probs, nil
}

// readMbox reads an mbox: each message starts at a "From " line at the
// start of the file or after a blank line (mboxo and mboxrd quote body
// lines that start with "From "). Only header blocks are parsed.
func readMbox(path string, br *bufio.Reader, fn func(*Message) error) ([]Problem, error) {
	lr := &lineReader{r: br}
	var probs []Problem
	blank := true
	for {
		l, ok, err := lr.next()
		if !ok {
			return lr.end(probs, err)
		}
		if !(blank && bytes.HasPrefix(l, []byte("From "))) {
			blank = len(l) == 0
			continue
		}
		start := lr.line
		h, cut, p, rerr := readHeader(lr, nil)
		probs = append(probs, p...)
		m, p2 := h.message(start, path)
		probs = append(probs, p2...)
		if ferr := fn(m); ferr != nil {
			return probs, ferr
		}
		if rerr != nil {
			return lr.end(probs, rerr)
		}
		if cut {
			return append(lr.problems(), probs...), &LineError{Line: lr.line, Err: fmt.Errorf("mailbox cut inside the header of the message that starts at line %d", start)}
		}
		blank = true // the header's blank line
	}
}
