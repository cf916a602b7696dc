package main

// Every message depsweep shows a person lives in this file, so that wording
// stays consistent and reviewable in one place.

import (
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/spf13/pflag"

	"github.com/depsweep/depsweep/feeds"
	"github.com/depsweep/depsweep/ioc/report"
)

const usageMain = `depsweep finds compromised JavaScript dependencies.

It walks checked-out repositories (one, or a whole fleet), reads every npm,
Yarn and pnpm lockfile, matches the resolved packages against indicators of
compromise (malicious package versions, publisher accounts, domains, e-mail
addresses, URLs, hashes) and writes a findings report and CycloneDX SBOMs.
The embedded default feed covers the malicious postmark-mcp npm package
(MAL-2025-47604); --feed adds feeds without a new release.

Usage:
  depsweep scan [flags] [PATH ...]     find compromised packages (default PATH: .)
  depsweep scan --host | --home DIR    find them in npx, npm, Yarn and pnpm caches
                                       and AI clients' MCP server configs
  depsweep history [flags] [DIR ...]   when each finding entered and left each branch
  depsweep sbom --output-dir DIR [flags] [PATH ...]
                                       write one CycloneDX SBOM per lockfile
  depsweep feed validate FILE ...      check feed files
  depsweep feed show [--feed FILE ...] list advisories and indicators
  depsweep feed export --blocklist FORMAT
                                       domains as a hosts/RPZ/dnsmasq/unbound/squid/CSV blocklist
  depsweep mail [flags] FILE|DIR ...   find mail sent to the feeds' addresses and domains
                                       (Postmark exports, Postfix/Exim logs, mailboxes)
  depsweep feed update                 fetch OSV's npm export for --feed osv:npm
  depsweep convert [flags] REPORT      re-render a saved JSON or JSONL report
  depsweep merge [flags] REPORT ...    combine the reports of a sharded sweep
  depsweep version                     print version and embedded feed digest
  depsweep completion bash|zsh|fish    print a shell completion script
  depsweep help man                    print the manual page

Run 'depsweep COMMAND --help' for a command's flags.

Exit codes:
  0  scanned; no finding at or above --fail-on
  1  findings at or above --fail-on (default: low; info findings, such as a
     same-named git or workspace package, do not fail a run)
  2  error: bad usage, unreadable feed, or inputs that could not be read or
     parsed (the report is still written and lists every error)
  Findings win over errors: a sweep that found something exits 1.

Examples:
  depsweep scan ~/src                      sweep every checkout under ~/src
  depsweep scan --format json -o out.json  machine-readable report
  depsweep scan --feed osv/MAL-2025-47604.json --feed-sha256 HEX .
`

const usageScan = `Usage: depsweep scan [flags] [PATH ...]

Scan discovers lockfiles (package-lock.json, npm-shrinkwrap.json,
node_modules/.package-lock.json, yarn.lock, pnpm-lock.yaml) under each PATH
(default: the current directory), parses each once, matches every resolved
package against the feeds and writes a report. A PATH that is a file is read
on its own, by what it holds whatever its name (old-package-lock.json,
pnpm-lock.yaml.2025-09-20.bak, bom.json; --type forces it): an npm, Yarn or
pnpm lockfile, or an existing SBOM (CycloneDX 1.2 to 1.7 JSON or XML, SPDX 2.3
JSON), whose npm components are matched by package URL like a lockfile's
packages. A package.json is read as a project without a lockfile (its
declared ranges). A file that is none of these is an error that says what
was tried. node_modules and .git are not
descended into, except for node_modules/.package-lock.json; symbolic links are
not followed.

A repository is a directory holding .git; outside git checkouts, the top-most
directory holding a package.json, a lockfile or node_modules (its workspaces
stay with it).
A package.json without a lockfile is listed as a project without a lockfile,
and its declared ranges (and its workspaces') are matched with npm's range
semantics: a range that admits an affected version is a finding.
Every finding names its repository and, for a git checkout, its HEAD commit,
branch and origin remote, read from the .git files (git is not needed).

Publisher indicators need publisher data, which lockfiles do not record: give
--registry-metadata (a directory of saved registry documents), --registry (an
online lookup, the only flag that touches the network; a project's .npmrc
registry= and @scope:registry= then choose where its packages are looked up)
or --installed. The
report says how many packages had publisher data; without any it never
claims a package is clean of publisher indicators.

The report goes to standard output, or atomically to --output. The text
format is the default; json is the documented contract (schema
depsweep/report/v1) and jsonl streams one object per line as results arrive.
Diagnostics go to standard error only.

Flags:
`

