package lockfiles

// A Supplier is who supplies a package version, as its registry document
// (packument) or its installed package.json names them: an SBOM's
// component.supplier. Lockfiles do not record it; package ioc/publisher
// reads it, package sbom writes it.
type Supplier struct {
	// Name is the author's name, else the name of the version's one
	// maintainer; "" when neither says (several maintainers, no author).
	Name string
	// URL is the author's web address (an absolute http or https URL),
	// "" when none is given.
	URL string
	// Contacts are the version's npm maintainers (else the package's), or
	// the author when no maintainer is listed and the author gives an email.
	// An email that is not a plain address is left out.
	Contacts []Contact
}

// A Contact is one person of a [Supplier].
type Contact struct {
	Name  string // npm account or person name, "" when not given
	Email string // plain address (local@domain), "" when not given or malformed
}

// IsZero reports whether s names no one.
func (s *Supplier) IsZero() bool { return s.Name == "" && s.URL == "" && len(s.Contacts) == 0 }
