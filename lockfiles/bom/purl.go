package bom

import (
	"errors"
	"strconv"
	"strings"
)

// inPURL is a parsed package URL.
type inPURL struct {
	Type       string // lower-case
	Name       string // for npm "@scope/name" or "name"
	Version    string
	Qualifiers map[string]string
}

// inParsePURL parses a package URL ("pkg:npm/%40scope/name@1.0.0?q=v#sub")
// following the purl specification's parsing rules, tolerating an
// unencoded "@" in an npm scope.
func inParsePURL(s string) (inPURL, error) {
	var p inPURL
	rest, ok := strings.CutPrefix(s, "pkg:")
	if !ok {
		return p, errors.New(`package URL does not start with "pkg:"`)
	}
	if i := strings.IndexByte(rest, '#'); i >= 0 {
		rest = rest[:i]
	}
	if i := strings.IndexByte(rest, '?'); i >= 0 {
		for kv := range strings.SplitSeq(rest[i+1:], "&") {
			k, v, ok := strings.Cut(kv, "=")
			if !ok || k == "" {
				continue
			}
			dv, err := inUnescape(v)
			if err != nil {
				return p, err
			}
			if p.Qualifiers == nil {
				p.Qualifiers = make(map[string]string)
			}
			p.Qualifiers[strings.ToLower(k)] = dv
		}
		rest = rest[:i]
	}
	rest = strings.Trim(rest, "/")
	typ, rest, ok := strings.Cut(rest, "/")
	if !ok || typ == "" {
		return p, errors.New("package URL has no type or name")
	}
	p.Type = strings.ToLower(typ)
	// The version follows the last "@" after the last "/": a scope's "@"
	// (which should be encoded as %40, but is not always) comes before it.
	slash := strings.LastIndexByte(rest, '/')
	if at := strings.LastIndexByte(rest, '@'); at > slash && at > 0 {
		v, err := inUnescape(rest[at+1:])
		if err != nil {
			return p, err
		}
		p.Version, rest = v, rest[:at]
	}
	var segs []string
	for seg := range strings.SplitSeq(rest, "/") {
		if seg == "" {
			continue
		}
		d, err := inUnescape(seg)
		if err != nil {
			return p, err
		}
		segs = append(segs, d)
	}
	if len(segs) == 0 {
		return p, errors.New("package URL has no name")
	}
	p.Name = strings.Join(segs, "/")
	if p.Type == "npm" {
		if len(segs) > 2 {
			return p, errors.New("npm package URL has more than a scope and a name")
		}
		if len(segs) == 2 && !strings.HasPrefix(segs[0], "@") {
			p.Name = "@" + p.Name
		}
		if len(segs) == 1 && strings.HasPrefix(segs[0], "@") {
			return p, errors.New("npm package URL has a scope but no name")
		}
	}
	return p, nil
}

// inUnescape percent-decodes a purl component; unlike a URL query, "+"
// stays "+".
func inUnescape(s string) (string, error) {
	if strings.IndexByte(s, '%') < 0 {
		return s, nil
	}
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		if s[i] != '%' {
			b.WriteByte(s[i])
			continue
		}
		if i+2 >= len(s) {
			return "", errors.New("package URL has a bad percent escape")
		}
		v, err := strconv.ParseUint(s[i+1:i+3], 16, 8)
		if err != nil {
			return "", errors.New("package URL has a bad percent escape")
		}
		b.WriteByte(byte(v))
		i += 2
	}
	return b.String(), nil
}
