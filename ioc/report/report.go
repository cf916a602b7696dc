// Package report is depsweep's findings report: the JSON contract
// ("depsweep/report/v1") that scripts and dashboards parse, and the writers
// that render it as text, Markdown and SARIF.
//
// The JSON form is the canonical record: every other format is rendered from
// a *Report, and a JSON report read back renders the same output.
//
// A [Builder] assembles the one Report of a command from what its inputs
// yield: a scan's events, git histories ([Builder.History]) and host traces
// ([Builder.Trace]). [Write] renders it in a format by name. A new report
// format is one file in this package: its writer, and an init function
// that registers it under its name (see formats.go); the CLI's --format
// then offers it, and its help text names it.
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
	// Mail is set in reports of 'depsweep mail' only (see mail.go).
	Mail *Mail `json:"mail,omitempty"`

	// NoLockfile lists the projects without a lockfile, whose declared
	// ranges were matched instead, sorted by path; omitted when none.
	NoLockfile []NoLockfileProject `json:"projects_without_lockfile,omitempty"`

	// Machine names the machine and user a 'scan --host' report was made
	// on; nil in other reports.
	Machine *Machine `json:"machine,omitempty"`
	// Shard names the part of a sharded sweep (--shard I/N) this report
	// covers; nil for a whole sweep and for a merged report.
	Shard *Shard `json:"shard,omitempty"`
	// Suppressions says what the ignore rules did; nil when there were none.
	Suppressions *Suppressions `json:"suppressions,omitempty"`
}

// A Shard is part Index (zero-based) of Count of a sharded sweep.
type Shard struct {
	Index int `json:"index"`
	Count int `json:"count"`
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
	Findings   int            `json:"findings"`             // findings that count: not resolved since the baseline, not suppressed
	Suppressed int            `json:"suppressed,omitempty"` // findings an ignore rule accepts: listed, not counted in findings or by_severity
	Errors     int            `json:"errors"`
	BySeverity map[string]int `json:"by_severity"` // every severity name, zero counts included
	// Publisher says how many packages had publisher data, so that "no
	// publisher finding" is never read as "clean" when the data was missing.
	Publisher Coverage `json:"publisher_coverage"`
	// Supplier says how many components of the SBOMs the scan wrote
	// (--sbom-dir) could have a supplier from publisher data (registry
	// packages pinned to a version) and how many have one, with the
	// publisher data's sources; nil when no SBOM was written.
	Supplier *Coverage `json:"supplier_coverage,omitempty"`
	// Baseline counts the findings by status when the scan was compared
	// with a baseline ([Compare]); nil when it was not.
	Baseline *BaselineSummary `json:"baseline,omitempty"`
	// Machines summarises each machine of a report merged from the
	// 'scan --host' reports of several machines ([Merge]); nil otherwise.
	Machines []MachineSummary `json:"machines,omitempty"`
}

// A Machine is the computer and account a host scan read.
type Machine struct {
	Name string `json:"name"`           // host name
	User string `json:"user,omitempty"` // login name of the user whose home was read
	Home string `json:"home,omitempty"` // the home directory read
}

// Label is how a merged report names the machine: "user@name", or the
// name alone when the user is unknown.
func (m *Machine) Label() string {
	if m.User == "" {
		return m.Name
	}
	return m.User + "@" + m.Name
}

// A MachineSummary is one machine's part of a merged report.
type MachineSummary struct {
	Machine    string         `json:"machine"` // its Label, the prefix of its paths ("alice@laptop-12:~/.npm/...")
	Name       string         `json:"name"`
	User       string         `json:"user,omitempty"`
	Started    time.Time      `json:"started"`
	Finished   time.Time      `json:"finished"`
	Lockfiles  int            `json:"lockfiles"` // trace files read
	Findings   int            `json:"findings"`
	Errors     int            `json:"errors"`
	BySeverity map[string]int `json:"by_severity"`
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
	// Summary is what the repository's findings come to; nil for a
	// repository without findings to act on.
	Summary *RepoSummary `json:"summary,omitempty"`
	// History says what 'depsweep history' walked; nil in scan reports.
	History *RepoHistory `json:"history,omitempty"`
}