const usageScanTail = `
Exit codes:
  0  scanned; no finding at or above --fail-on
  1  findings at or above --fail-on
  2  bad usage, unreadable feed, interrupted scan, or inputs that could not
     be read or parsed, or were read only in part (partial results are still
     written; the report lists every error and skipped entry)

Examples:
  depsweep scan
  depsweep scan --format json --output report.json ~/fleet
  depsweep scan --registry-metadata ./packuments --fail-on high repo1 repo2
  depsweep scan --format jsonl ~/fleet | jq 'select(.type=="finding")'
  depsweep scan --sbom-dir sboms --deterministic .
`

const usageSBOM = `Usage: depsweep sbom --output-dir DIR [flags] [PATH ...]

Sbom writes one CycloneDX SBOM per lockfile found under each PATH into DIR,
named after the lockfile's path. It runs the same discovery, parsing and
matching as scan; findings are recorded in each SBOM as vulnerabilities (a
CycloneDX VDR) unless --no-vdr is given. No findings report is written, and
findings do not change the exit code.

Flags:
`

const usageSBOMTail = `
Exit codes:
  0  every SBOM written
  2  bad usage, unreadable feed, or inputs that could not be read or parsed
     (the SBOMs of the others are still written)

Examples:
  depsweep sbom --output-dir sboms .
  depsweep sbom --output-dir sboms --format xml --spec-version 1.7 ~/fleet
`

const usageFeed = `Usage:
  depsweep feed validate FILE ...
  depsweep feed show [--feed FILE ...] [--feed-sha256 HEX ...]
  depsweep feed export --blocklist FORMAT [--feed FILE ...] [-o FILE]
  depsweep feed update [--url URL] [--max-size MiB] [--timeout D]

Validate reads each feed (depsweep's own format, an OSV record, a directory of
OSV records or an OSV zip export) and reports its advisories and indicators;
it exits 2 if any feed cannot be used. Show lists the advisories and
indicators of the given feeds (default: the embedded feed), with the sha256
of each feed to pin it with --feed-sha256. Export writes the feeds' domains
as an egress blocklist ('depsweep feed export --help').

Update fetches OSV's npm export (every OSV record of npm, the OpenSSF
malicious-packages ones included) into the user cache directory
($XDG_CACHE_HOME/depsweep/feeds/osv-npm), asking the server only for a copy
newer than the cached one; --feed osv:npm then reads the cached copy, with
no network. The download is size-capped, checked like any zip feed before
it replaces the cached copy, and its sha256 is printed and recorded. Run it
before a scheduled scan:
  depsweep feed update && depsweep scan --feed osv:npm ~/src

Flags:
`

const usageConvert = `Usage: depsweep convert [flags] REPORT

Convert re-renders a report saved by 'depsweep scan --format json' or
'--format jsonl' (a JSONL stream cut short reads as an interrupted scan) in
another format. REPORT "-" reads standard input.

Flags:
`

const usageConvertTail = `
Examples:
  depsweep convert --format markdown report.json > report.md
  depsweep convert --format sarif -o scan.sarif scan.jsonl
`

const usageVersion = `Usage: depsweep version [--sbom [--binary FILE] [--output FILE]]

Version prints depsweep's version, the Go version it was built with and the
sha256 of the embedded default feed. With --sbom it writes instead a
CycloneDX SBOM of depsweep itself (its Go modules with versions, package
URLs and go.sum hashes, from the build information), or of --binary FILE.
`

