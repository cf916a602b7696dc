// Package feeds reads indicator feeds: depsweep's own format, OSV records
// (one file, a directory tree such as OpenSSF malicious-packages, or an
// all.zip export) and the embedded default feed.
package feeds

import "github.com/depsweep/depsweep/ioc"

// A Feed is a set of advisories and their indicators, loaded from one source.
type Feed struct {
	Name       string // the file name, or "embedded:<name>" for the embedded feed
	SHA256     string // hex digest of the feed's bytes (of the zip for an OSV export)
	Advisories []*ioc.Advisory
	Indicators []ioc.Indicator
	// Withdrawn counts the OSV records ignored because they are withdrawn.
	Withdrawn int
	// Skipped counts what an OSV feed holds that depsweep does not match:
	// affected packages of other ecosystems, GIT ranges, IP address IOCs.
	Skipped int
}
