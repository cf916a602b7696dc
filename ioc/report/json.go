package report

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"reflect"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/depsweep/depsweep/internal/jsonindent"
)

func init() {
	register("json", 20, func(w io.Writer, r *Report, _ Options) error { return WriteJSON(w, r) })
	register("jsonl", 30, func(w io.Writer, r *Report, _ Options) error { return WriteJSONL(w, r) })
}

// WriteJSON writes r as indented JSON (two spaces), followed by a newline.
// The output is stable: a normalized report (see [Normalize]) always encodes
// to the same bytes.
//
// The bytes are those of an Encoder with SetEscapeHTML(false) and
// SetIndent("", "  "), but the report is never held encoded whole: its
// top-level members are encoded one by one, list members one element at a
// time, in compact form, and indented by jsonindent onto w in chunks (the
// Encoder's own indenting pass re-validates the whole report and took
// more time than encoding it; a fleet's findings each carry their
// advisory and run to megabytes).
func WriteJSON(w io.Writer, r *Report) error {
	s := jsonindent.NewWriter(w)
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	encode := func(v any) error {
		buf.Reset()
		if err := enc.Encode(v); err != nil {
			return err
		}
		s.Write(bytes.TrimSuffix(buf.Bytes(), []byte("\n")))
		return nil
	}
	rv := reflect.ValueOf(r).Elem()
	rt := rv.Type()
	for i := range rt.NumField() {
		f := rt.Field(i)
		name, opts, _ := strings.Cut(f.Tag.Get("json"), ",")
		if !f.IsExported() || f.Anonymous || name == "-" || name == "" || (opts != "" && opts != "omitempty") {
			// Not a layout this writer knows: the plain encoding.
			if err := encode(r); err != nil {
				return err
			}
			s.Write([]byte("\n"))
			return s.Close()
		}
	}
	s.Write([]byte("{"))
	first := true
	for i := range rt.NumField() {
		f := rt.Field(i)
		name, opts, _ := strings.Cut(f.Tag.Get("json"), ",")
		v := rv.Field(i)
		if opts == "omitempty" && emptyJSON(v) {
			continue
		}
		if !first {
			s.Write([]byte(","))
		}
		first = false
		s.Write(strconv.AppendQuote(nil, name))
		s.Write([]byte(":"))
		if v.Kind() != reflect.Slice || v.IsNil() || v.Len() == 0 {
			if err := encode(v.Addr().Interface()); err != nil {
				return err
			}
			continue
		}
		s.Write([]byte("["))
		if err := encodeList(s, v); err != nil {
			return err
		}
		s.Write([]byte("]"))
	}
	s.Write([]byte("}\n"))
	return s.Close()
}

// listWindow is how many list elements encodeList encodes before it
// writes them: enough to share among the processors, few enough that a
// report of any size is never held encoded whole.
const listWindow = 128

