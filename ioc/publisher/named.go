package publisher

import "github.com/depsweep/depsweep/lockfiles"

// A Lookup answers who published name@version, and nothing else: the
// publisher data a machine's package caches hold (lockfiles/host), say.
type Lookup interface {
	Publisher(name, version string) (account string, ok bool)
}

// Named returns l as a [Source] whose answers come from from, as findings'
// evidence states it ("npm cache packument"). It returns nil when l is nil.
func Named(l Lookup, from string) Source {
	if l == nil {
		return nil
	}
	return named{l, from}
}

type named struct {
	l    Lookup
	from string
}

func (n named) Publisher(name, version string) (string, string, bool) {
	a, ok := n.l.Publisher(name, version)
	return a, n.from, ok
}

func (named) Prefetch([]lockfiles.Package) {}
