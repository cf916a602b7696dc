package report

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"path"
	"strings"
	"time"

	"gopkg.in/yaml.v3"
)

// Suppressed says why a finding is accepted. A suppressed finding stays in
// every report, is counted in [Summary.Suppressed] instead of
// [Summary.Findings], and never changes the exit code.
type Suppressed struct {
	Reason string `json:"reason"`
	Until  string `json:"until,omitempty"` // YYYY-MM-DD: the last day the entry applies
	Source string `json:"source"`          // "FILE:LINE" of the ignore entry
}

// An IgnoreRule is one entry of an ignore file (--ignore-file, or the
// config file's ignore: list). A finding matches when every selector the
// rule sets matches; a rule sets at least one of ID, Advisory and Package.
type IgnoreRule struct {
	ID       string     // finding id
	Advisory string     // advisory id or alias, case-insensitive
	Package  string     // "name" or "name@version"
	Repo     string     // glob (path.Match) over the finding's repo
	Path     string     // glob over the finding's lockfile path; "dir/**" matches below dir
	Reason   string     // required: why the finding is accepted
	Until    *time.Time // the last day the rule applies (UTC); nil: no end
	Source   string     // "FILE:LINE"
}

// An IgnoreEntry describes an ignore rule in the report.
type IgnoreEntry struct {
	Source string `json:"source"`
	Reason string `json:"reason"`
	Until  string `json:"until,omitempty"`
}

// Suppressions is what the ignore rules did: the rules that matched
// nothing and the rules past their until date (which suppressed nothing).
type Suppressions struct {
	Rules   int           `json:"rules"`
	Unused  []IgnoreEntry `json:"unused,omitempty"`
	Expired []IgnoreEntry `json:"expired,omitempty"`
}

// maxIgnoreFile caps an ignore file: it is a list a person writes.
const maxIgnoreFile = 4 << 20

var ignoreKeys = []string{"id", "advisory", "package", "repo", "path", "reason", "until"}

// ParseIgnore reads an ignore file: a YAML list of rules, or a mapping
// whose "ignore" key holds the list. name is used in messages and in each
// rule's Source. Every problem is an error naming name:line.
func ParseIgnore(data []byte, name string) ([]IgnoreRule, error) {
	if len(data) > maxIgnoreFile {
		return nil, fmt.Errorf("%s: larger than %d MiB", name, maxIgnoreFile>>20)
	}
	var doc yaml.Node
	dec := yaml.NewDecoder(bytes.NewReader(data))
	if err := dec.Decode(&doc); err != nil {
		if errors.Is(err, io.EOF) {
			return nil, nil // an empty file: no rules
		}
		return nil, fmt.Errorf("%s: %v", name, err)
	}
	if len(doc.Content) == 0 {
		return nil, nil
	}
	n := doc.Content[0]
	if n.Kind == yaml.MappingNode {
		var list *yaml.Node
		for i := 0; i+1 < len(n.Content); i += 2 {
			k := n.Content[i]
			if k.Value != "ignore" {
				return nil, fmt.Errorf("%s:%d: unknown key %q (an ignore file is a list, or a mapping with the key ignore)", name, k.Line, k.Value)
			}
			list = n.Content[i+1]
		}
		if list == nil {
			return nil, nil
		}
		n = list
	}
	return IgnoreRules(n, name)
}

