package ioc

import (
	"cmp"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"net/netip"
	"slices"
	"strconv"
	"strings"

	"github.com/depsweep/depsweep/lockfiles"
)

// ErrNoIndicators is returned by [NewIndex] for an empty indicator list: an
// index that matches nothing must never make a scan look clean.
var ErrNoIndicators = errors.New("no indicators to match")

// An Index is the compiled set of indicators of all feeds. Matching a
// package costs a few map lookups whatever the number of indicators:
// package indicators are keyed by (ecosystem, name), publishers by account,
// domains by host (a resolved URL's host and each parent domain are looked
// up), hashes by digest; e-mail and URL indicators are found in one pass
// over a text by a multi-pattern automaton.
//
// An Index is immutable once built and safe for concurrent use.
type Index struct {
	inds []Indicator // own copy: findings point into it

	npm        map[string][]pkgEntry   // npm package name → package indicators
	publishers map[string][]*Indicator // npm account (lowercase) → publisher indicators
	domains    map[string][]*Indicator // domain (lowercase, no trailing dot) → indicators
	hashes     map[string][]*Indicator // "<alg>:<hex>" → indicators
	text       *textMatcher            // domain, e-mail and URL patterns; nil when none
	urlText    bool                    // the text matcher holds e-mail or URL patterns
	urlPats    bool                    // the text matcher holds URL patterns
}

// An indexBuilder is what NewIndex builds with: the text matcher's
// patterns, and the pools compiled versions and package entries are taken
// from.
type indexBuilder struct {
	tb      *textBuilder
	vers    versionPool
	entries []pkgEntry // one-entry windows for the names met once
}

// A pkgEntry is one package indicator with its versions compiled.
type pkgEntry struct {
	ind  *Indicator
	vers versionSet
}

// NewIndex compiles indicators into an index. An empty list is
// [ErrNoIndicators]; an invalid indicator (unknown kind, empty value, no
// advisory, unparsable version or range, malformed domain, e-mail, URL or
// hash) is an error naming the indicator by position and value. The index
// keeps its own copy of inds.
func NewIndex(inds []Indicator) (*Index, error) {
	if len(inds) == 0 {
		return nil, ErrNoIndicators
	}
	x := &Index{
		inds:       slices.Clone(inds),
		npm:        make(map[string][]pkgEntry, len(inds)), // feeds are mostly package indicators
		publishers: map[string][]*Indicator{},
		domains:    map[string][]*Indicator{},
		hashes:     map[string][]*Indicator{},
	}
	// The compiled versions and the one-entry lists of names met once
	// come from pools sized here: a feed of 200,000 records would
	// otherwise allocate three times per indicator.
	nexact, nranges := 0, 0
	for i := range x.inds {
		if x.inds[i].Kind == KindPackage {
			nexact += len(x.inds[i].Versions.Exact)
			nranges += len(x.inds[i].Versions.Ranges)
		}
	}
	b := &indexBuilder{
		tb:      newTextBuilder(),
		vers:    versionPool{exact: make([]exactVersion, 0, nexact), ranges: make([]compiledRange, 0, nranges)},
		entries: make([]pkgEntry, 0, len(x.inds)),
	}
	for i := range x.inds {
		ind := &x.inds[i]
		if err := x.add(ind, b); err != nil {
			return nil, fmt.Errorf("indicator %d (%s:%q): %w", i+1, ind.Kind, ind.Value, err)
		}
	}
	if b.tb.len() > 0 {
		x.text = b.tb.build()
	}
	return x, nil
}

