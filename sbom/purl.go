package sbom

import (
	"net/url"
	"path"
	"strings"

	cdx "github.com/CycloneDX/cyclonedx-go"

	"github.com/depsweep/depsweep/lockfiles"
)

// defaultRegistries are the hosts whose packages need no repository_url
// qualifier: the public npm registry and Yarn's alias of it.
var defaultRegistries = map[string]bool{
	"registry.npmjs.org":   true,
	"registry.yarnpkg.com": true,
}

// PURL returns the package URL of p, following the purl specification's npm
// type: "pkg:npm/%40scope/name@1.2.3". The scope's "@" is percent-encoded
// (url.PathEscape would leave it alone) and the name is lower-cased, as the
// npm type requires. Qualifiers say where the code comes from when it is not
// the public registry: repository_url for another registry (derived from the
// resolved tarball URL), vcs_url for git, download_url for a plain tarball.
// A package without a version gets a purl without one.
func PURL(p *lockfiles.Package) string {
	var q [][2]string
	switch p.Source {
	case lockfiles.SourceRegistry, lockfiles.SourceUnknown:
		if r := registryURL(p.Name, p.Resolved); r != "" {
			q = append(q, [2]string{"repository_url", r})
		}
	case lockfiles.SourceGit:
		if p.Resolved != "" {
			q = append(q, [2]string{"vcs_url", p.Resolved})
		}
	case lockfiles.SourceTarball:
		if isURL(p.Resolved) {
			q = append(q, [2]string{"download_url", p.Resolved})
		}
	}
	return purl(p.Name, p.Version, q)
}

// purl formats an npm purl from a package name ("@scope/name" or "name"),
// an optional version and qualifiers already sorted by key.
func purl(name, version string, qualifiers [][2]string) string {
	var b strings.Builder
	b.Grow(len(name) + len(version) + 16)
	b.WriteString("pkg:npm/")
	scope, base := splitName(strings.ToLower(name))
	if scope != "" {
		b.WriteString(escape(scope))
		b.WriteByte('/')
	}
	b.WriteString(escape(base))
	if version != "" {
		b.WriteByte('@')
		b.WriteString(escape(version))
	}
	for i, kv := range qualifiers {
		if kv[1] == "" {
			continue
		}
		if i == 0 {
			b.WriteByte('?')
		} else {
			b.WriteByte('&')
		}
		b.WriteString(kv[0])
		b.WriteByte('=')
		b.WriteString(escapeQualifier(kv[1]))
	}
	return b.String()
}

// splitName splits "@scope/name" into "@scope" and "name"; an unscoped name
// has an empty scope.
func splitName(name string) (scope, base string) {
	if strings.HasPrefix(name, "@") {
		if s, n, ok := strings.Cut(name, "/"); ok {
			return s, n
		}
	}
	return "", name
}

// escape percent-encodes everything but the purl specification's unreserved
// characters (ALPHA DIGIT "." "-" "_" "~").
func escape(s string) string { return percentEncode(s, "") }

// escapeQualifier percent-encodes a qualifier value; ":" and "/" may stay
// as they are there, which keeps URLs readable.
func escapeQualifier(s string) string { return percentEncode(s, ":/") }

func percentEncode(s, keep string) string {
	const hex = "0123456789ABCDEF"
	n := 0
	for i := 0; i < len(s); i++ {
		if !unreserved(s[i]) && strings.IndexByte(keep, s[i]) < 0 {
			n++
		}
	}
	if n == 0 {
		return s
	}
	out := make([]byte, 0, len(s)+2*n)
	for i := 0; i < len(s); i++ {
		c := s[i]
		if unreserved(c) || strings.IndexByte(keep, c) >= 0 {
			out = append(out, c)
			continue
		}
		out = append(out, '%', hex[c>>4], hex[c&15])
	}
	return string(out)
}

func unreserved(c byte) bool {
	return 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' ||
		c == '.' || c == '-' || c == '_' || c == '~'
}

