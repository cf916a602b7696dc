package report

import (
	"strconv"
	"time"

	"github.com/depsweep/depsweep/internal/jsonindent"
	"github.com/depsweep/depsweep/internal/jsonstr"
)

// indented appends JSON laid out as encoding/json's Encoder lays it out with
// SetIndent("", "  ") and SetEscapeHTML(false): a member or element on
// a line of its own, indented two spaces per level, "key": value, empty
// objects and arrays as {} and []. It encodes a Finding field by field,
// without reflection: a fleet report holds thousands of findings of
// 2.5 kB each, and encoding/json took most of the time spent writing it.
// TestAppendFindingMatchesEncoder holds it to encoding/json's bytes for
// every field of a Finding, set alone and all together.
type indented struct {
	b     []byte
	depth int  // of the members or elements being written
	first bool // nothing written yet since the last open
	err   error
}

func (w *indented) open(c byte) {
	w.b = append(w.b, c)
	w.depth++
	w.first = true
}

func (w *indented) close(c byte) {
	w.depth--
	if !w.first {
		w.b = jsonindent.Newline(w.b, w.depth)
	}
	w.b = append(w.b, c)
	w.first = false
}

// elem starts an array element.
func (w *indented) elem() {
	if !w.first {
		w.b = append(w.b, ',')
	}
	w.first = false
	w.b = jsonindent.Newline(w.b, w.depth)
}

// key starts an object member; k needs no escaping.
func (w *indented) key(k string) {
	w.elem()
	w.b = append(w.b, '"')
	w.b = append(w.b, k...)
	w.b = append(w.b, '"', ':', ' ')
}

func (w *indented) str(k, v string) {
	w.key(k)
	w.b = jsonstr.Append(w.b, v)
}

// strOmit writes a string member tagged omitempty.
func (w *indented) strOmit(k, v string) {
	if v != "" {
		w.str(k, v)
	}
}

func (w *indented) boolean(k string, v bool) {
	w.key(k)
	w.b = strconv.AppendBool(w.b, v)
}

func (w *indented) boolOmit(k string, v bool) {
	if v {
		w.boolean(k, v)
	}
}

func (w *indented) intOmit(k string, v int) {
	if v != 0 {
		w.key(k)
		w.b = strconv.AppendInt(w.b, int64(v), 10)
	}
}

// strs writes a []string member: null when nil, as encoding/json does.
func (w *indented) strs(k string, v []string) {
	w.key(k)
	if v == nil {
		w.b = append(w.b, "null"...)
		return
	}
	w.open('[')
	for _, s := range v {
		w.elem()
		w.b = jsonstr.Append(w.b, s)
	}
	w.close(']')
}

func (w *indented) strsOmit(k string, v []string) {
	if len(v) > 0 {
		w.strs(k, v)
	}
}

// time writes a time as its MarshalJSON does; its error (a year outside
// 0 to 9999) is kept and ends the encoding, as encoding/json's would.
func (w *indented) time(k string, t time.Time) {
	w.key(k)
	b, err := t.MarshalJSON()
	if err != nil && w.err == nil {
		w.err = err
	}
	w.b = append(w.b, b...)
}

func (w *indented) timeOmit(k string, t *time.Time) {
	if t != nil {
		w.time(k, *t)
	}
}

func (w *indented) commit(k string, c *CommitRef) {
	if c == nil {
		return
	}
	w.key(k)
	w.commitRef(c)
}

func (w *indented) commitRef(c *CommitRef) {
	w.open('{')
	w.str("hash", c.Hash)
	w.time("date", c.Date)
	w.str("author", c.Author)
	w.close('}')
}

func (w *indented) period(k string, p *Period) {
	w.key(k)
	w.open('{')
	w.timeOmit("from", p.From)
	w.timeOmit("to", p.To)
	w.close('}')
}

// finding appends f's JSON, its members one level deeper than w.depth
// (the caller wrote the newline and indentation before its brace).
func (w *indented) finding(f *Finding) {
	w.open('{')
	w.str("id", f.ID)
	w.str("severity", f.Severity)
	w.str("repo", f.Repo)
	w.str("lockfile", f.Lockfile)
	w.intOmit("line", f.Line)

	p := &f.Package
	w.key("package")
	w.open('{')
	w.str("name", p.Name)
	w.str("version", p.Version)
	w.strOmit("alias", p.Alias)
	w.strOmit("source", p.Source)
	w.strOmit("resolved", p.Resolved)
	w.strOmit("integrity", p.Integrity)
	w.boolean("dev", p.Dev)
	w.boolOmit("optional", p.Optional)
	w.boolean("direct", p.Direct)
	w.close('}')

	w.strs("path", f.Path)
	w.key("indicator")
	w.open('{')
	w.str("kind", f.Indicator.Kind)
	w.str("value", f.Indicator.Value)
	w.close('}')

	a := &f.Advisory
	w.key("advisory")
	w.open('{')
	w.str("id", a.ID)
	w.strsOmit("aliases", a.Aliases)
	w.str("title", a.Title)
	w.strOmit("summary", a.Summary)
	w.timeOmit("published", a.Published)
	w.strs("references", a.References)
	if e := a.Exposure; e != nil {
		w.key("exposure")
		w.open('{')
		w.time("from", e.From)
		w.timeOmit("to", e.To)
		w.close('}')
	}
	w.close('}')

	w.str("evidence", f.Evidence)
	w.strsOmit("remediation", f.Remediation)
	w.boolOmit("collision", f.Collision)
	w.strOmit("declared", f.Declared)
	w.strOmit("status", f.Status)
	if s := f.Suppressed; s != nil {
		w.key("suppressed")
		w.open('{')
		w.str("reason", s.Reason)
		w.strOmit("until", s.Until)
		w.str("source", s.Source)
		w.close('}')
	}
	w.strOmit("branch", f.Branch)
	w.strsOmit("refs", f.Refs)
	w.boolOmit("branch_tag", f.BranchTag)
	w.commit("introduced", f.Introduced)
	w.strOmit("moved_to", f.MovedTo)
	w.commit("first_seen", f.FirstSeen)
	w.strOmit("before", f.Before)
	w.commit("last_seen", f.LastSeen)
	w.commit("removed_in", f.RemovedIn)
	if e := f.Exposure; e != nil {
		w.key("exposure")
		w.open('{')
		w.period("present", &e.Present)
		if e.Audit != nil {
			w.period("audit", e.Audit)
		}
		if len(e.Spans) > 0 {
			w.key("spans")
			w.open('[')
			for i := range e.Spans {
				s := &e.Spans[i]
				w.elem()
				w.open('{')
				w.key("from")
				w.commitRef(&s.From)
				w.key("last")
				w.commitRef(&s.Last)
				w.commit("removed_in", s.To)
				w.commit("introduced", s.Introduced)
				w.period("present", &s.Present)
				if s.Audit != nil {
					w.period("audit", s.Audit)
				}
				w.close('}')
			}
			w.close(']')
		}
		w.close('}')
	}
	w.strOmit("trace", f.Trace)
	w.timeOmit("seen_at", f.SeenAt)
	w.strOmit("seen_at_from", f.SeenAtFrom)
	w.strOmit("machine", f.Machine)
	w.close('}')
}
