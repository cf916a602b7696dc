package mail

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"path/filepath"
	"strings"
	"time"
)

// pmMessage is an outbound message as Postmark's Messages API returns it,
// in a search page ("Messages") or as message details. Fields depsweep
// does not use (TextBody, HtmlBody, MessageEvents, ...) are skipped.
type pmMessage struct {
	MessageID     string
	Tag           string
	To, Cc, Bcc   []pmAddr
	Recipients    []string
	ReceivedAt    string
	From          string
	Subject       string
	Status        string
	MessageStream string
}

type pmAddr struct {
	Email string
	Name  string
}

// jsonLines reports whether a JSON file holds one value per line: by its
// name (.jsonl, .ndjson), or because its first line is a whole value and
// another follows.
func jsonLines(path string, head []byte) bool {
	switch strings.ToLower(filepath.Ext(strings.TrimSuffix(path, ".gz"))) {
	case ".jsonl", ".ndjson":
		return true
	}
	h := bytes.TrimLeft(head, " \t\r\n\ufeff")
	i := bytes.IndexByte(h, '\n')
	if i < 0 {
		return false
	}
	return json.Valid(h[:i]) && len(bytes.TrimSpace(h[i:])) > 0
}

// readPostmark reads Postmark Messages API JSON: one response per file (a
// search page {"TotalCount", "Messages": [...]}, a message's details, or
// an array of messages), several concatenated, or JSON Lines of either.
// Streaming: a page's messages are read one by one, so a file cut
// mid-object still yields every message before the cut.
func readPostmark(br *bufio.Reader, lines bool, st *searchTotals, fn func(*Message) error) ([]Problem, error) {
	if lines {
		return readPostmarkLines(br, st, fn)
	}
	var probs []Problem
	dec := json.NewDecoder(br)
	dec.UseNumber()
	p := &pmReader{dec: dec, fn: fn, probs: &probs, st: st}
	for {
		tok, err := dec.Token()
		if err == io.EOF {
			return probs, nil
		}
		if err != nil {
			return probs, p.fatal(err)
		}
		switch tok {
		case json.Delim('['):
			if err := p.array(); err != nil {
				return probs, err
			}
		case json.Delim('{'):
			if err := p.object(); err != nil {
				return probs, err
			}
		default:
			return probs, &OffsetError{Offset: dec.InputOffset(), Err: errors.New("not a Postmark message, search page or list of messages")}
		}
	}
}

// searchTotals sums what search pages say and hold.
type searchTotals struct {
	total    int // the largest TotalCount
	messages int // messages in pages that had a TotalCount
}

func (st *searchTotals) page(total json.Number, messages int) {
	if n, err := total.Int64(); err == nil && total != "" {
		st.total = max(st.total, int(n))
		st.messages += messages
	}
}

type pmReader struct {
	dec   *json.Decoder
	fn    func(*Message) error
	probs *[]Problem
	st    *searchTotals
}

// fatal is the error that ends the file: a syntax error or a cut.
func (p *pmReader) fatal(err error) error {
	var se *json.SyntaxError
	if errors.As(err, &se) {
		return &OffsetError{Offset: se.Offset, Err: errors.New(se.Error())}
	}
	if err == io.ErrUnexpectedEOF || err == io.EOF {
		return &OffsetError{Offset: p.dec.InputOffset(), Err: errors.New("unexpected end of JSON: the file is cut")}
	}
	return &OffsetError{Offset: p.dec.InputOffset(), Err: err}
}

// decode decodes the next value into v: a value of the wrong type is a
// problem (the decoder goes on after it); anything else ends the file.
func (p *pmReader) decode(v any) (bool, error) {
	off := p.dec.InputOffset()
	if err := p.dec.Decode(v); err != nil {
		var te *json.UnmarshalTypeError
		if errors.As(err, &te) {
			*p.probs = append(*p.probs, Problem{Offset: off, Msg: fmt.Sprintf("field %s: %s where %s was expected", te.Field, te.Value, te.Type)})
			return false, nil
		}
		return false, p.fatal(err)
	}
	return true, nil
}

// array reads a list of messages, its '[' already read.
func (p *pmReader) array() error {
	_, err := p.messages()
	return err
}

// messages reads a list of messages, its '[' already read, and returns
// how many it held.
func (p *pmReader) messages() (int, error) {
	n := 0
	for p.dec.More() {
		off := p.dec.InputOffset()
		var m pmMessage
		ok, err := p.decode(&m)
		if err != nil {
			return n, err
		}
		if ok {
			n++
			if err := p.emit(&m, off); err != nil {
				return n, err
			}
		}
	}
	if _, err := p.dec.Token(); err != nil {
		return n, p.fatal(err)
	}
	return n, nil
}