// Flag help.
const (
	helpFeed          = "also read indicators from `FILE` (depsweep feed, OSV record, directory or zip; osv:npm: the copy 'feed update' fetched); repeatable; added to the embedded feed"
	helpUpdateURL     = "fetch the OSV npm export from `URL`"
	helpUpdateMax     = "refuse a download over `MiB` mebibytes"
	helpUpdateTimeout = "give up on the download after `DURATION`"
	helpNoDefaultFeed = "leave out the embedded feed (then at least one --feed is needed)"
	helpFeedSHA256    = "require the feed's sha256 to be `HEX` (one per --feed, in order; or the embedded feed's)"
	helpRegMeta       = "read publisher data from registry documents in `DIR` (NAME.json, @scope/NAME.json)"
	helpRegistry      = "look publishers up in the npm registry at `URL`, or in the one a project's .npmrc names (network; cached on disk)"
	helpRegCache      = "cache registry documents in `DIR` (default: the user cache directory)"
	helpInstalled     = "also scan installed packages (manifests and file contents) under node_modules, with or without a lockfile, and in Yarn's .yarn/cache zips"
	helpOutput        = "write the report to `FILE` (atomically) instead of standard output"
	helpFailOn        = "exit 1 when a finding has at least this `SEVERITY` (critical, high, medium, low, info, or none); info findings (name collisions) fail a run only with --fail-on info"
	helpConfig        = "read settings from this YAML `FILE` (default: .depsweep.yaml, then the user config directory's depsweep/config.yaml); flags win over DEPSWEEP_* variables, which win over the file"
	helpNoConfig      = "read no config file"
	helpIgnoreFile    = "accept the findings this YAML `FILE` lists, each with a reason (suppressed findings stay in the report, counted apart, and never fail the run)"
	helpNoIgnore      = "apply no ignore rules (--ignore-file, the config file's ignore:): show every finding as it is"
	helpJobs          = "parse and match `N` files at once (default: the number of CPUs)"
	helpQuiet         = "no progress line and no informational messages"
	helpLogFormat     = "diagnostics `FORMAT` on standard error: console or json"
	helpLogLevel      = "diagnostics `LEVEL`: debug, info, warn or error"
	helpSBOMDir       = "also write one CycloneDX SBOM per lockfile into `DIR`"
	helpSBOMFormat    = "SBOM `FORMAT`: json or xml"
	helpSpecVersion   = "CycloneDX spec `VERSION`: 1.6 or 1.7"
	helpDeterminist   = "reproducible SBOMs: fixed timestamp and serial number derived from the content"
	helpExclude       = "skip directories matching `GLOB` (their name or path below the root); repeatable"
	helpType          = "read every `TYPE` file named on the command line as npm, yarn, pnpm, cyclonedx or spdx, whatever its name or content says (default: told from its content)"
	helpMaxFileSize   = "largest lockfile read, in `MiB`; larger files are reported as errors"
	helpOutputDir     = "write the SBOMs into `DIR` (created if needed)"
	helpNoVDR         = "do not record findings as vulnerabilities in the SBOMs"
	helpHelp          = "show this help"
	helpBaseline      = "compare with the findings of a saved `REPORT` (json or jsonl): mark each finding new or present, list resolved ones, and count only new findings for the exit code"
	helpRegTimeout    = "give up a registry request after `DURATION`"
	helpRegistryConc  = "at most `N` registry requests at once"
)

// Help of --format, naming the report formats ioc/report has.
var (
	helpFormat     = "report `FORMAT`: " + report.FormatList()
	helpConvFormat = "output `FORMAT`: " + report.FormatList()
)

// Usage errors and their hints.
func errUnknownCommand(cmd, near string) error {
	if near != "" {
		return usageErrorf("", "unknown command %q (did you mean %q?)", cmd, near)
	}
	return usageErrorf("", "unknown command %q", cmd)
}

// errConfig is a config file or DEPSWEEP_* variable that cannot be used.
func errConfig(err error) error {
	return &exitError{code: 2, msg: unwrapPath(err).Error(), hint: "keys of the config file are the long flag names (format: json); --no-config ignores it"}
}

// errOutputIsFormat is -o json without --format: the report would go to a
// file named json, in the text format.
func errOutputIsFormat(cmd, value string) error {
	return usageErrorf(cmd, "--output %s names a file %q; did you mean --format %s?", value, value, value)
}

func errNoCommand() error {
	return &exitError{code: 2, msg: "no command given", hint: "Run 'depsweep --help' for usage."}
}

func errFlag(cmd string, fs *pflag.FlagSet, err error) error {
	msg := strings.TrimPrefix(err.Error(), "pflag: ")
	if name, ok := strings.CutPrefix(msg, "unknown flag: --"); ok {
		var names []string
		fs.VisitAll(func(f *pflag.Flag) { names = append(names, f.Name) })
		if near := suggest(name, names); near != "" {
			msg += fmt.Sprintf(" (did you mean --%s?)", near)
		}
	}
	return usageErrorf(cmd, "%s", msg)
}

func usageErrorf(cmd, format string, args ...any) error {
	name := "depsweep"
	if cmd != "" {
		name += " " + cmd
	}
	return &exitError{code: 2, msg: fmt.Sprintf(format, args...), hint: fmt.Sprintf("Run '%s --help' for usage.", name)}
}

// failOnChoices are the values --fail-on takes.
var failOnChoices = []string{"critical", "high", "medium", "low", "info", "none"}

func errFlagBeforeCommand(flag string) error {
	return usageErrorf("", "unknown flag: %s (flags go after the command)", flag)
}

func errBadChoice(flag, got string, choices ...string) error {
	return &exitError{code: 2, msg: fmt.Sprintf("invalid --%s %q", flag, got),
		hint: fmt.Sprintf("--%s takes one of: %s", flag, strings.Join(choices, ", "))}
}

func errFeedSHAcount(feeds, pins int) error {
	return &exitError{code: 2, msg: fmt.Sprintf("%d --feed-sha256 values for %d feeds", pins, feeds),
		hint: "give one --feed-sha256 per --feed, in the same order (or one for the embedded feed)"}
}