func (x *Index) add(ind *Indicator, b *indexBuilder) error {
	if ind.Advisory == nil {
		return errors.New("no advisory")
	}
	v := strings.TrimSpace(ind.Value)
	if v == "" {
		return errors.New("empty value")
	}
	if ind.Kind != KindPackage && !ind.Versions.All() {
		return fmt.Errorf("versions are only allowed on package indicators")
	}
	switch ind.Kind {
	case KindPackage:
		if strings.ContainsAny(v, " \t\r\n") {
			return errors.New("package name contains white space")
		}
		eco := strings.ToLower(ind.Ecosystem)
		vs, err := compileVersionsIn(ind.Versions, eco == "" || eco == "npm", &b.vers)
		if err != nil {
			return err
		}
		// depsweep reads JavaScript inputs only: a package indicator of
		// another ecosystem (a feed may carry PyPI or crates.io records) is
		// checked and counted, and never matched.
		if eco == "" || eco == "npm" {
			if cur := x.npm[v]; cur == nil && len(b.entries) < cap(b.entries) {
				// A window of one into the pool: a second indicator of
				// the name appends, and so copies it out.
				b.entries = append(b.entries, pkgEntry{ind: ind, vers: vs})
				n := len(b.entries)
				x.npm[v] = b.entries[n-1 : n : n]
			} else {
				x.npm[v] = append(cur, pkgEntry{ind: ind, vers: vs})
			}
		}
	case KindPublisher:
		if strings.ContainsAny(v, " \t\r\n@/") {
			return errors.New("not a registry account name")
		}
		if eco := strings.ToLower(ind.Ecosystem); eco == "" || eco == "npm" {
			k := strings.ToLower(v)
			x.publishers[k] = append(x.publishers[k], ind)
		}
	case KindDomain:
		d, err := normDomain(v)
		if err != nil {
			return err
		}
		x.domains[d] = append(x.domains[d], ind)
		b.tb.add(d, ind)
	case KindEmail:
		local, dom, ok := strings.Cut(v, "@")
		if !ok || local == "" || strings.ContainsAny(local, " \t\r\n@") {
			return errors.New("not an e-mail address")
		}
		d, err := normDomain(dom)
		if err != nil {
			return err
		}
		b.tb.add(strings.ToLower(local)+"@"+d, ind)
		x.urlText = true
	case KindURL:
		scheme, rest, ok := strings.Cut(v, "://")
		if !ok || scheme == "" || rest == "" || strings.ContainsAny(v, " \t\r\n") {
			return errors.New("not an absolute URL")
		}
		if h := urlHost(v); h == "" {
			return errors.New("URL has no host")
		}
		b.tb.add(strings.ToLower(v), ind)
		x.urlText, x.urlPats = true, true
	case KindHash:
		k, err := hashKey(v)
		if err != nil {
			return err
		}
		x.hashes[k] = append(x.hashes[k], ind)
	default:
		return fmt.Errorf("unknown indicator kind %q", ind.Kind)
	}
	return nil
}

// normDomain lower-cases a domain and checks it: dot-separated labels of
// letters, digits, "-" and "_", at least two labels (or an IP address).
func normDomain(d string) (string, error) {
	d = strings.ToLower(strings.TrimSuffix(strings.TrimSpace(d), "."))
	d = strings.TrimPrefix(d, "*.")
	if _, err := netip.ParseAddr(d); err == nil {
		return d, nil
	}
	labels := strings.Split(d, ".")
	if len(labels) < 2 {
		return "", errors.New("not a domain name (want at least two labels)")
	}
	for _, l := range labels {
		if l == "" || len(l) > 63 {
			return "", errors.New("not a domain name")
		}
		for i := 0; i < len(l); i++ {
			if !isLabelChar(l[i]) {
				return "", errors.New("not a domain name")
			}
		}
	}
	return d, nil
}

// hashKey canonicalises a hash indicator: an SRI string ("sha512-<base64>")
// or "<alg>:<hex>", into "<alg>:<hex>".
func hashKey(v string) (string, error) {
	if alg, hx, ok := strings.Cut(v, ":"); ok {
		alg = strings.ToLower(alg)
		d, err := hex.DecodeString(hx)
		if err != nil {
			return "", errors.New("hash is not hex")
		}
		h := lockfiles.Hash{Algorithm: alg, Digest: d}
		if hs := lockfiles.ParseIntegrity(h.String()); len(hs) != 1 {
			return "", fmt.Errorf("unknown hash algorithm or wrong digest size")
		}
		return alg + ":" + hex.EncodeToString(d), nil
	}
	hs := lockfiles.ParseIntegrity(v)
	if len(hs) != 1 {
		return "", errors.New("not a single integrity hash (want sha512-<base64> or sha512:<hex>)")
	}
	return hs[0].Algorithm + ":" + hs[0].Hex(), nil
}

// Len returns the number of indicators in the index.
func (x *Index) Len() int { return len(x.inds) }

// MatchStats counts what matching could check, for the report's publisher
// coverage.
type MatchStats struct {
	// Packages is the number of npm packages matched that come from a
	// registry (or an unknown origin): the ones publisher data could cover.
	Packages int
	// PublisherKnown is how many of them had publisher data. It stays 0
	// when the index holds no publisher indicator, as no lookup is made.
	PublisherKnown int
}

