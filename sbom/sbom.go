// Package sbom builds CycloneDX software bills of materials from lockfile
// inventories, with the dependency graph, hashes from lockfile integrity,
// scopes and, from a scan, the findings as vulnerabilities (a VDR).
//
// [New] builds the BOM of one lockfile project, [Write] encodes it as JSON
// or XML in an explicit spec version (1.6 by default, 1.7 on request), and a
// [DirWriter] writes one BOM per lockfile of a scan into a directory.
//
// Properties outside the CycloneDX npm taxonomy (cdx:npm:package:*) use the
// "depsweep:" namespace.
package sbom

import (
	"cmp"
	"crypto/rand"
	"crypto/sha1"
	"crypto/sha256"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path"
	"slices"
	"strconv"
	"strings"
	"time"

	cdx "github.com/CycloneDX/cyclonedx-go"

	"github.com/depsweep/depsweep/ioc"
	"github.com/depsweep/depsweep/lockfiles"
)

// Options control how BOMs are built and encoded. The zero value builds a
// spec 1.6 BOM stamped with the current time; note that its Format is
// cdx.BOMFileFormatXML, the zero value of cyclonedx-go's type, so callers
// that want JSON (depsweep's default) set Format explicitly.
type Options struct {
	// SpecVersion is the CycloneDX version to build and encode; zero means
	// cdx.SpecVersion1_6. Only 1.6 and 1.7 are supported.
	SpecVersion cdx.SpecVersion
	// Format is the encoding Write and DirWriter use: cdx.BOMFileFormatJSON
	// or cdx.BOMFileFormatXML (the zero value).
	Format cdx.BOMFileFormat
	// Deterministic makes the output reproducible: the serial number is a
	// name-based UUID (version 5) derived from the BOM's content, and the
	// timestamp comes from Time, else SOURCE_DATE_EPOCH, else the Unix epoch.
	// Components, dependencies and vulnerabilities are sorted either way.
	Deterministic bool
	// Time is metadata.timestamp; zero means SOURCE_DATE_EPOCH when that is
	// set, else now (the Unix epoch when Deterministic).
	Time time.Time
	// ToolVersion is depsweep's version, recorded in metadata.tools; "" omits it.
	ToolVersion string
}

// specVersion returns the spec version opts ask for.
func (o Options) specVersion() (cdx.SpecVersion, error) {
	switch o.SpecVersion {
	case 0:
		return cdx.SpecVersion1_6, nil
	case cdx.SpecVersion1_6, cdx.SpecVersion1_7:
		return o.SpecVersion, nil
	}
	return 0, fmt.Errorf("unsupported cyclonedx spec version %s (want 1.6 or 1.7)", o.SpecVersion)
}

// timestamp returns the BOM's time, in UTC, to the second.
func (o Options) timestamp() (time.Time, error) {
	if !o.Time.IsZero() {
		return o.Time.UTC().Truncate(time.Second), nil
	}
	if s := os.Getenv("SOURCE_DATE_EPOCH"); s != "" {
		n, err := strconv.ParseInt(s, 10, 64)
		if err != nil {
			return time.Time{}, fmt.Errorf("SOURCE_DATE_EPOCH is not a number of seconds")
		}
		return time.Unix(n, 0).UTC(), nil
	}
	if o.Deterministic {
		// Reproducible output cannot use the clock; the epoch says plainly
		// that no build time was given.
		return time.Unix(0, 0).UTC(), nil
	}
	return time.Now().UTC().Truncate(time.Second), nil
}

// Property names. The cdx:npm:* ones are the CycloneDX npm taxonomy; the
// rest are depsweep's own.
const (
	propDevelopment   = "cdx:npm:package:development"
	propBundled       = "cdx:npm:package:bundled"
	propPath          = "cdx:npm:package:path"
	propAlias         = "depsweep:npm:alias"           // name the package is installed under
	propSource        = "depsweep:source"              // lockfiles.Source
	propResolved      = "depsweep:resolved"            // resolved locator that is not a URL
	propPeer          = "depsweep:npm:peer"            // recorded as a peer dependency
	propPatch         = "depsweep:patch"               // patch applied on top of the package
	propYarnChecksum  = "depsweep:yarn:cache-checksum" // yarn berry's zip cache checksum: NOT a tarball hash
	propLockfile      = "depsweep:lockfile"
	propFormat        = "depsweep:lockfile:format"
	propProblems      = "depsweep:lockfile:problems"
	propIndKind       = "depsweep:indicator:kind"
	propIndValue      = "depsweep:indicator:value"
	propFindingID     = "depsweep:finding:id"
	propEvidence      = "depsweep:finding:evidence"
	propFindingPath   = "depsweep:finding:path"
	propFindingTarget = "depsweep:finding:package" // when the package is not a component of this BOM
)