func errNoFeeds() error {
	return &exitError{code: 2, msg: "--no-default-feed leaves no feed to match against",
		hint: "add --feed FILE (a depsweep feed, an OSV record, directory or zip)"}
}

func errFeed(err error) error {
	return &exitError{code: 2, msg: "cannot use feed: " + err.Error(),
		hint: "check the file with 'depsweep feed validate FILE'; 'depsweep feed show' prints the sha256 to pin"}
}

func errFeedSHA(name, got, want string) error {
	return &exitError{code: 2, msg: fmt.Sprintf("feed %s has sha256 %s, want %s", name, got, want),
		hint: "the feed is not the one pinned with --feed-sha256; get the right file, or update the pin"}
}

func errIndex(err error) error {
	return &exitError{code: 2, msg: "cannot compile indicators: " + err.Error(),
		hint: "check the feeds with 'depsweep feed validate FILE'"}
}

func errRegistryMetadata(dir string, err error) error {
	return &exitError{code: 2, msg: fmt.Sprintf("cannot read registry metadata %s: %v", dir, err),
		hint: "--registry-metadata takes a directory of packuments named NAME.json (and @scope/NAME.json)"}
}

func errRegistry(err error) error {
	return &exitError{code: 2, msg: "cannot use registry: " + err.Error(),
		hint: "--registry takes a registry base URL such as https://registry.npmjs.org"}
}

func errScanRoot(root string, err error) error {
	return &exitError{code: 2, msg: fmt.Sprintf("cannot scan %s: %v", root, err),
		hint: "give directories, lockfiles, or SBOMs named bom.json, *.cdx.json, *.cdx.xml or *.spdx.json"}
}

func errRoot(root string, err error) error {
	return &exitError{code: 2, msg: fmt.Sprintf("cannot scan %s: %v", root, err),
		hint: "give directories that exist and are readable"}
}

func errOutput(err error) error {
	return &exitError{code: 2, msg: "cannot write report: " + err.Error(),
		hint: "check that the --output directory exists and is writable"}
}

func errSBOM(err error) error {
	return &exitError{code: 2, msg: "cannot write SBOMs: " + err.Error(),
		hint: "check that the output directory is writable"}
}

func errReadReport(name string, err error) error {
	return &exitError{code: 2, msg: fmt.Sprintf("cannot read report %s: %v", name, err),
		hint: "convert reads reports written by 'depsweep scan --format json' or '--format jsonl'"}
}

func errBaseline(name string, err error) error {
	return &exitError{code: 2, msg: fmt.Sprintf("cannot read baseline %s: %v", name, err),
		hint: "--baseline reads a report written by 'depsweep scan --format json' or '--format jsonl'"}
}

func errScan(err error) error {
	return &exitError{code: 2, msg: "scan failed: " + err.Error()}
}

const errOutputDirMissing = "give one of --output-dir DIR (an SBOM per lockfile) and --output FILE (the SBOM of one lockfile; - for standard output)"

func errJobs(cmd string, n int) error {
	return usageErrorf(cmd, "--jobs must be 0 or more, not %d", n)
}

func errMaxFileSize(cmd string) error {
	return usageErrorf(cmd, "--max-file-size must be more than 0 MiB")
}

func errExclude(cmd, glob string, err error) error {
	return usageErrorf(cmd, "bad --exclude pattern %q: %v", glob, err)
}

// Why a root cannot be scanned (after "cannot scan ROOT: ").
var (
	errNotDir       = errors.New("not a directory")
	errNotDirOrFile = errors.New("not a directory or a regular file")
)

// Log messages (diagnostics on standard error).
const (
	logLockfileError = "cannot read lockfile"
	logInputError    = "cannot read input"
	logScanDone      = "scan finished"
	logInterrupted   = "scan interrupted: the report covers only what was scanned"
	logPartlyRead    = "lockfile partly read: entries skipped, those packages were not checked"
	logSBOMDone      = "sboms written"
	logSBOMWrite     = "cannot write sbom: the report lists the error"
	logNpmrc         = "project .npmrc registry setting not used"
	logRegistryFail  = "registry lookup failed: publishers it would give are unknown"
)

// logNoLockfiles is the warning for a sweep that found nothing to read.
func logNoLockfiles(roots []string) string {
	return fmt.Sprintf("no lockfiles found under %s (looked for package-lock.json, npm-shrinkwrap.json, "+
		"node_modules/.package-lock.json, yarn.lock, pnpm-lock.yaml)", strings.Join(roots, ", "))
}