// A hit is one indicator matched by one package, before it becomes a Finding.
type hit struct {
	ind       *Indicator
	evidence  string
	collision bool
	host      string // for domain hits: the domain matched (for folding)
	line      int    // for file-content hits: line of the first match
	unpinned  bool   // a package hit of an unpinned launch (see [lockfiles.Package.IsUnpinned])
}

// severityOf derives a finding's severity: package and hash hits take the
// advisory's severity, publisher hits at most medium (the version itself is
// not known bad), unpinned launches at most high, domain, e-mail and URL
// hits high, name collisions info.
func severityOf(h *hit) Severity {
	if h.collision {
		return SeverityInfo
	}
	if h.unpinned {
		// Not known to run a malicious version, but it may at any launch.
		if h.ind.Severity != nil {
			return min(*h.ind.Severity, SeverityHigh)
		}
		return min(h.ind.Advisory.Severity, SeverityHigh)
	}
	if h.ind.Severity != nil {
		return *h.ind.Severity
	}
	adv := h.ind.Advisory.Severity
	switch h.ind.Kind {
	case KindPackage, KindHash:
		return adv
	case KindPublisher:
		return min(adv, SeverityMedium)
	}
	return SeverityHigh
}

// matchPackage appends to hits every indicator p matches; pubs may be nil.
// stats may be nil.
func (x *Index) matchPackage(p *lockfiles.Package, pubs Publishers, stats *MatchStats, hits []hit) []hit {
	pkgs := x.npm
	first := len(hits)
	fromReg := fromRegistry(p)
	for i := range pkgs[p.Name] {
		e := &pkgs[p.Name][i]
		adv := e.ind.Advisory
		if !fromReg {
			hits = append(hits, hit{ind: e.ind, collision: true, evidence: fmt.Sprintf(
				"%s comes from %s, not from a registry: it only shares its name with the package of %s",
				pkgLabel(p), sourceLabel(p), adv.ID)})
			continue
		}
		if e.vers.contains(p.Version) {
			what := "version in " + adv.ID + "'s affected set"
			if e.vers.all {
				what = "every version is covered by " + adv.ID
			}
			hits = append(hits, hit{ind: e.ind, evidence: pkgLabel(p) + "; " + what})
		} else if p.IsUnpinned() {
			// Why: "npx -y postmark-mcp" names no version; it runs whatever
			// the registry serves as latest at each launch, which was a
			// malicious version during the incident.
			hits = append(hits, hit{ind: e.ind, unpinned: true, evidence: p.Name + " launched without a version; unpinned: resolves to latest"})
		}
	}
	if fromReg && pubs != nil && len(x.publishers) > 0 {
		if acct, from, ok := pubs.Publisher(p.Name, p.Version); ok {
			if stats != nil {
				stats.PublisherKnown++
			}
			for _, ind := range x.publishers[strings.ToLower(acct)] {
				if subsumed(hits[first:], ind.Advisory) {
					continue
				}
				hits = append(hits, hit{ind: ind, evidence: fmt.Sprintf(
					"%s published by npm account %s (%s)", pkgLabel(p), acct, from)})
			}
		}
	}
	if p.Resolved != "" {
		if len(x.domains) > 0 {
			if host := urlHost(p.Resolved); host != "" {
				for d := host; ; {
					for _, ind := range x.domains[d] {
						ev := "resolved URL host " + host + " is " + d
						if d != host {
							ev = "resolved URL host " + host + " is a subdomain of " + d
						}
						hits = append(hits, hit{ind: ind, evidence: ev, host: d})
					}
					j := strings.IndexByte(d, '.')
					if j < 0 {
						break
					}
					d = d[j+1:]
				}
			}
		}
		// An address holds an "@": without URL patterns, a URL without
		// one (most registry URLs) need not be scanned.
		if x.urlText && (x.urlPats || strings.IndexByte(p.Resolved, '@') >= 0) {
			x.text.scan(p.Resolved, func(pat *textPattern, start, end int) {
				if pat.kind == KindDomain {
					return // resolved URLs are matched on their host above
				}
				for _, ind := range pat.inds {
					ev := "resolved URL contains " + pat.text
					if pat.kind == KindURL {
						ev = "resolved URL starts with " + ind.Value
					}
					hits = append(hits, hit{ind: ind, evidence: ev})
				}
			})
		}
	}
	if len(x.hashes) > 0 && p.Integrity != "" {
		// Integrity only: yarn berry's Checksum hashes Yarn's own zip
		// archive, not the npm tarball, and must never be compared.
		for _, h := range lockfiles.ParseIntegrity(p.Integrity) {
			for _, ind := range x.hashes[h.Algorithm+":"+h.Hex()] {
				hits = append(hits, hit{ind: ind, evidence: "integrity " + h.Algorithm + "-" +
					base64.StdEncoding.EncodeToString(h.Digest)[:12] + "… equals the hash of " + ind.Advisory.ID})
			}
		}
	}
	return foldUnderDomains(hits, first)
}

