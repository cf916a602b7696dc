package ioc

import "github.com/depsweep/depsweep/lockfiles"

// A LockfileResult is what the scan made of one lockfile.
type LockfileResult struct {
	Path      string               // slash path relative to the scan root
	Repo      string               // repository root, relative to the scan root
	Inventory *lockfiles.Inventory // nil when Err is set
	Err       error                // why the file contributed nothing
	// SBOM is set when the input is an SBOM given as a file to scan,
	// read in place of a lockfile; reports list it with the lockfiles.
	SBOM bool
	// Named is set when the input is a file named on the command line
	// and read by its content ([lockfiles.Sniff], or the type forced by
	// ScanConfig.FileType) whatever its name; reports list it with the
	// lockfiles.
	Named bool
	// Declared is set for the package.json of a project without a
	// lockfile (Path names it): what matching its declared ranges read.
	Declared *DeclaredStats
	// Match is what matching the file counted toward [ScanStats] (zero for
	// an error), so that a handler dropping the event can discount it.
	Match MatchStats
}

// A Handler receives scan results as a stream. Its methods are called from
// one goroutine, so implementations need not be safe for concurrent use.
// Lockfile is called once per lockfile, before the findings in it.
type Handler interface {
	Lockfile(lf *LockfileResult) error
	Finding(f *Finding) error
}