// cweEmbeddedMaliciousCode is CWE-506, the weakness of a malicious package.
const cweEmbeddedMaliciousCode = 506

// comp is one component being built: one distinct package (name, version,
// source, patch and integrity), merging every install path of it.
type comp struct {
	pkg      *lockfiles.Package // first occurrence
	key      string
	purl     string
	ref      string
	paths    []string
	aliases  []string
	dev      bool // every occurrence is dev
	optional bool // every occurrence is optional
	bundled  bool // some occurrence is bundled
	peer     bool // some occurrence is a peer
	deps     []int32
}

// New builds the BOM of one lockfile project: the root project as
// metadata.component, one component per distinct package and per workspace,
// the full dependency graph, and one vulnerability per finding (collision
// findings excepted). findings may be nil. New does not modify inv.
func New(inv *lockfiles.Inventory, findings []ioc.Finding, opts Options) (*cdx.BOM, error) {
	if inv == nil {
		return nil, fmt.Errorf("sbom: no inventory")
	}
	spec, err := opts.specVersion()
	if err != nil {
		return nil, err
	}
	ts, err := opts.timestamp()
	if err != nil {
		return nil, err
	}

	// Components, merged by key.
	comps := make([]*comp, 0, len(inv.Packages))
	byKey := make(map[string]int32, len(inv.Packages))
	pkgComp := make([]int32, len(inv.Packages))
	for i := range inv.Packages {
		p := &inv.Packages[i]
		pu := PURL(p)
		key := pu + "\x00" + p.Patch + "\x00" + p.Integrity
		ci, ok := byKey[key]
		if !ok {
			ci = int32(len(comps))
			byKey[key] = ci
			comps = append(comps, &comp{pkg: p, key: key, purl: pu, dev: true, optional: true})
		}
		pkgComp[i] = ci
		c := comps[ci]
		c.paths = append(c.paths, p.Paths...)
		if p.Alias != "" {
			c.aliases = append(c.aliases, p.Alias)
		}
		c.dev = c.dev && p.Dev
		c.optional = c.optional && p.Optional
		c.bundled = c.bundled || p.Bundled
		c.peer = c.peer || p.Peer
	}
	for _, e := range inv.Edges {
		if e.From < 0 || e.From >= len(pkgComp) || e.To < 0 || e.To >= len(pkgComp) {
			return nil, fmt.Errorf("%s: dependency edge %d->%d out of range", inv.Path, e.From, e.To)
		}
		f, t := pkgComp[e.From], pkgComp[e.To]
		if f != t {
			comps[f].deps = append(comps[f].deps, t)
		}
	}

	// References: importers first, so the root and the workspaces keep their
	// plain purls; then the packages in key order, so that the same
	// inventory always gets the same refs.
	used := make(map[string]bool, len(comps)+len(inv.Importers))
	unique := func(ref string) string {
		r := ref
		for n := 2; used[r]; n++ {
			r = ref + "~" + strconv.Itoa(n)
		}
		used[r] = true
		return r
	}
	importers := inv.Importers
	if len(importers) == 0 {
		importers = []lockfiles.Importer{{Path: "."}}
	}
	impRefs := make([]string, len(importers))
	impPURLs := make([]string, len(importers))
	for i, imp := range importers {
		if imp.Name != "" {
			impPURLs[i] = purl(imp.Name, imp.Version, nil)
			impRefs[i] = unique(impPURLs[i])
		} else if i == 0 {
			impRefs[i] = unique("root")
		} else {
			impRefs[i] = unique("workspace:" + imp.Path)
		}
	}
	order := make([]*comp, len(comps))
	copy(order, comps)
	slices.SortFunc(order, func(a, b *comp) int { return cmp.Compare(a.key, b.key) })
	for _, c := range order {
		c.ref = unique(c.purl)
	}

	bom := &cdx.BOM{
		JSONSchema:  jsonSchemas[spec],
		XMLNS:       xmlNamespaces[spec],
		BOMFormat:   cdx.BOMFormat,
		SpecVersion: spec,
		Version:     1,
	}

	// Metadata.
	root := importers[0]
	rootComp := &cdx.Component{
		BOMRef:     impRefs[0],
		Type:       cdx.ComponentTypeApplication,
		Name:       root.Name,
		Version:    root.Version,
		PackageURL: impPURLs[0],
	}
	if root.Name != "" {
		rootComp.Group, rootComp.Name = splitName(root.Name)
	} else {
		rootComp.Name = projectName(inv.Path)
	}
	phase := cdx.LifecyclePhasePreBuild
	if path.Base(inv.Path) == lockfiles.NameHiddenLock {
		phase = cdx.LifecyclePhaseBuild // node_modules/.package-lock.json records what was installed
	}
	tool := cdx.Component{Type: cdx.ComponentTypeApplication, Name: "depsweep", Version: opts.ToolVersion}
	meta := &cdx.Metadata{
		Timestamp:  ts.Format(time.RFC3339),
		Lifecycles: &[]cdx.Lifecycle{{Phase: phase}},
		Tools:      &cdx.ToolsChoice{Components: &[]cdx.Component{tool}},
		Component:  rootComp,
	}
	var mprops []cdx.Property
	if inv.Path != "" {
		mprops = append(mprops, cdx.Property{Name: propLockfile, Value: inv.Path})
	}
	if inv.Format != "" {
		mprops = append(mprops, cdx.Property{Name: propFormat, Value: inv.Format})
	}
	if len(inv.Problems) > 0 {
		mprops = append(mprops, cdx.Property{Name: propProblems, Value: strconv.Itoa(len(inv.Problems))})
		// Entries the parser skipped are missing from the BOM: say so.
		bom.Compositions = &[]cdx.Composition{{
			Aggregate:  cdx.CompositionAggregateIncomplete,
			Assemblies: &[]cdx.BOMReference{cdx.BOMReference(impRefs[0])},
		}}
	}
	if len(mprops) > 0 {
		meta.Properties = &mprops
	}
	bom.Metadata = meta

	// Components: workspaces, then packages, sorted by ref.
	out := make([]cdx.Component, 0, len(comps)+len(importers)-1)
	for i := 1; i < len(importers); i++ {
		imp := importers[i]
		c := cdx.Component{
			BOMRef:     impRefs[i],
			Type:       cdx.ComponentTypeLibrary,
			Name:       imp.Name,
			Version:    imp.Version,
			PackageURL: impPURLs[i],
			Scope:      cdx.ScopeRequired,
			Properties: &[]cdx.Property{
				{Name: propPath, Value: imp.Path},
				{Name: propSource, Value: string(lockfiles.SourceWorkspace)},
			},
		}
		if imp.Name != "" {
			c.Group, c.Name = splitName(imp.Name)
		} else {
			c.Name = imp.Path
		}
		out = append(out, c)
	}
	for _, c := range comps {
		out = append(out, c.component())
	}
	slices.SortFunc(out, func(a, b cdx.Component) int { return cmp.Compare(a.BOMRef, b.BOMRef) })
	bom.Components = &out

	// Dependencies: the root (which installs every workspace), each
	// workspace, each component; every one listed, even without dependencies.
	deps := make([]cdx.Dependency, 0, len(comps)+len(importers))
	refsOf := func(idx []int32, extra []string) *[]string {
		if len(idx) == 0 && len(extra) == 0 {
			return nil
		}
		s := make([]string, 0, len(idx)+len(extra))
		for _, i := range idx {
			s = append(s, comps[i].ref)
		}
		s = append(s, extra...)
		slices.Sort(s)
		s = slices.Compact(s)
		return &s
	}
	for i, imp := range importers {
		idx := make([]int32, 0, len(imp.Deps))
		for _, d := range imp.Deps {
			if d.To < 0 || d.To >= len(pkgComp) {
				return nil, fmt.Errorf("%s: importer %q dependency %d out of range", inv.Path, imp.Path, d.To)
			}
			idx = append(idx, pkgComp[d.To])
		}
		var extra []string
		if i == 0 {
			extra = impRefs[1:]
		}
		deps = append(deps, cdx.Dependency{Ref: impRefs[i], Dependencies: refsOf(idx, extra)})
	}
	for _, c := range comps {
		deps = append(deps, cdx.Dependency{Ref: c.ref, Dependencies: refsOf(c.deps, nil)})
	}
	slices.SortFunc(deps, func(a, b cdx.Dependency) int { return cmp.Compare(a.Ref, b.Ref) })
	bom.Dependencies = &deps

	// Vulnerabilities.
	if v := vulnerabilities(findings, byKey, comps, impRefs[0]); len(v) > 0 {
		bom.Vulnerabilities = &v
	}

	if opts.Deterministic {
		sn, err := contentSerial(bom)
		if err != nil {
			return nil, err
		}
		bom.SerialNumber = sn
	} else {
		bom.SerialNumber = randomSerial()
	}
	return bom, nil
}

