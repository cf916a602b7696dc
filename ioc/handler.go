package ioc

import "github.com/depsweep/depsweep/lockfiles"

// A LockfileResult is what the scan made of one lockfile.
type LockfileResult struct {
	Path      string               // slash path relative to the scan root
	Repo      string               // repository root, relative to the scan root
	Inventory *lockfiles.Inventory // nil when Err is set
	Err       error                // why the file contributed nothing
	// Kind says what the event is about: a lockfile, an SBOM given as a
	// file to scan (read in place of a lockfile; reports list it with the
	// lockfiles), or neither (an error about a directory or an installed
	// file). Use [LockfileResult.IsInput] to tell the first two from the last.
	Kind InputKind
	// Declared is set for the package.json of a project without a
	// lockfile (Path names it): what matching its declared ranges read.
	Declared *DeclaredStats
	// Match is what matching the file counted toward [ScanStats] (zero for
	// an error), so that a handler dropping the event can discount it.
	Match MatchStats
	// Publishers is the publisher data matching used for the file's
	// project (its installed manifests, the registries its .npmrc names);
	// nil without publisher data. SBOM writers use it, so that an SBOM
	// knows what the scan knew.
	Publishers Publishers
}

// An InputKind says what a [LockfileResult] is about.
type InputKind uint8

const (
	// InputUnknown is the kind of an event built by hand rather than by
	// [Scan]: IsInput then goes by the file name.
	InputUnknown  InputKind = iota
	InputLockfile           // a lockfile, read or not (a discovery error about one included)
	InputSBOM               // an SBOM given as a file to scan
	InputOther              // no input: a directory discovery could not read, an installed file
)

// IsInput reports whether the event is about an input that reports list
// and [ScanStats] count as a lockfile (a lockfile or an SBOM given to scan),
// rather than an error about a directory or an installed file. It is the
// one place that decides.
func (lf *LockfileResult) IsInput() bool {
	switch lf.Kind {
	case InputLockfile, InputSBOM:
		return true
	case InputUnknown:
		return lockfiles.IsLockfile(lf.Path)
	}
	return false
}

// A Handler receives scan results as a stream. Its methods are called from
// one goroutine, so implementations need not be safe for concurrent use.
// Lockfile is called once per lockfile, before the findings in it.
type Handler interface {
	Lockfile(lf *LockfileResult) error
	Finding(f *Finding) error
}
