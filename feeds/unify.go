package feeds

import (
	"fmt"
	"slices"
	"strings"

	"github.com/depsweep/depsweep/ioc"
)

// Unify returns the indicators of every feed, with the advisories that
// describe one incident made one: two advisories are the same when they
// share an id or an alias, in any feed and transitively (DEPSWEEP-2025-0001
// with alias MAL-2025-47604 in the embedded feed, and the OSV record
// MAL-2025-47604, are one incident). The first advisory met (feeds in
// order, then the feed's own order) gives the id; every other id and alias
// becomes an alias; references, remediation steps and missing details
// (title, summary, dates, exposure window) are taken from the others, and
// the severity is the highest. Indicators of one unified advisory that
// name the same thing (kind, ecosystem, value) are one indicator: a
// package's versions are the union of theirs, so that a package gets one
// finding per incident, not one per feed.
//
// The feeds' own advisories and indicators are not modified. Zero
// indicators in all is an error wrapping [ErrNoIndicators].
func Unify(fs ...*Feed) ([]ioc.Indicator, error) {
	// Union-find over advisories, keyed by every id and alias.
	type node struct {
		members []*ioc.Advisory
		merged  *ioc.Advisory
		parent  *node
	}
	find := func(n *node) *node {
		for n.parent != nil {
			n = n.parent
		}
		return n
	}
	byKey := map[string]*node{}
	byAdv := map[*ioc.Advisory]*node{}
	var order []*node // in order of creation: the first is the canonical one
	for _, f := range fs {
		for _, a := range f.Advisories {
			if byAdv[a] != nil {
				continue // the same Feed given twice
			}
			var root *node
			for _, k := range advisoryKeys(a) {
				n := byKey[k]
				if n == nil {
					continue
				}
				n = find(n)
				switch {
				case root == nil:
					root = n
				case n != root:
					// Two groups met through a: the older one absorbs.
					older, younger := root, n
					if slices.Index(order, n) < slices.Index(order, root) {
						older, younger = n, root
					}
					older.members = append(older.members, younger.members...)
					younger.members = nil
					younger.parent = older
					root = older
				}
			}
			if root == nil {
				root = &node{}
				order = append(order, root)
			}
			root.members = append(root.members, a)
			byAdv[a] = root
			for _, k := range advisoryKeys(a) {
				if byKey[k] == nil {
					byKey[k] = root
				}
			}
		}
	}
	for _, n := range order {
		if n.parent == nil {
			n.merged = mergeAdvisories(n.members)
		}
	}

	type indKey struct {
		adv              *ioc.Advisory
		kind             ioc.Kind
		ecosystem, value string
	}
	at := map[indKey]int{}
	var out []ioc.Indicator
	for _, f := range fs {
		for _, ind := range f.Indicators {
			adv := ind.Advisory
			if n := byAdv[adv]; n != nil {
				adv = find(n).merged
			}
			k := indKey{adv, ind.Kind, strings.ToLower(ind.Ecosystem), ind.Value}
			if i, dup := at[k]; dup {
				out[i].Versions = unionVersions(out[i].Versions, ind.Versions)
				if out[i].Severity == nil || ind.Severity == nil {
					out[i].Severity = nil // one feed derives it: derive it
				} else if *ind.Severity > *out[i].Severity {
					out[i].Severity = ind.Severity
				}
				continue
			}
			// ind is a copy; its version lists are shared with the feed
			// until unionVersions replaces them with new ones.
			ind.Advisory = adv
			at[k] = len(out)
			out = append(out, ind)
		}
	}
	if len(out) == 0 {
		names := make([]string, len(fs))
		for i, f := range fs {
			names[i] = f.Name
		}
		return nil, fmt.Errorf("%s: %w", strings.Join(names, ", "), ErrNoIndicators)
	}
	return out, nil
}

// advisoryKeys are the ids an advisory is known by, case-folded: OSV ids
// are upper case, but a feed may write an alias otherwise.
func advisoryKeys(a *ioc.Advisory) []string {
	keys := []string{strings.ToUpper(a.ID)}
	for _, al := range a.Aliases {
		keys = append(keys, strings.ToUpper(al))
	}
	return keys
}

// mergeAdvisories returns the advisory of one incident described by ms
// (first is canonical): a new one when there is more than one, else ms[0].
func mergeAdvisories(ms []*ioc.Advisory) *ioc.Advisory {
	if len(ms) == 1 {
		return ms[0] // nothing to merge: the feed's own, unmodified
	}
	a := *ms[0]
	a.Aliases = slices.Clone(a.Aliases)
	a.References = slices.Clone(a.References)
	a.Remediation = slices.Clone(a.Remediation)
	var feeds []string
	for _, m := range ms {
		if m.Feed != "" && !slices.Contains(feeds, m.Feed) {
			feeds = append(feeds, m.Feed)
		}
	}
	a.Feed = strings.Join(feeds, ", ")
	for _, m := range ms[1:] {
		for _, id := range append([]string{m.ID}, m.Aliases...) {
			if !strings.EqualFold(id, a.ID) && !slices.ContainsFunc(a.Aliases, func(s string) bool { return strings.EqualFold(s, id) }) {
				a.Aliases = append(a.Aliases, id)
			}
		}
		for _, ref := range m.References {
			if !slices.Contains(a.References, ref) {
				a.References = append(a.References, ref)
			}
		}
		for _, step := range m.Remediation {
			if !slices.Contains(a.Remediation, step) {
				a.Remediation = append(a.Remediation, step)
			}
		}
		if a.Title == "" {
			a.Title = m.Title
		}
		if a.Summary == "" {
			a.Summary = m.Summary
		}
		if a.Published.IsZero() || (!m.Published.IsZero() && m.Published.Before(a.Published)) {
			a.Published = m.Published
		}
		if m.Modified.After(a.Modified) {
			a.Modified = m.Modified
		}
		if a.Exposure.From.IsZero() {
			a.Exposure = m.Exposure
		}
		a.Severity = max(a.Severity, m.Severity)
	}
	return &a
}

// unionVersions is the versions either a or b covers.
func unionVersions(a, b ioc.Versions) ioc.Versions {
	if a.All() || b.All() {
		return ioc.Versions{}
	}
	out := ioc.Versions{Exact: slices.Clone(a.Exact), Ranges: slices.Clone(a.Ranges)}
	for _, v := range b.Exact {
		if !slices.Contains(out.Exact, v) {
			out.Exact = append(out.Exact, v)
		}
	}
	for _, r := range b.Ranges {
		if !slices.Contains(out.Ranges, r) {
			out.Ranges = append(out.Ranges, r)
		}
	}
	return out
}
