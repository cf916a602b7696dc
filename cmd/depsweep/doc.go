// Command depsweep finds compromised JavaScript dependencies across one
// repository or a fleet of checked-out repositories, from their npm, Yarn and
// pnpm lockfiles, and writes findings reports and CycloneDX SBOMs.
//
// # Usage
//
//	depsweep scan [flags] [PATH ...]
//	depsweep scan --host | --home DIR [flags]
//	depsweep history [--ref REF ...] [--since DATE] [flags] [REPO ...]
//	depsweep sbom --output-dir DIR [flags] [PATH ...]
//	depsweep feed validate FILE ...
//	depsweep feed show [--feed FILE ...]
//	depsweep convert [--format FORMAT] [--output FILE] REPORT
//	depsweep version
//
// Scan walks each PATH (default: the current directory), finds every
// package-lock.json, npm-shrinkwrap.json, node_modules/.package-lock.json,
// yarn.lock and pnpm-lock.yaml (not descending into node_modules or .git,
// not following symbolic links), parses each file once and matches every
// resolved package against the indicator feeds: malicious package versions,
// publisher accounts, domains, e-mail addresses, URLs and tarball hashes.
// The embedded default feed covers the malicious postmark-mcp npm package
// (MAL-2025-47604); --feed adds other feeds to it (depsweep's format, OSV
// records, directories of them or an OSV zip export; --no-default-feed
// leaves the embedded one out) and --feed-sha256 pins them. Advisories that
// share an id or alias across feeds are one advisory: one finding per
// package, with every id listed.
//
// A PATH that is a file is scanned on its own: a lockfile, or an existing
// SBOM (CycloneDX 1.2 to 1.7 in JSON or XML, nested components included, or
// SPDX 2.3 JSON) named bom.json, bom.xml, *.cdx.json, *.cdx.xml or
// *.spdx.json, among others. Its npm components are matched by package URL
// with the same rules as lockfile packages, which answers "which of these
// archived release SBOMs contained postmark-mcp 1.0.16?". Components that
// are not npm packages are counted in the report, not matched.
//
// A repository is a directory holding .git, or the scan root when none does.
// Each finding names its repository, lockfile and line, the package as the
// lockfile pins it (name, version, alias, resolved URL, integrity, dev,
// direct), the dependency path from the root or workspace, what matched and
// the advisory with its remediation. For a git checkout the report also
// carries the HEAD commit, branch and origin URL, read from the .git files
// (git itself is not needed; credentials in URLs are removed).
//
// Lockfiles do not record who published a package. Publisher indicators need
// --registry-metadata DIR (saved registry documents), --registry URL (the
// only network access, cached on disk) or --installed (manifests under
// node_modules). The report's publisher_coverage says how many packages had
// publisher data, so that a missing finding is never mistaken for "clean".
// With --registry, a scanned project's .npmrc (registry= and @scope:registry=,
// http or https; never its credentials) decides where its packages are
// looked up, each registry with its own cache under --registry-cache.
//
// The report goes to standard output, or atomically (temporary file and
// rename) to --output. Formats: text (the default), json (the contract,
// schema depsweep/report/v1, stable and sorted), jsonl (one object per line
// as results arrive: "lockfile", "finding" and "error" lines, then a final
// "summary" line; a stream without the summary line was cut short), sarif,
// markdown (cut to 64,000 bytes for a large fleet: the per-repository table
// first), csv (one row per finding, RFC 4180, formula cells defused) and
// html (one self-contained page, no network: summary cards, a sortable and
// filterable per-repository table, findings, advisories).
// Text and markdown open with one line per affected repository. Convert re-renders a saved json or jsonl report in any
// format. Each finding has a stable id (a fingerprint of repository,
// lockfile, package, version, alias, indicator and advisory; not the line),
// so that two runs can be compared.
//
// History answers "were we affected, and when?". It walks the git history
// of every lockfile in each REPO (work tree or bare repository; every local
// and remote-tracking branch, or each --ref; --since DATE starts later),
// parses each distinct lockfile version once and matches it. Each finding is
// reported per branch with the commit (hash, date, author) where it first
// appeared, the last commit that held it and the one that removed it, or
// that it is still present; its exposure is that period, and the part to
// audit is where it overlaps the advisory's window (postmark-mcp: 2025-09-17
// to 2025-09-25). A shallow clone's boundary, or the start of a --since
// walk, is reported as such, never as a first seen. The report is scan's,
// with branch, first_seen, last_seen, removed_in and exposure on each finding
// and the branches walked on each repository. git must be installed; only
// read-only git commands run.
//
// Scan --host (the home directory of $HOME) or --home DIR reads, instead of
// repositories, the traces packages leave on a developer machine or CI
// runner: the npx cache, the npm cache index, MCP server launches in AI
// clients' configurations (Claude Desktop, Cursor, VS Code and others),
// Yarn Berry caches and the pnpm store index. Each trace is reported like a
// lockfile named by its evidence file ("~/.npm/_npx/.../package-lock.json"),
// with the trace source and, where it records one, the time. An MCP server
// launched without a version ("npx -y postmark-mcp") is a high finding:
// unpinned, it resolves to the latest version at each launch.
//
// --sbom-dir writes one CycloneDX SBOM per lockfile in the same pass, with
// the findings as vulnerabilities; the sbom command does only that (add
// --no-vdr for plain SBOMs). --deterministic makes SBOMs reproducible.
//
// Diagnostics go to standard error, never into the report: human-readable
// by default, one JSON object per event with --log-format json (an event
// per input that could not be read, and a final summary event with counts,
// duration and the feeds with their sha256). On a terminal a progress line
// shows files done and found and findings so far (off with --quiet).
// The text report is coloured on a terminal unless NO_COLOR is set.
//
// # Exit codes
//
//	0  scanned; no finding at or above --fail-on (also when no lockfile
//	   was found: a warning says so)
//	1  findings at or above --fail-on (default info: any finding;
//	   --fail-on none never exits 1)
//	2  error: bad usage, unreadable feed, an interrupted scan, or inputs
//	   that could not be read or parsed, or lockfiles read only in part
//	   (entries skipped); partial results are still written and the
//	   report lists every error and skipped entry
//
// Findings win over errors: a sweep that found something exits 1 even if
// some files could not be read. History exits as scan does; a repository
// git cannot read, or a lockfile version that does not parse, is an error.
// The sbom, feed, convert and version
// commands exit 0 on success and 2 on error.
package main
