package main

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/spf13/pflag"
	"gopkg.in/yaml.v3"

	"github.com/depsweep/depsweep/ioc/report"
	"github.com/depsweep/depsweep/lockfiles"
)

// A config is the settings of a config file: values for long flag names,
// and ignore rules. Flags given on the command line win over DEPSWEEP_*
// environment variables, which win over the file.
type config struct {
	path   string                 // "" when no file was read
	values map[string]configValue // long flag name → value
	ignore []report.IgnoreRule    // the file's ignore: list
	// origins names where each flag set by apply got its value
	// ("FILE:LINE" or "DEPSWEEP_X"), so a value the command refuses later
	// is reported where it was written.
	origins map[string]string
}

// origin returns where the flag msg names got its value, when apply set it.
func (c *config) origin(msg string) string {
	if c == nil {
		return ""
	}
	for name, o := range c.origins {
		if strings.Contains(msg, "--"+name+" ") {
			return o
		}
	}
	return ""
}

// A configValue is one key of a config file.
type configValue struct {
	vals []string // one value, or a list's items
	list bool
	line int
}

// configFileName is the config file looked for in the working directory.
const configFileName = ".depsweep.yaml"

// maxConfigFile caps a config file: it is a page a person writes.
const maxConfigFile = 1 << 20

// defaultConfigPaths are where a config file is looked for when --config
// is not given: the working directory, then the user config directory.
func defaultConfigPaths() []string {
	paths := []string{configFileName}
	if d, err := os.UserConfigDir(); err == nil {
		paths = append(paths, filepath.Join(d, "depsweep", "config.yaml"))
	}
	return paths
}

// loadConfig reads the config file: explicit (--config) when given, which
// must exist, else the first default path that exists. DEPSWEEP_CONFIG
// names a file as --config does.
func loadConfig(e *env, explicit string, none bool) (*config, error) {
	if none {
		return &config{}, nil
	}
	if explicit == "" {
		explicit = e.getenv("DEPSWEEP_CONFIG")
	}
	if explicit != "" {
		return readConfig(explicit)
	}
	for _, p := range defaultConfigPaths() {
		c, err := readConfig(p)
		if errors.Is(err, fs.ErrNotExist) {
			continue
		}
		return c, err
	}
	return &config{}, nil
}

func readConfig(name string) (*config, error) {
	data, err := readSmallFile(name)
	if err != nil {
		return nil, err
	}
	return parseConfig(data, name)
}

// readSmallFile reads a file a person writes (config, ignore list), up to
// maxConfigFile bytes, following a symbolic link (a dotfile manager's);
// a larger file is an error, never read in part.
func readSmallFile(name string) ([]byte, error) {
	return lockfiles.ReadRegular(name, maxConfigFile, true)
}

// parseConfig reads a config file: a YAML mapping of long flag names to a
// value or a list of values, plus ignore:, a list of ignore rules. A key
// no command has is an error naming its line.
func parseConfig(data []byte, name string) (*config, error) {
	c := &config{path: name, values: map[string]configValue{}}
	var doc yaml.Node
	if err := yaml.NewDecoder(bytes.NewReader(data)).Decode(&doc); err != nil {
		if errors.Is(err, io.EOF) {
			return c, nil
		}
		return nil, fmt.Errorf("%s: %v", name, err)
	}
	if len(doc.Content) == 0 {
		return c, nil
	}
	m := doc.Content[0]
	if m.Kind != yaml.MappingNode {
		return nil, fmt.Errorf("%s:%d: a config file is a mapping of flag names to values (format: json)", name, m.Line)
	}
	known := allFlagNames()
	for i := 0; i+1 < len(m.Content); i += 2 {
		k, v := m.Content[i], m.Content[i+1]
		key := k.Value
		if key == "ignore" {
			rules, err := report.IgnoreRules(v, name)
			if err != nil {
				return nil, err
			}
			c.ignore = append(c.ignore, rules...)
			continue
		}
		if _, ok := known[key]; !ok || key == "config" || key == "help" {
			msg := fmt.Sprintf("%s:%d: unknown key %q", name, k.Line, key)
			if s := suggest(key, keysOf(known)); s != "" {
				msg += fmt.Sprintf(" (did you mean %q?)", s)
			}
			return nil, errors.New(msg)
		}
		if _, dup := c.values[key]; dup {
			return nil, fmt.Errorf("%s:%d: %s is set twice", name, k.Line, key)
		}
		cv := configValue{line: v.Line}
		switch v.Kind {
		case yaml.ScalarNode:
			cv.vals = []string{v.Value}
		case yaml.SequenceNode:
			cv.list = true
			for _, it := range v.Content {
				if it.Kind != yaml.ScalarNode {
					return nil, fmt.Errorf("%s:%d: %s: a list of plain values is expected", name, it.Line, key)
				}
				cv.vals = append(cv.vals, it.Value)
			}
		default:
			return nil, fmt.Errorf("%s:%d: %s: a value or a list of values is expected", name, v.Line, key)
		}
		c.values[key] = cv
	}
	return c, nil
}

