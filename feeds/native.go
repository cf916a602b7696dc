package feeds

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"
	"time"

	"gopkg.in/yaml.v3"

	"github.com/depsweep/depsweep/ioc"
	"github.com/depsweep/depsweep/lockfiles"
)

// FormatV1 is the marker the first field of a native feed carries:
// "format: depsweep/feed/v1".
const FormatV1 = "depsweep/feed/v1"

// MaxNodes caps the size of the YAML tree a native feed may build, counted
// conservatively before parsing as the number of newlines, commas, colons,
// dashes and opening brackets. A YAML node costs about 200 bytes of memory
// once parsed, against as little as 2 bytes of input, so the byte cap
// alone does not bound memory. Bulk data belongs in OSV (a zip export).
var MaxNodes = 1 << 20

// maxDepth caps the nesting of a native feed. The format itself nests 7
// levels deep (feed, advisories, advisory, indicators, indicator, ranges,
// range).
const maxDepth = 16

// ParseNative reads a feed in depsweep's own format (YAML, or JSON, which
// is read as YAML) from r. name names the feed in errors and in
// [ioc.Advisory.Feed]. Decoding is strict: unknown fields, duplicate
// fields, YAML aliases, invalid values and a feed without indicators
// ([ErrNoIndicators]) are errors, reported as "name:line:col: msg".
func ParseNative(r io.Reader, name string) (*Feed, error) {
	data, err := readCapped(r, name)
	if err != nil {
		return nil, err
	}
	return parseNative(data, name)
}

func parseNative(data []byte, name string) (f *Feed, err error) {
	if err := checkLines(data, name); err != nil {
		return nil, err
	}
	if n := structuralCount(data); n > MaxNodes {
		return nil, &lockfiles.ParseError{Path: name, Err: fmt.Errorf("feed too large to parse as yaml (%d structural tokens, limit %d); use an OSV zip export for bulk data", n, MaxNodes)}
	}
	defer func() {
		// yaml.v3 has panicked on crafted input in the past; a feed must
		// never take the process down.
		if r := recover(); r != nil {
			f, err = nil, &lockfiles.ParseError{Path: name, Err: fmt.Errorf("internal error: yaml parser panicked: %v", r)}
		}
	}()
	dec := yaml.NewDecoder(bytes.NewReader(data))
	var doc yaml.Node
	if err := dec.Decode(&doc); err != nil {
		if errors.Is(err, io.EOF) {
			return nil, &lockfiles.ParseError{Path: name, Err: fmt.Errorf("empty feed (want %q at the top)", "format: "+FormatV1)}
		}
		return nil, yamlError(name, err)
	}
	var extra yaml.Node
	if err := dec.Decode(&extra); !errors.Is(err, io.EOF) {
		line := extra.Line
		if err != nil {
			return nil, yamlError(name, err)
		}
		return nil, &lockfiles.ParseError{Path: name, Line: line, Err: errors.New("more than one yaml document")}
	}
	d := &nativeDecoder{name: name}
	if err := d.check(&doc, 0); err != nil {
		return nil, err
	}
	f = &Feed{Name: name}
	if err := d.feed(doc.Content[0], f); err != nil {
		return nil, err
	}
	if len(f.Indicators) == 0 {
		return nil, fmt.Errorf("%s: %w", name, ErrNoIndicators)
	}
	return f, nil
}

// yamlError turns a yaml.v3 error ("yaml: line 3: ...") into a ParseError.
func yamlError(name string, err error) error {
	msg := strings.TrimPrefix(err.Error(), "yaml: ")
	line := 0
	if rest, ok := strings.CutPrefix(msg, "line "); ok {
		if n, tail, ok := strings.Cut(rest, ": "); ok {
			if _, err := fmt.Sscan(n, &line); err == nil {
				msg = tail
			}
		}
	}
	return &lockfiles.ParseError{Path: name, Line: line, Err: errors.New(msg)}
}

// structuralCount bounds the number of YAML nodes data can produce: every
// node after the first is introduced by a newline, a comma, a colon, a
// dash or an opening bracket.
func structuralCount(data []byte) int {
	n := 0
	for _, c := range data {
		switch c {
		case '\n', ',', ':', '-', '[', '{':
			n++
		}
	}
	return n
}

type nativeDecoder struct {
	name string
}

