package feeds

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"path"
	"strings"
	"time"

	"github.com/depsweep/depsweep/ioc"
	"github.com/depsweep/depsweep/lockfiles"
)

// osvRecord is the part of an OSV record (schema 1.x) depsweep reads.
// Unknown fields are ignored: the schema grows, and records carry
// database-specific data of every shape.
type osvRecord struct {
	ID         string   `json:"id"`
	Aliases    []string `json:"aliases"`
	Summary    string   `json:"summary"`
	Details    string   `json:"details"`
	Published  string   `json:"published"`
	Modified   string   `json:"modified"`
	Withdrawn  string   `json:"withdrawn"`
	References []struct {
		URL string `json:"url"`
	} `json:"references"`
	Affected         []osvAffected   `json:"affected"`
	DatabaseSpecific json.RawMessage `json:"database_specific"`
}

type osvAffected struct {
	Package *struct {
		Ecosystem string `json:"ecosystem"`
		Name      string `json:"name"`
	} `json:"package"`
	Ranges []struct {
		Type   string              `json:"type"`
		Events []map[string]string `json:"events"`
	} `json:"ranges"`
	Versions []string `json:"versions"`
}

// osvDatabaseSpecific is what depsweep takes from database_specific: GHSA's
// severity and the IOCs of OpenSSF malicious-packages records
// (docs/schema_additions.md there). Both are read leniently: other
// databases use the same names for other shapes.
type osvDatabaseSpecific struct {
	Severity json.RawMessage `json:"severity"`
	IOCs     json.RawMessage `json:"iocs"`
	Origins  json.RawMessage `json:"malicious-packages-origins"`
}

type osvIOCs struct {
	Domains     []string `json:"domains"`
	URLs        []string `json:"urls"`
	IPAddresses []string `json:"ip_addresses"`
}

// ParseOSV reads one OSV record from r. name names the record in errors
// (for a zip member "all.zip:MAL-2025-1.json"); a record without an id
// takes the id from name's file stem when that starts with "MAL-", as the
// unassigned reports of OpenSSF malicious-packages do.
//
// Only affected packages of the npm ecosystem become package indicators;
// others are counted in [Feed.Skipped]. SEMVER and ECOSYSTEM ranges become
// [ioc.Range]s, one per introduced..fixed or introduced..last_affected pair
// in the order written ("introduced": "0" is the first version; a "limit"
// closes the ranges left open); versions lists become exact versions.
// database_specific.iocs domains and urls become domain and url
// indicators when the record names an npm package. The advisory's severity
// is database_specific.severity when the record has one (GHSA), else
// critical for malicious-package records (MAL- ids or aliases, or
// malicious-packages-origins) and high for the rest.
//
// A withdrawn record gives a feed with zero indicators and Withdrawn set:
// ignoring it is not an error by itself, though [Load] refuses a feed that
// ends up without indicators.
func ParseOSV(r io.Reader, name string) (*Feed, error) {
	data, err := readCapped(r, name)
	if err != nil {
		return nil, err
	}
	if err := checkLines(data, name); err != nil {
		return nil, err
	}
	f := &Feed{Name: name}
	if err := parseOSVInto(f, data, name); err != nil {
		return nil, err
	}
	return f, nil
}