// encodeList writes the elements of the slice v to s, separated by commas
// and indented as s would indent them. The elements of each window are
// encoded and indented on up to GOMAXPROCS goroutines, each a stretch of
// them into a buffer of its own (encoding took most of a large report's
// time); findings by [indented.finding], other elements by encoding/json
// and a [jsonindent.Indenter]. While one window is written to s in order,
// the next one is encoded.
func encodeList(s *jsonindent.Writer, v reflect.Value) error {
	n := v.Len()
	findings, _ := v.Interface().([]Finding)
	// s has just opened the array: the elements go one level deeper.
	depth := s.Indenter().Depth() + 1
	type worker struct {
		buf bytes.Buffer
		enc *json.Encoder
		out []byte
		err error
	}
	nw := max(1, min(runtime.GOMAXPROCS(0), n/64))
	var windows [2]struct {
		ws []worker
		wg sync.WaitGroup
	}
	for k := range windows {
		windows[k].ws = make([]worker, nw)
		for i := range windows[k].ws {
			w := &windows[k].ws[i]
			w.enc = json.NewEncoder(&w.buf)
			w.enc.SetEscapeHTML(false)
		}
	}
	encode := func(w *worker, lo, hi int) {
		w.out, w.err = w.out[:0], nil
		for j := lo; j < hi; j++ {
			if j > 0 {
				w.out = append(w.out, ',')
			}
			w.out = jsonindent.Newline(w.out, depth)
			if findings != nil {
				x := indented{b: w.out, depth: depth}
				x.finding(&findings[j])
				if w.out, w.err = x.b, x.err; w.err != nil {
					return
				}
				continue
			}
			w.buf.Reset()
			if w.err = w.enc.Encode(v.Index(j).Addr().Interface()); w.err != nil {
				return
			}
			ind := jsonindent.At(depth)
			w.out, _ = ind.Append(w.out, bytes.TrimSuffix(w.buf.Bytes(), []byte("\n")), -1)
		}
	}
	start := func(k, from int) {
		win := &windows[k%2]
		to := min(from+listWindow, n)
		for i := range win.ws {
			lo, hi := from+(to-from)*i/nw, from+(to-from)*(i+1)/nw
			if nw == 1 {
				encode(&win.ws[i], lo, hi)
			} else {
				win.wg.Go(func() { encode(&win.ws[i], lo, hi) })
			}
		}
	}
	start(0, 0)
	var err error
	for k, from := 0, 0; from < n; k, from = k+1, from+listWindow {
		win := &windows[k%2]
		win.wg.Wait()
		if err != nil {
			continue // wait for every window started, write none
		}
		if next := from + listWindow; next < n {
			start(k+1, next)
		}
		for i := range win.ws {
			if err = win.ws[i].err; err != nil {
				break
			}
			s.WriteIndented(win.ws[i].out, jsonindent.At(depth))
		}
	}
	return err
}

// emptyJSON is encoding/json's test for omitempty.
func emptyJSON(v reflect.Value) bool {
	switch v.Kind() {
	case reflect.Array, reflect.Map, reflect.Slice, reflect.String:
		return v.Len() == 0
	case reflect.Bool:
		return !v.Bool()
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		return v.Int() == 0
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Uintptr:
		return v.Uint() == 0
	case reflect.Float32, reflect.Float64:
		return v.Float() == 0
	case reflect.Interface, reflect.Pointer:
		return v.IsNil()
	}
	return false
}

// JSONL line types: the "type" field of every line of a JSONL stream.
const (
	LineLockfile = "lockfile" // one per lockfile, before its findings; the fields of [Lockfile]
	LineFinding  = "finding"  // one per finding; the fields of [Finding]
	LineError    = "error"    // one per input that could not be read or parsed; the fields of [Error]
	LineSummary  = "summary"  // the last line: the report without findings, errors and lockfiles
)

type jsonlLockfileLine struct {
	Type string `json:"type"`
	Lockfile
}

type jsonlFindingLine struct {
	Type string `json:"type"`
	Finding
}

type jsonlErrorLine struct {
	Type string `json:"type"`
	Error
}

// jsonlSummaryLine is the report's header and summary, as the last line of a
// JSONL stream carries them.
type jsonlSummaryLine struct {
	Type         string              `json:"type"`
	Schema       string              `json:"schema"`
	Tool         Tool                `json:"tool"`
	Started      time.Time           `json:"started"`
	Finished     time.Time           `json:"finished"`
	Interrupted  bool                `json:"interrupted,omitempty"`
	Roots        []string            `json:"roots"`
	Feeds        []Feed              `json:"feeds"`
	Summary      Summary             `json:"summary"`
	Repos        []Repo              `json:"repos"`
	Shard        *Shard              `json:"shard,omitempty"`
	Suppressions *Suppressions       `json:"suppressions,omitempty"`
	NoLockfile   []NoLockfileProject `json:"projects_without_lockfile,omitempty"`
	Mail         *Mail               `json:"mail,omitempty"` // 'depsweep mail' reports only
}