// fromRegistry reports whether p comes from a registry: its source says so
// (or says nothing), or it is a tarball whose URL has the registry layout
// for this very package and version (".../<name>/-/<name>-<version>.tgz"),
// which is how a mirror that a parser did not recognise serves it. Taking
// such a tarball for a name collision would hide a malicious package.
func fromRegistry(p *lockfiles.Package) bool {
	if p.Source.FromRegistry() {
		return true
	}
	if p.Source != lockfiles.SourceTarball || p.Version == "" {
		return false
	}
	u := p.Resolved
	if i := strings.IndexAny(u, "?#"); i >= 0 {
		u = u[:i]
	}
	base := p.Name
	if i := strings.LastIndexByte(base, '/'); i >= 0 {
		base = base[i+1:]
	}
	suffix := "/-/" + base + "-" + p.Version + ".tgz"
	if !strings.HasSuffix(u, suffix) {
		return false
	}
	u = strings.TrimSuffix(u, suffix)
	// The name precedes "/-/", a scoped one as "@scope/name" or "@scope%2fname".
	return strings.HasSuffix(u, "/"+p.Name) ||
		strings.HasSuffix(strings.ToLower(u), "/"+strings.ToLower(strings.Replace(p.Name, "/", "%2f", 1)))
}

// subsumed reports whether hits hold a package hit of advisory adv: such a
// package is not reported again for the advisory's publisher indicator.
func subsumed(hits []hit, adv *Advisory) bool {
	for _, h := range hits {
		if !h.collision && h.ind.Kind == KindPackage && h.ind.Advisory == adv {
			return true
		}
	}
	return false
}

// foldUnderDomains drops, from hits[first:], the e-mail and URL hits of an
// advisory that also has a domain hit covering the address or URL host (the
// address phan@giftshop.club under the domain giftshop.club): one finding
// says it, and its evidence names what else matched.
func foldUnderDomains(hits []hit, first int) []hit {
	hasDomain := false
	for _, h := range hits[first:] {
		if h.ind.Kind == KindDomain && !h.collision {
			hasDomain = true
			break
		}
	}
	if !hasDomain {
		return hits
	}
	out := hits[:first]
	for i := first; i < len(hits); i++ {
		h := hits[i]
		if h.ind.Kind == KindEmail || h.ind.Kind == KindURL {
			host := strings.ToLower(h.ind.Value)
			if h.ind.Kind == KindEmail {
				_, host, _ = strings.Cut(host, "@")
			} else {
				host = urlHost(host)
			}
			if d := coveringDomain(hits[first:], h.ind.Advisory, host); d != nil {
				d.evidence += "; also matches " + string(h.ind.Kind) + " indicator " + h.ind.Value
				continue
			}
		}
		out = append(out, h)
	}
	return out
}

func coveringDomain(hits []hit, adv *Advisory, host string) *hit {
	for i := range hits {
		h := &hits[i]
		if h.ind.Kind == KindDomain && h.ind.Advisory == adv && underDomain(host, h.host) {
			return h
		}
	}
	return nil
}

// underDomain reports whether host is d or a subdomain of d.
func underDomain(host, d string) bool {
	return host == d || strings.HasSuffix(host, "."+d)
}

// pkgLabel describes the package for evidence: "postmark-mcp@1.0.17
// installed as alias pm".
func pkgLabel(p *lockfiles.Package) string {
	s := p.Name + "@" + p.Version
	if p.Alias != "" && p.Alias != p.Name {
		s += " installed as alias " + p.Alias
	}
	return s
}