// projectName names a project without a name in its package.json by the
// directory of its lockfile.
func projectName(lockfilePath string) string {
	dir := path.Dir(lockfilePath)
	if path.Base(dir) == "node_modules" {
		dir = path.Dir(dir)
	}
	if b := path.Base(dir); b != "." && b != "/" && b != "" {
		return b
	}
	return "root"
}

// component turns c into a CycloneDX component.
func (c *comp) component() cdx.Component {
	p := c.pkg
	out := cdx.Component{
		BOMRef:     c.ref,
		Type:       cdx.ComponentTypeLibrary,
		Version:    p.Version,
		PackageURL: c.purl,
		Scope:      cdx.ScopeRequired,
	}
	out.Group, out.Name = splitName(p.Name)
	switch {
	case c.dev:
		out.Scope = cdx.ScopeExcluded
	case c.optional:
		out.Scope = cdx.ScopeOptional
	}
	if hs := lockfiles.ParseIntegrity(p.Integrity); len(hs) > 0 {
		hashes := make([]cdx.Hash, 0, len(hs))
		for _, h := range hs {
			alg, ok := hashAlgorithms[h.Algorithm]
			if !ok {
				continue
			}
			hx := cdx.Hash{Algorithm: alg, Value: h.Hex()}
			if !slices.Contains(hashes, hx) {
				hashes = append(hashes, hx)
			}
		}
		if len(hashes) > 0 {
			out.Hashes = &hashes
		}
	}
	resolvedIsURL := isURL(p.Resolved)
	if resolvedIsURL {
		switch p.Source {
		case lockfiles.SourceGit:
			out.ExternalReferences = &[]cdx.ExternalReference{{Type: cdx.ERTypeVCS, URL: p.Resolved}}
		case lockfiles.SourceRegistry, lockfiles.SourceUnknown, lockfiles.SourceTarball:
			out.ExternalReferences = &[]cdx.ExternalReference{{Type: cdx.ERTypeDistribution, URL: p.Resolved}}
		}
	}

	props := make([]cdx.Property, 0, 4+len(c.paths))
	if c.dev {
		props = append(props, cdx.Property{Name: propDevelopment, Value: "true"})
	}
	if c.bundled {
		props = append(props, cdx.Property{Name: propBundled, Value: "true"})
	}
	paths := slices.Clone(c.paths)
	slices.Sort(paths)
	for _, pa := range slices.Compact(paths) {
		props = append(props, cdx.Property{Name: propPath, Value: pa})
	}
	aliases := slices.Clone(c.aliases)
	slices.Sort(aliases)
	for _, a := range slices.Compact(aliases) {
		props = append(props, cdx.Property{Name: propAlias, Value: a})
	}
	if p.Source != "" {
		props = append(props, cdx.Property{Name: propSource, Value: string(p.Source)})
	}
	if p.Resolved != "" && !resolvedIsURL {
		props = append(props, cdx.Property{Name: propResolved, Value: p.Resolved})
	}
	if c.peer {
		props = append(props, cdx.Property{Name: propPeer, Value: "true"})
	}
	if p.Patch != "" {
		props = append(props, cdx.Property{Name: propPatch, Value: p.Patch})
	}
	if p.Checksum != "" {
		props = append(props, cdx.Property{Name: propYarnChecksum, Value: p.Checksum})
	}
	if len(props) > 0 {
		out.Properties = &props
	}
	return out
}

