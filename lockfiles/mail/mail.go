// Package mail reads mail evidence: what a responder exports or copies off
// a mail server to learn where mail went. It reads Postmark Messages API
// exports (outbound search pages, message details, JSON Lines), Postfix
// and Exim logs (plain or gzip'd rotations), .eml files, maildir folders
// and mbox files, and yields one [Message] per sent message with its
// sender, recipients, date and ids.
//
// Every reader streams: memory depends on the longest line or header
// block and on the messages still open in an MTA log, never on the size of
// a file. A file cut short or holding garbage yields what it held before
// the damage, and a [Problem] or an error naming the file and the line (or
// byte offset for JSON).
//
// Syslog-style timestamps ("Sep 18 10:02:11") carry no year. The year is
// inferred from the file's modification time, or from the first entry of
// the next newer file of its rotation (mail.log.1 was written before
// mail.log), counting the year boundaries inside the file; [File.Year]
// says how. It is never taken from the current date.
//
// The package matches nothing: it knows no indicators (see ioc.MailMatcher).
package mail

import (
	"bufio"
	"bytes"
	"compress/gzip"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/depsweep/depsweep/lockfiles"
)

// Format names a kind of mail evidence.
type Format string

// Formats.
const (
	FormatPostmark Format = "postmark" // Postmark Messages API JSON
	FormatPostfix  Format = "postfix"  // Postfix log (syslog or maillog_file)
	FormatExim     Format = "exim"     // Exim main log
	FormatEML      Format = "eml"      // one RFC 5322 message (an .eml file, a maildir entry)
	FormatMbox     Format = "mbox"     // an mbox mailbox
)

// A Message is one message sent, as the evidence records it.
type Message struct {
	Format Format
	File   string // the file as given (or found under a directory given)
	Line   int    // 1-based line where the message's record starts; 0 when unknown
	Offset int64  // byte offset of the record (JSON); 0 when Line is set
	ID     string // Postmark MessageID, Message-ID header, or the MTA's queue/message id
	// MessageID is the Message-ID header an MTA log carries besides its
	// queue id; "" when unknown or the same as ID.
	MessageID string
	// Server is where the message was sent from: the Postfix host name, the
	// Exim log (its rotation base: /var/log/exim4/mainlog), the Postmark
	// message stream ("postmark/outbound"), or the mailbox.
	Server string
	// Account is the sending account: the SMTP AUTH login when the log
	// has one, else the sender address.
	Account    string
	From       string // sender address (envelope for MTA logs, header for the others)
	Subject    string // decoded; "" when the evidence has none
	Recipients []Recipient
	// Date is when the message was sent (UTC); zero when the evidence does
	// not say. YearInferred is set when the year came from inference.
	Date         time.Time
	YearInferred bool
	Status       string // the MTA's or Postmark's delivery status; "" when unknown
}

// A Recipient is one address a message went to.
type Recipient struct {
	Addr   string // as written, angle brackets removed
	Field  string // "to", "cc", "bcc", "recipients" (Postmark), "rcpt" (MTA delivery), "orig_to", "resent-to", ...
	Status string // MTA delivery status ("sent", "deferred", "bounced", "delivered", "failed"); "" when unknown
}

// A Problem is one record that could not be fully read; the rest of the
// file was still read.
type Problem struct {
	Line   int   // 1-based; 0 when Offset is the position
	Offset int64 // byte offset, for JSON
	Msg    string
}

func (p Problem) String() string {
	if p.Line > 0 {
		return fmt.Sprintf("line %d: %s", p.Line, p.Msg)
	}
	return fmt.Sprintf("byte %d: %s", p.Offset, p.Msg)
}

// A File is what reading one file gave.
type File struct {
	Path     string
	Format   Format // "" when the file is not mail evidence
	Messages int    // messages read
	// Year says how the year of syslog timestamps was inferred ("from the
	// modification time 2025-09-26", "from the first entry of mail.log");
	// "" when the file's dates carry their year.
	Year string
	// SearchTotal is the largest TotalCount of the Postmark search pages
	// in the file, and SearchMessages the messages those pages held: the
	// pages of one search that were not exported show as a shortfall.
	SearchTotal, SearchMessages int
	// Skipped says why a file found under a directory was not read ("not
	// mail evidence"); the file is then not examined.
	Skipped  string
	Problems []Problem
	// Err is set when the file could not be read to its end: what came
	// before was read.
	Err error
}