func sourceLabel(p *lockfiles.Package) string {
	s := string(p.Source)
	if p.Resolved != "" {
		s += " (" + redactURL(p.Resolved) + ")"
	}
	return s
}

// redactURL removes a password from a URL's user info, so that evidence
// never carries a credential a lockfile leaked.
func redactURL(u string) string {
	i := strings.Index(u, "://")
	if i < 0 {
		return u
	}
	rest := u[i+3:]
	end := strings.IndexAny(rest, "/?#")
	if end < 0 {
		end = len(rest)
	}
	at := strings.LastIndexByte(rest[:end], '@')
	if at < 0 {
		return u
	}
	if c := strings.IndexByte(rest[:at], ':'); c >= 0 {
		return u[:i+3] + rest[:c] + ":xxxxx" + rest[at:]
	}
	return u
}

// urlHost returns the lower-case host of a URL or URL-like locator
// ("git+ssh://git@host:22/x", "pkg@https://host/x.tgz", "git@host:x/y.git"),
// or "" when it has none. It does not allocate unless the host has
// upper-case letters.
func urlHost(u string) string {
	var rest string
	if i := strings.Index(u, "://"); i >= 0 {
		rest = u[i+3:]
	} else if strings.HasPrefix(u, "git@") {
		rest = u // scp-like git locator: user@host:path
	} else {
		return ""
	}
	if end := strings.IndexAny(rest, "/?#"); end >= 0 {
		rest = rest[:end]
	}
	if at := strings.LastIndexByte(rest, '@'); at >= 0 {
		rest = rest[at+1:]
	}
	if strings.HasPrefix(rest, "[") { // IPv6 literal
		if end := strings.IndexByte(rest, ']'); end > 0 {
			return strings.ToLower(rest[1:end])
		}
		return ""
	}
	if c := strings.IndexByte(rest, ':'); c >= 0 {
		rest = rest[:c]
	}
	rest = strings.TrimSuffix(rest, ".")
	for i := 0; i < len(rest); i++ {
		if c := rest[i]; c >= 'A' && c <= 'Z' {
			return strings.ToLower(rest)
		}
	}
	return rest
}

// Fingerprint returns the stable id of a finding: the first 16 hex digits
// of a SHA-256 over what identifies it (repo, lockfile, package name,
// version, alias and source, indicator kind and value, advisory id, and
// whether it is a name collision). Lines are left out on purpose: an
// unrelated edit of the lockfile moves lines, and a baseline comparison must
// still see the same finding. The matcher sets every finding's ID with it;
// it is exported for findings built by hand.
func Fingerprint(f *Finding) string {
	kind, value, adv := "", "", ""
	if ind := f.Indicator; ind != nil {
		kind, value = string(ind.Kind), ind.Value
		if ind.Advisory != nil {
			adv = ind.Advisory.ID
		}
	}
	h := sha256.New()
	for _, s := range []string{f.Repo, f.Lockfile, f.Package.Name, f.Package.Version, f.Package.Alias,
		string(f.Package.Source), kind, value, adv, strconv.FormatBool(f.Collision)} {
		h.Write([]byte(s))
		h.Write([]byte{0})
	}
	return hex.EncodeToString(h.Sum(nil))[:16]
}

// MatchInventory matches every package of inv against the index and
// returns the findings, sorted by lockfile, line, package, indicator kind,
// value and advisory, with duplicates (same ID) removed. pubs supplies
// publisher data and may be nil (then publisher indicators cannot match,
// and stats say so). Each finding carries the dependency path from the
// root or workspace that reaches the package.
//
// MatchInventory may be called concurrently; pubs must then be safe for
// concurrent use (every implementation of this package is).
func (x *Index) MatchInventory(repo string, inv *lockfiles.Inventory, pubs Publishers) ([]Finding, MatchStats) {
	var stats MatchStats
	if inv == nil {
		return nil, stats
	}
	if pubs != nil && len(x.publishers) > 0 {
		pubs.Prefetch(inv.Packages)
	}
	var out []Finding
	var hits []hit
	var paths *lockfiles.Paths // built on the first finding
	for i := range inv.Packages {
		p := &inv.Packages[i]
		if fromRegistry(p) {
			stats.Packages++
		}
		hits = x.matchPackage(p, pubs, &stats, hits[:0])
		if len(hits) == 0 {
			continue
		}
		if paths == nil {
			paths = inv.Paths()
		}
		path, direct := findingPath(inv, paths, i)
		for k := range hits {
			out = append(out, newFinding(repo, inv.Path, p.Line, p, &hits[k], path, direct))
		}
	}
	return sortFindings(out), stats
}

