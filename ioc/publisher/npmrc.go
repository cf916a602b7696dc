package publisher

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"net/url"
	"strings"

	"github.com/depsweep/depsweep/lockfiles"
)

// NpmrcName is the name of the npm configuration file read in a project
// directory.
const NpmrcName = ".npmrc"

// maxNpmrcSize caps the .npmrc read, in bytes. Real files are a few lines;
// the cap keeps a stray file from exhausting memory.
const maxNpmrcSize = 1 << 20

// Npmrc is what depsweep takes from a project's .npmrc: the registries its
// packages are installed from, nothing else. Authentication settings
// (_authToken, _auth, _password, username, certfile, …) are skipped
// without being kept.
type Npmrc struct {
	// Registry is the registry= URL, normalised by [NormalizeRegistryURL];
	// "" when the file names none or names an unusable one.
	Registry string
	// Scopes maps a scope ("@corp") to its @corp:registry= URL, normalised;
	// nil when the file names none. Unusable URLs are left out.
	Scopes map[string]string
	// Problems are the registry lines that could not be used (an ${ENV}
	// reference, a URL that is not http or https, one carrying
	// credentials), each a *lockfiles.ParseError whose Path is
	// [NpmrcName] and whose message never quotes the line.
	Problems []error
}

// RegistryFor returns the registry that installs the package name: its
// scope's registry, else the project's registry, else "".
func (n Npmrc) RegistryFor(name string) string {
	if scope, _, ok := strings.Cut(name, "/"); ok && strings.HasPrefix(scope, "@") {
		if u := n.Scopes[strings.ToLower(scope)]; u != "" {
			return u
		}
	}
	return n.Registry
}

// empty reports whether n names no registry at all.
func (n Npmrc) empty() bool { return n.Registry == "" && len(n.Scopes) == 0 }

// ReadNpmrc reads the .npmrc at the top of project. A missing file is not
// an error: it returns the zero Npmrc. A file that is not regular, larger
// than 1 MiB or unreadable is an error, a *lockfiles.ParseError whose Path
// is [NpmrcName].
//
// It follows the ini syntax npm reads: "key = value" lines, comments from
// ";" or "#", quoted keys and values, [section] headers (keys under a
// section are not top-level settings and are ignored). Only the keys
// "registry" and "@scope:registry" are looked at; every other line, the
// authentication lines in particular, is dropped before its value is even
// unquoted. npm expands ${VAR} references from its environment; depsweep
// does not (the scanning host's environment says nothing of the project's),
// so such a URL is unusable and reported in [Npmrc.Problems]. When a key
// is set twice the last line wins, as with npm.
func ReadNpmrc(project fs.FS) (Npmrc, error) {
	var n Npmrc
	data, err := lockfiles.ReadRegularFS(project, NpmrcName, maxNpmrcSize)
	var tl *lockfiles.TooLargeError
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return n, nil
	case errors.As(err, &tl):
		return n, npmrcError(fmt.Errorf("larger than %d MiB, not read", maxNpmrcSize>>20))
	case err != nil:
		return n, npmrcError(innerErr(err))
	}
	return parseNpmrc(data), nil
}

func npmrcError(err error) error { return &lockfiles.ParseError{Path: NpmrcName, Err: err} }

