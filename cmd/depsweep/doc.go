// Command depsweep finds compromised JavaScript dependencies across one
// repository or a fleet of checked-out repositories, from their npm, Yarn and
// pnpm lockfiles, and writes findings reports and CycloneDX SBOMs.
//
// # Usage
//
//	depsweep scan [flags] [PATH ...]
//	depsweep scan --host | --home DIR [flags]
//	depsweep history [--ref REF ...] [--since DATE] [flags] [DIR ...]
//	depsweep sbom --output-dir DIR [flags] [PATH ...]
//	depsweep feed validate FILE ...
//	depsweep feed show [--feed FILE ...]
//	depsweep feed export --blocklist FORMAT [--feed FILE ...] [-o FILE]
//	depsweep mail [--since DATE] [--until DATE] [--redact-subjects] [flags] FILE|DIR ...
//	depsweep feed update [--url URL] [--max-size MiB] [--timeout D]
//	depsweep convert [--format FORMAT] [--output FILE] REPORT
//	depsweep merge [--baseline REPORT] [flags] REPORT ...
//	depsweep version [--sbom [--binary FILE] [--output FILE]]
//	depsweep completion bash|zsh|fish
//	depsweep help man
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
// Feed update fetches OSV's npm export (the OpenSSF malicious-packages
// records included) into the user cache directory, asking only for a copy
// newer than the cached one (--url another export, --max-size caps the
// download in MiB, --timeout gives up); --feed osv:npm then reads that
// copy, with no network.
//
// A PATH that is a file is scanned on its own and read by what it holds,
// whatever its name (old-package-lock.json, pnpm-lock.yaml.2025-09-20.bak;
// --type npm|yarn|pnpm|cyclonedx|spdx forces it): a lockfile, or an existing
// SBOM (CycloneDX 1.2 to 1.7 in JSON or XML, nested components included, or
// SPDX 2.3 JSON); a package.json is read as a project without a lockfile.
// A file that is none of these is an error saying what was tried. Walking a directory still finds lockfiles by name. Its npm components are matched by package URL
// with the same rules as lockfile packages, which answers "which of these
// archived release SBOMs contained postmark-mcp 1.0.16?". Components that
// are not npm packages are counted in the report, not matched.
//
// A repository is a directory holding .git; outside git checkouts, the
// top-most directory holding a package.json, a lockfile or node_modules
// (workspaces stay with their root), which is also the unit --shard splits. A package.json
// with no lockfile beside it (and not a workspace of a project that has
// one) is listed under projects_without_lockfile, and its declared ranges,
// its workspaces' too, are matched with npm's range semantics: a range that
// admits an affected version ("^1.0.15" admits 1.0.16) is a finding one
// severity below the advisory, with "declared" set; a dist-tag is reported
// as an unknown version.
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
// node_modules). --installed reads node_modules wherever it stands, with or
// without a lockfile (nested packages, pnpm's .pnpm store, Yarn's
// .yarn/cache zips), and installed copies get the same publisher data as
// lockfile packages. The report's publisher_coverage says how many packages had
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
// Text and markdown open with one line per affected repository; json has
// it as each repository's summary. Convert re-renders a saved json or jsonl
// report in any format. Each finding has a stable id (a fingerprint of repository,
// lockfile, package, version, alias, indicator and advisory; not the line),
// so that two runs can be compared.
//
// History answers "were we affected, and when?". It walks the git history
// of every lockfile in each REPO (work tree or bare repository, or every
// repository below a directory that is none; every local and
// remote-tracking branch and every tag, or each --ref; --since DATE starts
// later),
// parses each distinct lockfile version once and matches it. Each finding is
// reported per branch with the commit (hash, date, author) where it first
// appeared, the last commit that held it and the one that removed it, or
// that it is still present; its exposure is that period, and the part to
// audit is where it overlaps the advisory's window (postmark-mcp: 2025-09-17
// to 2025-09-25). A shallow clone's boundary, or the start of a --since
// walk, is reported as such, never as a first seen; a shallow boundary after
// an advisory's window opened makes the repository inconclusive (exit 2
// without findings), never clean. The report is scan's,
// with branch, first_seen, last_seen, removed_in and exposure on each finding
// and the branches walked on each repository. git must be installed; only
// read-only git commands run.
//
// Scan --host (the home directory of $HOME) or --home DIR reads, instead of
// repositories, the traces packages leave on a developer machine or CI
// runner: the npx cache, the npm cache index and debug logs, MCP server
// launches in AI clients' configurations (Claude Desktop, Cursor, VS Code
// and others), Yarn Berry caches, pnpm's dlx cache and store index. Each
// trace is reported like a lockfile named by its evidence file
// ("~/.npm/_npx/.../package-lock.json"), with the trace source and, where
// it records one, the time and where that time comes from. An MCP server
// launched without a version ("npx -y postmark-mcp") is a high finding:
// unpinned, it resolves to the latest version at each launch. The full
// packuments npm cached give publishers without --registry. The report
// names the machine; merge combines the reports of several machines.
// A plain scan reads workspace MCP configurations too (.mcp.json,
// .vscode/mcp.json, .cursor/mcp.json).
//
// --sbom-dir writes one CycloneDX SBOM per lockfile in the same pass, with
// the findings as vulnerabilities; the sbom command does only that (add
// --no-vdr for plain SBOMs), into --output-dir DIR, or, for one lockfile,
// to --output FILE (- for standard output). --deterministic makes SBOMs reproducible.
// With --registry-metadata, --registry or --installed, a registry package's
// component names its publisher (the npm account that published the
// version) and its supplier (the version's author and maintainers in the
// full packument, or the author of the installed package.json), each with
// a property naming the source; the report's supplier_coverage counts the
// SBOM components that have a supplier.
//
// Fleet sweeps and scheduled audits: --repos-from FILE adds the
// repositories listed in FILE (one path per line; - reads standard input)
// to the PATH arguments. --baseline REPORT compares the scan with a saved
// json or jsonl report: each finding gets the status new or present,
// findings of the baseline that are gone are listed as resolved (only where
// this run read their lockfile again; the others are counted as
// not_scanned), and --fail-on-new makes only new findings count for the
// exit code. --shard I/N scans the part of the repositories a stable hash of
// their path assigns to shard I of N ("/N" takes I from
// JOB_COMPLETION_INDEX, as a Kubernetes Indexed Job sets it); give every
// shard the same roots. Merge combines the shards' json or jsonl reports
// into the report one unsharded scan would have written, refusing reports
// of other depsweep versions or feeds and shards that overlap; with
// --baseline it then compares the merged report. SOURCE_DATE_EPOCH fixes
// the report's timestamps, so that identical inputs give identical reports.
//
// Diagnostics go to standard error, never into the report: human-readable
// by default, one JSON object per event with --log-format json (an event
// per input that could not be read, and a final summary event with counts,
// duration and the feeds with their sha256). On a terminal a progress line
// shows files done and found and findings so far (off with --quiet).
// The text report is coloured on a terminal unless NO_COLOR is set.
//
// Mail reads mail evidence (Postmark Messages API exports, Postfix and Exim
// logs with their gzip'd rotations, .eml files, maildir folders, mbox files)
// and reports every message that went to an e-mail or domain indicator
// inside the advisories' exposure windows, per sending account, server or
// stream, with the totals examined. Syslog timestamps get their year from
// the file's modification time or its rotation (--year YYYY sets it), and
// the report says so.
// Feed export --blocklist FORMAT writes the feeds' domains and URL hosts as
// an egress blocklist: hosts, rpz, dnsmasq, unbound, squid or csv.
//
// # Configuration and suppressions
//
// Every command reads a config file: --config FILE, else .depsweep.yaml in
// the working directory, else depsweep/config.yaml in the user config
// directory (--no-config reads none). Its keys are the long flag names
// (format: json, fail-on: none, feed: [a.json, b.json]); a DEPSWEEP_*
// variable (DEPSWEEP_FAIL_ON=none; lists comma-separated) wins over the
// file, and a flag on the command line wins over both. An unknown key or a
// bad value is an error naming FILE:LINE (exit 2).
//
// --ignore-file FILE, and the config file's ignore: list, accept findings:
// each entry selects by id, advisory (id or alias), package (name or
// name@version) and optionally repo and path globs, and must give a
// reason; until DATE ends it. A suppressed finding stays in every report
// with its reason ("suppressed" in JSON, an accepted suppression in SARIF),
// is counted in summary.suppressed instead of summary.findings, and never
// changes the exit code. An entry past its until date no longer applies
// and an entry that matched nothing is listed as unused; both are warned
// about. --no-ignore shows every finding as if there were no rules.
//
// Version --sbom writes a CycloneDX SBOM of depsweep itself (or of the Go
// binary --binary FILE names): every Go module linked in, with its version,
// pkg:golang package URL and go.sum hash, and the build settings; make dist
// ships one beside each release binary (with --binary-version VERSION, as
// a -trimpath build does not record its -ldflags). --spec-version and
// --deterministic work as for sbom.
//
// Completion prints a bash, zsh or fish completion script; help man prints
// this manual as a man page. Both are built from the same flag sets as
// --help.
//
// # Flags
//
// Each command's --help (-h) lists its flags; they come in these groups.
// Every command also takes --config FILE and --no-config.
//
// Feeds (scan, history, sbom, feed show): --feed FILE (repeatable),
// --feed-sha256 HEX (one per --feed, in order).
//
// Publisher data (scan, history, sbom): --registry-metadata DIR,
// --registry URL with --registry-cache DIR, --registry-timeout DURATION and
// --registry-concurrency N, and --installed (scan and sbom; history refuses
// it, as old lockfile versions have no installed packages).
//
// Report (scan, history, convert, merge): --format text|json|jsonl|sarif|markdown,
// --output (-o) FILE, --fail-on SEVERITY|none (default low; convert's
// default none), --ignore-file FILE and --no-ignore.
//
// Discovery (scan, sbom): --jobs (-j) N, --exclude GLOB (repeatable),
// --max-file-size MiB. History has its own --jobs (-j) N: repositories
// walked, and lockfile versions parsed, at once.
//
// SBOMs: scan --sbom-dir DIR, --sbom-format json|xml, --spec-version
// 1.6|1.7 and --deterministic; sbom --output-dir DIR, --format json|xml,
// --spec-version, --deterministic and --no-vdr.
//
// Fleets (scan): --repos-from FILE, --shard I/N, --baseline REPORT and
// --fail-on-new; history takes --repos-from FILE and --shard I/N; merge
// takes --baseline REPORT and --fail-on-new.
//
// Host traces (scan): --host, --home DIR. History: --ref REF (repeatable),
// --no-tags, --since DATE.
//
// Diagnostics (scan, history, sbom, merge): --log-format console|json,
// --log-level debug|info|warn|error, --quiet (-q).
//
// # Exit codes
//
//	0  scanned; no finding at or above --fail-on (also when no lockfile
//	   was found, or only projects without one whose declared ranges
//	   admit no affected version: a warning says so)
//	1  findings at or above --fail-on (default low: any finding but info
//	   ones, such as a same-named git or workspace package; suppressed
//	   findings never count; --fail-on none never exits 1)
//	2  error: bad usage, unreadable feed, an interrupted scan, or inputs
//	   that could not be read or parsed, or lockfiles read only in part
//	   (entries skipped); partial results are still written and the
//	   report lists every error and skipped entry
//
// Findings win over errors: a sweep that found something exits 1 even if
// some files could not be read. History exits as scan does; a repository
// git cannot read, or a lockfile version that does not parse, is an error,
// and so is an inconclusive shallow history when nothing was found.
// Merge exits as scan does (with --fail-on-new, for new findings only), 2
// when a shard could not read something or was interrupted. The sbom, feed,
// and version commands exit 0 on success and 2 on error; convert too,
// unless --fail-on is given, when it exits as scan would for the report.
package main