// logNoLockfileProjects warns that some projects pin nothing.
func logNoLockfileProjects(n int) string {
	what := "1 project without a lockfile: its declared ranges were matched"
	if n != 1 {
		what = fmt.Sprintf("%d projects without a lockfile: their declared ranges were matched", n)
	}
	return what + ", but what they install is not pinned (see the report's list)"
}

// progressLine is the progress line on a terminal.
func progressLine(done, discovered, findings int64) string {
	return fmt.Sprintf("depsweep: %d/%d lockfiles, %d findings", done, discovered, findings)
}

// Feed validation lines (standard output).
func feedOK(name string, advisories, indicators int, kinds, sha string) string {
	return fmt.Sprintf("ok %s: %d advisories, %d indicators (%s), sha256 %s", name, advisories, indicators, kinds, sha)
}

func errFeedInvalid(n int) error {
	return &exitError{code: 2, msg: fmt.Sprintf("%d feeds cannot be used", n), hint: "fix the errors above; each names the file and line"}
}

func errFeedArgs() error {
	return usageErrorf("feed", "feed takes a subcommand: validate, show, export or update")
}

func errUpdateArgs() error {
	return usageErrorf("feed", "feed update takes no arguments (the URL is --url)")
}

func errUpdateMax(n int64) error {
	return usageErrorf("feed", "invalid --max-size %d: want a positive number of MiB", n)
}

func errUpdate(err error) error {
	return &exitError{code: 2, msg: "cannot update " + feeds.OSVNPMName + ": " + err.Error(),
		hint: "the cached copy, if any, is unchanged; check the URL and the network, or raise --max-size"}
}

func errNoOSVCache(dir string) error {
	return &exitError{code: 2, msg: "no cached OSV npm export in " + dir,
		hint: "run 'depsweep feed update' first (it fetches " + feeds.DefaultOSVNPMURL + ")"}
}

func errOSVCacheChanged(err error) error {
	return &exitError{code: 2, msg: "cannot use feed " + feeds.OSVNPMName + ": " + err.Error(),
		hint: "run 'depsweep feed update' to fetch it again"}
}

func errValidateArgs() error {
	return usageErrorf("feed", "feed validate takes one or more feed files")
}

func errFeedSubcommand(sub string) error {
	return usageErrorf("feed", "unknown feed subcommand %q (want validate, show, export or update)", sub)
}

func errShowArgs() error {
	return usageErrorf("feed", "feed show takes feeds with --feed, not arguments")
}

func errConvertArgs() error {
	return usageErrorf("convert", "convert takes exactly one report file")
}

func errVersionArgs() error {
	return usageErrorf("version", "version takes no arguments")
}

const usageHistory = `Usage: depsweep history [flags] [DIR ...]

History walks the git history of every lockfile in each repository: each DIR
that is one (default: the current directory; work trees and bare
repositories alike), or every repository below it. On every local and
remote-tracking branch and every tag (or each --ref) it reads each distinct
lockfile version once, matches it against the feeds, and reports per
finding and ref the commit (hash, date, author) where it first appeared and
the one that removed it, or that it is still present. A package that
reached a branch at a merge is traced to the merged side's commit that
brought it in; a moved lockfile keeps its history. With the advisory's own
window (postmark-mcp: 2025-09-17 to 2025-09-25) this gives the periods to
audit, one per period of presence. git must be installed; only read-only
git commands run.

A shallow clone's history stops at its boundary: a finding already present
there is reported as present at the boundary, not as first seen there. A
boundary dated after an advisory's window opened makes the repository
inconclusive, never clean. --since DATE starts the walk at DATE the same way
(not judged: it is what was asked for).

The report formats are those of scan; findings carry first_seen, last_seen,
removed_in, branch, refs and exposure in JSON, repositories their status.

Flags:
`

const usageHistoryTail = `
Exit codes:
  0  walked; no finding at or above --fail-on
  1  findings at or above --fail-on
  2  bad usage, unreadable feed, a repository git could not read, lockfile
     versions that could not be parsed, a shallow history that cannot rule
     the package out (with no finding), or an interruption (partial results
     are still written; the report lists every error)

Examples:
  depsweep history
  depsweep history --ref main --ref release/2025-09 --format json -o history.json .
  depsweep history --since 2025-09-01 --format markdown ~/src/mailer ~/src/shop
  depsweep history --jobs 4 --shard 0/2 /srv/checkouts
`

