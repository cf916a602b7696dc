// Package sbom builds CycloneDX software bills of materials from lockfile
// inventories, with the dependency graph, hashes from lockfile integrity,
// scopes and, from a scan, the findings as vulnerabilities (a VDR).
package sbom
