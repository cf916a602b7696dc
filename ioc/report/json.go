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
	var enc elemEncoder
	encode := func(v any) error {
		b, err := enc.compact(v)
		if err != nil {
			return err
		}
		s.Write(b)
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

// encodeList writes the elements of the slice v to s, separated by commas
// and indented as s would indent them. Encoding takes most of a large
// report's time, so the elements are encoded and indented on up to
// GOMAXPROCS goroutines, listChunk at a time (chunk i on goroutine
// i mod the count), each into one of its two buffers, while this goroutine
// writes the chunks in order: findings by [indented.finding], other
// elements by encoding/json and a [jsonindent.Indenter].
func encodeList(s *jsonindent.Writer, v reflect.Value) error {
	n := v.Len()
	findings, _ := v.Interface().([]Finding)
	// s has just opened the array: the elements go one level deeper.
	depth := s.Indenter().Depth() + 1
	chunks := (n + listChunk - 1) / listChunk
	nw := max(1, min(runtime.GOMAXPROCS(0), chunks/2))

	// encode appends elements lo to hi-1, each after its comma and
	// newline, to dst.
	encode := func(enc *elemEncoder, dst []byte, lo, hi int) ([]byte, error) {
		for j := lo; j < hi; j++ {
			if j > 0 {
				dst = append(dst, ',')
			}
			dst = jsonindent.Newline(dst, depth)
			if findings != nil {
				x := indented{b: dst, depth: depth}
				x.finding(&findings[j])
				if dst = x.b; x.err != nil {
					return dst, x.err
				}
				continue
			}
			var err error
			if dst, err = enc.append(dst, v.Index(j).Addr().Interface(), depth); err != nil {
				return dst, err
			}
		}
		return dst, nil
	}
	// Chunk i goes to slot i mod 2nw: goroutine i mod nw fills its two
	// slots in turn, each once the chunk it held before has been written.
	type slot struct {
		out   []byte
		err   error
		free  chan struct{} // the slot may be filled
		ready chan struct{} // the slot holds its chunk
	}
	slots := make([]slot, 2*nw)
	for i := range slots {
		slots[i].free = make(chan struct{}, 1)
		slots[i].free <- struct{}{}
		slots[i].ready = make(chan struct{}, 1)
	}
	stop := make(chan struct{})
	var wg sync.WaitGroup
	for w := range nw {
		wg.Go(func() {
			var enc elemEncoder
			for i := w; i < chunks; i += nw {
				sl := &slots[i%len(slots)]
				select {
				case <-sl.free:
				case <-stop:
					return
				}
				sl.out, sl.err = encode(&enc, sl.out[:0], i*listChunk, min((i+1)*listChunk, n))
				sl.ready <- struct{}{}
			}
		})
	}
	var err error
	for i := range chunks {
		sl := &slots[i%len(slots)]
		<-sl.ready
		if err = sl.err; err != nil {
			break
		}
		s.WriteIndented(sl.out, jsonindent.At(depth))
		sl.free <- struct{}{}
	}
	close(stop)
	wg.Wait()
	return err
}

// listChunk is how many list elements encodeList hands a goroutine at a
// time. Each goroutine holds two chunks' bytes (a finding's are about
// 2.6 kB): small enough that little memory is new to the process (a
// fresh page costs a page fault), large enough that the goroutines seldom
// wait for each other.
const listChunk = 32

// An elemEncoder encodes report values other than findings with
// encoding/json, without HTML escaping.
type elemEncoder struct {
	buf bytes.Buffer
	enc *json.Encoder
}

// compact returns v's compact JSON, valid until the next call.
func (e *elemEncoder) compact(v any) ([]byte, error) {
	if e.enc == nil {
		e.enc = json.NewEncoder(&e.buf)
		e.enc.SetEscapeHTML(false)
	}
	e.buf.Reset()
	if err := e.enc.Encode(v); err != nil {
		return nil, err
	}
	return bytes.TrimSuffix(e.buf.Bytes(), []byte("\n")), nil
}

// append appends v's JSON, indented for depth, to dst.
func (e *elemEncoder) append(dst []byte, v any, depth int) ([]byte, error) {
	b, err := e.compact(v)
	if err != nil {
		return dst, err
	}
	ind := jsonindent.At(depth)
	dst, _ = ind.Append(dst, b, -1)
	return dst, nil
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