const (
	helpRef              = "walk only branch, tag or commit `REF` (repeatable; default: every local and remote-tracking branch and every tag)"
	helpNoTags           = "walk branches only, not tags (when no --ref is given)"
	helpHistoryReposFrom = "also walk the repositories listed in `FILE`, one path per line (- reads standard input; blank lines and # comments are ignored)"
	helpHistoryShard     = "walk only shard `I/N` of the repositories (0 ≤ I < N, by a stable hash of the repository path the report shows; \"/N\" takes I from JOB_COMPLETION_INDEX); give every shard the same roots"
	helpSince            = "walk only commits after `DATE` (2025-09-01, or an RFC 3339 time); what was present then is reported as such"
	helpHistoryJobs      = "walk up to `N` repositories, and parse up to N lockfile versions, at once (default: the number of CPUs)"
)

func errHistoryInstalled() error {
	return usageErrorf("history", "--installed does not apply to history: old lockfile versions have no installed packages")
}

func errBadRef(ref string) error {
	return usageErrorf("history", "bad --ref %q: give a branch, tag or commit", ref)
}

func errBadSince(s string) error {
	return &exitError{code: 2, msg: fmt.Sprintf("invalid --since %q", s),
		hint: "--since takes a date (2025-09-01) or an RFC 3339 time (2025-09-01T12:00:00Z)"}
}

// History log messages.
const (
	logHistoryRepo  = "history walked"
	logHistoryError = "cannot read history"
	// logHistoryInconclusive: a shallow clone whose boundary is after an
	// advisory's window opened; what it held before is unknown.
	logHistoryInconclusive = "history inconclusive: the shallow clone starts after the advisory's window opened, so the package cannot be ruled out"
)

// hintUnshallow says how to fetch the history a window needs: all of it,
// or back to the window's start.
func hintUnshallow(since time.Time) string {
	if since.IsZero() {
		return "git fetch --unshallow"
	}
	return "git fetch --unshallow, or git fetch --shallow-since=" + since.UTC().Format(time.DateOnly)
}

// logNoLockfileHistory is the warning for a history walk that found no lockfile.
func logNoLockfileHistory(roots []string) string {
	return fmt.Sprintf("no lockfile in the history of %s (looked for package-lock.json, npm-shrinkwrap.json, "+
		"yarn.lock, pnpm-lock.yaml on the branches walked)", strings.Join(roots, ", "))
}

// Host trace flags and messages (scan --host).
const (
	helpHost = "scan this machine's package caches and MCP client configs under $HOME instead of repositories"
	helpHome = "scan the package caches and MCP client configs under home directory `DIR` instead of repositories"
)

func errHostArgs() error {
	return usageErrorf("scan", "--host and --home scan the home directory: give no PATH (scan repositories in another run)")
}

func errHostFlag(flag string) error {
	return usageErrorf("scan", "--%s does not apply to --host or --home", flag)
}

func errNoHome() error {
	return &exitError{code: 2, msg: "cannot find the home directory: HOME is not set",
		hint: "give it with --home DIR"}
}

// logNoTraces is the warning for a host scan that found no trace.
func logNoTraces(home string) string {
	return fmt.Sprintf("no package traces under %s (looked for the npx cache, the npm cache index and logs, MCP client configs, "+
		"Yarn Berry caches, the pnpm dlx cache and the pnpm store index)", home)
}

// Messages of the fleet flags and of 'depsweep merge'.
const (
	helpReposFrom = "also scan the repositories listed in `FILE`, one path per line (- reads standard input; blank lines and # comments are ignored)"
	helpShard     = "scan only shard `I/N` of the repositories (0 ≤ I < N, by a stable hash of their path; \"/N\" takes I from JOB_COMPLETION_INDEX); give every shard the same roots"
	helpFailOnNew = "with --baseline: exit 1 only for new findings (at or above --fail-on)"
	helpMergeBase = "compare the merged report with a saved `REPORT` (json or jsonl): mark each finding new or present and list resolved ones"

	usageMerge = `Usage: depsweep merge [flags] REPORT ...

Merge combines the reports of the shards of one sweep ('depsweep scan
--shard I/N --format json' or jsonl, one per shard) into the report one
unsharded scan would have written. It refuses reports written by different
depsweep versions or with different feeds, reports whose repositories
overlap (a shard given twice), and reports already compared with a baseline:
merge first, then compare with --baseline.

Flags:
`
	usageMergeTail = `
Exit codes are those of 'depsweep scan': 1 for findings at or above --fail-on
(with --fail-on-new: new findings only), 2 when a shard could not read
something or was interrupted, or on bad input.

Examples:
  depsweep merge --format json -o fleet.json shard-*.json
  depsweep merge --baseline yesterday.json --fail-on-new --format sarif -o fleet.sarif shard-*.jsonl
`
	logBaselineDone = "compared with baseline"
)

func errReposFrom(name string, err error) error {
	return &exitError{code: 2, msg: fmt.Sprintf("cannot read --repos-from %s: %v", name, err),
		hint: "--repos-from takes a file with one repository path per line, or - for standard input"}
}

