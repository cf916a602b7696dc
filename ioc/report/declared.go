package report

import (
	"bytes"
	"fmt"
	"strings"

	"github.com/depsweep/depsweep/ioc"
)

// A NoLockfileProject is a project whose package.json has no lockfile
// beside it: what it will install is not pinned, so its declared ranges
// were matched instead (findings with "declared" set).
type NoLockfileProject struct {
	Path         string `json:"path"` // its package.json, relative to the scan root
	Repo         string `json:"repo"`
	Manifests    int    `json:"manifests"`    // package.json files read: the project's and its workspaces'
	Dependencies int    `json:"dependencies"` // dependencies declared in them
	// Unknown lists the dependencies ("name@spec") whose version cannot be
	// told from the spec: dist-tags, URLs, git and other protocols.
	Unknown []string `json:"unknown,omitempty"`
}

// ConvertNoLockfile returns the report entry of a Lockfile event about a
// project without a lockfile, and false for any other event.
func ConvertNoLockfile(lf *ioc.LockfileResult) (NoLockfileProject, bool) {
	if lf.Declared == nil {
		return NoLockfileProject{}, false
	}
	return NoLockfileProject{
		Path: lf.Path, Repo: lf.Repo, Manifests: lf.Declared.Manifests,
		Dependencies: lf.Declared.Dependencies, Unknown: lf.Declared.Unknown,
	}, true
}

const noLockfileNote = "No lockfile pins what these projects install: their declared ranges were matched against the affected versions instead. Commit a lockfile to know what was installed."

func noLockfileLine(p NoLockfileProject) string {
	s := fmt.Sprintf("%s: %s in %s", p.Path, plural(p.Dependencies, "dependency", "dependencies"), plural(p.Manifests, "package.json", "package.json files"))
	if len(p.Unknown) > 0 {
		s += "; versions unknown (dist-tags, URLs, git): " + strings.Join(p.Unknown, ", ")
	}
	return s
}

// noLockfile writes the projects without a lockfile.
func (t *textWriter) noLockfile(r *Report) {
	if len(r.NoLockfile) == 0 {
		return
	}
	t.printf("\n%s\n", t.p.bold(fmt.Sprintf("Projects without a lockfile (%d)", len(r.NoLockfile))))
	t.para(noLockfileNote, 2)
	for _, p := range r.NoLockfile {
		t.para(clean(noLockfileLine(p)), 2)
	}
}

// mdNoLockfile writes the projects without a lockfile as a Markdown section.
func mdNoLockfile(b *bytes.Buffer, r *Report) {
	if len(r.NoLockfile) == 0 {
		return
	}
	fmt.Fprintf(b, "## Projects without a lockfile\n\n%s\n\n", mdText(noLockfileNote))
	for _, p := range r.NoLockfile {
		fmt.Fprintf(b, "- %s: %s in %s", mdCode(p.Path), plural(p.Dependencies, "dependency", "dependencies"),
			plural(p.Manifests, "package.json", "package.json files"))
		if len(p.Unknown) > 0 {
			fmt.Fprintf(b, "; versions unknown (dist-tags, URLs, git): %s", mdText(strings.Join(p.Unknown, ", ")))
		}
		b.WriteString("\n")
	}
	b.WriteString("\n")
}

// pkgSpec is "name@version", or "name@range" for a finding on a declared
// range (a project without a lockfile).
func pkgSpec(f Finding) string {
	if f.Package.Version == "" && f.Declared != "" {
		return f.Package.Name + "@" + f.Declared
	}
	return f.Package.Name + "@" + f.Package.Version
}
