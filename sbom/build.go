package sbom

import (
	"cmp"
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"path"
	"slices"
	"strconv"
	"strings"
	"time"

	cdx "github.com/CycloneDX/cyclonedx-go"

	"github.com/depsweep/depsweep/ioc"
	"github.com/depsweep/depsweep/lockfiles"
	"github.com/depsweep/depsweep/lockfiles/bom"
)

// comp is one component being built: an importer (the root or a
// workspace, with the link packages that stand for it), or one distinct
// package merging every install path of it.
type comp struct {
	imp      *lockfiles.Importer // nil for packages
	pkg      *lockfiles.Package  // first package merged in; nil for an importer no package stands for
	purl     string
	ref      string
	patches  []string // the patches applied to some copies (yarn patch:, pnpm patchedDependencies)
	variant  int      // 1 for the first component of its purl, 2 for the next...
	isURL    bool     // pkg.Resolved is a URL (isURL, computed once)
	hashes   []cdx.Hash
	paths    []string
	aliases  []string
	dev      bool // every package merged in is dev
	optional bool // every package merged in is optional
	bundled  bool // some package merged in is bundled
	peer     bool // some package merged in is a peer
	deps     []int32
}

// builder maps an inventory's packages to components.
type builder struct {
	inv       *lockfiles.Inventory
	importers []lockfiles.Importer
	comps     []*comp            // comps[0] is the root, then the workspaces, then packages
	slab      []comp             // backing store of comps, allocated at once
	variants  map[string]int32   // purl → its first component
	more      map[string][]int32 // purl → its other components, told apart by conflicting hashes (rare)
	// props is the backing store of the components' properties, which
	// take consecutive stretches of it: one small slice per component,
	// each sized for the most properties a component can have, came to
	// more memory than the components themselves.
	props []cdx.Property
	// one, when set, holds the one component made at a time (see
	// lazyComponents) and the slices its pointers point to, so that
	// making a component allocates none of them.
	one *oneComp
}

// A oneComp is the component lazyComponents makes, reused for the next.
type oneComp struct {
	comp  cdx.Component
	props []cdx.Property
	refs  []cdx.ExternalReference
}

// hashesOf converts an npm integrity string to CycloneDX hashes.
func hashesOf(integrity string) []cdx.Hash {
	if h, ok := singleHash(integrity); ok {
		return h
	}
	hs := lockfiles.ParseIntegrity(integrity)
	if len(hs) == 0 {
		return nil
	}
	out := make([]cdx.Hash, 0, len(hs))
	for _, h := range hs {
		if alg, ok := hashAlgorithms[h.Algorithm]; ok {
			hx := cdx.Hash{Algorithm: alg, Value: h.Hex()}
			if !slices.Contains(out, hx) {
				out = append(out, hx)
			}
		}
	}
	return out
}

// singleHash is the fast path of hashesOf for the usual integrity string,
// a single "<algorithm>-<base64>" entry with a lower-case algorithm and
// padded base64: it decodes into a stack buffer and allocates only the
// result. ok is false for anything else, which hashesOf leaves to
// lockfiles.ParseIntegrity.
func singleHash(integrity string) (hs []cdx.Hash, ok bool) {
	alg, b64, found := strings.Cut(integrity, "-")
	if !found {
		return nil, false
	}
	var size int
	var calg cdx.HashAlgorithm
	switch alg {
	case "sha512":
		size, calg = 64, cdx.HashAlgoSHA512
	case "sha384":
		size, calg = 48, cdx.HashAlgoSHA384
	case "sha256":
		size, calg = 32, cdx.HashAlgoSHA256
	case "sha1":
		size, calg = 20, cdx.HashAlgoSHA1
	default:
		return nil, false
	}
	// Exactly the padded length, and no line break (the decoder would skip
	// it): no second entry, no "?options"; any other byte that is not
	// base64 fails the decoding.
	if len(b64) != base64.StdEncoding.EncodedLen(size) || strings.IndexByte(b64, '\n') >= 0 || strings.IndexByte(b64, '\r') >= 0 {
		return nil, false
	}
	var src [88]byte // base64 of 64 bytes; on the stack, unlike []byte(b64)
	var d [64]byte
	n, err := base64.StdEncoding.Decode(d[:], src[:copy(src[:], b64)])
	if err != nil || n != size {
		return nil, false
	}
	var hx [128]byte
	hex.Encode(hx[:], d[:n])
	return []cdx.Hash{{Algorithm: calg, Value: string(hx[:2*n])}}, true
}