func errShard(err error) error {
	return &exitError{code: 2, msg: fmt.Sprintf("invalid --shard: %v", err),
		hint: "--shard takes I/N with 0 ≤ I < N, such as 0/4; \"/N\" reads I from JOB_COMPLETION_INDEX (a Kubernetes Indexed Job)"}
}

func errMerge(name string, err error) error {
	return &exitError{code: 2, msg: fmt.Sprintf("cannot merge %s: %v", name, err),
		hint: "merge the reports of one sweep's shards, all written by the same depsweep with the same feeds"}
}

func errMergeArgs() error {
	return usageErrorf("merge", "merge needs at least one REPORT")
}

func errFailOnNew(cmd string) error {
	return usageErrorf(cmd, "--fail-on-new needs --baseline")
}

// errNoRepoPaths is why a --repos-from list without a path cannot be used.
var errNoRepoPaths = errors.New("no paths in it")

func errRepoLineNUL(line int) error {
	return fmt.Errorf("line %d: path contains a NUL byte", line)
}

func errRepoLineLong(line, limit int) error {
	return fmt.Errorf("line %d: longer than %d bytes", line, limit)
}

func errSourceDateEpoch() error {
	return &exitError{code: 2, msg: "invalid SOURCE_DATE_EPOCH: want whole seconds since 1970-01-01 UTC"}
}

const usageCompletion = `Usage: depsweep completion bash|zsh|fish

Completion prints a shell completion script for depsweep's commands and flags.

  bash:  source <(depsweep completion bash)        (or save it under /etc/bash_completion.d/)
  zsh:   depsweep completion zsh > "${fpath[1]}/_depsweep"
  fish:  depsweep completion fish > ~/.config/fish/completions/depsweep.fish
`

// errIgnoreFile is an --ignore-file that cannot be read.
func errIgnoreFile(name string, err error) error {
	return &exitError{code: 2, msg: fmt.Sprintf("cannot read ignore file %s: %v", name, err)}
}

// Log messages of the ignore rules.
const (
	logIgnoreExpired = "ignore rule expired: its findings count again; renew it with a new until date or remove it"
	logIgnoreUnused  = "ignore rule matched no finding: remove it if the finding is gone"
)

// logNoBaseline: --baseline names a file that does not exist yet.
const logNoBaseline = "no baseline yet: every finding is new (the first run of an audit; --output may name the baseline to create it)"

// errMergeEmptyDir: a directory given to merge holds no report.
func errMergeEmptyDir(dir string) error {
	return &exitError{code: 2, msg: fmt.Sprintf("merge: %s holds no .json or .jsonl report", dir), hint: "the shards write their reports there: check that they ran and that the path is the same"}
}

// Flags and messages of version --sbom.
const (
	helpVersionSBOM   = "write a CycloneDX SBOM of depsweep's own binary (its Go modules) instead"
	helpVersionBinary = "with --sbom: describe the Go binary `FILE` instead of the running one"
	helpVersionOutput = "with --sbom: write the SBOM to `FILE` (default: standard output)"
	helpVersionBinVer = "with --binary: record `VERSION` as the binary's version (a -trimpath build does not record its -ldflags)"
)

func errNoBuildInfo(name string) error {
	return &exitError{code: 2, msg: fmt.Sprintf("%s carries no Go build information", name), hint: "build it with the go command (go build, go install); stripped or non-Go binaries have none"}
}

// Flag and message of sbom --output.
const helpSBOMOutput = "write the SBOM of the one lockfile found to `FILE` (- for standard output) instead of --output-dir"

func errOneSBOM(n int) error {
	return &exitError{code: 2, msg: fmt.Sprintf("sbom --output writes one SBOM, and %d lockfiles were read", n),
		hint: "name one lockfile (or a directory holding one), or write one SBOM per lockfile with --output-dir DIR"}
}

// The messages of 'depsweep mail' and 'depsweep feed export'.

