package mail

import (
	"bufio"
	"bytes"
	"cmp"
	"strings"
	"time"
)

// eximPrefix parses Exim's "2025-09-18 10:02:11" (with an optional
// fraction, time zone and "[pid]") at the start of l and returns the rest.
func eximPrefix(l []byte) (time.Time, []byte, bool) {
	if len(l) < 21 || l[4] != '-' || l[7] != '-' || l[10] != ' ' {
		return time.Time{}, nil, false
	}
	y, n1 := digits(l[0:4], 4)
	mo, n2 := digits(l[5:7], 2)
	d, n3 := digits(l[8:10], 2)
	if n1 != 4 || n2 != 2 || n3 != 2 || mo < 1 || mo > 12 || d < 1 || d > 31 {
		return time.Time{}, nil, false
	}
	h, mi, s, ns, i, ok := clock(l, 11)
	if !ok || i >= len(l) || l[i] != ' ' {
		return time.Time{}, nil, false
	}
	loc := time.UTC
	i++
	if i+5 < len(l) && (l[i] == '+' || l[i] == '-') && l[i+5] == ' ' {
		zh, a := digits(l[i+1:i+3], 2)
		zm, b := digits(l[i+3:i+5], 2)
		if a == 2 && b == 2 {
			off := zh*3600 + zm*60
			if l[i] == '-' {
				off = -off
			}
			loc = time.FixedZone("", off)
			i += 6
		}
	}
	if i < len(l) && l[i] == '[' {
		if j := bytes.IndexByte(l[i:], ']'); j > 0 && i+j+1 < len(l) && l[i+j+1] == ' ' {
			i += j + 2
		}
	}
	return time.Date(y, time.Month(mo), d, h, mi, s, ns, loc).UTC(), l[i:], true
}

// eximID reports whether b is an Exim message id: "1uAbcD-000ABC-XY"
// (before 4.97) or "1uAbcD-000000ABCDE-XYZW" (4.97 on).
func eximID(b []byte) bool {
	if len(b) != 16 && len(b) != 23 {
		return false
	}
	parts := bytes.Split(b, []byte("-"))
	if len(parts) != 3 || len(parts[0]) != 6 {
		return false
	}
	if !(len(parts[1]) == 6 && len(parts[2]) == 2 || len(parts[1]) == 11 && len(parts[2]) == 4) {
		return false
	}
	for _, p := range parts {
		for _, c := range p {
			if !(c >= '0' && c <= '9' || c >= 'A' && c <= 'Z' || c >= 'a' && c <= 'z') {
				return false
			}
		}
	}
	return true
}

type eximMsg struct {
	lineSpan
	date    time.Time
	from    string
	account string
	msgid   string
	subject string
	rcpts   []Recipient
	status  string
}

