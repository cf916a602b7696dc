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
	"errors"
	"fmt"
	"io"
	"os"
	"slices"
	"strconv"
	"strings"
	"time"

	cdx "github.com/CycloneDX/cyclonedx-go"

	"github.com/depsweep/depsweep/ioc"
	"github.com/depsweep/depsweep/lockfiles/bom"
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
	// Provenance is the repository the lockfile was read from, recorded
	// on metadata.component; nil records none. A [DirWriter] sets it per
	// lockfile from the scan's repository events.
	Provenance *Provenance
	// Publishers, when set, names the npm account that published each
	// registry package, recorded as component.publisher with
	// PublisherSource ("registry-metadata:DIR", "registry:URL", ...) in a
	// property; nil records none. When it also implements [Suppliers], each
	// registry package's supplier is recorded as component.supplier, with
	// the same source in its own property. A [DirWriter] uses, in its
	// place, the Publishers of each lockfile's event when the scan set one
	// (the project's installed manifests and .npmrc registries: scan with
	// ioc.ScanConfig.Publishers nil for SBOMs without). It must be safe for
	// concurrent use.
	Publishers      ioc.Publishers
	PublisherSource string
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

// ParseSourceDateEpoch parses a SOURCE_DATE_EPOCH value: whole seconds
// since 1970-01-01 UTC, not negative
// (https://reproducible-builds.org/specs/source-date-epoch/). The error does
// not quote the value.
func ParseSourceDateEpoch(v string) (time.Time, error) {
	n, err := strconv.ParseInt(v, 10, 64)
	if err != nil || n < 0 {
		return time.Time{}, errors.New("SOURCE_DATE_EPOCH is not a number of seconds")
	}
	return time.Unix(n, 0).UTC(), nil
}

// timestamp returns the BOM's time, in UTC, to the second.
func (o Options) timestamp() (time.Time, error) {
	if !o.Time.IsZero() {
		return o.Time.UTC().Truncate(time.Second), nil
	}
	if s := os.Getenv("SOURCE_DATE_EPOCH"); s != "" {
		return ParseSourceDateEpoch(s)
	}
	if o.Deterministic {
		// Reproducible output cannot use the clock; the epoch says plainly
		// that no build time was given.
		return time.Unix(0, 0).UTC(), nil
	}
	return time.Now().UTC().Truncate(time.Second), nil
}

// cweEmbeddedMaliciousCode is CWE-506, the weakness of a malicious package.
const cweEmbeddedMaliciousCode = 506

// vulnerabilities turns findings into one vulnerability each, sorted by
// advisory, affected ref and finding id. Collision findings are not
// vulnerabilities and are left out.
func (b *builder) vulnerabilities(findings []ioc.Finding) []cdx.Vulnerability {
	rootRef := b.comps[0].ref
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
		if ci := b.lookup(p, false); ci >= 0 {
			ref = b.comps[ci].ref
		} else {
			for _, c := range b.comps {
				if c.pkg != nil && c.pkg.Name == p.Name && c.pkg.Version == p.Version {
					ref = c.ref
					break
				}
			}
		}
		props := []cdx.Property{
			{Name: bom.PropIndKind, Value: string(f.Indicator.Kind)},
			{Name: bom.PropIndValue, Value: f.Indicator.Value},
		}
		if f.ID != "" {
			props = append(props, cdx.Property{Name: bom.PropFindingID, Value: f.ID})
		}
		if f.Evidence != "" {
			props = append(props, cdx.Property{Name: bom.PropEvidence, Value: f.Evidence})
		}
		if len(f.Path) > 0 {
			props = append(props, cdx.Property{Name: bom.PropFindingPath, Value: strings.Join(f.Path, " > ")})
		}
		if ref == "" {
			ref = rootRef
			props = append(props, cdx.Property{Name: bom.PropFindingTarget, Value: p.ID()})
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
	return write(w, bom, opts, false)
}

// write is [Write]; with derive set, it also derives bom's serial number
// from its content (see [Options].Deterministic) and sets it, encoding the
// JSON only once.
func write(w io.Writer, bom *cdx.BOM, opts Options, derive bool) error {
	spec, err := opts.specVersion()
	if err != nil {
		return err
	}
	if opts.Format == cdx.BOMFileFormatJSON && bom.SpecVersion == spec {
		// Built for this version: encode as is, with encoding/json and a
		// fast indenting pass (see writeJSON). EncodeVersion would deep-copy
		// the whole BOM through gob first, which costs more than the encoding.
		sn, err := writeJSON(w, withHeader(bom, spec), derive)
		if derive && err == nil {
			bom.SerialNumber = sn
		}
		return err
	}
	if derive {
		if bom.SerialNumber, err = contentSerial(bom); err != nil {
			return err
		}
	}
	enc := cdx.NewBOMEncoder(w, opts.Format).SetPretty(true).SetEscapeHTML(false)
	if bom.SpecVersion == spec {
		err = enc.Encode(withHeader(bom, spec))
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

// withHeader returns a shallow copy of bom with the format, $schema and
// xmlns of spec, as cyclonedx-go's EncodeVersion sets them.
func withHeader(bom *cdx.BOM, spec cdx.SpecVersion) *cdx.BOM {
	b := *bom
	b.BOMFormat, b.JSONSchema, b.XMLNS = cdx.BOMFormat, jsonSchemas[spec], xmlNamespaces[spec]
	return &b
}