// parseOSVInto parses one record and appends its advisory and indicators to f.
func parseOSVInto(f *Feed, data []byte, name string) error {
	var rec osvRecord
	if err := unmarshalOSV(data, &rec); err != nil {
		return jsonError(name, data, err)
	}
	if rec.Withdrawn != "" {
		f.Withdrawn++
		return nil
	}
	perr := func(where []any, format string, args ...any) error {
		line, col := jsonPos(data, where...)
		return &lockfiles.ParseError{Path: name, Line: line, Col: col, Err: fmt.Errorf(format, args...)}
	}
	if rec.ID == "" {
		if stem := strings.TrimSuffix(path.Base(strings.ReplaceAll(name, ":", "/")), ".json"); strings.HasPrefix(stem, "MAL-") {
			rec.ID = stem
		} else {
			return perr(nil, "record without id")
		}
	}
	if err := checkID(rec.ID); err != nil {
		return perr([]any{"id"}, "%v", err)
	}
	adv := &ioc.Advisory{
		ID:      rec.ID,
		Title:   strings.TrimSpace(rec.Summary),
		Summary: strings.TrimSpace(rec.Details),
		Feed:    f.Name,
	}
	if adv.Title == "" {
		adv.Title = adv.ID
	}
	for i, a := range rec.Aliases {
		if err := checkID(a); err != nil {
			return perr([]any{"aliases", i}, "alias: %v", err)
		}
		adv.Aliases = append(adv.Aliases, a)
	}
	for _, fld := range []struct {
		key string
		s   string
		t   *time.Time
	}{{"published", rec.Published, &adv.Published}, {"modified", rec.Modified, &adv.Modified}} {
		if fld.s == "" {
			continue
		}
		t, err := parseTime(fld.s)
		if err != nil {
			return perr([]any{fld.key}, "%s: %v", fld.key, err)
		}
		*fld.t = t
	}
	for i, ref := range rec.References {
		if err := checkURL(ref.URL); err != nil {
			return perr([]any{"references", i}, "reference: %v", err)
		}
		adv.References = append(adv.References, ref.URL)
	}
	for _, s := range []string{adv.Title, adv.Summary} {
		if err := checkText(s); err != nil {
			return perr(nil, "%v", err)
		}
	}

	var inds []ioc.Indicator
	for i, aff := range rec.Affected {
		if aff.Package == nil || aff.Package.Ecosystem != "npm" {
			f.Skipped++
			continue
		}
		if err := checkPackageName(aff.Package.Name); err != nil {
			return perr([]any{"affected", i}, "affected[%d]: %v", i, err)
		}
		ind := ioc.Indicator{Kind: ioc.KindPackage, Ecosystem: "npm", Value: aff.Package.Name, Advisory: adv}
		for _, v := range aff.Versions {
			if err := checkVersion(v); err != nil {
				return perr([]any{"affected", i}, "affected[%d]: %v", i, err)
			}
			ind.Versions.Exact = append(ind.Versions.Exact, v)
		}
		for _, rg := range aff.Ranges {
			if rg.Type != "SEMVER" && rg.Type != "ECOSYSTEM" {
				f.Skipped++ // GIT ranges name commits, not versions
				continue
			}
			ranges, err := osvRanges(rg.Events)
			if err != nil {
				return perr([]any{"affected", i}, "affected[%d]: %v", i, err)
			}
			ind.Versions.Ranges = append(ind.Versions.Ranges, ranges...)
		}
		inds = append(inds, ind)
	}

	var ds osvDatabaseSpecific
	if len(rec.DatabaseSpecific) > 0 {
		// Lenient: a database_specific that is not an object carries nothing for us.
		_ = unmarshalOSV(rec.DatabaseSpecific, &ds)
	}
	adv.Severity = ioc.SeverityHigh
	if isMalicious(&rec, &ds) {
		adv.Severity = ioc.SeverityCritical
	}
	var sev string
	if json.Unmarshal(ds.Severity, &sev) == nil && sev != "" {
		if sev == "MODERATE" {
			sev = "medium"
		}
		if s, err := ioc.ParseSeverity(sev); err == nil {
			adv.Severity = s
		}
	}
	if len(inds) > 0 && len(ds.IOCs) > 0 {
		var iocs osvIOCs
		if err := unmarshalOSV(ds.IOCs, &iocs); err != nil {
			return perr([]any{"database_specific"}, "database_specific.iocs: want lists of strings")
		}
		for _, d := range iocs.Domains {
			v, err := normDomain(d)
			if err != nil {
				return perr([]any{"database_specific"}, "database_specific.iocs: %v", err)
			}
			inds = append(inds, ioc.Indicator{Kind: ioc.KindDomain, Value: v, Advisory: adv})
		}
		for _, u := range iocs.URLs {
			if err := checkURL(u); err != nil {
				return perr([]any{"database_specific"}, "database_specific.iocs: %v", err)
			}
			inds = append(inds, ioc.Indicator{Kind: ioc.KindURL, Value: u, Advisory: adv})
		}
		f.Skipped += len(iocs.IPAddresses) // no IP indicator kind (yet)
	}
	if len(inds) == 0 {
		return nil
	}
	f.Advisories = append(f.Advisories, adv)
	f.Indicators = append(f.Indicators, inds...)
	return nil
}

