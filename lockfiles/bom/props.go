package bom

// Property names on CycloneDX components and BOMs: the one table that
// package sbom writes from and [Read] reads back. The cdx:npm:* ones are the
// CycloneDX npm taxonomy; the rest are depsweep's own.
const (
	PropDevelopment   = "cdx:npm:package:development"
	PropBundled       = "cdx:npm:package:bundled"
	PropPath          = "cdx:npm:package:path"
	PropAlias         = "depsweep:npm:alias"           // name the package is installed under
	PropSource        = "depsweep:source"              // lockfiles.Source
	PropResolved      = "depsweep:resolved"            // resolved locator that is not a URL
	PropPeer          = "depsweep:npm:peer"            // recorded as a peer dependency
	PropPatch         = "depsweep:patch"               // patch applied on top of the package
	PropYarnChecksum  = "depsweep:yarn:cache-checksum" // yarn berry's zip cache checksum: NOT a tarball hash
	PropLockfile      = "depsweep:lockfile"
	PropFormat        = "depsweep:lockfile:format"
	PropProblems      = "depsweep:lockfile:problems"
	PropIndKind       = "depsweep:indicator:kind"
	PropIndValue      = "depsweep:indicator:value"
	PropFindingID     = "depsweep:finding:id"
	PropEvidence      = "depsweep:finding:evidence"
	PropFindingPath   = "depsweep:finding:path"
	PropFindingTarget = "depsweep:finding:package"  // when the package is not a component of this BOM
	PropRepoCommit    = "depsweep:repo:commit"      // HEAD commit of the checkout (metadata.component)
	PropRepoBranch    = "depsweep:repo:branch"      // checked-out branch (metadata.component)
	PropPubSource     = "depsweep:publisher:source" // where component.publisher came from
	PropSupSource     = "depsweep:supplier:source"  // where component.supplier came from
)