// conflict reports whether two hash lists disagree on a digest of the same
// algorithm: then they describe different content.
func conflict(a, b []cdx.Hash) bool {
	for _, x := range a {
		for _, y := range b {
			if x.Algorithm == y.Algorithm && x.Value != y.Value {
				return true
			}
		}
	}
	return false
}

// importerOf returns the importer a workspace or link package stands for
// (npm's node_modules/<workspace> links, yarn's "name@workspace:path"), or -1.
func (b *builder) importerOf(p *lockfiles.Package) int {
	if p.Source != lockfiles.SourceWorkspace && p.Source != lockfiles.SourceLink {
		return -1
	}
	r := p.Resolved
	if _, after, ok := strings.Cut(r, "@workspace:"); ok {
		r = after
	}
	for _, pre := range []string{"workspace:", "link:", "file:", "portal:"} {
		r = strings.TrimPrefix(r, pre)
	}
	if r != "" {
		r = path.Clean(r)
		for i := range b.importers {
			if b.importers[i].Path == r {
				return i
			}
		}
	}
	if p.Source == lockfiles.SourceWorkspace {
		for i := 1; i < len(b.importers); i++ {
			if b.importers[i].Name == p.Name && b.importers[i].Name != "" {
				return i
			}
		}
	}
	return -1
}

// lookup returns the component of p, creating it when create is set;
// -1 when there is none.
func (b *builder) lookup(p *lockfiles.Package, create bool) int32 {
	if i := b.importerOf(p); i >= 0 {
		return int32(i)
	}
	// Why no patch in the key: a patched copy is the same package with
	// a patch on top (one purl), recorded as the component's
	// pedigree.patches, not as a second component with the same purl.
	pu := PURL(p)
	hs := hashesOf(p.Integrity)
	first, known := b.variants[pu]
	if known {
		if b.same(first, hs, create) {
			return first
		}
		for _, ci := range b.more[pu] {
			if b.same(ci, hs, create) {
				return ci
			}
		}
	}
	if !create {
		return -1
	}
	ci := int32(len(b.comps))
	variant := 1
	if !known {
		b.variants[pu] = ci
	} else {
		if b.more == nil {
			b.more = map[string][]int32{}
		}
		b.more[pu] = append(b.more[pu], ci)
		variant += len(b.more[pu])
	}
	b.comps = append(b.comps, b.newComp(comp{pkg: p, purl: pu, hashes: hs, dev: true, optional: true,
		variant: variant, isURL: isURL(p.Resolved)}))
	return ci
}

// same reports whether component ci can stand for a package with hashes hs
// (no digest of the same algorithm disagrees); with create set, it then
// takes the hashes it lacks.
func (b *builder) same(ci int32, hs []cdx.Hash, create bool) bool {
	c := b.comps[ci]
	if conflict(c.hashes, hs) {
		return false
	}
	if create {
		for _, h := range hs {
			if !slices.Contains(c.hashes, h) {
				c.hashes = append(c.hashes, h)
			}
		}
	}
	return true
}

// newComp returns a pointer to a copy of c in b's slab; the slab has room
// for every component, so the pointers stay valid.
func (b *builder) newComp(c comp) *comp {
	b.slab = append(b.slab, c)
	return &b.slab[len(b.slab)-1]
}

// New builds the BOM of one lockfile project: the root project as
// metadata.component, one component per workspace and per distinct package
// (name, version, source, patch; copies whose digests disagree stay apart),
// the full dependency graph, and one vulnerability per finding (collision
// findings excepted). findings may be nil. New does not modify inv.
func New(inv *lockfiles.Inventory, findings []ioc.Finding, opts Options) (*cdx.BOM, error) {
	bom, err := build(inv, findings, opts)
	if err != nil {
		return nil, err
	}
	if err := setSerial(bom, opts.Deterministic); err != nil {
		return nil, err
	}
	return bom, nil
}