// hashAlgorithms maps npm integrity algorithms to CycloneDX's names.
var hashAlgorithms = map[string]cdx.HashAlgorithm{
	"sha512": cdx.HashAlgoSHA512,
	"sha384": cdx.HashAlgoSHA384,
	"sha256": cdx.HashAlgoSHA256,
	"sha1":   cdx.HashAlgoSHA1,
}

var severities = map[ioc.Severity]cdx.Severity{
	ioc.SeverityInfo:     cdx.SeverityInfo,
	ioc.SeverityLow:      cdx.SeverityLow,
	ioc.SeverityMedium:   cdx.SeverityMedium,
	ioc.SeverityHigh:     cdx.SeverityHigh,
	ioc.SeverityCritical: cdx.SeverityCritical,
}

// vulnerabilities turns findings into one vulnerability each, sorted by
// advisory, affected ref and finding id. Collision findings are not
// vulnerabilities and are left out.
func vulnerabilities(findings []ioc.Finding, byKey map[string]int32, comps []*comp, rootRef string) []cdx.Vulnerability {
	var out []cdx.Vulnerability
	refs := map[string]bool{}
	for i := range findings {
		f := &findings[i]
		if f.Collision || f.Indicator == nil {
			continue
		}
		adv := f.Indicator.Advisory
		if adv == nil {
			adv = &ioc.Advisory{}
		}
		id := adv.ID
		if id == "" && len(adv.Aliases) > 0 {
			id = adv.Aliases[0]
		}
		if id == "" {
			id = "depsweep:" + f.Indicator.String()
		}
		v := cdx.Vulnerability{
			ID:     id,
			Source: vulnSource(id, adv),
			CWEs:   &[]int{cweEmbeddedMaliciousCode},
			Ratings: &[]cdx.VulnerabilityRating{{
				Severity: severities[f.Severity],
				Method:   cdx.ScoringMethodOther,
			}},
			Description: cmp.Or(adv.Summary, adv.Title),
			Detail:      f.Evidence,
		}
		if adv.Title != "" && adv.Summary != "" {
			v.Description = adv.Title + "\n\n" + adv.Summary
		}
		if len(adv.Remediation) > 0 {
			var b strings.Builder
			for n, step := range adv.Remediation {
				if n > 0 {
					b.WriteByte('\n')
				}
				fmt.Fprintf(&b, "%d. %s", n+1, step)
			}
			v.Recommendation = b.String()
		}
		var vrefs []cdx.VulnerabilityReference
		for _, a := range adv.Aliases {
			if a != id {
				vrefs = append(vrefs, cdx.VulnerabilityReference{ID: a, Source: vulnSource(a, nil)})
			}
		}
		if len(vrefs) > 0 {
			v.References = &vrefs
		}
		var advs []cdx.Advisory
		for _, r := range adv.References {
			if isURL(r) {
				advs = append(advs, cdx.Advisory{URL: r})
			}
		}
		if len(advs) > 0 {
			v.Advisories = &advs
		}
		if !adv.Published.IsZero() {
			v.Published = adv.Published.UTC().Format(time.RFC3339)
		}
		if !adv.Modified.IsZero() {
			v.Updated = adv.Modified.UTC().Format(time.RFC3339)
		}

		// The affected component: the same key as the package got in New,
		// else the first component of the same name@version, else the root
		// (a finding in an installed file whose package is not in the lockfile).
		p := &f.Package
		ref := ""
		if ci, ok := byKey[PURL(p)+"\x00"+p.Patch+"\x00"+p.Integrity]; ok {
			ref = comps[ci].ref
		} else {
			for _, c := range comps {
				if c.pkg.Name == p.Name && c.pkg.Version == p.Version {
					ref = c.ref
					break
				}
			}
		}
		props := []cdx.Property{
			{Name: propIndKind, Value: string(f.Indicator.Kind)},
			{Name: propIndValue, Value: f.Indicator.Value},
		}
		if f.ID != "" {
			props = append(props, cdx.Property{Name: propFindingID, Value: f.ID})
		}
		if f.Evidence != "" {
			props = append(props, cdx.Property{Name: propEvidence, Value: f.Evidence})
		}
		if len(f.Path) > 0 {
			props = append(props, cdx.Property{Name: propFindingPath, Value: strings.Join(f.Path, " > ")})
		}
		if ref == "" {
			ref = rootRef
			props = append(props, cdx.Property{Name: propFindingTarget, Value: p.ID()})
		}
		v.Properties = &props
		aff := cdx.Affects{Ref: ref}
		if p.Version != "" {
			aff.Range = &[]cdx.AffectedVersions{{Version: p.Version, Status: cdx.VulnerabilityStatusAffected}}
		}
		v.Affects = &[]cdx.Affects{aff}

		// A bom-ref per vulnerability, unique in the BOM (the finding id
		// when there is one).
		bref := "vuln:" + cmp.Or(f.ID, id+":"+ref)
		for n := 2; refs[bref]; n++ {
			bref = "vuln:" + cmp.Or(f.ID, id+":"+ref) + "~" + strconv.Itoa(n)
		}
		refs[bref] = true
		v.BOMRef = bref
		out = append(out, v)
	}
	slices.SortStableFunc(out, func(a, b cdx.Vulnerability) int {
		return cmp.Or(cmp.Compare(a.ID, b.ID), cmp.Compare((*a.Affects)[0].Ref, (*b.Affects)[0].Ref), cmp.Compare(a.BOMRef, b.BOMRef))
	})
	return out
}