// object reads a search page or a message's details, its '{' already read.
func (p *pmReader) object() error {
	off := p.dec.InputOffset()
	var m pmMessage
	var total json.Number
	listed := -1 // messages of the page's "Messages"; -1: none
	isMsg := false
	for p.dec.More() {
		tok, err := p.dec.Token()
		if err != nil {
			return p.fatal(err)
		}
		key, _ := tok.(string)
		var dst any
		switch key {
		case "Messages":
			t, err := p.dec.Token()
			if err != nil {
				return p.fatal(err)
			}
			if t != json.Delim('[') {
				return &OffsetError{Offset: p.dec.InputOffset(), Err: errors.New(`"Messages" is not a list`)}
			}
			n, err := p.messages()
			listed = n
			if err != nil {
				return err
			}
			continue
		case "TotalCount":
			dst = &total
		case "MessageID":
			dst, isMsg = &m.MessageID, true
		case "To":
			dst = &m.To
		case "Cc":
			dst = &m.Cc
		case "Bcc":
			dst = &m.Bcc
		case "Recipients":
			dst = &m.Recipients
		case "ReceivedAt":
			dst = &m.ReceivedAt
		case "From":
			dst = &m.From
		case "Subject":
			dst = &m.Subject
		case "Status":
			dst = &m.Status
		case "MessageStream":
			dst = &m.MessageStream
		case "Tag":
			dst = &m.Tag
		default:
			dst = new(json.RawMessage)
		}
		if _, err := p.decode(dst); err != nil {
			return err
		}
	}
	if _, err := p.dec.Token(); err != nil {
		return p.fatal(err)
	}
	if listed >= 0 {
		p.st.page(total, listed)
	}
	if isMsg {
		return p.emit(&m, off)
	}
	return nil
}

func (p *pmReader) emit(m *pmMessage, off int64) error {
	msg, prob := m.message()
	msg.Offset = off
	if prob != "" {
		*p.probs = append(*p.probs, Problem{Offset: off, Msg: prob})
	}
	return p.fn(msg)
}

// readPostmarkLines reads JSON Lines: a bad line is a problem, and the
// next line is read.
func readPostmarkLines(br *bufio.Reader, st *searchTotals, fn func(*Message) error) ([]Problem, error) {
	lr := &lineReader{r: br}
	var probs []Problem
	for {
		l, ok, err := lr.next()
		if !ok {
			return lr.end(probs, err)
		}
		l = bytes.TrimSpace(l)
		if len(l) == 0 {
			continue
		}
		var v struct {
			pmMessage
			Messages   []pmMessage
			TotalCount json.Number
		}
		if err := json.Unmarshal(l, &v); err != nil {
			msg := err.Error()
			var se *json.SyntaxError
			if errors.As(err, &se) || strings.Contains(msg, "unexpected end") {
				msg = "not a whole JSON value (" + msg + ")"
			}
			probs = append(probs, Problem{Line: lr.line, Msg: msg})
			continue
		}
		var ms []*pmMessage
		if v.MessageID != "" {
			ms = append(ms, &v.pmMessage)
		}
		for i := range v.Messages {
			ms = append(ms, &v.Messages[i])
		}
		if v.Messages != nil {
			st.page(v.TotalCount, len(v.Messages))
		}
		for _, m := range ms {
			msg, prob := m.message()
			msg.Line = lr.line
			if prob != "" {
				probs = append(probs, Problem{Line: lr.line, Msg: prob})
			}
			if err := fn(msg); err != nil {
				return probs, err
			}
		}
	}
}

// message converts m; prob is set when its date cannot be read.
func (m *pmMessage) message() (*Message, string) {
	msg := &Message{ID: m.MessageID, Subject: m.Subject, Status: m.Status}
	msg.Server = "postmark"
	if m.MessageStream != "" {
		msg.Server = "postmark/" + m.MessageStream
	}
	msg.From = m.From
	if a, err := parseAddress(m.From); err == nil {
		msg.From = a
	}
	msg.Account = msg.From
	add := func(field string, as []pmAddr) {
		for _, a := range as {
			msg.Recipients = append(msg.Recipients, Recipient{Addr: a.Email, Field: field})
		}
	}
	add("to", m.To)
	add("cc", m.Cc)
	add("bcc", m.Bcc)
	for _, r := range m.Recipients {
		msg.Recipients = append(msg.Recipients, Recipient{Addr: r, Field: "recipients"})
	}
	var prob string
	if m.ReceivedAt != "" {
		t, err := time.Parse(time.RFC3339Nano, m.ReceivedAt)
		if err != nil {
			// Without a zone: Postmark's API works in US Eastern time.
			t, err = time.Parse("2006-01-02T15:04:05.999999999", m.ReceivedAt)
			if err == nil {
				t = t.Add(5 * time.Hour)
			}
		}
		if err != nil {
			prob = fmt.Sprintf("message %s: ReceivedAt %q is not a date", m.MessageID, m.ReceivedAt)
		} else {
			msg.Date = t.UTC()
		}
	}
	return msg, prob
}