// setSerial gives bom its serial number: derived from its content when
// deterministic, else random.
func setSerial(bom *cdx.BOM, deterministic bool) (err error) {
	if deterministic {
		bom.SerialNumber, err = contentSerial(bom)
		return err
	}
	bom.SerialNumber = randomSerial()
	return nil
}

// build is [New] without the serial number, which it leaves "".
func build(inv *lockfiles.Inventory, findings []ioc.Finding, opts Options) (*cdx.BOM, error) {
	doc, lz, err := buildLazy(inv, findings, opts)
	if err != nil {
		return nil, err
	}
	out := make([]cdx.Component, 0, len(lz.order))
	lz.b.props = make([]cdx.Property, 0, 3*len(lz.order))
	for _, c := range lz.order {
		out = append(out, lz.component(c))
	}
	doc.Components = &out
	return doc, nil
}

// lazyComponents are the components of a BOM that [buildLazy] laid out
// but did not make: a BOM written straight away makes each when it encodes
// it and drops it (see writeJSONStream), rather than holding an array of
// large structs for the whole BOM.
type lazyComponents struct {
	b     *builder
	order []*comp // in the BOM's order (by ref), the root left out
	opts  Options
	// supplier counts, over the components made so far, those publisher
	// data could give a supplier and those that have one (see
	// [SupplierCoverage]).
	supplier struct{ packages, known int }
}

// each makes the components in order and calls f with each, until f
// returns false. A component and what it points to are f's only for the
// call: the next one reuses their memory.
func (l *lazyComponents) each(f func(*cdx.Component) bool) {
	if l.b.one == nil {
		l.b.one = new(oneComp)
	}
	for _, c := range l.order {
		l.b.props = l.b.props[:0]
		out := &l.b.one.comp
		*out = l.component(c)
		if p, k := supplierCounted(out); p {
			l.supplier.packages++
			if k {
				l.supplier.known++
			}
		}
		if !f(out) {
			return
		}
	}
}

// component makes the component of c, with what publisher data says.
func (l *lazyComponents) component(c *comp) cdx.Component {
	out := l.b.component(c)
	setPublisher(&out, c.pkg, l.opts)
	return out
}

