package feeds

import (
	"fmt"
	"iter"
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
	type indKey struct {
		kind             ioc.Kind
		ecosystem, value string
	}
	type node struct {
		members []*ioc.Advisory
		merged  *ioc.Advisory
		parent  *node
		rank    int // order of creation: the older group absorbs
		// out lists the indexes in the result of the group's indicators;
		// byKey indexes them once there are many.
		out   []int
		byKey map[indKey]int
	}
	find := func(n *node) *node {
		for n.parent != nil {
			n = n.parent
		}
		return n
	}
	nadv, nkeys, ninds := 0, 0, 0
	for _, f := range fs {
		nadv += len(f.Advisories)
		ninds += len(f.Indicators)
		for _, a := range f.Advisories {
			nkeys += 1 + len(a.Aliases)
		}
	}
	// Sized up front: a feed of 200,000 advisories would otherwise grow
	// every map a dozen times.
	byKey := make(map[string]*node, nkeys)
	byAdv := make(map[*ioc.Advisory]*node, nadv)
	nodes := make([]node, 0, nadv)        // never grows past nadv: pointers into it stay valid
	order := make([]*node, 0, nadv)       // in order of creation: the first is the canonical one
	firsts := make([]*ioc.Advisory, nadv) // each node's first member: a window of one, copied out by a second
	for _, f := range fs {
		for _, a := range f.Advisories {
			if byAdv[a] != nil {
				continue // the same Feed given twice
			}
			var root *node
			for k := range advisoryKeys(a) {
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
					if n.rank < root.rank {
						older, younger = n, root
					}
					older.members = append(older.members, younger.members...)
					younger.members = nil
					younger.parent = older
					root = older
				}
			}
			if root == nil {
				k := len(nodes)
				firsts[k] = a
				nodes = append(nodes, node{rank: len(order), members: firsts[k : k+1 : k+1]})
				root = &nodes[k]
				order = append(order, root)
			} else {
				root.members = append(root.members, a)
			}
			byAdv[a] = root
			for k := range advisoryKeys(a) {
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

	// Indicators of advisories no feed lists are grouped by advisory too.
	var orphans map[*ioc.Advisory]*node
	out := make([]ioc.Indicator, 0, ninds)
	outAt := make([]int, ninds) // windows of one for the groups' first indicators
	for _, f := range fs {
		for _, ind := range f.Indicators {
			adv := ind.Advisory
			var g *node
			if n := byAdv[adv]; n != nil {
				g = find(n)
				adv = g.merged
			} else {
				if orphans == nil {
					orphans = map[*ioc.Advisory]*node{}
				}
				if g = orphans[adv]; g == nil {
					g = &node{}
					orphans[adv] = g
				}
			}
			// Only indicators of one advisory can be one indicator: a
			// short scan of the group's own finds a duplicate.
			k := indKey{ind.Kind, strings.ToLower(ind.Ecosystem), ind.Value}
			i, dup := -1, false
			if g.byKey != nil {
				i, dup = g.byKey[k]
			} else {
				for _, j := range g.out {
					o := &out[j]
					if o.Kind == k.kind && o.Value == k.value && strings.ToLower(o.Ecosystem) == k.ecosystem {
						i, dup = j, true
						break
					}
				}
			}
			if dup {
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
			at := len(out)
			out = append(out, ind)
			switch {
			case g.byKey != nil:
				g.byKey[k] = at
			case g.out == nil && at < len(outAt):
				outAt[at] = at
				g.out = outAt[at : at+1 : at+1]
			case len(g.out) < 16:
				g.out = append(g.out, at)
			default:
				// Many indicators: a map from here on.
				g.byKey = make(map[indKey]int, 2*len(g.out))
				for _, j := range append(g.out, at) {
					o := &out[j]
					g.byKey[indKey{o.Kind, strings.ToLower(o.Ecosystem), o.Value}] = j
				}
				g.out = nil
			}
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
func advisoryKeys(a *ioc.Advisory) iter.Seq[string] {
	return func(yield func(string) bool) {
		if !yield(strings.ToUpper(a.ID)) {
			return
		}
		for _, al := range a.Aliases {
			if !yield(strings.ToUpper(al)) {
				return
			}
		}
	}
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
