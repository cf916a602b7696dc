package ioc

import "github.com/depsweep/depsweep/lockfiles"

// Publishers tells which registry account published a package version: the
// enrich stage of a scan (package ioc/publisher implements it from registry
// metadata, installed manifests and the npm registry). The matcher needs it
// for publisher indicators only. Implementations are safe for concurrent use.
type Publishers interface {
	// Publisher returns the account that published name@version and where
	// the answer came from, in words for a finding's evidence ("registry
	// metadata"); ok is false when the source does not know, which is never
	// taken for "clean".
	Publisher(name, version string) (account, from string, ok bool)
	// Prefetch is told, before the lookups of one lockfile, its packages,
	// so that a source that fetches them (the online registry) can do so
	// concurrently; other sources do nothing, and allocate nothing.
	Prefetch(pkgs []lockfiles.Package)
}