// IgnoreRules reads a YAML sequence of ignore rules (an ignore file's
// list, or a config file's ignore: value).
func IgnoreRules(n *yaml.Node, name string) ([]IgnoreRule, error) {
	if n.Kind == yaml.ScalarNode && n.Tag == "!!null" {
		return nil, nil
	}
	if n.Kind != yaml.SequenceNode {
		return nil, fmt.Errorf("%s:%d: ignore must be a list of entries", name, n.Line)
	}
	var out []IgnoreRule
	for _, e := range n.Content {
		if e.Kind != yaml.MappingNode {
			return nil, fmt.Errorf("%s:%d: an ignore entry must be a mapping (id, advisory, package, repo, path, reason, until)", name, e.Line)
		}
		r := IgnoreRule{Source: fmt.Sprintf("%s:%d", name, e.Line)}
		for i := 0; i+1 < len(e.Content); i += 2 {
			k, v := e.Content[i], e.Content[i+1]
			if v.Kind != yaml.ScalarNode {
				return nil, fmt.Errorf("%s:%d: %s must be a single value", name, v.Line, k.Value)
			}
			val := strings.TrimSpace(v.Value)
			switch k.Value {
			case "id":
				r.ID = val
			case "advisory":
				r.Advisory = val
			case "package":
				r.Package = val
			case "repo", "path":
				if _, err := path.Match(strings.TrimSuffix(val, "/**"), ""); err != nil {
					return nil, fmt.Errorf("%s:%d: bad glob %q", name, v.Line, val)
				}
				if k.Value == "repo" {
					r.Repo = val
				} else {
					r.Path = val
				}
			case "reason":
				r.Reason = val
			case "until":
				t, err := time.Parse(time.DateOnly, val)
				if err != nil {
					return nil, fmt.Errorf("%s:%d: until %q is not a date (YYYY-MM-DD)", name, v.Line, val)
				}
				r.Until = &t
			default:
				return nil, fmt.Errorf("%s:%d: unknown key %q (want one of %s)", name, k.Line, k.Value, strings.Join(ignoreKeys, ", "))
			}
		}
		if r.Reason == "" {
			return nil, fmt.Errorf("%s:%d: an ignore entry needs a reason: say why the finding is accepted", name, e.Line)
		}
		if r.ID == "" && r.Advisory == "" && r.Package == "" {
			return nil, fmt.Errorf("%s:%d: an ignore entry needs id, advisory or package: without one it would hide every finding", name, e.Line)
		}
		out = append(out, r)
	}
	return out, nil
}

// Expired reports whether the rule no longer applies on day now.
func (r *IgnoreRule) Expired(now time.Time) bool {
	return r.Until != nil && now.UTC().Truncate(24*time.Hour).After(*r.Until)
}

// Matches reports whether the rule selects finding f.
func (r *IgnoreRule) Matches(f *Finding) bool {
	if r.ID != "" && r.ID != f.ID {
		return false
	}
	if r.Advisory != "" && !strings.EqualFold(r.Advisory, f.Advisory.ID) {
		alias := false
		for _, a := range f.Advisory.Aliases {
			alias = alias || strings.EqualFold(r.Advisory, a)
		}
		if !alias {
			return false
		}
	}
	if r.Package != "" {
		name, ver := r.Package, ""
		if i := strings.LastIndexByte(r.Package, '@'); i > 0 {
			name, ver = r.Package[:i], r.Package[i+1:]
		}
		if name != f.Package.Name || (ver != "" && ver != f.Package.Version) {
			return false
		}
	}
	if r.Repo != "" && !globMatch(r.Repo, f.Repo) {
		return false
	}
	if r.Path != "" && !globMatch(r.Path, f.Lockfile) {
		return false
	}
	return true
}

// globMatch matches a slash path against a path.Match glob; "dir/**"
// matches everything below dir.
func globMatch(glob, p string) bool {
	if d, ok := strings.CutSuffix(glob, "/**"); ok {
		for q := p; q != "." && q != "/" && q != ""; q = path.Dir(q) {
			if ok, _ := path.Match(d, path.Dir(q)); ok {
				return true
			}
		}
		return false
	}
	ok, _ := path.Match(glob, p)
	return ok
}

// Suppress applies rules to the findings of r as of day now: a finding
// matched by a rule that has not expired gets Suppressed (the first such
// rule wins). It records the unused and expired rules in r.Suppressions and
// recounts the summary.
func Suppress(r *Report, rules []IgnoreRule, now time.Time) {
	if len(rules) == 0 {
		return
	}
	used := make([]bool, len(rules))
	for i := range r.Findings {
		f := &r.Findings[i]
		f.Suppressed = nil
		for j := range rules {
			rule := &rules[j]
			if rule.Expired(now) || !rule.Matches(f) {
				continue
			}
			used[j] = true
			if f.Suppressed == nil {
				f.Suppressed = &Suppressed{Reason: rule.Reason, Source: rule.Source, Until: dateOf(rule.Until)}
			}
		}
	}
	s := &Suppressions{Rules: len(rules)}
	for j, rule := range rules {
		e := IgnoreEntry{Source: rule.Source, Reason: rule.Reason, Until: dateOf(rule.Until)}
		switch {
		case rule.Expired(now):
			s.Expired = append(s.Expired, e)
		case !used[j]:
			s.Unused = append(s.Unused, e)
		}
	}
	r.Suppressions = s
	Recount(r)
}

func dateOf(t *time.Time) string {
	if t == nil {
		return ""
	}
	return t.Format(time.DateOnly)
}

// suppressedText is a suppression in words: "REASON (SOURCE, until DATE)".
func suppressedText(sp *Suppressed) string {
	return sp.Reason + " (" + sp.Source + cond(sp.Until != "", ", until "+sp.Until, "") + ")"
}