// A JSONLWriter streams a report as JSON Lines, one object per entry as a
// [Builder] builds it, for fleet runs where a report should be usable
// before the scan ends (or after it was killed). It is a [Sink]: give it to
// [Builder.Stream], then write the summary line with
// [JSONLWriter.WriteSummary] from the finished report, which also carries
// the repositories. It is not safe for concurrent use.
type JSONLWriter struct {
	enc *json.Encoder
}

// NewJSONLWriter returns a JSONLWriter writing to w.
func NewJSONLWriter(w io.Writer) *JSONLWriter {
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	return &JSONLWriter{enc: enc}
}

// Lockfile implements [Sink]: a "lockfile" line.
func (j *JSONLWriter) Lockfile(l *Lockfile) error {
	return j.enc.Encode(jsonlLockfileLine{LineLockfile, *l})
}

// Error implements [Sink]: an "error" line.
func (j *JSONLWriter) Error(e *Error) error {
	return j.enc.Encode(jsonlErrorLine{LineError, *e})
}

// Finding implements [Sink]: a "finding" line.
func (j *JSONLWriter) Finding(f *Finding) error {
	return j.enc.Encode(jsonlFindingLine{LineFinding, *f})
}

// WriteSummary writes the final "summary" line from the finished report r
// (its findings, errors and lockfiles are not repeated).
func (j *JSONLWriter) WriteSummary(r *Report) error {
	return j.enc.Encode(jsonlSummaryOf(r))
}

func jsonlSummaryOf(r *Report) jsonlSummaryLine {
	return jsonlSummaryLine{
		Type: LineSummary, Schema: r.Schema, Tool: r.Tool,
		Started: r.Started, Finished: r.Finished,
		Interrupted: r.Interrupted, Roots: r.Roots, Feeds: r.Feeds,
		Summary: r.Summary, Repos: r.Repos, Shard: r.Shard, Suppressions: r.Suppressions, NoLockfile: r.NoLockfile, Mail: r.Mail,
	}
}

// WriteJSONL writes a finished report as a JSONL stream: its lockfiles,
// errors and findings in report order, then the summary line. Reading it
// back with [Read] gives r again.
func WriteJSONL(w io.Writer, r *Report) error {
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	for _, l := range r.Lockfiles {
		if err := enc.Encode(jsonlLockfileLine{LineLockfile, l}); err != nil {
			return err
		}
	}
	for _, e := range r.Errors {
		if err := enc.Encode(jsonlErrorLine{LineError, e}); err != nil {
			return err
		}
	}
	for _, f := range r.Findings {
		if err := enc.Encode(jsonlFindingLine{LineFinding, f}); err != nil {
			return err
		}
	}
	return enc.Encode(jsonlSummaryOf(r))
}

// maxReport caps the size of a report Read accepts (1 GiB).
const maxReport = 1 << 30

// maxLine caps one JSONL line (64 MiB).
const maxLine = 64 << 20

// Read reads a saved report, either JSON (as [WriteJSON] writes it) or JSONL
// (as [JSONLWriter] or [WriteJSONL] write it), telling them apart by the first
// line. The result is normalized. A JSONL stream without its summary line
// (a scan that was killed) reads as a report marked interrupted. Errors name
// the line of the problem and never quote the input.
func Read(r io.Reader) (*Report, error) {
	br := bufio.NewReaderSize(r, 64<<10)
	first, err := br.Peek(1)
	for err == nil && (first[0] == ' ' || first[0] == '\t' || first[0] == '\n' || first[0] == '\r') {
		br.ReadByte()
		first, err = br.Peek(1)
	}
	if err == io.EOF {
		return nil, errors.New("empty report")
	}
	if err != nil {
		return nil, err
	}
	if first[0] != '{' {
		return nil, errors.New("line 1: not a depsweep report (want a JSON object)")
	}
	line, _ := br.Peek(br.Buffered())
	if i := bytes.IndexByte(line, '\n'); i >= 0 {
		line = line[:i]
	}
	var probe struct {
		Type *string `json:"type"`
	}
	if json.Unmarshal(line, &probe) == nil && probe.Type != nil {
		return readJSONL(br)
	}
	data, err := io.ReadAll(io.LimitReader(br, maxReport+1))
	if err != nil {
		return nil, err
	}
	if len(data) > maxReport {
		return nil, fmt.Errorf("report is over the %d-byte limit", maxReport)
	}
	var rep Report
	if err := json.Unmarshal(data, &rep); err != nil {
		return nil, jsonError(data, err)
	}
	if rep.Schema != Schema {
		return nil, schemaError(rep.Schema)
	}
	Normalize(&rep)
	return &rep, nil
}