func (d *nativeDecoder) errf(n *yaml.Node, format string, args ...any) error {
	return &lockfiles.ParseError{Path: d.name, Line: n.Line, Col: n.Column, Err: fmt.Errorf(format, args...)}
}

func (d *nativeDecoder) wrap(n *yaml.Node, err error) error {
	return &lockfiles.ParseError{Path: d.name, Line: n.Line, Col: n.Column, Err: err}
}

// check refuses aliases (a "billion laughs" feed expands them
// exponentially; a feed has no use for them) and deep nesting, before any
// decoding walks the tree.
func (d *nativeDecoder) check(n *yaml.Node, depth int) error {
	if depth > maxDepth {
		return d.errf(n, "nesting deeper than %d levels", maxDepth)
	}
	if n.Kind == yaml.AliasNode {
		return d.errf(n, "yaml aliases are not allowed in a feed")
	}
	if n.Kind == yaml.DocumentNode && len(n.Content) == 0 {
		return &lockfiles.ParseError{Path: d.name, Err: fmt.Errorf("empty feed (want %q at the top)", "format: "+FormatV1)}
	}
	for _, c := range n.Content {
		if err := d.check(c, depth+1); err != nil {
			return err
		}
	}
	return nil
}

// fields calls f for each key of a mapping node, refusing duplicate keys.
// f returns errUnknownField for a key it does not know.
func (d *nativeDecoder) fields(n *yaml.Node, what string, f func(key string, v *yaml.Node) error) error {
	if n.Kind != yaml.MappingNode {
		return d.errf(n, "%s: want a mapping", what)
	}
	seen := make(map[string]bool, len(n.Content)/2)
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, v := n.Content[i], n.Content[i+1]
		if k.Kind != yaml.ScalarNode {
			return d.errf(k, "%s: field name must be a string", what)
		}
		if seen[k.Value] {
			return d.errf(k, "duplicate field %s in %s", quote(k.Value), what)
		}
		seen[k.Value] = true
		if err := f(k.Value, v); err != nil {
			if errors.Is(err, errUnknownField) {
				return d.errf(k, "unknown field %s in %s", quote(k.Value), what)
			}
			return err
		}
	}
	return nil
}

var errUnknownField = errors.New("unknown field")

// str decodes a scalar as a string; null is "".
func (d *nativeDecoder) str(n *yaml.Node) (string, error) {
	if n.Kind != yaml.ScalarNode {
		return "", d.errf(n, "want a string")
	}
	switch n.Tag {
	case "!!null":
		return "", nil
	case "!!str", "!!int", "!!float", "!!bool", "!!timestamp", "":
	default:
		return "", d.errf(n, "unsupported yaml tag %s", quote(n.Tag))
	}
	if err := checkText(n.Value); err != nil {
		return "", d.wrap(n, err)
	}
	return n.Value, nil
}

// list calls f for each item of a sequence node; null is an empty list.
func (d *nativeDecoder) list(n *yaml.Node, what string, f func(item *yaml.Node) error) error {
	if n.Kind == yaml.ScalarNode && n.Tag == "!!null" {
		return nil
	}
	if n.Kind != yaml.SequenceNode {
		return d.errf(n, "%s: want a list", what)
	}
	for _, item := range n.Content {
		if err := f(item); err != nil {
			return err
		}
	}
	return nil
}

// strs decodes a list of strings, checking each with check (which may be nil).
func (d *nativeDecoder) strs(n *yaml.Node, what string, check func(string) error) ([]string, error) {
	var out []string
	err := d.list(n, what, func(item *yaml.Node) error {
		s, err := d.str(item)
		if err != nil {
			return err
		}
		if check != nil {
			if err := check(s); err != nil {
				return d.wrap(item, err)
			}
		}
		out = append(out, s)
		return nil
	})
	return out, err
}

