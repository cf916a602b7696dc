package mail

import (
	"bufio"
	"bytes"
	"cmp"
	"slices"
	"time"
)

// postfixLine reports whether rest (what follows the timestamp) is
// "host postfix.../service[pid]: ...".
func postfixLine(rest []byte) bool {
	sp := bytes.IndexByte(rest, ' ')
	if sp < 0 {
		return false
	}
	return bytes.HasPrefix(rest[sp+1:], []byte("postfix"))
}

// A pfMsg is a Postfix queue entry being joined from its log lines.
type pfMsg struct {
	lineSpan
	date    time.Time
	host    string
	from    string
	account string
	msgid   string
	subject string
	rcpts   []Recipient
	status  string
}

// A lineSpan is the first and last line of a log entry that MTA log
// lines build up by message or queue id.
type lineSpan struct{ first, last int }

func (s *lineSpan) span() *lineSpan { return s }

// flushIdle passes to emit, in the order they began, the open entries
// whose last line is before line before (emit removes them from open).
func flushIdle[M interface{ span() *lineSpan }](open map[string]M, before int, emit func(string, M) error) error {
	type kv struct {
		id string
		m  M
	}
	var idle []kv
	for id, m := range open {
		if m.span().last < before {
			idle = append(idle, kv{id, m})
		}
	}
	slices.SortFunc(idle, func(a, b kv) int { return a.m.span().first - b.m.span().first })
	for _, e := range idle {
		if err := emit(e.id, e.m); err != nil {
			return err
		}
	}
	return nil
}

// postfixWindow is how many lines a queue entry may stay open without a
// line of its own before it is reported as it is: it bounds memory on a
// log where "removed" lines are missing (a grep'd extract).
const postfixWindow = 1 << 20