const usageMail = `Usage: depsweep mail [flags] FILE|DIR ...

Mail reads mail evidence and reports every message that went to an e-mail
address or domain of the feeds (for postmark-mcp: phan@giftshop.club and
giftshop.club, with its subdomains), per sending account, server or stream:
how many were copied, first and last, their ids and subjects. It answers
"0 copied out of 12,400 examined in the window" as plainly as a hit.

It reads, telling them apart by content (gzip'd or not):
  Postmark   Messages API JSON: outbound search pages, message details, an
             array of messages, or JSON Lines of either
  Postfix    logs: qmgr from=, cleanup message-id=, smtp/lmtp/local to= lines
             joined by queue id (syslog or maillog_file, rotations .1, .2.gz)
  Exim       main log: <= arrivals, => -> ** == deliveries by message id
  mailboxes  .eml files, maildir folders and mbox files (sent folders keep
             the Bcc header); headers decoded per RFC 2047
A directory is walked; files that are none of these are listed as skipped.

Only messages inside each advisory's exposure window count (postmark-mcp:
2025-09-17 to 2025-09-25); --since and --until replace the window. Messages
to an indicator outside it are listed, not counted. Messages without a date
count, marked undated. Syslog timestamps carry no year: it is inferred from
the file's modification time, or from the next newer file of its rotation,
and the report says so (--year gives it instead); the current year is never
assumed.

A damaged file (cut short, garbage, a bad header) is read up to the damage
and reported as an error naming the file and line or byte offset.

Exit codes: 0 nothing copied, 1 a message was copied to an indicator,
2 error (some input was not fully read; the report is still written).

Flags:
`

const usageMailTail = `
Examples:
  depsweep mail /var/log/mail.log*              Postfix or Exim logs and rotations
  depsweep mail postmark-export/ --format json  pages saved from the Messages API
  depsweep mail ~/Mail/Sent --redact-subjects   a sent folder, without subjects
`

const (
	helpMailSince      = "count messages sent from `DATE` (2025-09-01 or RFC 3339), replacing the advisories' exposure windows"
	helpMailUntil      = "count messages sent up to `DATE` (a date includes its whole day), replacing the exposure windows"
	helpMailYear       = "`YEAR` of the first entry of syslog-style logs, instead of inferring it"
	helpRedactSubjects = "leave message subjects out of the report"
)

func errMailArgs() error {
	return usageErrorf("mail", "mail takes one or more files or directories of mail evidence")
}

func errMailInput(path string, err error) error {
	return &exitError{code: 2, msg: fmt.Sprintf("cannot read %s: %v", path, err),
		hint: "give Postmark exports, Postfix or Exim logs, .eml files, maildir folders or mbox files"}
}

func errMailTime(flag, s string) error {
	return &exitError{code: 2, msg: fmt.Sprintf("invalid --%s %q", flag, s),
		hint: fmt.Sprintf("--%s takes a date (2025-09-17) or an RFC 3339 time (2025-09-17T00:00:00Z)", flag)}
}

func errMailWindow(since, until string) error {
	return usageErrorf("mail", "--until %s is before --since %s", until, since)
}

func errMailYear(y int) error {
	return usageErrorf("mail", "invalid --year %d", y)
}

func errMailIndicators(err error) error {
	return &exitError{code: 2, msg: "cannot audit mail: " + err.Error(),
		hint: "use a feed with email or domain indicators (the embedded feed has them)"}
}

func errMailRead(err error) error {
	return &exitError{code: 2, msg: "cannot read mail evidence: " + err.Error()}
}

// Mail log messages.
const (
	logMailFile      = "mail evidence read"
	logMailFileError = "mail evidence not fully read"
	logMailDone      = "mail audit done"
	logMailNothing   = "no message found in the inputs: nothing was examined"
)

const usageFeedExport = `Usage: depsweep feed export --blocklist FORMAT [--feed FILE ...] [-o FILE]

Export writes the domains and URL hosts of the feeds as an egress
blocklist: deduplicated, internationalised names as punycode, each domain's
subdomains covered the way the format allows. The header comment names each
feed and its sha256.

Formats:
  hosts    /etc/hosts lines (0.0.0.0 NAME); hosts files cannot cover
           subdomains: each name is listed as the feeds give it
  rpz      a DNS response-policy zone (BIND, Knot, PowerDNS, Unbound): NAME and
           *.NAME, CNAME . (NXDOMAIN)
  dnsmasq  address=/NAME/ lines (NAME and its subdomains: NXDOMAIN)
  unbound  a server: clause of local-zone: "NAME." always_nxdomain lines
  squid    an acl of dstdomain .NAME lines, and http_access deny
  csv      host,kind,advisories,feeds

Flags:
`

func errExportArgs() error {
	return usageErrorf("feed", "feed export takes feeds with --feed and a --blocklist format, not arguments")
}

func errExportFormat(got string, choices []string) error {
	if got == "" {
		return usageErrorf("feed", "feed export needs --blocklist FORMAT (%s)", strings.Join(choices, ", "))
	}
	return errBadChoice("blocklist", got, choices...)
}

func errExport(err error) error {
	return &exitError{code: 2, msg: "cannot write blocklist: " + err.Error(),
		hint: "use feeds with domain or url indicators (the embedded feed has them)"}
}

const helpBlocklist = "write the feeds' domains and URL hosts as a blocklist in `FORMAT`: hosts, rpz, dnsmasq, unbound, squid or csv"
