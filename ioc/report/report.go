// Package report is depsweep's findings report: the JSON contract
// ("depsweep/report/v1") that scripts and dashboards parse, and the writers
// that render it as text, Markdown and SARIF.
//
// The JSON form is the canonical record: every other format is rendered from
// a *Report, and a JSON report read back renders the same output.
package report

import "time"

// Schema identifies the report format; it changes only on an incompatible change.
const Schema = "depsweep/report/v1"

// A Report is the result of one scan.
type Report struct {
	Schema      string     `json:"schema"`
	Tool        Tool       `json:"tool"`
	Started     time.Time  `json:"started"`
	Finished    time.Time  `json:"finished"`
	Interrupted bool       `json:"interrupted,omitempty"` // the scan was stopped early (SIGINT): what is here is what was scanned
	Roots       []string   `json:"roots"`                 // the scan roots as given
	Feeds       []Feed     `json:"feeds"`
	Summary     Summary    `json:"summary"`
	Findings    []Finding  `json:"findings"`  // sorted by severity (highest first), repo, lockfile, line, package, indicator
	Errors      []Error    `json:"errors"`    // every input that could not be read or parsed, sorted by path
	Repos       []Repo     `json:"repos"`     // every repository scanned, sorted by path
	Lockfiles   []Lockfile `json:"lockfiles"` // every lockfile scanned, sorted by path
}

// Tool names the program that wrote the report.
type Tool struct {
	Name    string `json:"name"`
	Version string `json:"version"`
}

// A Feed is one indicator feed the scan used.
type Feed struct {
	Name       string         `json:"name"`
	Advisories int            `json:"advisories"`
	Indicators int            `json:"indicators"`
	ByKind     map[string]int `json:"by_kind,omitempty"` // indicator counts per kind
	SHA256     string         `json:"sha256"`
}

// Summary holds the counts a reader looks at first.
type Summary struct {
	Repos      int            `json:"repos"`
	Lockfiles  int            `json:"lockfiles"`
	Packages   int            `json:"packages"`
	Findings   int            `json:"findings"`
	Errors     int            `json:"errors"`
	BySeverity map[string]int `json:"by_severity"` // every severity name, zero counts included
	// Publisher says how many packages had publisher data, so that "no
	// publisher finding" is never read as "clean" when the data was missing.
	Publisher Coverage `json:"publisher_coverage"`
	// Baseline counts the findings by status when the scan was compared
	// with a baseline ([Compare]); nil when it was not.
	Baseline *BaselineSummary `json:"baseline,omitempty"`
}

// Coverage counts the packages for which some data was available.
type Coverage struct {
	Packages int      `json:"packages"`          // packages that could have had the data
	Known    int      `json:"known"`             // packages that had it
	Sources  []string `json:"sources,omitempty"` // where it came from ("registry-metadata:DIR", "installed", "registry:URL")
}

// A Repo is one repository (a directory holding .git, or the scan root when none).
type Repo struct {
	Path   string `json:"path"`             // relative to the scan root, "." for the root
	Head   string `json:"head,omitempty"`   // HEAD commit, when the repo is a git checkout
	Branch string `json:"branch,omitempty"` // checked-out branch, "" when detached
	Remote string `json:"remote,omitempty"` // origin URL (credentials removed)
}

// A Lockfile is one lockfile scanned.
type Lockfile struct {
	Path     string    `json:"path"` // relative to the scan root
	Repo     string    `json:"repo"`
	Format   string    `json:"format,omitempty"`
	Packages int       `json:"packages"`
	Problems []Problem `json:"problems,omitempty"` // entries the parser skipped
	Error    string    `json:"error,omitempty"`    // set when the file contributed nothing
}

// A Problem is one lockfile entry a parser could not understand.
type Problem struct {
	Line int    `json:"line"`
	Msg  string `json:"msg"`
}

// A Finding is one match of a package (or an installed file) against an indicator.
type Finding struct {
	ID          string    `json:"id"` // stable fingerprint: same repo, lockfile, package, version, indicator → same id
	Severity    string    `json:"severity"`
	Repo        string    `json:"repo"`
	Lockfile    string    `json:"lockfile"`
	Line        int       `json:"line,omitempty"`
	Package     Package   `json:"package"`
	Path        []string  `json:"path"` // from the root or workspace to the package
	Indicator   Indicator `json:"indicator"`
	Advisory    Advisory  `json:"advisory"`
	Evidence    string    `json:"evidence"`
	Remediation []string  `json:"remediation,omitempty"`
	Collision   bool      `json:"collision,omitempty"` // same name as a malicious package, but not from a registry
	// Status is set when the scan was compared with a baseline: "new",
	// "present" (in the baseline too) or "resolved" (only in the baseline).
	Status string `json:"status,omitempty"`
}

// Package is the matched package as the lockfile pins it.
type Package struct {
	Name      string `json:"name"`
	Version   string `json:"version"`
	Alias     string `json:"alias,omitempty"`
	Source    string `json:"source,omitempty"`
	Resolved  string `json:"resolved,omitempty"`
	Integrity string `json:"integrity,omitempty"`
	Dev       bool   `json:"dev"`
	Optional  bool   `json:"optional,omitempty"`
	Direct    bool   `json:"direct"`
}

// Indicator is what matched.
type Indicator struct {
	Kind  string `json:"kind"`
	Value string `json:"value"`
}

// Advisory is the incident the indicator belongs to.
type Advisory struct {
	ID         string     `json:"id"`
	Aliases    []string   `json:"aliases,omitempty"`
	Title      string     `json:"title"`
	Summary    string     `json:"summary,omitempty"`
	Published  *time.Time `json:"published,omitempty"`
	References []string   `json:"references"`
	Exposure   *Window    `json:"exposure,omitempty"` // when the malicious versions were installable
}

// A Window is a period; a nil To means still open.
type Window struct {
	From time.Time  `json:"from"`
	To   *time.Time `json:"to,omitempty"`
}

// An Error is one input that could not be read or parsed.
type Error struct {
	Path  string `json:"path"`
	Error string `json:"error"`
}