func (d *nativeDecoder) feed(n *yaml.Node, f *Feed) error {
	var format, advisories *yaml.Node
	err := d.fields(n, "feed", func(key string, v *yaml.Node) error {
		switch key {
		case "format":
			format = v
		case "advisories":
			advisories = v
		default:
			return errUnknownField
		}
		return nil
	})
	if err != nil {
		return err
	}
	if format == nil {
		return d.errf(n, "missing %q (not a depsweep feed?)", "format: "+FormatV1)
	}
	if s, err := d.str(format); err != nil {
		return err
	} else if s != FormatV1 {
		return d.errf(format, "unsupported format %s (want %s)", quote(s), FormatV1)
	}
	if advisories == nil {
		return d.errf(n, "missing advisories")
	}
	ids := make(map[string]int)
	return d.list(advisories, "advisories", func(item *yaml.Node) error {
		adv, inds, err := d.advisory(item)
		if err != nil {
			return err
		}
		if line, dup := ids[adv.ID]; dup {
			return d.errf(item, "duplicate advisory id %s (first at line %d)", quote(adv.ID), line)
		}
		ids[adv.ID] = item.Line
		adv.Feed = f.Name
		f.Advisories = append(f.Advisories, adv)
		f.Indicators = append(f.Indicators, inds...)
		return nil
	})
}

func (d *nativeDecoder) advisory(n *yaml.Node) (*ioc.Advisory, []ioc.Indicator, error) {
	adv := new(ioc.Advisory)
	var indNodes, sevNode *yaml.Node
	err := d.fields(n, "advisory", func(key string, v *yaml.Node) error {
		var err error
		switch key {
		case "id":
			if adv.ID, err = d.str(v); err == nil {
				if err = checkID(adv.ID); err != nil {
					err = d.wrap(v, err)
				}
			}
		case "aliases":
			adv.Aliases, err = d.strs(v, "aliases", checkID)
		case "title":
			adv.Title, err = d.str(v)
		case "summary":
			adv.Summary, err = d.str(v)
		case "published":
			adv.Published, err = d.time(v)
		case "modified":
			adv.Modified, err = d.time(v)
		case "references":
			adv.References, err = d.strs(v, "references", checkURL)
		case "severity":
			sevNode = v
			adv.Severity, err = d.severity(v)
		case "remediation":
			adv.Remediation, err = d.strs(v, "remediation", func(s string) error {
				if strings.TrimSpace(s) == "" {
					return errors.New("empty remediation step")
				}
				return nil
			})
		case "exposure":
			adv.Exposure, err = d.window(v)
		case "indicators":
			indNodes = v
		default:
			return errUnknownField
		}
		return err
	})
	if err != nil {
		return nil, nil, err
	}
	switch {
	case adv.ID == "":
		return nil, nil, d.errf(n, "advisory without id")
	case strings.TrimSpace(adv.Title) == "":
		return nil, nil, d.errf(n, "advisory %s: missing title", quote(adv.ID))
	case sevNode == nil:
		return nil, nil, d.errf(n, "advisory %s: missing severity", quote(adv.ID))
	case indNodes == nil:
		return nil, nil, d.errf(n, "advisory %s: missing indicators", quote(adv.ID))
	}
	var inds []ioc.Indicator
	err = d.list(indNodes, "indicators", func(item *yaml.Node) error {
		ind, err := d.indicator(item)
		if err != nil {
			return err
		}
		ind.Advisory = adv
		inds = append(inds, ind)
		return nil
	})
	if err != nil {
		return nil, nil, err
	}
	if len(inds) == 0 {
		return nil, nil, d.errf(indNodes, "advisory %s: no indicators", quote(adv.ID))
	}
	return adv, inds, nil
}

func (d *nativeDecoder) time(n *yaml.Node) (t time.Time, err error) {
	s, err := d.str(n)
	if err != nil {
		return t, err
	}
	t, err = parseTime(s)
	if err != nil {
		return t, d.wrap(n, err)
	}
	return t, nil
}

func (d *nativeDecoder) severity(n *yaml.Node) (ioc.Severity, error) {
	s, err := d.str(n)
	if err != nil {
		return 0, err
	}
	sev, err := ioc.ParseSeverity(s)
	if err != nil {
		return 0, d.errf(n, "unknown severity %s (want critical, high, medium, low or info)", quote(s))
	}
	return sev, nil
}

func (d *nativeDecoder) window(n *yaml.Node) (w ioc.Window, err error) {
	err = d.fields(n, "exposure", func(key string, v *yaml.Node) error {
		var err error
		switch key {
		case "from":
			w.From, err = d.time(v)
		case "to":
			w.To, err = d.time(v)
		default:
			return errUnknownField
		}
		return err
	})
	if err == nil && !w.From.IsZero() && !w.To.IsZero() && w.To.Before(w.From) {
		err = d.errf(n, "exposure ends before it starts")
	}
	return w, err
}