// A RepoHistory is what 'depsweep history' walked in one repository.
type RepoHistory struct {
	// Status sums the repository up over every ref walked: "affected" (a
	// ref held a finding), "inconclusive" (none did, but a ref's walk cannot
	// rule one out: a shallow boundary after an advisory's window opened),
	// or "clean".
	Status string `json:"status,omitempty"`
	// Windows are the audit windows of the repository's findings, one per
	// span of presence, merged where they overlap, oldest first.
	Windows  []Period        `json:"windows,omitempty"`
	Bare     bool            `json:"bare,omitempty"`
	Shallow  bool            `json:"shallow,omitempty"` // a shallow clone: history before its boundary is unknown
	Branches []HistoryBranch `json:"branches"`          // in walk order
	Versions int             `json:"versions"`          // distinct lockfile versions (path and content) read
}

// A HistoryBranch is one branch whose history was walked.
type HistoryBranch struct {
	Name string `json:"name"`
	Tag  bool   `json:"tag,omitempty"` // a tag (lightweight or annotated), not a branch
	// Status is the ref's own: "affected", "inconclusive" or "clean" (see
	// RepoHistory.Status); Inconclusive lists the advisories it cannot rule
	// out ("" for all, when no advisory was known).
	Status       string   `json:"status,omitempty"`
	Inconclusive []string `json:"inconclusive,omitempty"`
	// FetchSince is how far back an inconclusive ref's history must go to
	// cover the advisories' windows (git fetch --shallow-since); nil when
	// the ref is conclusive or no window is known.
	FetchSince *time.Time `json:"fetch_since,omitempty"`
	Also       []string   `json:"also,omitempty"` // other branches at the same commit, not walked again
	Tip        string     `json:"tip"`            // commit hash
	// Commits is the number of commits that changed a lockfile (plus the
	// starting point of a cut history).
	Commits int `json:"commits"`
	// Cut says why the walked history is incomplete: "shallow" or "since";
	// Start is then the commit the walk started from.
	Cut   string     `json:"cut,omitempty"`
	Start *CommitRef `json:"start,omitempty"`
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
	// Declared is set on a project without a lockfile: the spec its
	// package.json declares; the finding says that it could resolve to an
	// affected version (Package.Version is then empty).
	Declared string `json:"declared,omitempty"`
	// Status is set when the scan was compared with a baseline: "new",
	// "present" (in the baseline too) or "resolved" (only in the baseline).
	Status string `json:"status,omitempty"`
	// Suppressed is set when an ignore rule accepts the finding: it stays
	// listed but is not counted and never changes the exit code.
	Suppressed *Suppressed `json:"suppressed,omitempty"`

	// The history fields are set in reports of 'depsweep history' only.

	// Branch is the branch whose history the finding was traced on; the
	// same finding on two branches is two findings with the same ID.
	Branch string `json:"branch,omitempty"`
	// Refs names every ref with this same history: Branch, then the tags
	// that hold the finding from the same commit (a release tagged while it
	// was in). BranchTag says Branch itself is a tag.
	Refs      []string `json:"refs,omitempty"`
	BranchTag bool     `json:"branch_tag,omitempty"`
	// Introduced is set when FirstSeen is a merge commit: the commit on the
	// merged side that brought the finding in (that branch ran with it from
	// then on); FirstSeen is where it reached Branch.
	Introduced *CommitRef `json:"introduced,omitempty"`
	// MovedTo is the lockfile's path at the last commit that held the
	// finding when the lockfile was moved since it was first seen (Lockfile
	// stays the path it had then, so the ID is stable).
	MovedTo string `json:"moved_to,omitempty"`
	// FirstSeen is the commit where the finding first appeared on Branch,
	// or, when Before is set, the first commit of the walked history.
	FirstSeen *CommitRef `json:"first_seen,omitempty"`
	// Before says that the finding was already present where the walked
	// history starts, so FirstSeen is not where it appeared: "shallow" (the
	// boundary of a shallow clone) or "since" (the last commit before
	// --since). Empty when FirstSeen is exact.
	Before string `json:"before,omitempty"`
	// LastSeen is the last commit that held the finding: the branch tip
	// when it is still present.
	LastSeen *CommitRef `json:"last_seen,omitempty"`
	// RemovedIn is the commit that removed the finding; nil when it is
	// still present at the branch tip.
	RemovedIn *CommitRef `json:"removed_in,omitempty"`
	// Exposure is when the finding was present and the part of that to audit.
	Exposure *Exposure `json:"exposure,omitempty"`

	// The host trace fields are set by 'depsweep scan --host' only; the
	// Lockfile of such a finding is the evidence file ("~/.npm/...").

	// Trace names the trace source: "npx-cache", "npm-cacache", "npm-log",
	// "mcp-config", "yarn-cache", "pnpm-dlx" or "pnpm-store".
	Trace string `json:"trace,omitempty"`
	// SeenAt is when the trace was made (a cache entry's fetch time, a cache
	// file's modification time); nil when unknown.
	SeenAt *time.Time `json:"seen_at,omitempty"`
	// SeenAtFrom says where SeenAt comes from: "npm-cache-entry" (the fetch
	// time npm's cache recorded), "file-mtime", "dir-mtime" (the npx entry
	// directory's modification time), "log-file-name" (the start of the npm
	// run whose debug log names it) or "dlx-dir-name" (when pnpm made the
	// dlx directory).
	SeenAtFrom string `json:"seen_at_from,omitempty"`
	// Machine is the machine label ("user@name") of a finding in a report
	// merged from several machines' host scans.
	Machine string `json:"machine,omitempty"`
}