// vulnSource names the database an id comes from: OSV for the prefixes
// osv.dev serves, else the feed the advisory came from.
func vulnSource(id string, adv *ioc.Advisory) *cdx.Source {
	for _, pre := range []string{"MAL-", "GHSA-", "OSV-", "CVE-", "PYSEC-", "RUSTSEC-", "GO-"} {
		if strings.HasPrefix(id, pre) {
			return &cdx.Source{Name: "OSV", URL: "https://osv.dev/vulnerability/" + id}
		}
	}
	if adv != nil && adv.Feed != "" {
		return &cdx.Source{Name: adv.Feed}
	}
	return nil
}

// serialNamespace is the UUID namespace of depsweep's content-derived serial numbers.
var serialNamespace = [16]byte{0x6f, 0x3c, 0x1e, 0x5a, 0x9d, 0x2b, 0x4c, 0x71, 0x8a, 0x0e, 0x52, 0xd4, 0xc3, 0x97, 0x10, 0x6b}

// contentSerial returns a version 5 (name-based, RFC 4122) UUID URN whose
// name is the SHA-256 of the BOM's JSON encoding without a serial number.
func contentSerial(bom *cdx.BOM) (string, error) {
	bom.SerialNumber = ""
	h := sha256.New()
	if err := json.NewEncoder(h).Encode(bom); err != nil {
		return "", fmt.Errorf("sbom: hash bom content: %v", err)
	}
	s := sha1.New()
	s.Write(serialNamespace[:])
	s.Write(h.Sum(nil))
	var u [16]byte
	copy(u[:], s.Sum(nil))
	u[6] = u[6]&0x0f | 0x50
	u[8] = u[8]&0x3f | 0x80
	return uuidURN(u), nil
}

