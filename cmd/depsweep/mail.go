package main

import (
	"os"
	"time"

	"github.com/depsweep/depsweep/feeds"
	"github.com/depsweep/depsweep/ioc"
	"github.com/depsweep/depsweep/ioc/report"
	"github.com/depsweep/depsweep/lockfiles/mail"
)

// cmdMail is 'depsweep mail': read mail evidence (Postmark exports, MTA
// logs, mailboxes) and report every message that went to an indicator
// address or domain inside the exposure windows.
func cmdMail(e *env, args []string) (int, error) {
	fs := newFlags("mail")
	var (
		ff           feedFlags
		lf           logFlags
		since, until string
		year         int
		redact       bool
		format       string
		output       string
	)
	ff.register(fs)
	lf.register(fs)
	fs.StringVar(&since, "since", "", helpMailSince)
	fs.StringVar(&until, "until", "", helpMailUntil)
	fs.IntVar(&year, "year", 0, helpMailYear)
	fs.BoolVar(&redact, "redact-subjects", false, helpRedactSubjects)
	fs.StringVar(&format, "format", "text", helpFormat)
	fs.StringVarP(&output, "output", "o", "", helpOutput)
	if done, err := parseFlags(e, "mail", fs, args, usageMail, usageMailTail); done {
		return flagExit(err)
	}

	// Check every flag before reading anything.
	if err := checkFormat(format); err != nil {
		return 2, err
	}
	var sinceT, untilT time.Time
	var err error
	if since != "" {
		if sinceT, err = parseSince(since); err != nil {
			return 2, errMailTime("since", since)
		}
	}
	if until != "" {
		if untilT, err = parseSince(until); err != nil {
			return 2, errMailTime("until", until)
		}
	}
	if !sinceT.IsZero() && !untilT.IsZero() && untilT.Before(sinceT) {
		return 2, errMailWindow(since, until)
	}
	if year != 0 && (year < 1970 || year > 9999) {
		return 2, errMailYear(year)
	}
	paths := fs.Args()
	if len(paths) == 0 {
		return 2, errMailArgs()
	}
	for _, p := range paths {
		if _, err := os.Stat(p); err != nil {
			return 2, errMailInput(p, unwrapPath(err))
		}
	}
	log, _, err := lf.logger(e)
	if err != nil {
		return 2, err
	}
	fds, err := ff.load()
	if err != nil {
		return 2, err
	}
	inds, err := feeds.Unify(fds...)
	if err != nil {
		return 2, errIndex(err)
	}
	m, err := ioc.NewMailMatcher(inds)
	if err != nil {
		return 2, errMailIndicators(err)
	}
	if since != "" || until != "" {
		m.SetWindow(sinceT, untilT)
	}
	out, err := openOutput(e, output)
	if err != nil {
		return 2, errOutput(err)
	}
	defer out.abort()

	b := report.NewBuilder(report.Header{
		Tool:    report.Tool{Name: "depsweep", Version: toolVersion()},
		Started: time.Now().UTC(),
		Roots:   slashAll(paths),
		Feeds:   reportFeeds(fds),
	})
	col := report.NewMailCollector(m, redact)
	interrupted := false
	files, err := mail.Read(paths, mail.Options{Year: year}, func(msg *mail.Message) error {
		if e.ctx.Err() != nil {
			interrupted = true
			return e.ctx.Err()
		}
		col.Message(msg)
		return nil
	})
	if err != nil && !interrupted {
		return 2, errMailRead(err)
	}
	rep := b.Finish(time.Now().UTC(), interrupted, report.Coverage{})
	col.Finish(files, rep)
	if since != "" || until != "" {
		w := &report.Period{}
		if !sinceT.IsZero() {
			w.From = &sinceT
		}
		if !untilT.IsZero() {
			u := m.Window(nil).To
			w.To = &u
		}
		rep.Mail.Window = w
	}
	for _, f := range rep.Mail.Files {
		if f.Error != "" {
			log.Error().Str("path", f.Path).Str("error", f.Error).Msg(logMailFileError)
		} else if f.Skipped == "" {
			log.Debug().Str("path", f.Path).Str("format", f.Format).Int("messages", f.Messages).Msg(logMailFile)
		}
	}
	report.Normalize(rep)
	if err := out.write(e, rep, format); err != nil {
		return 2, err
	}
	ml := rep.Mail
	log.Info().Int("examined", ml.Examined).Int("in_window", ml.InWindow).Int("copied", ml.Copied).
		Int("outside_window", ml.OutsideWindow).Int("errors", rep.Summary.Errors).
		Dur("duration", rep.Finished.Sub(rep.Started).Round(time.Millisecond)).Msg(logMailDone)
	if ml.Examined == 0 && rep.Summary.Errors == 0 && !interrupted {
		log.Warn().Msg(logMailNothing)
	}
	switch {
	case ml.Copied > 0:
		return 1, nil
	case rep.Summary.Errors > 0 || interrupted:
		return 2, nil
	}
	return 0, nil
}