// A CommitRef names one commit of a finding's history.
type CommitRef struct {
	Hash   string    `json:"hash"`   // full commit hash
	Date   time.Time `json:"date"`   // committer date: when the commit landed on the branch
	Author string    `json:"author"` // author name
}

// An Exposure is when a finding was present on its branch, and the part of
// that period to audit.
type Exposure struct {
	// Present runs from FirstSeen's date to RemovedIn's. A nil From means
	// unknown (already present where the walked history starts); a nil To
	// means still present.
	Present Period `json:"present"`
	// Audit is Present intersected with the advisory's exposure window
	// (Present itself when the advisory gives none): when the package was in
	// the branch while its versions were malicious. Nil when the two do not
	// overlap.
	Audit *Period `json:"audit,omitempty"`
	// Spans lists the separate periods of presence, oldest first, when there
	// is more than one (a package removed and added back); nil otherwise.
	Spans []Span `json:"spans,omitempty"`
}

// A Period is a span of time; a nil From is an unknown start, a nil To an
// open end.
type Period struct {
	From *time.Time `json:"from,omitempty"`
	To   *time.Time `json:"to,omitempty"`
}

// A Span is one uninterrupted period of presence of a finding on a branch.
type Span struct {
	From CommitRef  `json:"from"`                 // the commit that brought it in
	Last CommitRef  `json:"last"`                 // the last commit that held it
	To   *CommitRef `json:"removed_in,omitempty"` // the commit that removed it; nil when still present
	// Introduced is set when From is a merge: the commit on the merged side
	// that brought the finding in.
	Introduced *CommitRef `json:"introduced,omitempty"`
	// Present is this span's period; Audit is Present intersected with the
	// advisory's window, nil when they do not overlap.
	Present Period  `json:"present"`
	Audit   *Period `json:"audit,omitempty"`
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
