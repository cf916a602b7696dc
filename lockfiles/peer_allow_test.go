package lockfiles

import (
	"path"
	"strings"
)

// A peerAllowed is one explained difference between a peer test's
// expectation and our reading of its fixture.
type peerAllowed struct {
	Suite   string // peerSuite.Name; a trailing "*" matches a prefix
	Fixture string // module-relative fixture path; path.Match pattern
	Kind    string // peerDiff.Kind
	ID      string // name@version or detail; a trailing "*" matches a prefix
	Reason  string // one reason
}

func (a peerAllowed) matches(d peerDiff) bool {
	return prefixOrEqual(a.Suite, d.Suite) && a.Kind == d.Kind && prefixOrEqual(a.ID, d.ID) &&
		globMatch(a.Fixture, d.Fixture)
}

func prefixOrEqual(pat, s string) bool {
	if p, ok := strings.CutSuffix(pat, "*"); ok {
		return strings.HasPrefix(s, p)
	}
	return pat == s
}

func globMatch(pat, s string) bool {
	ok, err := path.Match(pat, s)
	return err == nil && ok
}

// peerAllow is the allow-list of the peer differential test.
var peerAllow = []peerAllowed{}