// buildLazy is build without making the components: the BOM it returns
// has none (Components nil) and they come from the lazyComponents.
func buildLazy(inv *lockfiles.Inventory, findings []ioc.Finding, opts Options) (*cdx.BOM, *lazyComponents, error) {
	if inv == nil {
		return nil, nil, fmt.Errorf("sbom: no inventory")
	}
	spec, err := opts.specVersion()
	if err != nil {
		return nil, nil, err
	}
	ts, err := opts.timestamp()
	if err != nil {
		return nil, nil, err
	}
	b := &builder{inv: inv, importers: inv.Importers, variants: make(map[string]int32, len(inv.Packages))}
	if len(b.importers) == 0 {
		b.importers = []lockfiles.Importer{{Path: "."}}
	}
	b.comps = make([]*comp, 0, len(b.importers)+len(inv.Packages))
	b.slab = make([]comp, 0, len(b.importers)+len(inv.Packages))
	for i := range b.importers {
		b.comps = append(b.comps, b.newComp(comp{imp: &b.importers[i]}))
	}

	// Packages, merged.
	pkgComp := make([]int32, len(inv.Packages))
	for i := range inv.Packages {
		p := &inv.Packages[i]
		ci := b.lookup(p, true)
		pkgComp[i] = ci
		c := b.comps[ci]
		if c.imp != nil && c.pkg == nil {
			c.pkg = p
		}
		c.paths = append(c.paths, p.Paths...)
		if p.Alias != "" {
			c.aliases = append(c.aliases, p.Alias)
		}
		if p.Patch != "" && !slices.Contains(c.patches, p.Patch) {
			c.patches = append(c.patches, p.Patch)
		}
		c.dev = c.dev && p.Dev
		c.optional = c.optional && p.Optional
		c.bundled = c.bundled || p.Bundled
		c.peer = c.peer || p.Peer
	}
	// Dependencies, in two passes over the edges: the first counts each
	// component's, so that all of them share one backing array (growing a
	// slice per component was most of a BOM's allocations).
	counts := make([]int32, len(b.comps))
	addDep := func(f, t int32, fill bool) {
		if fill {
			b.comps[f].deps = append(b.comps[f].deps, t)
		} else {
			counts[f]++
		}
	}
	for _, fill := range []bool{false, true} {
		if fill {
			backing := make([]int32, 0, sumCounts(counts))
			for i, n := range counts {
				b.comps[i].deps = backing[len(backing) : len(backing) : len(backing)+int(n)]
				backing = backing[:len(backing)+int(n)]
			}
		}
		for _, e := range inv.Edges {
			if e.From < 0 || e.From >= len(pkgComp) || e.To < 0 || e.To >= len(pkgComp) {
				return nil, nil, fmt.Errorf("%s: dependency edge %d->%d out of range", inv.Path, e.From, e.To)
			}
			if f, t := pkgComp[e.From], pkgComp[e.To]; f != t {
				addDep(f, t, fill)
			}
		}
		for i := range b.importers {
			imp := &b.importers[i]
			for _, d := range imp.Deps {
				if d.To < 0 || d.To >= len(pkgComp) {
					return nil, nil, fmt.Errorf("%s: importer %q dependency %d out of range", inv.Path, imp.Path, d.To)
				}
				if t := pkgComp[d.To]; t != int32(i) {
					addDep(int32(i), t, fill)
				}
			}
			if i > 0 {
				// The root project installs every workspace.
				addDep(0, int32(i), fill)
			}
		}
	}

	// References: importers first, so that the root and the workspaces keep
	// their plain purls; then the packages in key order, so that the same
	// inventory always gets the same refs whatever its package order.
	used := make(map[string]bool, len(b.comps))
	unique := func(ref string) string {
		r := ref
		for n := 2; used[r]; n++ {
			r = ref + "~" + strconv.Itoa(n)
		}
		used[r] = true
		return r
	}
	for i := range b.importers {
		c, imp := b.comps[i], &b.importers[i]
		switch {
		case imp.Name != "":
			c.purl = purl(imp.Name, cmp.Or(imp.Version, pkgVersion(c.pkg)), nil)
			c.ref = unique(c.purl)
		case i == 0:
			c.ref = unique("root")
		default:
			// A workspace (or link target) without a package name has no npm
			// identity; the generic purl type names it by its path.
			c.purl = "pkg:generic/" + escape(imp.Path)
			c.ref = unique(c.purl)
		}
	}
	pk := slices.Clone(b.comps[len(b.importers):])
	slices.SortFunc(pk, func(x, y *comp) int {
		// Variants compare as decimal strings ("10" before "2"), the order
		// refs have always been assigned in.
		if c := strings.Compare(x.purl, y.purl); c != 0 {
			return c
		}
		return strings.Compare(strconv.Itoa(x.variant), strconv.Itoa(y.variant))
	})
	for _, c := range pk {
		c.ref = unique(c.purl)
	}

	doc := &cdx.BOM{
		JSONSchema:  jsonSchemas[spec],
		XMLNS:       xmlNamespaces[spec],
		BOMFormat:   cdx.BOMFormat,
		SpecVersion: spec,
		Version:     1,
	}
	b.props = make([]cdx.Property, 0, 16)
	rootComp := b.component(b.comps[0])
	rootComp.Type, rootComp.Scope, rootComp.Properties = cdx.ComponentTypeApplication, "", nil
	if b.importers[0].Name == "" {
		rootComp.Name = projectName(inv.Path)
	}
	phase := cdx.LifecyclePhasePreBuild
	if path.Base(inv.Path) == lockfiles.NameHiddenLock {
		phase = cdx.LifecyclePhaseBuild // node_modules/.package-lock.json records what was installed
	}
	meta := &cdx.Metadata{
		Timestamp:  ts.Format(time.RFC3339),
		Lifecycles: &[]cdx.Lifecycle{{Phase: phase}},
		Tools: &cdx.ToolsChoice{Components: &[]cdx.Component{{
			Type: cdx.ComponentTypeApplication, Name: "depsweep", Version: opts.ToolVersion,
		}}},
		Component: &rootComp,
	}
	var mprops []cdx.Property
	if inv.Path != "" {
		mprops = append(mprops, cdx.Property{Name: bom.PropLockfile, Value: inv.Path})
	}
	if inv.Format != "" {
		mprops = append(mprops, cdx.Property{Name: bom.PropFormat, Value: inv.Format})
	}
	if len(inv.Problems) > 0 {
		mprops = append(mprops, cdx.Property{Name: bom.PropProblems, Value: strconv.Itoa(len(inv.Problems))})
		// Entries the parser skipped are missing from the BOM: say so.
		doc.Compositions = &[]cdx.Composition{{
			Aggregate:  cdx.CompositionAggregateIncomplete,
			Assemblies: &[]cdx.BOMReference{cdx.BOMReference(rootComp.BOMRef)},
		}}
	}
	if len(mprops) > 0 {
		meta.Properties = &mprops
	}
	addProvenance(meta.Component, opts.Provenance)
	doc.Metadata = meta

	// Components (everything but the root) and dependencies (everything),
	// sorted by ref; every component gets a dependency entry, even without
	// dependencies.
	// Sorting the pointers and emitting in order is cheaper than sorting
	// the components, which are large structs.
	byRef := slices.Clone(b.comps)
	slices.SortFunc(byRef, func(x, y *comp) int { return cmp.Compare(x.ref, y.ref) })
	order := make([]*comp, 0, len(b.comps)-1)
	deps := make([]cdx.Dependency, 0, len(b.comps))
	refs := make([]string, 0, sumCounts(counts)) // backing array of every dependsOn
	for _, c := range byRef {
		if c != b.comps[0] {
			order = append(order, c)
		}
		d := cdx.Dependency{Ref: c.ref}
		if len(c.deps) > 0 {
			start := len(refs)
			for _, t := range c.deps {
				refs = append(refs, b.comps[t].ref)
			}
			s := refs[start:]
			slices.Sort(s)
			s = slices.Compact(s)
			refs = refs[:start+len(s)]
			s = s[:len(s):len(s)]
			d.Dependencies = &s
		}
		deps = append(deps, d)
	}
	doc.Dependencies = &deps

	if v := b.vulnerabilities(findings); len(v) > 0 {
		doc.Vulnerabilities = &v
	}
	return doc, &lazyComponents{b: b, order: order, opts: opts}, nil
}

