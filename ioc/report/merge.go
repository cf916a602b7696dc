package report

import (
	"fmt"
	"slices"
	"strings"
)

// A MergeError says why [Merge] refused its input. Report is the 1-based
// position of the report at fault among Merge's arguments.
type MergeError struct {
	Report int
	Msg    string
}

func (e *MergeError) Error() string { return fmt.Sprintf("report %d: %s", e.Report, e.Msg) }

// Merge combines the reports of the shards of one sweep (see
// [github.com/depsweep/depsweep/ioc.Shard]) into the report a single
// unsharded run would have written: repositories, lockfiles, findings and
// errors are united and put in the contract's order, the summary is
// recomputed, Started is the earliest start and Finished the latest end,
// Roots keeps every root in order of first appearance, and the merged
// report is interrupted when any part was.
//
// Merge refuses, with a *MergeError, reports that do not belong together:
// a different schema, tool or tool version, or feeds (compared by their
// sha256 digests) than the first; a repository (other than the scan root
// ".") or lockfile present in two
// reports (the shards overlap, or one report was given twice); and a
// report already compared with a baseline (merge first, then compare).
// The inputs are not modified. Merge of no reports is an error.
//
// Host scan reports of different machines (see [Report.Machine]) are not
// shards of one sweep: their paths all start at "~". When the reports name
// two or more machines, each machine's repository, lockfile, error and
// finding paths (and roots) are prefixed with its label and a colon
// ("alice@laptop-12:~/.npm/_npx/..."), its findings carry the label in
// Machine and get an id of their own, and Summary.Machines gives each
// machine's counts. Two reports of the same machine still overlap.
func Merge(reports ...*Report) (*Report, error) {
	if len(reports) == 0 {
		return nil, fmt.Errorf("no reports to merge")
	}
	reports, machines, err := byMachine(reports)
	if err != nil {
		return nil, err
	}
	first := reports[0]
	out := &Report{
		Schema:  first.Schema,
		Tool:    first.Tool,
		Started: first.Started, Finished: first.Finished,
		Feeds: slices.Clone(first.Feeds),
	}
	wantFeeds := feedSet(first.Feeds)
	repoFrom := make(map[string]int)
	lockFrom := make(map[string]int)
	var sources []string
	for i, r := range reports {
		n := i + 1
		switch {
		case r.Schema != first.Schema:
			return nil, &MergeError{n, fmt.Sprintf("schema %q differs from %q", r.Schema, first.Schema)}
		case r.Tool != first.Tool:
			return nil, &MergeError{n, fmt.Sprintf("written by %s, not %s like report 1: run every shard with the same build", toolName(r.Tool), toolName(first.Tool))}
		case feedSet(r.Feeds) != wantFeeds:
			return nil, &MergeError{n, fmt.Sprintf("feeds %s differ from report 1's %s: run every shard with the same feeds", feedSet(r.Feeds), wantFeeds)}
		case r.Summary.Baseline != nil || slices.ContainsFunc(r.Findings, func(f Finding) bool { return f.Status != "" }):
			return nil, &MergeError{n, "already compared with a baseline: merge the shard reports first, then compare the merged report"}
		}
		for _, rp := range r.Repos {
			// "." is the scan root, which every shard shares: lockfiles in
			// no repository and discovery errors are attributed to it.
			if j, dup := repoFrom[rp.Path]; dup && rp.Path != "." {
				return nil, &MergeError{n, fmt.Sprintf("repository %q is in report %d too: shards overlap", rp.Path, j)}
			}
			repoFrom[rp.Path] = n
		}
		for _, l := range r.Lockfiles {
			if j, dup := lockFrom[l.Path]; dup {
				return nil, &MergeError{n, fmt.Sprintf("lockfile %q is in report %d too: shards overlap", l.Path, j)}
			}
			lockFrom[l.Path] = n
		}
		if r.Started.Before(out.Started) {
			out.Started = r.Started
		}
		if r.Finished.After(out.Finished) {
			out.Finished = r.Finished
		}
		out.Interrupted = out.Interrupted || r.Interrupted
		for _, root := range r.Roots {
			if !slices.Contains(out.Roots, root) {
				out.Roots = append(out.Roots, root)
			}
		}
		out.Repos = append(out.Repos, r.Repos...)
		out.Lockfiles = append(out.Lockfiles, cloneLockfiles(r.Lockfiles)...)
		out.NoLockfile = append(out.NoLockfile, r.NoLockfile...)
		out.Errors = append(out.Errors, r.Errors...)
		for _, f := range r.Findings {
			f.Path = slices.Clone(f.Path)
			out.Findings = append(out.Findings, f)
		}
		if c := r.Summary.Supplier; c != nil {
			if out.Summary.Supplier == nil {
				out.Summary.Supplier = &Coverage{}
			}
			out.Summary.Supplier.Packages += c.Packages
			out.Summary.Supplier.Known += c.Known
			for _, s := range c.Sources {
				if !slices.Contains(out.Summary.Supplier.Sources, s) {
					out.Summary.Supplier.Sources = append(out.Summary.Supplier.Sources, s)
				}
			}
		}
		c := r.Summary.Publisher
		out.Summary.Publisher.Packages += c.Packages
		out.Summary.Publisher.Known += c.Known
		for _, s := range c.Sources {
			if !slices.Contains(sources, s) {
				sources = append(sources, s)
			}
		}
	}
	out.Summary.Publisher.Sources = sources
	out.Summary.Machines = machines
	if err := checkShardSet(reports); err != nil {
		return nil, err
	}
	Normalize(out)
	return out, nil
}

