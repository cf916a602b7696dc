// Package ioc holds indicators of compromise, the compiled [Index] that
// matches packages against them, the findings it produces and the scan
// pipeline that turns inputs into findings: discovery and reading are
// package lockfiles' (parseInput picks the parser), publisher data comes
// through the [Publishers] interface (package ioc/publisher implements it),
// sharding is a Keep predicate on discovery ([ScanShard]).
//
// Imports point one way: ioc imports lockfiles and its subpackages; feeds
// imports ioc; ioc never imports feeds, sbom or ioc/publisher, and talks to
// no network.
package ioc

import (
	"fmt"
	"strings"
	"time"

	"github.com/depsweep/depsweep/lockfiles"
)

// Kind is the kind of an indicator.
type Kind string

// Indicator kinds.
const (
	KindPackage   Kind = "package"   // ecosystem + name + versions (no versions: every version)
	KindPublisher Kind = "publisher" // the registry account that published a version
	KindDomain    Kind = "domain"    // a host name; matches the host and every subdomain
	KindEmail     Kind = "email"     // an e-mail address
	KindURL       Kind = "url"       // a URL (prefix match on resolved URLs and file contents)
	KindHash      Kind = "hash"      // a tarball digest (npm integrity: sha512 or sha1)
)

// Kinds lists every indicator kind in a fixed order (for counts and tables).
var Kinds = []Kind{KindPackage, KindPublisher, KindDomain, KindEmail, KindURL, KindHash}

// Severity ranks findings. The zero value is SeverityInfo.
type Severity uint8

// Severities, lowest first.
const (
	SeverityInfo Severity = iota
	SeverityLow
	SeverityMedium
	SeverityHigh
	SeverityCritical
)

var severityNames = [...]string{"info", "low", "medium", "high", "critical"}

// Severities lists every severity, highest first (for summaries).
var Severities = []Severity{SeverityCritical, SeverityHigh, SeverityMedium, SeverityLow, SeverityInfo}

func (s Severity) String() string {
	if int(s) < len(severityNames) {
		return severityNames[s]
	}
	return fmt.Sprintf("severity(%d)", s)
}

// ParseSeverity parses a severity name, case-insensitively.
func ParseSeverity(s string) (Severity, error) {
	for i, n := range severityNames {
		if strings.EqualFold(s, n) {
			return Severity(i), nil
		}
	}
	return 0, fmt.Errorf("unknown severity %q (want critical, high, medium, low or info)", s)
}

// MarshalText encodes the severity by name.
func (s Severity) MarshalText() ([]byte, error) { return []byte(s.String()), nil }

// UnmarshalText decodes a severity name.
func (s *Severity) UnmarshalText(b []byte) error {
	v, err := ParseSeverity(string(b))
	if err != nil {
		return err
	}
	*s = v
	return nil
}

// A Window is a period of time; a zero end means "still open".
type Window struct {
	From time.Time
	To   time.Time
}

// An Advisory is one incident a feed describes. Its indicators point back at it.
type Advisory struct {
	ID          string    // "DEPSWEEP-2025-0001", "MAL-2025-47604", ...
	Aliases     []string  // other ids of the same incident (OSV, GHSA, ...)
	Title       string    // one line
	Summary     string    // a paragraph
	Published   time.Time // zero when unknown
	Modified    time.Time // zero when unknown
	References  []string  // URLs
	Severity    Severity  // severity of a package (malicious version) hit; other kinds derive from it
	Remediation []string  // steps, in order
	// Exposure is the period during which the malicious versions were
	// installable; zero when the feed does not say.
	Exposure Window
	Feed     string // name of the feed it came from
}

// A Range is an interval of versions, as OSV writes them: from Introduced
// (inclusive; "0" or "" for the beginning) to Fixed (exclusive) or
// LastAffected (inclusive); neither set means "and every later version".
type Range struct {
	Introduced   string
	Fixed        string
	LastAffected string
}

// Versions says which versions of a package an indicator covers: the union
// of Exact and Ranges. Both empty means every version.
type Versions struct {
	Exact  []string
	Ranges []Range
}

// All reports whether every version is covered.
func (v Versions) All() bool { return len(v.Exact) == 0 && len(v.Ranges) == 0 }

// An Indicator is one observable sign of compromise, belonging to an advisory.
type Indicator struct {
	Kind      Kind
	Ecosystem string   // "npm" for package and publisher indicators; "" for the others
	Value     string   // package name, publisher account, domain, e-mail, URL, or hash (SRI or "<alg>:<hex>")
	Versions  Versions // package indicators only
	// Severity overrides the severity derived from the advisory and the kind;
	// nil means derive it.
	Severity *Severity
	Advisory *Advisory
}

func (ind *Indicator) String() string {
	return string(ind.Kind) + ":" + ind.Value
}

// A Finding is one package (or installed file) that matched one indicator.
type Finding struct {
	// ID is a stable fingerprint of repo, lockfile, package, version and
	// indicator: the same finding in two runs has the same ID.
	ID       string
	Severity Severity
	Repo     string // slash path of the repository root relative to the scan root ("." for the root itself)
	Lockfile string // slash path of the lockfile (or installed file) relative to the scan root
	Line     int    // line of the package's entry; 0 when unknown
	Package  lockfiles.Package
	Direct   bool     // a direct dependency of the root or a workspace
	Path     []string // "root@1.0.0" (or the workspace), each intermediate "name@version", the package itself
	// Indicator is what matched; Advisory is Indicator.Advisory.
	Indicator *Indicator
	Evidence  string // what matched, in words ("resolved URL host cdn.giftshop.club", "published by phanpak")
	// Collision is set for a package that shares a package indicator's name
	// but does not come from a registry (git, file, link, workspace): a name
	// collision, reported at info severity and never as a hit.
	Collision bool
	// Declared is set for a finding on a project without a lockfile: the
	// spec its package.json declares ("^1.0.15", "latest"). Package.Version
	// is then empty: the range could resolve to an affected version.
	Declared string
}