func newFinding(repo, file string, line int, p *lockfiles.Package, h *hit, path []string, direct bool) Finding {
	if h.line > 0 {
		line = h.line
	}
	f := Finding{
		Severity:  severityOf(h),
		Repo:      repo,
		Lockfile:  file,
		Line:      line,
		Package:   *p,
		Direct:    direct,
		Path:      path,
		Indicator: h.ind,
		Evidence:  h.evidence,
		Collision: h.collision,
	}
	f.ID = Fingerprint(&f)
	return f
}

// findingPath returns the chain from an importer to package i of inv as
// "name@version" strings (the importer first), and whether i is a direct
// dependency. A package no importer reaches gets a path of itself alone.
func findingPath(inv *lockfiles.Inventory, paths *lockfiles.Paths, i int) ([]string, bool) {
	imp, chain, ok := paths.Chain(i)
	if !ok {
		return []string{inv.Packages[i].ID()}, false
	}
	out := make([]string, 0, len(chain)+1)
	out = append(out, importerLabel(&inv.Importers[imp]))
	for _, k := range chain {
		out = append(out, inv.Packages[k].ID())
	}
	return out, len(chain) == 1
}

func importerLabel(imp *lockfiles.Importer) string {
	switch {
	case imp.Name != "" && imp.Version != "":
		return imp.Name + "@" + imp.Version
	case imp.Name != "":
		return imp.Name
	}
	return imp.Path
}

var kindOrder = func() map[Kind]int {
	m := map[Kind]int{}
	for i, k := range Kinds {
		m[k] = i
	}
	return m
}()

// sortFindings sorts findings deterministically and merges repeated IDs,
// keeping the first: the same package listed at several install paths of
// one lockfile (npm nests copies), or a file match that repeats a
// resolved-URL match. The kept finding's evidence names the other places
// of a package listed more than once, so no location is lost.
func sortFindings(fs []Finding) []Finding {
	slices.SortStableFunc(fs, func(a, b Finding) int {
		return cmp.Or(
			cmp.Compare(a.Lockfile, b.Lockfile),
			cmp.Compare(a.Line, b.Line),
			cmp.Compare(a.Package.Name, b.Package.Name),
			cmp.Compare(a.Package.Version, b.Package.Version),
			cmp.Compare(kindOrder[a.Indicator.Kind], kindOrder[b.Indicator.Kind]),
			cmp.Compare(a.Indicator.Value, b.Indicator.Value),
			cmp.Compare(a.Indicator.Advisory.ID, b.Indicator.Advisory.ID),
			cmp.Compare(a.ID, b.ID),
		)
	})
	kept := make(map[string]int, len(fs))
	out := fs[:0]
	for _, f := range fs {
		k, dup := kept[f.ID]
		if !dup {
			kept[f.ID] = len(out)
			out = append(out, f)
			continue
		}
		if where := location(&f); where != "" && where != location(&out[k]) {
			out[k].Evidence += "; also at " + where
		}
	}
	return out
}

// location names where a finding's package sits: its install path, else
// its dependency path, else its line.
func location(f *Finding) string {
	switch {
	case len(f.Package.Paths) > 0:
		return f.Package.Paths[0]
	case len(f.Path) > 1:
		return strings.Join(f.Path, " > ")
	case f.Line > 0:
		return fmt.Sprintf("line %d", f.Line)
	}
	return ""
}

// MatchText reports the domain, e-mail and URL indicators found in b, in
// the order of their first occurrence, each once. A domain matches itself
// and its subdomains (also inside an address: "phan@giftshop.club" holds
// the domain giftshop.club), ASCII case-insensitively.
func (x *Index) MatchText(b []byte) []*Indicator {
	var out []*Indicator
	seen := map[*Indicator]bool{}
	scanText(x.text, b, func(p *textPattern, _, _ int) {
		for _, ind := range p.inds {
			if !seen[ind] {
				seen[ind] = true
				out = append(out, ind)
			}
		}
	})
	return out
}
