package feeds

import (
	"fmt"
	"io"

	"gopkg.in/yaml.v3"

	"github.com/depsweep/depsweep/ioc"
)

// WriteNative writes f in depsweep's own format (YAML), advisories in
// order, each with the indicators of f that point at it. Reading the output
// with [ParseNative] gives back the same advisories and indicators; it is
// how an OSV record is turned into a native feed to edit.
func WriteNative(w io.Writer, f *Feed) error {
	out := nativeFeed{Format: FormatV1}
	byAdv := make(map[*ioc.Advisory][]ioc.Indicator, len(f.Advisories))
	for _, ind := range f.Indicators {
		byAdv[ind.Advisory] = append(byAdv[ind.Advisory], ind)
	}
	for _, adv := range f.Advisories {
		na := nativeAdvisory{
			ID:          adv.ID,
			Aliases:     adv.Aliases,
			Title:       adv.Title,
			Summary:     adv.Summary,
			Severity:    adv.Severity.String(),
			References:  adv.References,
			Remediation: adv.Remediation,
		}
		if !adv.Published.IsZero() {
			na.Published = formatTime(adv.Published)
		}
		if !adv.Modified.IsZero() {
			na.Modified = formatTime(adv.Modified)
		}
		if !adv.Exposure.From.IsZero() || !adv.Exposure.To.IsZero() {
			na.Exposure = &nativeWindow{}
			if !adv.Exposure.From.IsZero() {
				na.Exposure.From = formatTime(adv.Exposure.From)
			}
			if !adv.Exposure.To.IsZero() {
				na.Exposure.To = formatTime(adv.Exposure.To)
			}
		}
		for _, ind := range byAdv[adv] {
			ni := nativeIndicator{Versions: ind.Versions.Exact}
			switch ind.Kind {
			case ioc.KindPackage:
				ni.Package = ind.Value
			case ioc.KindPublisher:
				ni.Publisher = ind.Value
			case ioc.KindDomain:
				ni.Domain = ind.Value
			case ioc.KindEmail:
				ni.Email = ind.Value
			case ioc.KindURL:
				ni.URL = ind.Value
			case ioc.KindHash:
				ni.Hash = ind.Value
			default:
				return fmt.Errorf("advisory %s: unknown indicator kind %s", quote(adv.ID), quote(string(ind.Kind)))
			}
			if ind.Ecosystem != "" && ind.Ecosystem != "npm" {
				ni.Ecosystem = ind.Ecosystem
			}
			for _, r := range ind.Versions.Ranges {
				ni.Ranges = append(ni.Ranges, nativeRange(r))
			}
			if ind.Severity != nil {
				ni.Severity = ind.Severity.String()
			}
			na.Indicators = append(na.Indicators, ni)
		}
		out.Advisories = append(out.Advisories, na)
	}
	enc := yaml.NewEncoder(w)
	enc.SetIndent(2)
	if err := enc.Encode(&out); err != nil {
		return err
	}
	return enc.Close()
}

// The native format as Go types, for writing (reading walks yaml.Node
// trees so that every error carries a line).
type nativeFeed struct {
	Format     string           `yaml:"format"`
	Advisories []nativeAdvisory `yaml:"advisories"`
}

type nativeAdvisory struct {
	ID          string            `yaml:"id"`
	Aliases     []string          `yaml:"aliases,omitempty"`
	Title       string            `yaml:"title"`
	Summary     string            `yaml:"summary,omitempty"`
	Published   string            `yaml:"published,omitempty"`
	Modified    string            `yaml:"modified,omitempty"`
	Severity    string            `yaml:"severity"`
	Exposure    *nativeWindow     `yaml:"exposure,omitempty"`
	References  []string          `yaml:"references,omitempty"`
	Remediation []string          `yaml:"remediation,omitempty"`
	Indicators  []nativeIndicator `yaml:"indicators"`
}

type nativeWindow struct {
	From string `yaml:"from,omitempty"`
	To   string `yaml:"to,omitempty"`
}

type nativeIndicator struct {
	Package   string        `yaml:"package,omitempty"`
	Publisher string        `yaml:"publisher,omitempty"`
	Domain    string        `yaml:"domain,omitempty"`
	Email     string        `yaml:"email,omitempty"`
	URL       string        `yaml:"url,omitempty"`
	Hash      string        `yaml:"hash,omitempty"`
	Ecosystem string        `yaml:"ecosystem,omitempty"`
	Versions  []string      `yaml:"versions,omitempty,flow"`
	Ranges    []nativeRange `yaml:"ranges,omitempty"`
	Severity  string        `yaml:"severity,omitempty"`
}

type nativeRange struct {
	Introduced   string `yaml:"introduced"`
	Fixed        string `yaml:"fixed,omitempty"`
	LastAffected string `yaml:"last_affected,omitempty"`
}