// Options tune reading.
type Options struct {
	// Year, when not zero, is the year of every syslog timestamp that has
	// none: no inference.
	Year int
}

// maxLine is the longest line (or header line) read; longer ones are
// skipped as a problem.
const maxLine = 1 << 20

// sniffSize is how much of a file is looked at to tell its format.
const sniffSize = 16 << 10

// Read reads every file of paths (a directory is walked: maildir entries,
// logs, mailboxes and exports under it) and calls fn for each message, in
// file order. Files of a rotation (mail.log, mail.log.1, mail.log.2.gz)
// are read newest first, so that each can date the next older one. An
// error from fn stops the read and is returned.
func Read(paths []string, opts Options, fn func(*Message) error) ([]File, error) {
	var files []File
	var list []input
	for _, p := range paths {
		st, err := os.Stat(p)
		if err != nil {
			files = append(files, File{Path: p, Err: unwrapPath(err)})
			continue
		}
		if !st.IsDir() {
			if !st.Mode().IsRegular() { // a FIFO or device would block or never end
				files = append(files, File{Path: p, Err: errNotRegular})
				continue
			}
			list = append(list, input{path: p, named: true})
			continue
		}
		werr := filepath.WalkDir(p, func(path string, d fs.DirEntry, err error) error {
			if err != nil {
				files = append(files, File{Path: path, Err: unwrapPath(err)})
				return nil
			}
			if d.IsDir() {
				if d.Name() == "tmp" && isMaildir(filepath.Dir(path)) {
					return fs.SkipDir // deliveries in progress
				}
				return nil
			}
			if d.Type().IsRegular() {
				list = append(list, input{path: path})
			}
			return nil
		})
		if werr != nil {
			files = append(files, File{Path: p, Err: werr})
		}
	}
	anchors := map[string]time.Time{} // rotation base → first entry of the newest file read so far
	for _, in := range rotationOrder(list) {
		f := readOne(in, opts, anchors, fn)
		if f.stop != nil {
			files = append(files, f.File)
			return files, f.stop
		}
		files = append(files, f.File)
	}
	return files, nil
}

type input struct {
	path  string
	named bool // given by name: a file that is not mail evidence is an error
}

// mailboxOf names the mailbox an .eml file belongs to: the maildir
// folder for a maildir entry (Sent for Sent/cur/1758...:2,S), else the
// file itself.
func mailboxOf(path string) string {
	dir := filepath.Dir(path)
	if b := filepath.Base(dir); b == "cur" || b == "new" {
		return filepath.Dir(dir)
	}
	return path
}

// isMaildir reports whether dir holds cur and new.
func isMaildir(dir string) bool {
	for _, s := range []string{"cur", "new"} {
		if st, err := os.Stat(filepath.Join(dir, s)); err != nil || !st.IsDir() {
			return false
		}
	}
	return true
}

// rotation splits a log's name into its base and rotation number:
// "mail.log.2.gz" → ("mail.log", 2); "mail.log" → ("mail.log", 0);
// "mail.log-20250921.gz" → ("mail.log", 20250921) newest-last, see
// rotationOrder.
func rotation(path string) (base string, n int, dated bool) {
	p := strings.TrimSuffix(path, ".gz")
	if i := strings.LastIndexByte(p, '.'); i > 0 {
		if k, ok := atoi(p[i+1:]); ok && len(p)-i-1 <= 3 {
			return p[:i], k, false
		}
	}
	if i := strings.LastIndexByte(p, '-'); i > 0 && len(p)-i-1 == 8 {
		if k, ok := atoi(p[i+1:]); ok {
			return p[:i], k, true
		}
	}
	return p, 0, false
}

// rotationOrder orders inputs so that each rotation set is read newest
// first: mail.log, mail.log.1, mail.log.2.gz; and for dateext rotations
// (mail.log-20250921.gz) the base file first, then the latest date.
// Everything else keeps its order.
func rotationOrder(list []input) []input {
	type key struct {
		base  string
		n     int
		dated bool
	}
	keys := make([]key, len(list))
	first := map[string]int{}
	for i, in := range list {
		b, n, d := rotation(in.path)
		keys[i] = key{b, n, d}
		if _, ok := first[b]; !ok {
			first[b] = i
		}
	}
	idx := make([]int, len(list))
	for i := range idx {
		idx[i] = i
	}
	slices.SortStableFunc(idx, func(a, b int) int {
		ka, kb := keys[a], keys[b]
		if ka.base != kb.base {
			return first[ka.base] - first[kb.base]
		}
		// The current file (n = 0) first, then newest.
		ra, rb := ka.n, kb.n
		switch {
		case ra == rb:
			return 0
		case ra == 0:
			return -1
		case rb == 0:
			return 1
		case ka.dated && kb.dated:
			return rb - ra // a later date is newer
		}
		return ra - rb
	})
	out := make([]input, len(list))
	for i, j := range idx {
		out[i] = list[j]
	}
	return out
}