// readPostfix reads a Postfix log: qmgr's from=, cleanup's message-id=,
// smtpd's sasl_username= and the delivery agents' to= lines, joined by
// queue id. A message is complete at its "removed" line; those still open
// at the end of the file are reported as they are.
func readPostfix(br *bufio.Reader, yr yearInfo, fn func(*Message) error) ([]Problem, error) {
	lr := &lineReader{r: br}
	yt := yearTracker{year: yr.start}
	open := map[string]*pfMsg{}
	emit := func(id string, m *pfMsg) error {
		delete(open, id)
		msg := &Message{
			Line: m.first, ID: id, MessageID: m.msgid, Server: m.host,
			Account: cmp.Or(m.account, m.from), From: m.from, Subject: m.subject,
			Recipients: m.rcpts, Date: m.date, Status: m.status,
			YearInferred: !m.date.IsZero() && yr.note != "",
		}
		return fn(msg)
	}
	flush := func(before int) error { return flushIdle(open, before, emit) }
	for {
		l, ok, err := lr.next()
		if !ok {
			if ferr := flush(int(^uint(0) >> 1)); ferr != nil {
				return lr.problems(), ferr
			}
			return lr.end(nil, err)
		}
		if lr.line%postfixWindow == 0 {
			if err := flush(lr.line - postfixWindow); err != nil {
				return lr.problems(), err
			}
		}
		var t time.Time
		var rest []byte
		if s, r, ok := syslogPrefix(l); ok {
			rest = r
			t = yt.at(s)
		} else if ts, r, ok := isoPrefix(l); ok {
			rest, t = r, ts
		} else {
			continue
		}
		sp := bytes.IndexByte(rest, ' ')
		if sp < 0 {
			continue
		}
		host, prog := rest[:sp], rest[sp+1:]
		if !bytes.HasPrefix(prog, []byte("postfix")) {
			continue
		}
		c := bytes.Index(prog, []byte(": "))
		if c < 0 {
			continue
		}
		msg := prog[c+2:]
		q := bytes.IndexByte(msg, ':')
		if q < 5 || q > 20 || !queueID(msg[:q]) || len(msg) < q+2 {
			continue
		}
		qid, body := msg[:q], msg[q+2:]
		m := open[string(qid)]
		if m == nil {
			// Any line opens an entry: the to= lines of an entry begun
			// before the file starts still count.
			m = &pfMsg{lineSpan: lineSpan{first: lr.line}, date: t, host: string(host)}
			open[string(qid)] = m
		}
		m.last = lr.line
		switch {
		case bytes.HasPrefix(body, []byte("removed")):
			if err := emit(string(qid), m); err != nil {
				return lr.problems(), err
			}
		case bytes.HasPrefix(body, []byte("to=<")):
			r := Recipient{Addr: cleanAddr(string(field(body, "to="))), Field: "rcpt", Status: string(field(body, "status="))}
			if i := bytes.IndexByte([]byte(r.Status), ' '); i >= 0 {
				r.Status = r.Status[:i]
			}
			m.addRcpt(r)
			if o := field(body, "orig_to="); len(o) > 0 {
				m.addRcpt(Recipient{Addr: cleanAddr(string(o)), Field: "orig_to", Status: r.Status})
			}
			if r.Status != "" {
				m.status = r.Status
			}
		case bytes.HasPrefix(body, []byte("from=<")):
			m.from = cleanAddr(string(field(body, "from=")))
			if m.date.IsZero() {
				m.date = t
			}
		case bytes.HasPrefix(body, []byte("message-id=")):
			m.msgid = cleanAddr(string(field(body, "message-id=")))
		case bytes.HasPrefix(body, []byte("client=")):
			if u := field(body, "sasl_username="); len(u) > 0 {
				m.account = string(u)
			}
		case bytes.HasPrefix(body, []byte("uid=")): // pickup: local submission
			if f := field(body, "from="); len(f) > 0 {
				m.from = cleanAddr(string(f))
			}
		case bytes.HasPrefix(body, []byte("warning: header Subject: ")):
			s := body[len("warning: header Subject: "):]
			if i := bytes.Index(s, []byte("; from=<")); i >= 0 {
				s = s[:i]
			}
			if i := bytes.LastIndex(s, []byte(" from ")); i >= 0 {
				s = s[:i]
			}
			m.subject = decodeHeader(string(s))
		}
	}
}

// addRcpt records a delivery attempt; a later attempt to the same address
// replaces the earlier one's status.
func (m *pfMsg) addRcpt(r Recipient) {
	for i := range m.rcpts {
		if m.rcpts[i].Addr == r.Addr && m.rcpts[i].Field == r.Field {
			m.rcpts[i].Status = r.Status
			return
		}
	}
	m.rcpts = append(m.rcpts, r)
}

// field returns the value of "name" in a "k=v, k=v" log message: up to
// the next ", " (or the end), keeping a <...> value whole.
func field(b []byte, name string) []byte {
	i := bytes.Index(b, []byte(name))
	for i > 0 && b[i-1] != ' ' && b[i-1] != ',' {
		j := bytes.Index(b[i+1:], []byte(name))
		if j < 0 {
			return nil
		}
		i += 1 + j
	}
	if i < 0 {
		return nil
	}
	v := b[i+len(name):]
	if len(v) > 0 && v[0] == '<' {
		if j := bytes.IndexByte(v, '>'); j >= 0 {
			return v[:j+1]
		}
	}
	if j := bytes.Index(v, []byte(", ")); j >= 0 {
		v = v[:j]
	}
	return v
}

// queueID reports whether b is a Postfix queue id: upper-case hex (short
// ids) or letters and digits with at least one digit (long ids). Words
// such as "warning" and "NOQUEUE" are not.
func queueID(b []byte) bool {
	hex, digit := true, false
	for _, c := range b {
		switch {
		case c >= '0' && c <= '9':
			digit = true
		case c >= 'A' && c <= 'F':
		case c >= 'G' && c <= 'Z' || c >= 'a' && c <= 'z':
			hex = false
		default:
			return false
		}
	}
	return hex || digit
}
