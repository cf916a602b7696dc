package main

import (
	"fmt"
	"io"
	"strings"

	"github.com/spf13/pflag"
)

// cmdMan is 'depsweep help man': the manual page, in roff, built from the
// same help texts and flag sets as --help ('make man' writes it to
// docs/depsweep.1; read it with man ./docs/depsweep.1).
func cmdMan(e *env, args []string) (int, error) {
	if len(args) != 0 {
		return 2, usageErrorf("help", "help man takes no arguments")
	}
	writeMan(e.stdout, commandFlagSets())
	return 0, nil
}

// roffLine escapes one line of text for roff: backslashes, and a leading
// dot or quote that roff would read as a request.
func roffLine(s string) string {
	s = strings.ReplaceAll(s, `\`, `\e`)
	if strings.HasPrefix(s, ".") || strings.HasPrefix(s, "'") {
		s = `\&` + s
	}
	return s
}

// roffText writes a help text: paragraphs as they are, indented blocks
// (usage lines, examples, tables) without filling.
func roffText(w io.Writer, text string) {
	nofill := false
	for _, line := range strings.Split(strings.TrimRight(text, "\n"), "\n") {
		switch {
		case line == "":
			if nofill {
				fmt.Fprintln(w, ".fi")
				nofill = false
			}
			fmt.Fprintln(w, ".PP")
		case strings.HasSuffix(line, ":") && !strings.HasPrefix(line, " ") && !strings.Contains(line, " "):
			if nofill {
				fmt.Fprintln(w, ".fi")
				nofill = false
			}
			fmt.Fprintf(w, ".PP\n.B %s\n", roffLine(line))
		case strings.HasPrefix(line, " "):
			if !nofill {
				fmt.Fprintln(w, ".nf")
				nofill = true
			}
			fmt.Fprintln(w, roffLine(line))
		default:
			if nofill {
				fmt.Fprintln(w, ".fi")
				nofill = false
			}
			fmt.Fprintln(w, roffLine(line))
		}
	}
	if nofill {
		fmt.Fprintln(w, ".fi")
	}
}

func writeMan(w io.Writer, cmds []commandHelp) {
	fmt.Fprintf(w, ".TH DEPSWEEP 1 \"\" \"depsweep %s\" \"User Commands\"\n", roffLine(toolVersion()))
	fmt.Fprintln(w, ".SH NAME\ndepsweep \\- find compromised JavaScript dependencies across a fleet of repositories")
	fmt.Fprintln(w, ".SH DESCRIPTION")
	roffText(w, usageMain)
	fmt.Fprintln(w, ".SH COMMANDS")
	for _, c := range cmds {
		fmt.Fprintf(w, ".SS depsweep %s\n", strings.Join(c.path, " "))
		roffText(w, c.head)
		fmt.Fprintln(w, ".PP\n.B Flags:")
		c.fs.VisitAll(func(f *pflag.Flag) {
			name, usage := pflag.UnquoteUsage(f)
			tag := `\-\-` + strings.ReplaceAll(f.Name, "-", `\-`)
			if f.Shorthand != "" {
				tag = `\-` + f.Shorthand + ", " + tag
			}
			if name != "" {
				tag += " " + `\fI` + name + `\fR`
			}
			fmt.Fprintf(w, ".TP\n.B %s\n%s\n", tag, roffLine(usage))
		})
		roffText(w, c.tail)
	}
	fmt.Fprintln(w, ".SH ENVIRONMENT")
	fmt.Fprintln(w, ".TP\n.B DEPSWEEP_\\fIFLAG\\fR\nsets a flag the command line does not give: DEPSWEEP_FAIL_ON=none is \\-\\-fail\\-on none; lists are comma\\-separated (DEPSWEEP_FEED=a.json,b.json).")
	fmt.Fprintln(w, ".TP\n.B DEPSWEEP_CONFIG\nthe config file, as \\-\\-config.")
	fmt.Fprintln(w, ".TP\n.B SOURCE_DATE_EPOCH\nfixes report and SBOM timestamps, for reproducible output.")
	fmt.Fprintln(w, ".TP\n.B NO_COLOR\nturns colour off.")
	fmt.Fprintln(w, ".SH FILES")
	fmt.Fprintln(w, ".TP\n.B .depsweep.yaml\nthe config file in the working directory; then the user config directory's depsweep/config.yaml. Keys are long flag names; ignore: lists accepted findings.")
	fmt.Fprintln(w, ".SH EXIT STATUS\n0: no finding at or above \\-\\-fail\\-on; 1: findings at or above \\-\\-fail\\-on; 2: bad usage, an unreadable feed, or inputs that could not be read (the report is still written). Findings win over errors.")
}
