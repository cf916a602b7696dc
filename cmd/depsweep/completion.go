package main

import (
	"fmt"
	"io"
	"slices"
	"strings"

	"github.com/spf13/pflag"
)

// cmdCompletion is 'depsweep completion bash|zsh|fish': a completion script
// built from the same flag sets the commands parse.
func cmdCompletion(e *env, args []string) (int, error) {
	fs := newFlags("completion")
	if done, err := parseFlags(e, "completion", fs, args, usageCompletion, ""); done {
		return flagExit(err)
	}
	args = fs.Args()
	if len(args) != 1 {
		return 2, usageErrorf("completion", "completion takes one shell: bash, zsh or fish")
	}
	cmds := commandFlagSets()
	switch args[0] {
	case "bash":
		writeBashCompletion(e.stdout, cmds)
	case "zsh":
		writeZshCompletion(e.stdout, cmds)
	case "fish":
		writeFishCompletion(e.stdout, cmds)
	default:
		return 2, usageErrorf("completion", "no completion for shell %q: bash, zsh or fish", args[0])
	}
	return 0, nil
}

// longFlags lists a flag set's flags as --name (and -x), sorted.
func longFlags(fs *pflag.FlagSet) []string {
	var out []string
	fs.VisitAll(func(f *pflag.Flag) {
		out = append(out, "--"+f.Name)
		if f.Shorthand != "" {
			out = append(out, "-"+f.Shorthand)
		}
	})
	slices.Sort(out)
	return out
}

// flagText is the first sentence of a flag's usage, for completion menus.
func flagText(f *pflag.Flag) string {
	_, u := pflag.UnquoteUsage(f)
	if i := strings.Index(u, ";"); i > 0 {
		u = u[:i]
	}
	if i := strings.Index(u, " ("); i > 0 {
		u = u[:i]
	}
	return u
}

func writeBashCompletion(w io.Writer, cmds []commandHelp) {
	fmt.Fprintf(w, "# bash completion for depsweep; load with: source <(depsweep completion bash)\n")
	fmt.Fprintf(w, "_depsweep() {\n\tlocal cur=${COMP_WORDS[COMP_CWORD]} cmd=${COMP_WORDS[1]} sub=${COMP_WORDS[2]} opts=\n")
	fmt.Fprintf(w, "\tif [[ $COMP_CWORD -eq 1 ]]; then\n\t\tCOMPREPLY=($(compgen -W %q -- \"$cur\"))\n\t\treturn\n\tfi\n", strings.Join(commandNames(), " "))
	fmt.Fprintf(w, "\tcase \"$cmd $sub\" in\n")
	for _, c := range cmds {
		// The quoted part is literal; the * after it is the glob.
		pat := fmt.Sprintf("%q*", c.path[0]+" ")
		if len(c.path) > 1 {
			pat = fmt.Sprintf("%q*", strings.Join(c.path, " "))
		}
		fmt.Fprintf(w, "\t%s) opts=%q ;;\n", pat, strings.Join(longFlags(c.fs), " "))
	}
	fmt.Fprintf(w, "\t'feed '*) [[ $COMP_CWORD -eq 2 ]] && { COMPREPLY=($(compgen -W '%s' -- \"$cur\")); return; } ;;\n", strings.Join(feedCommandNames(), " "))
	fmt.Fprintf(w, "\t'completion '*) COMPREPLY=($(compgen -W 'bash zsh fish' -- \"$cur\")); return ;;\n")
	fmt.Fprintf(w, "\tesac\n")
	fmt.Fprintf(w, "\tif [[ $cur == -* ]]; then\n\t\tCOMPREPLY=($(compgen -W \"$opts\" -- \"$cur\"))\n\telse\n\t\tCOMPREPLY=($(compgen -f -- \"$cur\"))\n\tfi\n}\n")
	fmt.Fprintf(w, "complete -o default -F _depsweep depsweep\n")
}

// zshQuote escapes s for a zsh _arguments spec in single quotes.
func zshQuote(s string) string {
	r := strings.NewReplacer("'", `'\''`, "[", `\[`, "]", `\]`, ":", `\:`)
	return r.Replace(s)
}

func writeZshCompletion(w io.Writer, cmds []commandHelp) {
	fmt.Fprintf(w, "#compdef depsweep\n# zsh completion for depsweep; put it in $fpath as _depsweep, or: source <(depsweep completion zsh)\n")
	fmt.Fprintf(w, "_depsweep() {\n\tlocal -a cmds\n\tcmds=(%s)\n", strings.Join(commandNames(), " "))
	fmt.Fprintf(w, "\tif (( CURRENT == 2 )); then\n\t\t_describe 'command' cmds\n\t\treturn\n\tfi\n")
	fmt.Fprintf(w, "\tcase \"${words[2]} ${words[3]}\" in\n")
	for _, c := range cmds {
		pat := fmt.Sprintf("%q*", c.path[0]+" ")
		if len(c.path) > 1 {
			pat = fmt.Sprintf("%q", strings.Join(c.path, " "))
		}
		fmt.Fprintf(w, "\t%s)\n\t\t_arguments -s \\\n", pat)
		c.fs.VisitAll(func(f *pflag.Flag) {
			arg := ""
			if f.Value.Type() != "bool" {
				arg = ":value:_files"
			}
			fmt.Fprintf(w, "\t\t\t'--%s[%s]%s' \\\n", f.Name, zshQuote(flagText(f)), arg)
		})
		fmt.Fprintf(w, "\t\t\t'*:file:_files' ;;\n")
	}
	fmt.Fprintf(w, "\t'feed '*) _values 'feed command' %s ;;\n", strings.Join(feedCommandNames(), " "))
	fmt.Fprintf(w, "\t'completion '*) _values 'shell' bash zsh fish ;;\n")
	fmt.Fprintf(w, "\tesac\n}\ncompdef _depsweep depsweep 2>/dev/null || true\n")
}

// fishQuote quotes s for fish in single quotes.
func fishQuote(s string) string {
	return "'" + strings.NewReplacer(`\`, `\\`, "'", `\'`).Replace(s) + "'"
}

func writeFishCompletion(w io.Writer, cmds []commandHelp) {
	fmt.Fprintf(w, "# fish completion for depsweep; save as ~/.config/fish/completions/depsweep.fish\n")
	fmt.Fprintf(w, "complete -c depsweep -f\n")
	fmt.Fprintf(w, "complete -c depsweep -n __fish_use_subcommand -a %s\n", fishQuote(strings.Join(commandNames(), " ")))
	fmt.Fprintf(w, "complete -c depsweep -n '__fish_seen_subcommand_from feed' -a '%s'\n", strings.Join(feedCommandNames(), " "))
	fmt.Fprintf(w, "complete -c depsweep -n '__fish_seen_subcommand_from completion' -a 'bash zsh fish'\n")
	for _, c := range cmds {
		cond := "__fish_seen_subcommand_from " + c.path[len(c.path)-1]
		c.fs.VisitAll(func(f *pflag.Flag) {
			req := ""
			if f.Value.Type() != "bool" {
				req = " -r -F"
			}
			short := ""
			if f.Shorthand != "" {
				short = " -s " + f.Shorthand
			}
			fmt.Fprintf(w, "complete -c depsweep -n %s -l %s%s%s -d %s\n", fishQuote(cond), f.Name, short, req, fishQuote(flagText(f)))
		})
	}
}