// randomSerial returns a random (version 4) UUID URN.
func randomSerial() string {
	var u [16]byte
	rand.Read(u[:])
	u[6] = u[6]&0x0f | 0x40
	u[8] = u[8]&0x3f | 0x80
	return uuidURN(u)
}

func uuidURN(u [16]byte) string {
	return fmt.Sprintf("urn:uuid:%x-%x-%x-%x-%x", u[0:4], u[4:6], u[6:8], u[8:10], u[10:16])
}

// jsonSchemas and xmlNamespaces are the $schema and xmlns of the versions
// depsweep writes (cyclonedx-go keeps its own maps unexported).
var (
	jsonSchemas = map[cdx.SpecVersion]string{
		cdx.SpecVersion1_6: "http://cyclonedx.org/schema/bom-1.6.schema.json",
		cdx.SpecVersion1_7: "http://cyclonedx.org/schema/bom-1.7.schema.json",
	}
	xmlNamespaces = map[cdx.SpecVersion]string{
		cdx.SpecVersion1_6: "http://cyclonedx.org/schema/bom/1.6",
		cdx.SpecVersion1_7: "http://cyclonedx.org/schema/bom/1.7",
	}
)

// Write encodes bom to w in opts.Format, always in an explicit spec version
// (opts.SpecVersion, 1.6 when zero), indented, without HTML escaping.
func Write(w io.Writer, bom *cdx.BOM, opts Options) error {
	spec, err := opts.specVersion()
	if err != nil {
		return err
	}
	enc := cdx.NewBOMEncoder(w, opts.Format).SetPretty(true).SetEscapeHTML(false)
	if bom.SpecVersion == spec {
		// Built for this version: encode as is. EncodeVersion would deep-copy
		// the whole BOM through gob first, which costs more than the encoding.
		b := *bom
		b.BOMFormat, b.JSONSchema, b.XMLNS = cdx.BOMFormat, jsonSchemas[spec], xmlNamespaces[spec]
		err = enc.Encode(&b)
	} else {
		err = enc.EncodeVersion(bom, spec)
	}
	if err != nil {
		return fmt.Errorf("sbom: encode: %w", err)
	}
	if opts.Format == cdx.BOMFileFormatXML {
		_, err = io.WriteString(w, "\n") // the JSON encoder ends with a newline; make XML match
	}
	return err
}
