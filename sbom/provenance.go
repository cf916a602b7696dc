package sbom

import (
	"cmp"
	"net/url"
	"strings"

	cdx "github.com/CycloneDX/cyclonedx-go"

	"github.com/depsweep/depsweep/ioc"
	"github.com/depsweep/depsweep/lockfiles"
	"github.com/depsweep/depsweep/lockfiles/bom"
)

// A Provenance is the repository a lockfile was read from, recorded on
// metadata.component: the origin URL as an externalReference of type vcs
// (credentials stripped), and the commit and branch as properties. Empty
// fields are left out.
type Provenance struct {
	Remote string // origin URL
	Commit string // HEAD commit
	Branch string // checked-out branch
}

// ProvenanceOf returns the provenance of a repository event, nil when it
// says nothing.
func ProvenanceOf(ri *ioc.RepoInfo) *Provenance {
	if ri == nil || (ri.Remote == "" && ri.Head == "" && ri.Branch == "") {
		return nil
	}
	return &Provenance{Remote: ri.Remote, Commit: ri.Head, Branch: ri.Branch}
}

// addProvenance records p on c (the BOM's metadata.component).
func addProvenance(c *cdx.Component, p *Provenance) {
	if p == nil {
		return
	}
	if u := vcsURL(p.Remote); u != "" {
		refs := []cdx.ExternalReference{{Type: cdx.ERTypeVCS, URL: u}}
		if c.ExternalReferences != nil {
			refs = append(*c.ExternalReferences, refs...)
		}
		c.ExternalReferences = &refs
	}
	var props []cdx.Property
	if c.Properties != nil {
		props = *c.Properties
	}
	if p.Commit != "" {
		props = append(props, cdx.Property{Name: bom.PropRepoCommit, Value: p.Commit})
	}
	if p.Branch != "" {
		props = append(props, cdx.Property{Name: bom.PropRepoBranch, Value: p.Branch})
	}
	if len(props) > 0 {
		c.Properties = &props
	}
}

// vcsURL returns remote without credentials (user information, a query or
// a fragment, which may carry a token), or "" when nothing is left that
// names a repository. An scp-like remote ("git@host:org/repo.git") is kept
// as git writes it, without the user.
func vcsURL(remote string) string {
	remote = strings.TrimSpace(remote)
	if remote == "" {
		return ""
	}
	if u, err := url.Parse(remote); err == nil && u.Scheme != "" && u.Host != "" {
		u.User, u.RawQuery, u.Fragment, u.RawFragment = nil, "", "", ""
		return u.String()
	}
	// scp-like: [user[:secret]@]host:path
	head := remote
	if k := strings.IndexByte(remote, '/'); k >= 0 {
		head = remote[:k]
	}
	if j := strings.LastIndexByte(head, '@'); j >= 0 {
		rest := remote[j+1:]
		if i := strings.IndexByte(rest, ':'); i > 0 && i < len(rest)-1 {
			return rest
		}
		return ""
	}
	if strings.Contains(remote, "@") {
		return "" // a local path with an "@" in it: not worth the risk
	}
	return remote
}

// Suppliers is the optional interface of [Options.Publishers] that tells
// who supplies a package version (ioc/publisher's sources that read full
// packuments or manifests implement it): the author and maintainers the
// registry or the installed package.json names.
type Suppliers interface {
	Supplier(name, version string) (s lockfiles.Supplier, from string, ok bool)
}

// setPublisher fills c.Publisher with the npm account that published p
// and c.Supplier with who supplies it, when opts.Publishers knows them
// (lockfiles do not say), and records the source of each in a property.
func setPublisher(c *cdx.Component, p *lockfiles.Package, opts Options) {
	if opts.Publishers == nil || !originKnowable(p) {
		return
	}
	var props []cdx.Property
	if acct, from, ok := opts.Publishers.Publisher(p.Name, p.Version); ok && acct != "" {
		c.Publisher = acct
		props = append(props, cdx.Property{Name: bom.PropPubSource, Value: cmp.Or(opts.PublisherSource, from, "publisher data")})
	}
	if ss, ok := opts.Publishers.(Suppliers); ok {
		if s, from, ok := ss.Supplier(p.Name, p.Version); ok {
			if e := supplierEntity(&s); e != nil {
				c.Supplier = e
				props = append(props, cdx.Property{Name: bom.PropSupSource, Value: cmp.Or(opts.PublisherSource, from, "publisher data")})
			}
		}
	}
	if len(props) == 0 {
		return
	}
	if c.Properties != nil {
		props = append(*c.Properties, props...)
	}
	c.Properties = &props
}

// originKnowable reports whether publisher data may know p: a package of
// a registry (or of unknown origin) pinned to a version.
func originKnowable(p *lockfiles.Package) bool {
	return p != nil && p.Source.FromRegistry() && p.Version != ""
}

// supplierEntity returns s as a CycloneDX organizational entity: its name,
// its URL, and its contacts; nil when s names no one.
func supplierEntity(s *lockfiles.Supplier) *cdx.OrganizationalEntity {
	if s.IsZero() {
		return nil
	}
	e := &cdx.OrganizationalEntity{Name: s.Name}
	if s.URL != "" {
		e.URL = &[]string{s.URL}
	}
	if len(s.Contacts) > 0 {
		cs := make([]cdx.OrganizationalContact, len(s.Contacts))
		for i, c := range s.Contacts {
			cs[i] = cdx.OrganizationalContact{Name: c.Name, Email: c.Email}
		}
		e.Contact = &cs
	}
	return e
}

// SupplierCoverage counts the components of doc that publisher data could
// give a supplier (packages of a registry, or of unknown origin, pinned to
// a version: the ones [Options.Publishers] is asked about) and how many of
// them have one.
func SupplierCoverage(doc *cdx.BOM) (packages, known int) {
	if doc == nil || doc.Components == nil {
		return 0, 0
	}
	for i := range *doc.Components {
		if p, k := supplierCounted(&(*doc.Components)[i]); p {
			packages++
			if k {
				known++
			}
		}
	}
	return packages, known
}

// supplierCounted says whether SupplierCoverage counts c, and whether c
// has a supplier.
func supplierCounted(c *cdx.Component) (counted, known bool) {
	src := ""
	if c.Properties != nil {
		for _, p := range *c.Properties {
			if p.Name == bom.PropSource {
				src = p.Value
				break
			}
		}
	}
	if c.Version == "" || !lockfiles.Source(src).FromRegistry() {
		return false, false
	}
	return true, c.Supplier != nil
}

// pedigreeOf records the patches applied to copies of a package: each an
// unofficial patch (a project's own, or a package manager's built-in
// compatibility patch), with the patch file as the diff's URL when it is a
// path (a spec such as "optional!builtin<compat/resolve>" is not a URL and
// stays in the depsweep:patch property only).
func pedigreeOf(patches []string) *cdx.Pedigree {
	ps := make([]cdx.Patch, 0, len(patches))
	for _, spec := range patches {
		p := cdx.Patch{Type: cdx.PatchTypeUnofficial}
		if spec != "" && !strings.ContainsAny(spec, " <>\"{}|\\^`!\t\r\n") {
			p.Diff = &cdx.Diff{URL: spec}
		}
		ps = append(ps, p)
	}
	return &cdx.Pedigree{Patches: &ps}
}
