package ioc

// NamedPublishers returns ps with from as the name of where its answers
// come from, as findings' evidence states it ("npm cache packument"). It
// returns nil when ps is nil.
func NamedPublishers(ps Publishers, from string) Publishers {
	if ps == nil {
		return nil
	}
	return namedPublishers{ps, from}
}

type namedPublishers struct {
	Publishers
	from string
}

func (n namedPublishers) publisherFrom(name, version string) (string, string, bool) {
	a, ok := n.Publisher(name, version)
	return a, n.from, ok
}
