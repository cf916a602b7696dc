package main

import (
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"

	"github.com/depsweep/depsweep/feeds"
	"github.com/depsweep/depsweep/ioc"
)

// cmdFeed is 'depsweep feed validate|show|update'.
// feedCommands are feed's subcommands, in the order usage lists them; the
// completion scripts, the manual and the config file's keys follow them.
var feedCommands []struct {
	name string
	run  func(*env, []string) (int, error)
}

func init() {
	feedCommands = []struct {
		name string
		run  func(*env, []string) (int, error)
	}{{"validate", feedValidate}, {"show", feedShow}, {"export", feedExport}, {"update", feedUpdate}}
}

// feedCommandNames are the names of [feedCommands].
func feedCommandNames() []string {
	var out []string
	for _, c := range feedCommands {
		out = append(out, c.name)
	}
	return out
}

func cmdFeed(e *env, args []string) (int, error) {
	if len(args) == 0 {
		return 2, errFeedArgs()
	}
	for _, c := range feedCommands {
		if args[0] == c.name {
			return c.run(e, args[1:])
		}
	}
	switch args[0] {
	case "-h", "--help", "help":
		fs := newFlags("feed")
		var ff feedFlags
		ff.register(fs)
		printUsage(e.stdout, fs, usageFeed, "")
		return 0, nil
	}
	return 2, errFeedSubcommand(args[0])
}

func feedValidate(e *env, args []string) (int, error) {
	fs := newFlags("feed")
	if done, err := parseFlags(e, "feed", fs, args, usageFeed, ""); done {
		return flagExit(err)
	}
	if fs.NArg() == 0 {
		return 2, errValidateArgs()
	}
	bad := 0
	for _, name := range fs.Args() {
		fd, err := feeds.Load(name)
		if err != nil {
			bad++
			fmt.Fprintf(e.stderr, "depsweep: %v\n", err)
			continue
		}
		fmt.Fprintln(e.stdout, feedOK(name, len(fd.Advisories), len(fd.Indicators), kindCounts(fd), fd.SHA256))
	}
	if bad > 0 {
		return 2, errFeedInvalid(bad)
	}
	return 0, nil
}

func feedShow(e *env, args []string) (int, error) {
	fs := newFlags("feed")
	var ff feedFlags
	ff.register(fs)
	if done, err := parseFlags(e, "feed", fs, args, usageFeed, ""); done {
		return flagExit(err)
	}
	if fs.NArg() > 0 {
		return 2, errShowArgs()
	}
	fds, err := ff.load()
	if err != nil {
		return 2, err
	}
	for i, fd := range fds {
		if i > 0 {
			fmt.Fprintln(e.stdout)
		}
		writeFeed(e.stdout, fd)
	}
	return 0, nil
}

// writeFeed prints one feed: digest, counts, and each advisory with its indicators.
func writeFeed(w io.Writer, fd *feeds.Feed) {
	fmt.Fprintf(w, "feed %s\n", fd.Name)
	fmt.Fprintf(w, "  sha256      %s\n", fd.SHA256)
	fmt.Fprintf(w, "  advisories  %d\n", len(fd.Advisories))
	fmt.Fprintf(w, "  indicators  %d (%s)\n", len(fd.Indicators), kindCounts(fd))
	for _, a := range fd.Advisories {
		fmt.Fprintf(w, "\n%s  %s  %s\n", a.ID, a.Severity, a.Title)
		if len(a.Aliases) > 0 {
			fmt.Fprintf(w, "  aliases     %s\n", strings.Join(a.Aliases, ", "))
		}
		if !a.Published.IsZero() {
			fmt.Fprintf(w, "  published   %s\n", a.Published.Format(time.DateOnly))
		}
		if !a.Exposure.From.IsZero() {
			to := "open"
			if !a.Exposure.To.IsZero() {
				to = a.Exposure.To.Format(time.DateOnly)
			}
			fmt.Fprintf(w, "  exposure    %s to %s\n", a.Exposure.From.Format(time.DateOnly), to)
		}
		for _, ind := range fd.Indicators {
			if ind.Advisory != a {
				continue
			}
			fmt.Fprintf(w, "  %-10s  %s\n", ind.Kind, indicatorText(&ind))
		}
	}
}

// indicatorText describes an indicator's value and versions.
func indicatorText(ind *ioc.Indicator) string {
	s := ind.Value
	if ind.Ecosystem != "" {
		s = ind.Ecosystem + " " + s
	}
	if ind.Kind != ioc.KindPackage {
		return s
	}
	if ind.Versions.All() {
		return s + " (every version)"
	}
	var vs []string
	vs = append(vs, ind.Versions.Exact...)
	for _, r := range ind.Versions.Ranges {
		var parts []string
		if r.Introduced != "" && r.Introduced != "0" {
			parts = append(parts, ">="+r.Introduced)
		}
		if r.Fixed != "" {
			parts = append(parts, "<"+r.Fixed)
		}
		if r.LastAffected != "" {
			parts = append(parts, "<="+r.LastAffected)
		}
		if len(parts) == 0 {
			parts = append(parts, "every version")
		}
		vs = append(vs, strings.Join(parts, " "))
	}
	return s + " " + strings.Join(vs, ", ")
}

// kindCounts renders a feed's indicator counts per kind ("package 1, domain 1").
func kindCounts(fd *feeds.Feed) string {
	c := fd.Counts()
	var parts []string
	for _, k := range ioc.Kinds {
		if c[k] > 0 {
			parts = append(parts, string(k)+" "+itoa(c[k]))
		}
	}
	return strings.Join(parts, ", ")
}

func itoa(n int) string { return strconv.Itoa(n) }
