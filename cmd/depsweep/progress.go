package main

import (
	"fmt"
	"io"
	"strconv"
	"sync"
	"time"

	"github.com/rs/zerolog"

	"github.com/depsweep/depsweep/ioc"
	"github.com/depsweep/depsweep/ioc/report"
)

// Progress and diagnostics on standard error: the progress line on a
// terminal, an event per input that could not be read, the final summary.

// A progressWriter owns a terminal's stderr during a scan: it draws a
// progress line and clears it before any log line, so the two never mix.
type progressWriter struct {
	mu   sync.Mutex
	w    io.Writer
	line string
}

// Write writes a log line above the progress line.
func (p *progressWriter) Write(b []byte) (int, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.line != "" {
		io.WriteString(p.w, "\r\x1b[K")
	}
	n, err := p.w.Write(b)
	if p.line != "" {
		io.WriteString(p.w, p.line)
	}
	return n, err
}

// set replaces the progress line ("" clears it).
func (p *progressWriter) set(line string) {
	p.mu.Lock()
	defer p.mu.Unlock()
	io.WriteString(p.w, "\r\x1b[K"+line)
	p.line = line
}

// run draws prog every interval until stop is closed, then clears the line.
func (p *progressWriter) run(prog *ioc.ScanProgress, stop <-chan struct{}, done chan<- struct{}) {
	defer close(done)
	t := time.NewTicker(200 * time.Millisecond)
	defer t.Stop()
	for {
		select {
		case <-stop:
			p.set("")
			return
		case <-t.C:
			p.set(progressLine(prog.Done.Load(), prog.Discovered.Load(), prog.Findings.Load()))
		}
	}
}

// A logHandler logs every input that could not be read.
type logHandler struct{ log zerolog.Logger }

func (l *logHandler) Lockfile(lf *ioc.LockfileResult) error {
	if lf.Err != nil {
		msg := logInputError
		if lf.IsInput() {
			msg = logLockfileError
		}
		l.log.Error().Str("path", lf.Path).Str("error", lf.Err.Error()).Msg(msg)
	}
	if lf.Inventory != nil && len(lf.Inventory.Problems) > 0 {
		pb := lf.Inventory.Problems[0]
		where := lf.Path
		if pb.Line > 0 {
			where = fmt.Sprintf("%s:%d", lf.Path, pb.Line)
		}
		l.log.Warn().Str("path", lf.Path).Int("skipped", len(lf.Inventory.Problems)).
			Str("first", where+": "+pb.Msg).Msg(logPartlyRead)
	}
	return nil
}

func (l *logHandler) Finding(*ioc.Finding) error { return nil }

// logSummary logs the final summary event.
//
// For a person (--log-format console) it is one sentence with units; for
// machines (--log-format json) one event with every count and the feeds'
// digests.
func logSummary(e *env, log zerolog.Logger, rep *report.Report, d time.Duration) {
	if e.humanLog {
		s := rep.Summary
		log.Info().Msg(fmt.Sprintf("scanned %s (%s) in %s in %s: %s, %s",
			plural(s.Lockfiles, "lockfile", "lockfiles"), plural(s.Packages, "package", "packages"),
			plural(s.Repos, "repository", "repositories"), humanDuration(d),
			plural(s.Findings, "finding", "findings"), plural(s.Errors, "error", "errors")))
		return
	}
	type feedLog struct {
		Name   string `json:"name"`
		SHA256 string `json:"sha256"`
	}
	var fl []feedLog
	for _, f := range rep.Feeds {
		fl = append(fl, feedLog{f.Name, f.SHA256})
	}
	log.Info().
		Int("repos", rep.Summary.Repos).
		Int("lockfiles", rep.Summary.Lockfiles).
		Int("packages", rep.Summary.Packages).
		Int("findings", rep.Summary.Findings).
		Int("errors", rep.Summary.Errors).
		Dur("duration", d.Round(time.Millisecond)).
		Interface("feeds", fl).
		Msg(logScanDone)
}

// plural is "1 finding", "2 findings".
func plural(n int, one, many string) string {
	if n == 1 {
		return "1 " + one
	}
	return strconv.Itoa(n) + " " + many
}

// humanDuration is d in ms below a second, else in seconds.
func humanDuration(d time.Duration) string {
	if d < time.Second {
		return fmt.Sprintf("%d ms", d.Milliseconds())
	}
	return fmt.Sprintf("%.1f s", d.Seconds())
}