// readExim reads an Exim main log: the "<=" arrival line gives the
// sender, message id, subject (log_selector +subject) and login; "=>"
// and "->" deliveries, "**" failures and "==" deferrals give the
// recipients; "Completed" ends the message.
func readExim(br *bufio.Reader, server string, fn func(*Message) error) ([]Problem, error) {
	lr := &lineReader{r: br}
	open := map[string]*eximMsg{}
	emit := func(id string, m *eximMsg) error {
		delete(open, id)
		return fn(&Message{
			Line: m.first, ID: id, MessageID: m.msgid, Server: server,
			Account: cmp.Or(m.account, m.from), From: m.from, Subject: m.subject,
			Recipients: m.rcpts, Date: m.date, Status: m.status,
		})
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
		t, rest, ok := eximPrefix(l)
		if !ok {
			continue
		}
		sp := bytes.IndexByte(rest, ' ')
		if sp < 0 || !eximID(rest[:sp]) {
			continue
		}
		id, body := rest[:sp], rest[sp+1:]
		m := open[string(id)]
		if m == nil {
			m = &eximMsg{lineSpan: lineSpan{first: lr.line}, date: t}
			open[string(id)] = m
		}
		m.last = lr.line
		if bytes.Equal(body, []byte("Completed")) || bytes.HasPrefix(body, []byte("Completed ")) {
			if err := emit(string(id), m); err != nil {
				return lr.problems(), err
			}
			continue
		}
		if len(body) < 3 || body[2] != ' ' {
			continue
		}
		flag, args := string(body[:2]), body[3:]
		switch flag {
		case "<=":
			m.date = t
			m.from = cleanAddr(string(firstField(args)))
			for _, kv := range eximFields(args) {
				switch {
				case strings.HasPrefix(kv, "id="):
					m.msgid = cleanAddr(kv[3:])
				case strings.HasPrefix(kv, "T="):
					m.subject = strings.ToValidUTF8(kv[2:], "\uFFFD")
				case strings.HasPrefix(kv, "A="):
					if _, u, ok := strings.Cut(kv[2:], ":"); ok && u != "" {
						m.account = u
					}
				case strings.HasPrefix(kv, "U=") && m.account == "":
					m.account = kv[2:]
				}
			}
			// log_selector +received_recipients ends the line with
			// "for a@b c@d": the recipients as received.
			if i := bytes.LastIndex(args, []byte(" for ")); i >= 0 && !bytes.Contains(args[i+5:], []byte("=")) {
				for _, a := range strings.Fields(string(args[i+5:])) {
					if !strings.Contains(a, "@") || strings.Contains(a, `"`) {
						continue
					}
					m.addRcpt(Recipient{Addr: cleanAddr(a), Field: "rcpt"})
				}
			}
		case "=>", "->", "**", "==", "*>":
			status := map[string]string{"=>": "delivered", "->": "delivered", "**": "failed", "==": "deferred", "*>": "suppressed"}[flag]
			f := strings.Fields(string(args))
			if len(f) == 0 {
				continue
			}
			a := f[0]
			if strings.Contains(a, "@") {
				m.addRcpt(Recipient{Addr: cleanAddr(a), Field: "rcpt", Status: status})
			}
			if len(f) > 1 && strings.HasPrefix(f[1], "<") && strings.Contains(f[1], "@") {
				fld := "orig_to"
				if !strings.Contains(a, "@") {
					fld = "rcpt"
				}
				m.addRcpt(Recipient{Addr: cleanAddr(f[1]), Field: fld, Status: status})
			}
			m.status = status
		}
	}
}

func octal(s string) bool {
	return len(s) == 3 && s[0] >= '0' && s[0] <= '3' && s[1] >= '0' && s[1] <= '7' && s[2] >= '0' && s[2] <= '7'
}

func (m *eximMsg) addRcpt(r Recipient) {
	for i := range m.rcpts {
		if r.Field == "orig_to" && strings.EqualFold(m.rcpts[i].Addr, r.Addr) {
			return // the same address, as written before rewriting
		}
		if strings.EqualFold(m.rcpts[i].Addr, r.Addr) && m.rcpts[i].Field == r.Field {
			m.rcpts[i].Status = r.Status
			return
		}
	}
	m.rcpts = append(m.rcpts, r)
}

// eximFields splits an Exim log line into its k=v fields, a quoted value
// (T="a \"b\"") unquoted.
func eximFields(b []byte) []string {
	var out []string
	s := string(b)
	for s != "" {
		s = strings.TrimLeft(s, " ")
		if s == "" {
			break
		}
		eq := strings.IndexByte(s, '=')
		sp := strings.IndexByte(s, ' ')
		if eq > 0 && (sp < 0 || eq < sp) && eq+1 < len(s) && s[eq+1] == '"' {
			var v strings.Builder
			i := eq + 2
			for ; i < len(s) && s[i] != '"'; i++ {
				if s[i] == '\\' && i+3 < len(s) && octal(s[i+1:i+4]) {
					// Exim writes non-printing bytes as \ooo.
					v.WriteByte((s[i+1]-'0')<<6 | (s[i+2]-'0')<<3 | (s[i+3] - '0'))
					i += 3
					continue
				}
				if s[i] == '\\' && i+1 < len(s) {
					i++
				}
				v.WriteByte(s[i])
			}
			out = append(out, s[:eq+1]+v.String())
			if i >= len(s) {
				break
			}
			s = s[i+1:]
			continue
		}
		if sp < 0 {
			out = append(out, s)
			break
		}
		out = append(out, s[:sp])
		s = s[sp+1:]
	}
	return out
}