func pkgVersion(p *lockfiles.Package) string {
	if p == nil {
		return ""
	}
	return p.Version
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

// component turns c into a CycloneDX component, its properties in b.props.
func (b *builder) component(c *comp) cdx.Component {
	out := cdx.Component{
		BOMRef:     c.ref,
		Type:       cdx.ComponentTypeLibrary,
		PackageURL: c.purl,
		Scope:      cdx.ScopeRequired,
	}
	p := c.pkg
	c.sortLists()
	start := len(b.props)
	if c.imp != nil {
		out.Group, out.Name = splitName(c.imp.Name)
		out.Version = cmp.Or(c.imp.Version, pkgVersion(p))
		if c.imp.Name == "" {
			out.Name = c.imp.Path
		}
		b.props = append(b.props, cdx.Property{Name: bom.PropPath, Value: c.imp.Path})
		b.props = c.appendProps(b.props, true)
		out.Properties = b.propsFrom(start)
		return out
	}
	out.Group, out.Name = splitName(p.Name)
	out.Version = p.Version
	switch {
	case c.dev:
		out.Scope = cdx.ScopeExcluded
	case c.optional:
		out.Scope = cdx.ScopeOptional
	}
	if len(c.hashes) > 0 {
		out.Hashes = &c.hashes // c is not used after the BOM is built
	}
	if len(c.patches) > 0 {
		out.Pedigree = pedigreeOf(c.patches)
	}
	if c.isURL {
		switch p.Source {
		case lockfiles.SourceGit:
			out.ExternalReferences = b.refs(cdx.ExternalReference{Type: cdx.ERTypeVCS, URL: p.Resolved})
		case lockfiles.SourceRegistry, lockfiles.SourceUnknown, lockfiles.SourceTarball:
			out.ExternalReferences = b.refs(cdx.ExternalReference{Type: cdx.ERTypeDistribution, URL: p.Resolved})
		}
	}
	b.props = c.appendProps(b.props, false)
	out.Properties = b.propsFrom(start)
	return out
}

// propsFrom returns the properties appended to b.props since start, nil
// when there are none.
func (b *builder) propsFrom(start int) *[]cdx.Property {
	end := len(b.props)
	if end == start {
		return nil
	}
	if b.one != nil {
		b.one.props = b.props[start:end:end]
		return &b.one.props
	}
	props := b.props[start:end:end]
	return &props
}

// refs returns a component's one external reference.
func (b *builder) refs(r cdx.ExternalReference) *[]cdx.ExternalReference {
	if b.one != nil {
		b.one.refs = append(b.one.refs[:0], r)
		return &b.one.refs
	}
	return &[]cdx.ExternalReference{r}
}

// sortLists sorts and deduplicates c's paths and aliases, and sorts its
// patches, as appendProps wants them.
func (c *comp) sortLists() {
	slices.Sort(c.paths)
	c.paths = slices.Compact(c.paths)
	slices.Sort(c.aliases)
	c.aliases = slices.Compact(c.aliases)
	slices.Sort(c.patches)
}

// appendProps appends c's properties in a fixed order; sortLists must have
// been called.
func (c *comp) appendProps(props []cdx.Property, importer bool) []cdx.Property {
	if c.dev && !importer {
		props = append(props, cdx.Property{Name: bom.PropDevelopment, Value: "true"})
	}
	if c.bundled {
		props = append(props, cdx.Property{Name: bom.PropBundled, Value: "true"})
	}
	for _, pa := range c.paths {
		props = append(props, cdx.Property{Name: bom.PropPath, Value: pa})
	}
	for _, a := range c.aliases {
		props = append(props, cdx.Property{Name: bom.PropAlias, Value: a})
	}
	p := c.pkg
	if importer {
		props = append(props, cdx.Property{Name: bom.PropSource, Value: string(lockfiles.SourceWorkspace)})
		return props
	}
	if p.Source != "" {
		props = append(props, cdx.Property{Name: bom.PropSource, Value: string(p.Source)})
	}
	if p.Resolved != "" && !c.isURL {
		props = append(props, cdx.Property{Name: bom.PropResolved, Value: p.Resolved})
	}
	if c.peer {
		props = append(props, cdx.Property{Name: bom.PropPeer, Value: "true"})
	}
	for _, pa := range c.patches {
		props = append(props, cdx.Property{Name: bom.PropPatch, Value: pa})
	}
	if p.Checksum != "" {
		props = append(props, cdx.Property{Name: bom.PropYarnChecksum, Value: p.Checksum})
	}
	return props
}

// hashAlgorithms maps npm integrity algorithms to CycloneDX's names.
var hashAlgorithms = map[string]cdx.HashAlgorithm{
	"sha512": cdx.HashAlgoSHA512,
	"sha384": cdx.HashAlgoSHA384,
	"sha256": cdx.HashAlgoSHA256,
	"sha1":   cdx.HashAlgoSHA1,
}

// severities maps depsweep's severities to CycloneDX's.
var severities = map[ioc.Severity]cdx.Severity{
	ioc.SeverityInfo:     cdx.SeverityInfo,
	ioc.SeverityLow:      cdx.SeverityLow,
	ioc.SeverityMedium:   cdx.SeverityMedium,
	ioc.SeverityHigh:     cdx.SeverityHigh,
	ioc.SeverityCritical: cdx.SeverityCritical,
}

// sumCounts returns the sum of counts.
func sumCounts(counts []int32) int {
	n := 0
	for _, c := range counts {
		n += int(c)
	}
	return n
}
