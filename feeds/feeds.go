// Package feeds reads indicator feeds: depsweep's own format, OSV records
// (one file, a directory tree such as OpenSSF malicious-packages, or an
// all.zip export) and the embedded default feed.
//
// # The native format
//
// A native feed is YAML (JSON is accepted too: it is read as YAML). It
// starts with a format marker and lists advisories, each with its
// indicators:
//
//	format: depsweep/feed/v1
//	advisories:
//	  - id: DEPSWEEP-2025-0001          # required, unique in the feed
//	    aliases: [MAL-2025-47604]       # other ids of the same incident
//	    title: Malicious postmark-mcp 1.0.16 to 1.0.18   # required, one line
//	    summary: |
//	      Versions 1.0.16 to 1.0.18 BCC every email to phan@giftshop.club.
//	    published: 2025-09-25           # a date, or an RFC 3339 timestamp
//	    modified: 2025-09-26T04:14:45Z
//	    severity: critical              # required: critical, high, medium, low or info
//	    exposure:                       # when the bad versions were installable
//	      from: 2025-09-17
//	      to: 2025-09-25
//	    references:
//	      - https://osv.dev/vulnerability/MAL-2025-47604
//	    remediation:                    # steps, in order
//	      - Remove postmark-mcp.
//	      - Rotate Postmark server tokens.
//	    indicators:                     # required, at least one
//	      - package: postmark-mcp       # npm name; "@scope/name" when scoped
//	        versions: [1.0.16, 1.0.17, 1.0.18]   # exact versions
//	        ranges:                     # and/or OSV-style ranges
//	          - introduced: 1.0.16      # "0" means from the first version
//	            fixed: 1.0.19           # exclusive; or last_affected (inclusive)
//	      - publisher: phanpak          # npm account that published a version
//	        severity: high              # overrides the advisory's severity
//	      - domain: giftshop.club       # the host and every subdomain
//	      - email: phan@giftshop.club
//	      - url: https://giftshop.club/collect
//	      - hash: sha512:cf83e1357eefb8bdf1542850d66d8007d620e4050b5715dc83f4a921d36ce9ce47d0d13c5d85f2b0ff8318d2877eec2f63b931bd47417a81a538327af927da3e
//
// A hash is npm integrity ("sha512-<base64>") or "<alg>:<hex>", for
// sha512, sha384, sha256 or sha1. A package indicator with neither
// versions nor ranges covers every version. package and publisher indicators take "ecosystem: npm", the
// default and the only ecosystem supported. Each indicator has exactly one
// kind field.
//
// Decoding is strict, and every error names the file, line and column:
// unknown or duplicate fields, unknown kinds, empty names, bad dates,
// severities, domains (ASCII; punycode for IDNs), emails, URLs (absolute,
// with a host), hashes (the digest length must match the algorithm) and
// versions (exact semver: "^1.0.0" is refused) are errors. Domains and the
// domain part of emails are lowercased, hex digests too. YAML aliases are
// refused (a "billion laughs" feed cannot expand), as are nesting deeper
// than 16 levels, more than one YAML document, and a feed without
// indicators ([ErrNoIndicators]). A JSON feed must write characters
// outside the Basic Multilingual Plane as UTF-8, not as \u surrogate pairs,
// which YAML does not read.
//
// # Limits
//
// [MaxFileSize], [MaxLineLength], [MaxNodes], [MaxZipSize], [MaxZipDirectory], [MaxTotalSize]
// and [MaxFiles] bound what a feed can make depsweep read and allocate; zip
// members are read through a size cap on the decompressed stream, never by
// their headers' word, and members with absolute paths, ".." or
// backslashes, and symbolic links are refused.
package feeds

import "github.com/depsweep/depsweep/ioc"

// A Feed is a set of advisories and their indicators, loaded from one
// source. Each indicator's Advisory points into Advisories.
type Feed struct {
	Name       string // the path as given to Load, or "embedded:<name>" for the embedded feed
	SHA256     string // hex digest of the feed's bytes (of the zip for an OSV export; of a manifest for a directory, see Load)
	Advisories []*ioc.Advisory
	Indicators []ioc.Indicator
	// Withdrawn counts the OSV records ignored because they are withdrawn.
	Withdrawn int
	// Skipped counts what an OSV feed holds that depsweep does not match:
	// affected packages of other ecosystems, GIT ranges, IP address IOCs.
	Skipped int
}