func keysOf[V any](m map[string]V) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	slices.Sort(out)
	return out
}

// envName is the environment variable that sets flag name.
func envName(name string) string {
	return "DEPSWEEP_" + strings.ToUpper(strings.ReplaceAll(name, "-", "_"))
}

// isList reports whether a flag takes several values (--feed a --feed b).
func isList(f *pflag.Flag) bool {
	return strings.HasSuffix(f.Value.Type(), "Array") || strings.HasSuffix(f.Value.Type(), "Slice")
}

// apply sets every flag of fs that the command line did not set: from its
// DEPSWEEP_* variable when set, else from the config file. A bad value is
// an error naming the variable or file:line.
func (c *config) apply(e *env, fs *pflag.FlagSet) error {
	var err error
	c.origins = map[string]string{}
	fs.VisitAll(func(f *pflag.Flag) {
		if err != nil || f.Changed || f.Name == "help" || f.Name == "config" || f.Name == "no-config" {
			return
		}
		if v := e.getenv(envName(f.Name)); v != "" {
			vals := []string{v}
			if isList(f) {
				vals = strings.Split(v, ",")
			}
			for _, s := range vals {
				if serr := fs.Set(f.Name, strings.TrimSpace(s)); serr != nil {
					err = fmt.Errorf("%s=%q: %v", envName(f.Name), v, unwrapFlagErr(serr))
					return
				}
			}
			c.origins[f.Name] = envName(f.Name)
			return
		}
		cv, ok := c.values[f.Name]
		if !ok {
			return
		}
		if cv.list && !isList(f) {
			err = fmt.Errorf("%s:%d: %s takes one value, not a list", c.path, cv.line, f.Name)
			return
		}
		for _, s := range cv.vals {
			if serr := fs.Set(f.Name, s); serr != nil {
				err = fmt.Errorf("%s:%d: %s: %v", c.path, cv.line, f.Name, unwrapFlagErr(serr))
				return
			}
		}
		c.origins[f.Name] = fmt.Sprintf("%s:%d", c.path, cv.line)
	})
	return err
}

func unwrapFlagErr(err error) error {
	if u := errors.Unwrap(err); u != nil {
		return u
	}
	return err
}

// commandPaths returns every command that has flags, as typed after
// "depsweep": the command table's, with feed's subcommands in place of
// feed; allFlagNames builds their flag sets to learn the flags.
func commandPaths() [][]string {
	var out [][]string
	for _, c := range commands {
		switch c.name {
		case "help", "completion":
		case "feed":
			for _, sub := range feedCommandNames() {
				out = append(out, []string{"feed", sub})
			}
		default:
			out = append(out, []string{c.name})
		}
	}
	return out
}

// allFlagNames returns the long names of every command's flags: the keys
// a config file may set.
func allFlagNames() map[string]bool {
	names := map[string]bool{}
	for _, c := range commandFlagSets() {
		c.fs.VisitAll(func(f *pflag.Flag) { names[f.Name] = true })
	}
	return names
}

// A commandHelp is one command's flag set and help texts.
type commandHelp struct {
	path       []string // "feed", "show"
	fs         *pflag.FlagSet
	head, tail string
}

// commandFlagSets builds the flag set of every command of commandPaths by
// running it with --help into nothing: the flags and help a command shows
// are the ones completion, the manual and the config file know.
func commandFlagSets() []commandHelp {
	var out []commandHelp
	var cur []string
	collecting = func(_ string, fs *pflag.FlagSet, head, tail string) {
		out = append(out, commandHelp{path: cur, fs: fs, head: head, tail: tail})
	}
	defer func() { collecting = nil }()
	quiet := &env{stdout: io.Discard, stderr: io.Discard, getenv: func(string) string { return "" }}
	for _, p := range commandPaths() {
		cur = p
		dispatch(quiet, append(slices.Clone(p), "--help"))
	}
	return out
}

// collecting, when set, receives every flag set parseFlags is given.
var collecting func(cmd string, fs *pflag.FlagSet, head, tail string)