// isMalicious reports whether a record describes a malicious package
// rather than a vulnerability.
func isMalicious(rec *osvRecord, ds *osvDatabaseSpecific) bool {
	if strings.HasPrefix(rec.ID, "MAL-") || len(ds.Origins) > 0 && string(ds.Origins) != "null" {
		return true
	}
	for _, a := range rec.Aliases {
		if strings.HasPrefix(a, "MAL-") {
			return true
		}
	}
	return false
}

// osvRanges turns the events of one OSV range into ranges.
func osvRanges(events []map[string]string) ([]ioc.Range, error) {
	var out []ioc.Range
	var open *ioc.Range
	limit := ""
	for _, ev := range events {
		if len(ev) != 1 {
			return nil, errors.New("range event with other than one field")
		}
		for k, v := range ev {
			if !(k == "introduced" && v == "0") {
				if err := checkVersion(v); err != nil {
					return nil, fmt.Errorf("range event %s: %v", k, err)
				}
			}
			switch k {
			case "introduced":
				out = append(out, ioc.Range{Introduced: v})
				open = &out[len(out)-1]
			case "fixed", "last_affected":
				if open == nil {
					// A closing event without an opening one: OSV reads it as
					// affected from the first version.
					out = append(out, ioc.Range{Introduced: "0"})
					open = &out[len(out)-1]
				}
				if k == "fixed" {
					open.Fixed = v
				} else {
					open.LastAffected = v
				}
				open = nil
			case "limit":
				limit = v
			default:
				return nil, fmt.Errorf("unknown range event %s", quote(k))
			}
		}
	}
	if limit != "" {
		for i := range out {
			if out[i].Fixed == "" && out[i].LastAffected == "" {
				out[i].Fixed = limit
			}
		}
	}
	return out, nil
}

// jsonError turns an encoding/json error into a ParseError with a line.
func jsonError(name string, data []byte, err error) error {
	return lockfiles.JSONError(name, data, err)
}

// jsonPos finds the line and column of the value at a path of object keys
// (string) and array indexes (int) in a JSON document, for error messages;
// 0, 0 when it is not there. It re-reads the document, so it is only used
// on the error path.
func jsonPos(data []byte, where ...any) (line, col int) {
	dec := json.NewDecoder(bytes.NewReader(data))
	skipWS := func() int {
		off := int(dec.InputOffset())
		for off < len(data) && (data[off] == ' ' || data[off] == '\n' || data[off] == '\r' || data[off] == '\t' || data[off] == ':' || data[off] == ',') {
			off++
		}
		return off
	}
	for _, step := range where {
		tok, err := dec.Token()
		if err != nil {
			return 0, 0
		}
		switch step := step.(type) {
		case string:
			if tok != json.Delim('{') {
				return 0, 0
			}
			for {
				k, err := dec.Token()
				if err != nil || k == json.Delim('}') {
					return 0, 0
				}
				if k == step {
					break
				}
				var skip json.RawMessage
				if dec.Decode(&skip) != nil {
					return 0, 0
				}
			}
		case int:
			if tok != json.Delim('[') {
				return 0, 0
			}
			for range step {
				var skip json.RawMessage
				if !dec.More() || dec.Decode(&skip) != nil {
					return 0, 0
				}
			}
		}
	}
	return lockfiles.LineCol(data, skipWS())
}
