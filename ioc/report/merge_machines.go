package report

import (
	"cmp"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"maps"
	"slices"
)

// byMachine returns reports with the paths of each machine's report
// prefixed by its label, and a summary per machine sorted by label, when
// the reports name two or more machines; otherwise reports as given and
// nil. Two reports of one machine among them are a *MergeError.
func byMachine(reports []*Report) ([]*Report, []MachineSummary, error) {
	labels := map[string]int{}
	dup := 0
	for i, r := range reports {
		if r.Machine == nil {
			continue
		}
		if _, ok := labels[r.Machine.Label()]; ok && dup == 0 {
			dup = i + 1
			continue
		}
		labels[r.Machine.Label()] = i + 1
	}
	if len(labels) < 2 {
		return reports, nil, nil
	}
	if dup > 0 {
		l := reports[dup-1].Machine.Label()
		return nil, nil, &MergeError{dup, fmt.Sprintf("machine %s is in report %d too: give one host report per machine", l, labels[l])}
	}
	out := make([]*Report, len(reports))
	var sums []MachineSummary
	for i, r := range reports {
		if r.Machine == nil {
			out[i] = r
			continue
		}
		label := r.Machine.Label()
		out[i] = prefixed(r, label)
		sums = append(sums, MachineSummary{
			Machine: label, Name: r.Machine.Name, User: r.Machine.User,
			Started: r.Started, Finished: r.Finished,
			Lockfiles: len(r.Lockfiles), Findings: r.Summary.Findings, Errors: len(r.Errors),
			BySeverity: maps.Clone(r.Summary.BySeverity),
		})
	}
	slices.SortStableFunc(sums, func(a, b MachineSummary) int { return cmp.Compare(a.Machine, b.Machine) })
	return out, sums, nil
}

// prefixed returns a copy of r whose paths start with "label:".
func prefixed(r *Report, label string) *Report {
	p := func(s string) string { return label + ":" + s }
	c := *r
	c.Roots = make([]string, len(r.Roots))
	for i, root := range r.Roots {
		c.Roots[i] = p(root)
	}
	c.Repos = slices.Clone(r.Repos)
	for i := range c.Repos {
		c.Repos[i].Path = p(c.Repos[i].Path)
	}
	c.Lockfiles = cloneLockfiles(r.Lockfiles)
	for i := range c.Lockfiles {
		c.Lockfiles[i].Path = p(c.Lockfiles[i].Path)
		c.Lockfiles[i].Repo = p(c.Lockfiles[i].Repo)
	}
	c.Errors = slices.Clone(r.Errors)
	for i := range c.Errors {
		c.Errors[i].Path = p(c.Errors[i].Path)
		c.Errors[i].Error = p(c.Errors[i].Error)
	}
	c.Findings = slices.Clone(r.Findings)
	for i := range c.Findings {
		f := &c.Findings[i]
		f.Repo, f.Lockfile, f.Machine = p(f.Repo), p(f.Lockfile), label
		// The same trace on two machines is two findings.
		sum := sha256.Sum256([]byte(label + "\x00" + f.ID))
		f.ID = hex.EncodeToString(sum[:])[:16]
	}
	return &c
}