type readResult struct {
	File
	stop error // from fn
}

// readOne reads one file.
func readOne(in input, opts Options, anchors map[string]time.Time, fn func(*Message) error) readResult {
	res := readResult{File: File{Path: in.path}}
	open := func() (io.ReadCloser, error) { return openFile(in.path) }
	rc, err := open()
	if err != nil {
		res.Err = err
		return res
	}
	br := bufio.NewReaderSize(rc, 256<<10)
	head, _ := br.Peek(sniffSize)
	format := sniff(in.path, head)
	if format == "" {
		rc.Close()
		if in.named {
			res.Err = errNotMail
		} else {
			res.Skipped = "not mail evidence"
		}
		return res
	}
	res.Format = format
	var stop error
	count := func(m *Message) error {
		res.Messages++
		m.Format = format
		m.File = in.path
		if err := fn(m); err != nil {
			stop = err
			return err
		}
		return nil
	}
	switch format {
	case FormatPostmark:
		var st searchTotals
		res.Problems, res.Err = readPostmark(br, jsonLines(in.path, head), &st, count)
		res.SearchTotal, res.SearchMessages = st.total, st.messages
	case FormatEML:
		res.Problems, res.Err = readEML(mailboxOf(in.path), br, count)
	case FormatMbox:
		res.Problems, res.Err = readMbox(in.path, br, count)
	case FormatPostfix, FormatExim:
		var yr yearInfo
		if format == FormatPostfix && syslogStamped(head) {
			yr = inferYear(in.path, open, opts, anchors)
			res.Year = yr.note
		}
		if format == FormatPostfix {
			res.Problems, res.Err = readPostfix(br, yr, count)
		} else {
			base, _, _ := rotation(in.path) // mainlog.1.gz is the server of mainlog
			res.Problems, res.Err = readExim(br, base, count)
		}
	}
	rc.Close()
	if stop != nil {
		res.stop = stop
		res.Err = nil
	}
	return res
}

var (
	errNotMail    = errors.New("not a mail log, mailbox, .eml file or Postmark export")
	errNotRegular = errors.New("not a regular file or directory")
)

// openFile opens a file, through gzip when it is compressed. It opens as
// every file of a scanned tree is opened ([lockfiles.OpenRegular]): a file
// replaced by a FIFO since it was listed is refused, never waited on.
func openFile(path string) (io.ReadCloser, error) {
	f, _, err := lockfiles.OpenRegular(path, true, false)
	if err != nil {
		return nil, unwrapPath(err)
	}
	var magic [2]byte
	n, _ := io.ReadFull(f, magic[:])
	if _, err := f.Seek(0, io.SeekStart); err != nil {
		f.Close()
		return nil, err
	}
	if n == 2 && magic[0] == 0x1f && magic[1] == 0x8b {
		zr, err := gzip.NewReader(f)
		if err != nil {
			f.Close()
			return nil, fmt.Errorf("gzip: %w", err)
		}
		return gzFile{zr, f}, nil
	}
	return f, nil
}

type gzFile struct {
	*gzip.Reader
	f *os.File
}

func (g gzFile) Read(p []byte) (int, error) {
	n, err := g.Reader.Read(p)
	if err != nil && err != io.EOF {
		err = fmt.Errorf("gzip: %w", err)
	}
	return n, err
}

func (g gzFile) Close() error { g.Reader.Close(); return g.f.Close() }

