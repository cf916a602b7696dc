// Command depsweep finds compromised JavaScript dependencies across one
// repository or a fleet of checked-out repositories, from their npm, Yarn and
// pnpm lockfiles, and writes findings reports and CycloneDX SBOMs.
//
// # Usage
//
//	depsweep scan [flags] [PATH ...]
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
// (MAL-2025-47604); --feed reads other feeds (depsweep's format, OSV records,
// directories of them or an OSV zip export) and --feed-sha256 pins them.
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
//
// The report goes to standard output, or atomically (temporary file and
// rename) to --output. Formats: text (the default), json (the contract,
// schema depsweep/report/v1, stable and sorted), jsonl (one object per line
// as results arrive: "lockfile", "finding" and "error" lines, then a final
// "summary" line; a stream without the summary line was cut short), sarif
// and markdown. Convert re-renders a saved json or jsonl report in any
// format. Each finding has a stable id (a fingerprint of repository,
// lockfile, package, version, alias, indicator and advisory; not the line),
// so that two runs can be compared.
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
//	   that could not be read or parsed; partial results are still
//	   written and the report lists every error
//
// Findings win over errors: a sweep that found something exits 1 even if
// some files could not be read. The sbom, feed, convert and version
// commands exit 0 on success and 2 on error.
package main
