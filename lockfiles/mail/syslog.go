package mail

import (
	"bufio"
	"bytes"
	"fmt"
	"io"
	"os"
	"time"
)

// A stamp is a syslog timestamp without its year.
type stamp struct {
	month          time.Month
	day            int
	hour, min, sec int
	nsec           int
}

func (s stamp) in(year int) time.Time {
	return time.Date(year, s.month, s.day, s.hour, s.min, s.sec, s.nsec, time.UTC)
}

var months = map[string]time.Month{
	"Jan": 1, "Feb": 2, "Mar": 3, "Apr": 4, "May": 5, "Jun": 6,
	"Jul": 7, "Aug": 8, "Sep": 9, "Oct": 10, "Nov": 11, "Dec": 12,
}

// syslogPrefix parses "Sep 18 10:02:11 " (the day may be space-padded, the
// seconds may have a fraction) at the start of l and returns the rest.
func syslogPrefix(l []byte) (stamp, []byte, bool) {
	var s stamp
	if len(l) < 16 || l[3] != ' ' {
		return s, nil, false
	}
	m, ok := months[string(l[:3])]
	if !ok {
		return s, nil, false
	}
	s.month = m
	i := 4
	if l[i] == ' ' {
		i++
	}
	d, n := digits(l[i:], 2)
	if n == 0 || d < 1 || d > 31 {
		return s, nil, false
	}
	s.day = d
	i += n
	if i >= len(l) || l[i] != ' ' {
		return s, nil, false
	}
	i++
	var ok2 bool
	if s.hour, s.min, s.sec, s.nsec, i, ok2 = clock(l, i); !ok2 {
		return s, nil, false
	}
	if i >= len(l) || l[i] != ' ' {
		return s, nil, false
	}
	return s, l[i+1:], true
}

// clock parses "10:02:11" with an optional fraction at l[i:] and returns
// the index after it.
func clock(l []byte, i int) (h, m, sec, nsec, end int, ok bool) {
	if len(l) < i+8 || l[i+2] != ':' || l[i+5] != ':' {
		return 0, 0, 0, 0, 0, false
	}
	var n1, n2, n3 int
	h, n1 = digits(l[i:i+2], 2)
	m, n2 = digits(l[i+3:i+5], 2)
	sec, n3 = digits(l[i+6:i+8], 2)
	if n1 != 2 || n2 != 2 || n3 != 2 || h > 23 || m > 59 || sec > 60 {
		return 0, 0, 0, 0, 0, false
	}
	i += 8
	if i < len(l) && (l[i] == '.' || l[i] == ',') {
		j := i + 1
		scale := 100000000
		for j < len(l) && l[j] >= '0' && l[j] <= '9' {
			nsec += int(l[j]-'0') * scale
			scale /= 10
			j++
		}
		i = j
	}
	return h, m, sec, nsec, i, true
}

func digits(b []byte, max int) (int, int) {
	v, n := 0, 0
	for n < len(b) && n < max && b[n] >= '0' && b[n] <= '9' {
		v = v*10 + int(b[n]-'0')
		n++
	}
	return v, n
}

// isoPrefix parses an RFC 3339 timestamp and a space at the start of l
// (rsyslog's high-precision format).
func isoPrefix(l []byte) (time.Time, []byte, bool) {
	if len(l) < 20 || l[4] != '-' || l[10] != 'T' {
		return time.Time{}, nil, false
	}
	sp := bytes.IndexByte(l, ' ')
	if sp < 0 || sp > 40 {
		return time.Time{}, nil, false
	}
	t, err := time.Parse(time.RFC3339Nano, string(l[:sp]))
	if err != nil {
		return time.Time{}, nil, false
	}
	return t.UTC(), l[sp+1:], true
}

// syslogStamped reports whether the first stamped lines of head have a
// year-less syslog timestamp.
func syslogStamped(head []byte) bool {
	for _, l := range bytes.SplitN(head, []byte("\n"), 64) {
		if _, _, ok := syslogPrefix(l); ok {
			return true
		}
		if _, _, ok := isoPrefix(l); ok {
			return false
		}
	}
	return false
}

// yearInfo is the year of a file's first syslog timestamp; the reader
// counts year boundaries from there.
type yearInfo struct {
	start int    // 0: unknown, the file's year-less dates are left undated
	note  string // how it was inferred
}

// A yearTracker turns year-less stamps into times, line by line.
type yearTracker struct {
	year      int
	prevMonth time.Month
}

// boundary reports whether going from month prev to m crosses a new year:
// a backwards jump of more than six months (a clock set back by a few
// days is not a new year).
func boundary(prev, m time.Month) bool { return prev != 0 && prev-m > 6 }

func (y *yearTracker) at(s stamp) time.Time {
	if boundary(y.prevMonth, s.month) {
		y.year++
	}
	y.prevMonth = s.month
	if y.year == 0 {
		return time.Time{}
	}
	return s.in(y.year)
}

// inferYear finds the year of the first syslog timestamp of the file at
// path: it reads the file once to count the year boundaries in it, and
// dates its last entry by the anchor: the file's modification time, or
// the first entry of the next newer file of the same rotation when that
// is earlier (a log is written before it is rotated, and a copied file's
// modification time may be the copy's). It records the first entry's
// time in anchors for the next older file.
func inferYear(path string, open func() (io.ReadCloser, error), opts Options, anchors map[string]time.Time) yearInfo {
	if opts.Year != 0 {
		return yearInfo{start: opts.Year, note: fmt.Sprintf("year %d given for the first entry", opts.Year)}
	}
	st, err := os.Stat(path)
	if err != nil {
		return yearInfo{note: "year unknown: no modification time; dates left undated"}
	}
	anchor := st.ModTime().UTC()
	how := "from the file's modification time " + anchor.Format(time.DateOnly)
	base, _, _ := rotation(path)
	if a, ok := anchors[base]; ok && a.Before(anchor) {
		anchor = a
		how = "from the first entry of the newer file of its rotation, " + a.Format(time.DateOnly)
	}
	rc, err := open()
	if err != nil {
		return yearInfo{note: "year unknown: " + err.Error()}
	}
	defer rc.Close()
	br := bufio.NewReaderSize(rc, 256<<10)
	var first, last stamp
	var prev time.Month
	seen, bounds := false, 0
	for {
		b, err := br.ReadSlice('\n')
		if len(b) > 0 && err != bufio.ErrBufferFull {
			if s, _, ok := syslogPrefix(b); ok {
				if !seen {
					first, seen = s, true
				}
				if boundary(prev, s.month) {
					bounds++
				}
				prev, last = s.month, s
			}
		}
		if err == bufio.ErrBufferFull {
			for err == bufio.ErrBufferFull {
				_, err = br.ReadSlice('\n')
			}
		}
		if err != nil {
			break // a read error is reported by the main pass
		}
	}
	if !seen {
		return yearInfo{}
	}
	yLast := anchor.Year()
	// Syslog writes the host's local time, whose zone the log does not
	// give: allow a day and a half of slack before deciding the last entry
	// is from the year before.
	if last.in(yLast).After(anchor.Add(36 * time.Hour)) {
		yLast--
	}
	start := yLast - bounds
	anchors[base] = first.in(start)
	note := fmt.Sprintf("year inferred %s", how)
	if bounds > 0 {
		note += fmt.Sprintf(", %d year boundary(ies) inside", bounds)
	}
	note += "; times are the host's local time, read as UTC"
	return yearInfo{start: start, note: note}
}