// indicator decodes one indicator: exactly one kind field ("package: name",
// "domain: host", ...) and the fields that kind allows.
func (d *nativeDecoder) indicator(n *yaml.Node) (ind ioc.Indicator, err error) {
	var versions, ranges, ecosystem *yaml.Node
	var kindNode *yaml.Node
	err = d.fields(n, "indicator", func(key string, v *yaml.Node) error {
		switch key {
		case "ecosystem":
			ecosystem = v
			return nil
		case "versions":
			versions = v
			return nil
		case "ranges":
			ranges = v
			return nil
		case "severity":
			sev, err := d.severity(v)
			ind.Severity = &sev
			return err
		}
		kind := ioc.Kind(key)
		if !slices.Contains(ioc.Kinds, kind) {
			return d.errf(v, "unknown indicator kind or field %s (want one of package, publisher, domain, email, url, hash)", quote(key))
		}
		if kindNode != nil {
			return d.errf(v, "indicator has two kinds (%s and %s): write one indicator per kind", ind.Kind, kind)
		}
		kindNode = v
		ind.Kind = kind
		s, err := d.str(v)
		if err != nil {
			return err
		}
		ind.Value = s
		return nil
	})
	if err != nil {
		return ind, err
	}
	if kindNode == nil {
		return ind, d.errf(n, "indicator without a kind (want one of package, publisher, domain, email, url, hash)")
	}
	switch ind.Kind {
	case ioc.KindPackage:
		err = checkPackageName(ind.Value)
	case ioc.KindPublisher:
		err = checkPublisher(ind.Value)
	case ioc.KindDomain:
		ind.Value, err = normDomain(ind.Value)
	case ioc.KindEmail:
		ind.Value, err = normEmail(ind.Value)
	case ioc.KindURL:
		err = checkURL(ind.Value)
	case ioc.KindHash:
		ind.Value, err = normHash(ind.Value)
	}
	if err != nil {
		return ind, d.wrap(kindNode, err)
	}
	if ind.Kind == ioc.KindPackage || ind.Kind == ioc.KindPublisher {
		ind.Ecosystem = "npm"
		if ecosystem != nil {
			if ind.Ecosystem, err = d.str(ecosystem); err != nil {
				return ind, err
			}
			if err := checkEcosystem(ind.Ecosystem); err != nil {
				return ind, d.wrap(ecosystem, err)
			}
		}
	} else if ecosystem != nil {
		return ind, d.errf(ecosystem, "ecosystem applies to package and publisher indicators only")
	}
	if ind.Kind != ioc.KindPackage {
		if versions != nil {
			return ind, d.errf(versions, "versions apply to package indicators only")
		}
		if ranges != nil {
			return ind, d.errf(ranges, "ranges apply to package indicators only")
		}
		return ind, nil
	}
	if versions != nil {
		if ind.Versions.Exact, err = d.strs(versions, "versions", checkVersion); err != nil {
			return ind, err
		}
	}
	if ranges != nil {
		err = d.list(ranges, "ranges", func(item *yaml.Node) error {
			r, err := d.versionRange(item)
			ind.Versions.Ranges = append(ind.Versions.Ranges, r)
			return err
		})
	}
	return ind, err
}

func (d *nativeDecoder) versionRange(n *yaml.Node) (r ioc.Range, err error) {
	err = d.fields(n, "range", func(key string, v *yaml.Node) error {
		var dst *string
		switch key {
		case "introduced":
			dst = &r.Introduced
		case "fixed":
			dst = &r.Fixed
		case "last_affected":
			dst = &r.LastAffected
		default:
			return errUnknownField
		}
		s, err := d.str(v)
		if err != nil {
			return err
		}
		if !(key == "introduced" && s == "0") {
			if err := checkVersion(s); err != nil {
				return d.wrap(v, err)
			}
		}
		*dst = s
		return nil
	})
	if err != nil {
		return r, err
	}
	if r.Introduced == "" {
		return r, d.errf(n, "range without introduced (use \"0\" for the first version)")
	}
	if r.Fixed != "" && r.LastAffected != "" {
		return r, d.errf(n, "range has both fixed and last_affected")
	}
	return r, nil
}