func schemaError(got string) error {
	if got == "" {
		return errors.New("not a depsweep report (no schema field)")
	}
	return fmt.Errorf("unsupported report schema %q (want %q)", got, Schema)
}

// jsonError adds the line of a JSON syntax or type error.
func jsonError(data []byte, err error) error {
	var off int64 = -1
	var se *json.SyntaxError
	var te *json.UnmarshalTypeError
	switch {
	case errors.As(err, &se):
		off = se.Offset
	case errors.As(err, &te):
		off = te.Offset
	}
	if off < 0 || off > int64(len(data)) {
		return fmt.Errorf("invalid JSON: %v", err)
	}
	line := 1 + bytes.Count(data[:off], []byte{'\n'})
	return fmt.Errorf("line %d: invalid JSON: %v", line, err)
}

func readJSONL(r io.Reader) (*Report, error) {
	var rep Report
	seenSummary := false
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 0, 64<<10), maxLine)
	n := 0
	for sc.Scan() {
		n++
		b := bytes.TrimSpace(sc.Bytes())
		if len(b) == 0 {
			continue
		}
		var head struct {
			Type string `json:"type"`
		}
		if err := json.Unmarshal(b, &head); err != nil {
			return nil, fmt.Errorf("line %d: invalid JSON: %v", n, err)
		}
		var err error
		switch head.Type {
		case LineLockfile:
			var l jsonlLockfileLine
			if err = json.Unmarshal(b, &l); err == nil {
				rep.Lockfiles = append(rep.Lockfiles, l.Lockfile)
				if l.Repo != "" {
					rep.Repos = append(rep.Repos, Repo{Path: l.Repo})
				}
			}
		case LineFinding:
			var f jsonlFindingLine
			if err = json.Unmarshal(b, &f); err == nil {
				rep.Findings = append(rep.Findings, f.Finding)
			}
		case LineError:
			var e jsonlErrorLine
			if err = json.Unmarshal(b, &e); err == nil {
				rep.Errors = append(rep.Errors, e.Error)
			}
		case LineSummary:
			var s jsonlSummaryLine
			if err = json.Unmarshal(b, &s); err == nil {
				if s.Schema != Schema {
					return nil, fmt.Errorf("line %d: %v", n, schemaError(s.Schema))
				}
				seenSummary = true
				rep.Schema, rep.Tool, rep.Roots, rep.Feeds = s.Schema, s.Tool, s.Roots, s.Feeds
				rep.Started, rep.Finished = s.Started, s.Finished
				rep.Interrupted, rep.Summary = s.Interrupted, s.Summary
				// The summary's repos carry git metadata; they replace
				// the bare paths gathered from lockfile lines.
				rep.Repos = s.Repos
				rep.Shard, rep.Suppressions = s.Shard, s.Suppressions
				rep.NoLockfile = s.NoLockfile
				rep.Mail = s.Mail
			}
		default:
			// Unknown line types are skipped: later versions may add some.
		}
		if err != nil {
			return nil, fmt.Errorf("line %d: invalid %s line: %v", n, head.Type, err)
		}
	}
	if err := sc.Err(); err != nil {
		if errors.Is(err, bufio.ErrTooLong) {
			return nil, fmt.Errorf("line %d: line over the %d-byte limit", n+1, maxLine)
		}
		return nil, err
	}
	if !seenSummary {
		// A stream cut short (the scan was killed): what is here is all we
		// know, and it must not read as complete.
		rep.Interrupted = true
	}
	Normalize(&rep)
	return &rep, nil
}