// checkShardSet refuses an incomplete set of shard reports: when every
// report names its shard of the same count N, shards 0 to N-1 must each be
// there once. A merge started before every shard finished would otherwise
// call the missing part of the fleet clean.
func checkShardSet(reports []*Report) error {
	count := -1
	for _, r := range reports {
		if r.Shard == nil {
			return nil // not shard reports (or written before shards were recorded)
		}
		if count >= 0 && r.Shard.Count != count {
			return fmt.Errorf("shard reports of different sweeps: %d/%d and %d/%d", reports[0].Shard.Index, count, r.Shard.Index, r.Shard.Count)
		}
		count = r.Shard.Count
	}
	seen := make([]int, count)
	for i, r := range reports {
		if r.Shard.Index < 0 || r.Shard.Index >= count {
			return &MergeError{i + 1, fmt.Sprintf("shard %d/%d is out of range", r.Shard.Index, count)}
		}
		if j := seen[r.Shard.Index]; j != 0 {
			return &MergeError{i + 1, fmt.Sprintf("shard %d/%d is report %d too: shards overlap", r.Shard.Index, count, j)}
		}
		seen[r.Shard.Index] = i + 1
	}
	var missing []string
	for i, j := range seen {
		if j == 0 {
			missing = append(missing, fmt.Sprintf("%d/%d", i, count))
		}
	}
	if len(missing) > 0 {
		return fmt.Errorf("shard %s missing: wait until every shard has finished, then merge", strings.Join(missing, ", "))
	}
	return nil
}

func cloneLockfiles(ls []Lockfile) []Lockfile {
	out := slices.Clone(ls)
	for i := range out {
		out[i].Problems = slices.Clone(out[i].Problems)
	}
	return out
}

// feedSet renders a feed list as a canonical set of digests, for
// comparison and messages. Names are left out: the same feed may be given
// by different paths on different machines.
func feedSet(fs []Feed) string {
	s := make([]string, len(fs))
	for i, f := range fs {
		s[i] = "sha256:" + f.SHA256
	}
	slices.Sort(s)
	s = slices.Compact(s)
	return "[" + strings.Join(s, ", ") + "]"
}

func toolName(t Tool) string {
	if t.Name == "" && t.Version == "" {
		return "an unknown tool (a report cut short?)"
	}
	return strings.TrimSpace(t.Name + " " + t.Version)
}