// sniff tells a file's format from its first bytes; "" when it is none
// of them.
func sniff(path string, head []byte) Format {
	h := bytes.TrimLeft(head, " \t\r\n\ufeff")
	if len(h) == 0 {
		return ""
	}
	switch {
	case h[0] == '{' || h[0] == '[':
		return FormatPostmark
	case bytes.HasPrefix(h, []byte("From ")):
		return FormatMbox
	}
	lines := bytes.SplitN(head, []byte("\n"), 64)
	if len(lines) > 1 {
		lines = lines[:len(lines)-1] // the last may be cut by the peek
	}
	for _, l := range lines {
		if _, rest, ok := syslogPrefix(l); ok && postfixLine(rest) {
			return FormatPostfix
		}
		if _, rest, ok := isoPrefix(l); ok && postfixLine(rest) {
			return FormatPostfix
		}
		if _, rest, ok := eximPrefix(l); ok && (eximID(firstField(rest)) || bytes.HasPrefix(rest, []byte("Start queue run")) || bytes.HasPrefix(rest, []byte("exim "))) {
			return FormatExim
		}
	}
	if headerLine(lines[0]) {
		return FormatEML
	}
	return ""
}

// headerLine reports whether l looks like an RFC 5322 header field.
func headerLine(l []byte) bool {
	i := bytes.IndexByte(l, ':')
	if i <= 0 {
		return false
	}
	for _, c := range l[:i] {
		if c <= ' ' || c > '~' {
			return false
		}
	}
	return true
}

// A lineReader reads lines, counting them, skipping those longer than
// maxLine.
type lineReader struct {
	r    *bufio.Reader
	line int
	off  int64
	long []int // lines skipped as too long
}

// next returns the next line without its newline; ok is false at the end
// (err is then the read error, nil at a clean end).
func (lr *lineReader) next() (line []byte, ok bool, err error) {
	for {
		b, err := lr.r.ReadSlice('\n')
		if err == bufio.ErrBufferFull {
			lr.line++
			lr.long = append(lr.long, lr.line)
			lr.off += int64(len(b))
			for err == bufio.ErrBufferFull {
				b, err = lr.r.ReadSlice('\n')
				lr.off += int64(len(b))
			}
			if err != nil {
				return nil, false, eofNil(err)
			}
			continue
		}
		if len(b) == 0 && err != nil {
			return nil, false, eofNil(err)
		}
		lr.line++
		lr.off += int64(len(b))
		b = bytes.TrimSuffix(b, []byte("\n"))
		b = bytes.TrimSuffix(b, []byte("\r"))
		if err != nil && err != io.EOF {
			return b, true, nil // the read error comes again on the next call
		}
		return b, true, nil
	}
}

// end is what a reader returns when lr stops: the lines lr skipped ahead
// of the reader's own problems, and a read error at the line after the
// last one read.
func (lr *lineReader) end(probs []Problem, err error) ([]Problem, error) {
	probs = append(lr.problems(), probs...)
	if err != nil {
		return probs, &LineError{Line: lr.line + 1, Err: err}
	}
	return probs, nil
}

func (lr *lineReader) problems() []Problem {
	var ps []Problem
	for _, l := range lr.long {
		ps = append(ps, Problem{Line: l, Msg: fmt.Sprintf("line longer than %d bytes skipped", maxLine)})
	}
	return ps
}

func eofNil(err error) error {
	if err == io.EOF {
		return nil
	}
	return err
}

func firstField(b []byte) []byte {
	if i := bytes.IndexByte(b, ' '); i >= 0 {
		return b[:i]
	}
	return b
}

func atoi(s string) (int, bool) {
	if s == "" || len(s) > 9 {
		return 0, false
	}
	n := 0
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c < '0' || c > '9' {
			return 0, false
		}
		n = n*10 + int(c-'0')
	}
	return n, true
}

func unwrapPath(err error) error {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return pe.Err
	}
	return err
}

// LineError is a read error at a line of a file.
type LineError struct {
	Line int
	Err  error
}

func (e *LineError) Error() string { return fmt.Sprintf("line %d: %v", e.Line, e.Err) }
func (e *LineError) Unwrap() error { return e.Err }

// OffsetError is a read error at a byte offset of a file.
type OffsetError struct {
	Offset int64
	Err    error
}

func (e *OffsetError) Error() string { return fmt.Sprintf("byte %d: %v", e.Offset, e.Err) }
func (e *OffsetError) Unwrap() error { return e.Err }

// cleanAddr trims an address as MTA logs write it.
func cleanAddr(s string) string {
	s = strings.TrimSpace(s)
	s = strings.TrimPrefix(s, "<")
	s = strings.TrimSuffix(s, ">")
	return s
}