// registryURL derives the registry base URL from a resolved tarball URL
// when it is not a default registry: for the usual layout
// "<registry>/<name>/-/<file>.tgz" it is everything before "/<name>/-/";
// otherwise scheme and host. It returns "" for the default registries, for
// locators that are not URLs (yarn berry's "name@npm:1.0.0") and for URLs
// without a host.
func registryURL(name, resolved string) string {
	if !strings.HasPrefix(resolved, "http://") && !strings.HasPrefix(resolved, "https://") {
		return ""
	}
	if onDefaultRegistry(resolved) {
		return "" // the usual case, without parsing the URL
	}
	u, err := url.Parse(resolved)
	if err != nil || u.Host == "" || defaultRegistries[strings.ToLower(u.Hostname())] {
		return ""
	}
	p := u.EscapedPath()
	for _, n := range []string{name, strings.Replace(name, "/", "%2f", 1), strings.Replace(name, "/", "%2F", 1)} {
		if i := strings.Index(p, "/"+n+"/-/"); i >= 0 {
			return u.Scheme + "://" + u.Host + strings.TrimSuffix(p[:i], "/")
		}
	}
	return u.Scheme + "://" + u.Host
}

// onDefaultRegistry reports whether url starts with the scheme and host
// of a default registry and a slash, so that its host is that registry.
func onDefaultRegistry(url string) bool {
	for _, pre := range [...]string{"https://registry.npmjs.org/", "https://registry.yarnpkg.com/"} {
		if len(url) >= len(pre) && asciiEqualFold(url[:len(pre)], pre) {
			return true
		}
	}
	return false
}

// asciiEqualFold is strings.EqualFold for ASCII letters only: no Unicode
// folding (the Kelvin sign is no "k" in a host name).
func asciiEqualFold(s, lower string) bool {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if 'A' <= c && c <= 'Z' {
			c += 'a' - 'A'
		}
		if c != lower[i] {
			return false
		}
	}
	return true
}

// isURL reports whether s is an absolute URL with a scheme and no spaces,
// fit for an externalReferences url (an IRI reference).
func isURL(s string) bool {
	if s == "" || strings.ContainsAny(s, " \t\r\n\\\"<>{}|^`") {
		return false
	}
	if !hasScheme(s) {
		return false // url.Parse would find no scheme (or fail)
	}
	if onDefaultRegistry(s) && plainURLTail(s) {
		return true // what url.Parse would say, without its allocations
	}
	u, err := url.Parse(s)
	return err == nil && u.Scheme != "" && (u.Host != "" || u.Opaque != "")
}

// FileName returns the file name of the SBOM of the lockfile at
// lockfilePath (a slash path relative to the scan root): its directories and
// base name joined with "__", characters other than letters, digits and
// ".-_@+" replaced by "_", and ".cdx.json" or ".cdx.xml" appended:
// "apps/web/package-lock.json" gives "apps__web__package-lock.json.cdx.json".
// Two lockfile paths give the same name only when a directory name itself
// contains "__" or a replaced character; [DirWriter] adds a suffix then.
func FileName(lockfilePath string, format cdx.BOMFileFormat) string {
	p := path.Clean("/" + strings.ReplaceAll(lockfilePath, "\\", "/"))
	p = strings.TrimPrefix(p, "/")
	if p == "" {
		p = "lockfile"
	}
	var b strings.Builder
	for i, part := range strings.Split(p, "/") {
		if i > 0 {
			b.WriteString("__")
		}
		for j := 0; j < len(part); j++ {
			c := part[j]
			if unreserved(c) || c == '@' || c == '+' {
				b.WriteByte(c)
			} else {
				b.WriteByte('_')
			}
		}
	}
	if format == cdx.BOMFileFormatXML {
		b.WriteString(".cdx.xml")
	} else {
		b.WriteString(".cdx.json")
	}
	return b.String()
}

// plainURLTail reports whether s holds only printable ASCII and no "%":
// then url.Parse cannot fail on the path, query or fragment of an URL
// whose scheme and host are well-formed (no control byte, no bad escape).
func plainURLTail(s string) bool {
	for i := 0; i < len(s); i++ {
		if c := s[i]; c <= ' ' || c >= 0x7f || c == '%' {
			return false
		}
	}
	return true
}

// hasScheme reports whether s starts with a URL scheme and a colon, which
// is when url.Parse gives a URL a scheme: a letter, then letters, digits,
// "+", "-" or ".".
func hasScheme(s string) bool {
	for i := 0; i < len(s); i++ {
		switch c := s[i]; {
		case 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z':
		case '0' <= c && c <= '9' || c == '+' || c == '-' || c == '.':
			if i == 0 {
				return false
			}
		case c == ':':
			return i > 0
		default:
			return false
		}
	}
	return false
}