// parseNpmrc parses the content of a .npmrc.
func parseNpmrc(data []byte) Npmrc {
	var n Npmrc
	inSection := false
	lineNo := 0
	for len(data) > 0 {
		lineNo++
		var line []byte
		if i := bytes.IndexByte(data, '\n'); i >= 0 {
			line, data = data[:i], data[i+1:]
		} else {
			line, data = data, nil
		}
		s := strings.TrimSpace(string(line))
		if lineNo == 1 {
			s = strings.TrimPrefix(s, "\ufeff")
		}
		if s == "" || s[0] == ';' || s[0] == '#' {
			continue
		}
		if s[0] == '[' && strings.HasSuffix(s, "]") {
			inSection = true
			continue
		}
		rawKey, rawVal, ok := strings.Cut(s, "=")
		if !ok || inSection {
			continue
		}
		key := iniUnquote(rawKey)
		var scope string
		switch {
		case key == "registry":
		case strings.HasPrefix(key, "@") && strings.HasSuffix(key, ":registry"):
			scope = strings.ToLower(strings.TrimSuffix(key, ":registry"))
			if len(scope) < 2 || strings.ContainsAny(scope, "/:${}") {
				continue
			}
		default:
			// Not a registry setting: auth tokens, passwords, e-mail and
			// the rest are dropped here, before their value is looked at.
			continue
		}
		// An unusable URL still overrides an earlier line: npm would use
		// the last one, so the earlier one is not where packages come from.
		u, err := NormalizeRegistryURL(iniUnquote(rawVal))
		if err != nil {
			n.Problems = append(n.Problems, &lockfiles.ParseError{Path: NpmrcName, Line: lineNo,
				Err: fmt.Errorf("%s ignored: %v", key, err)})
		}
		if scope == "" {
			n.Registry = u
			continue
		}
		if n.Scopes == nil {
			n.Scopes = map[string]string{}
		}
		if u == "" {
			delete(n.Scopes, scope)
		} else {
			n.Scopes[scope] = u
		}
	}
	return n
}

// iniUnquote reads an ini key or value the way npm's ini package does: a
// quoted string loses its quotes (and its JSON escapes when double-quoted);
// elsewhere ";" or "#" starts a comment and "\;", "\#" and "\\" escape them.
func iniUnquote(s string) string {
	s = strings.TrimSpace(s)
	if len(s) >= 2 && (s[0] == '"' && s[len(s)-1] == '"' || s[0] == '\'' && s[len(s)-1] == '\'') {
		inner := s[1 : len(s)-1]
		if s[0] == '"' {
			var u string
			if json.Unmarshal([]byte(s), &u) == nil {
				return u
			}
		}
		return inner
	}
	var b strings.Builder
	esc := false
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case esc:
			if c != '\\' && c != ';' && c != '#' {
				b.WriteByte('\\')
			}
			b.WriteByte(c)
			esc = false
		case c == ';' || c == '#':
			return strings.TrimSpace(b.String())
		case c == '\\':
			esc = true
		default:
			b.WriteByte(c)
		}
	}
	if esc {
		b.WriteByte('\\')
	}
	return strings.TrimSpace(b.String())
}

// NormalizeRegistryURL checks a registry URL and returns it in one
// spelling, so that two spellings of a registry share one client and one
// cache: scheme and host in lower case, the default port dropped, the path
// ending in "/". It refuses a URL that is not absolute http or https, one
// with user information (credentials), a query or a fragment, and one that
// holds an unexpanded ${VAR} reference. Errors never quote the URL.
func NormalizeRegistryURL(raw string) (string, error) {
	if raw == "" {
		return "", errors.New("empty URL")
	}
	if strings.Contains(raw, "${") {
		return "", errors.New("URL refers to an environment variable, which depsweep does not expand")
	}
	u, err := url.Parse(raw)
	if err != nil {
		return "", errors.New("not a URL")
	}
	switch {
	case u.Scheme != "http" && u.Scheme != "https":
		return "", errors.New("not an http or https URL")
	case u.Host == "" || u.Opaque != "":
		return "", errors.New("URL has no host")
	case u.User != nil:
		return "", errors.New("URL carries credentials")
	case u.RawQuery != "" || u.ForceQuery || u.Fragment != "":
		return "", errors.New("URL has a query or fragment")
	}
	host := strings.ToLower(u.Host)
	if port := u.Port(); (u.Scheme == "https" && port == "443") || (u.Scheme == "http" && port == "80") {
		host = strings.TrimSuffix(host, ":"+port)
	}
	p := u.EscapedPath()
	if !strings.HasSuffix(p, "/") {
		p += "/"
	}
	return u.Scheme + "://" + host + p, nil
}
