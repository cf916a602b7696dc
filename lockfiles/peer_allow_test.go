package lockfiles

import "strings"

// A peerAllowed is one explained difference between a peer test's
// expectation and our reading of its fixture.
type peerAllowed struct {
	Suite   string // peerSuite.Name, or a pattern
	Fixture string // module-relative fixture path, or a pattern
	Kind    string // peerDiff.Kind
	ID      string // name@version or detail, or a pattern
	Reason  string // the one reason
}

// Patterns: '*' matches any run of characters, '/' included.
func (a peerAllowed) matches(d peerDiff) bool {
	return a.Kind == d.Kind && wildMatch(a.Suite, d.Suite) && wildMatch(a.Fixture, d.Fixture) && wildMatch(a.ID, d.ID)
}

func wildMatch(pat, s string) bool {
	parts := strings.Split(pat, "*")
	if len(parts) == 1 {
		return pat == s
	}
	if !strings.HasPrefix(s, parts[0]) {
		return false
	}
	s = s[len(parts[0]):]
	for _, p := range parts[1 : len(parts)-1] {
		i := strings.Index(s, p)
		if i < 0 {
			return false
		}
		s = s[i+len(p):]
	}
	return strings.HasSuffix(s, parts[len(parts)-1])
}

// The reasons of the allow-list.
const (
	whyRoot          = "the peer counts the root project as a package; we list it as the lockfile's root importer"
	whyRootWorkspace = "the peer counts the root workspace as a package, under its key's name; we list it as the root importer"
	whyProject       = "the peer reports a project directory of the lockfile (here a workspace the workspaces list excludes) as a package; we list it as a project, its code is local"
	whyUseLocal      = "the peer reports yarn berry workspaces under berry's placeholder version 0.0.0-use.local; we list workspaces as importers"
	whySyftDev       = "syft's tests run with dev dependencies excluded (its default configuration); we report every installed package with its scope"
	whyGitVersion    = "the peer reports a git dependency with an empty version and the commit apart; we pin the commit as the version"
	whyDangling      = "hand-trimmed fixture that names dependencies whose package entries it leaves out; we report each dangling reference as a problem (the file is incomplete)"
	whyBadKey        = "the peer skips a package key that encodes no name and version without a word; we report it as a problem"
	whyImporterOnly  = "hand-trimmed fixture with importer dependencies but no packages entries for them; the peer takes name and version from the importer, we report the lockfile incomplete (a problem per reference)"
	whyAbort         = "the peer rejects the whole file for one key it cannot read (its test expects no packages); we read every other entry and report that key as a problem"
	whyShrinkwrap    = "the peer skips a package-lock.json that has an npm-shrinkwrap.json beside it (npm installs from the shrinkwrap); we read every lockfile we are given"
	whyDevOptional   = "the peer treats devOptional as dev; npm writes it for a package that is optional on some paths and dev on others, so it is not dev-only"
	whyScalibrV9     = "osv-scalibr reads no dependency groups from pnpm 9 lockfiles (its tests expect none, devDependencies included); we derive dev and optional from the importers"
	whyEmpty         = "an empty file is not a lockfile: we report an error rather than a clean lockfile with no packages"
	whyTarballDir    = "made-up fixture whose registry URL directory disagrees with its tarball file name; the peer takes the directory's name, we keep the key's name unless directory, file name and version agree"
	whyNoLinkEntry   = "hand-trimmed fixture: the link target deps/etag has no node_modules/etag link entry (npm 11 always writes one, see testdata/lockfiles/clients/npm-link-dev); we read a directory entry as a project, not as an installed package"
)

// peerAllow is the allow-list of TestPeerSuites: every difference it
// reports must match exactly one reason here.
var peerAllow = []peerAllowed{
	{"syft", "*/pkg-lock/*.json", "peer only root", "*", whyRoot},
	{"syft", "*/yarn-berry/yarn.lock", "peer only", "c0n-fab_u.laTION@7.7.7", whyRootWorkspace},
	{"osv-scalibr/packagelockjson", "*/workspaces.v3.json", "peer only project", "@my-monorepo/excluded@1.0.0", whyProject},
	{"*", "*.v2.lock", "peer only workspace", "*@0.0.0-use.local", whyUseLocal},
	{"syft", "*", "ours only dev", "*", whySyftDev},
	{"osv-sca*", "*/commits.v1.json", "git version", "*", whyGitVersion},
	{"*", "*.yaml", "problem", `dependency "*" is not in packages`, whyDangling},
	{"osv-sca*", "*/exotic.yaml", "problem", "cannot read a package name and version from this entry", whyBadKey},
	{"osv-sca*", "*/files.yaml", "problem", "cannot read a package name and version from this entry", whyBadKey},
	{"osv-scalibr/pnpmlock", "*/scoped-path-no-version.yaml", "problem", "cannot read a package name and version from this entry", whyBadKey},
	{"syft", "*/testdata/pnpm/pnpm-lock.yaml", "peer only", "*", whyImporterOnly},
	{"osv-scanner", "*/invalid-package-path.yaml", "ours only", "*", whyAbort},
	{"osv-scanner", "*/invalid-package-path.yaml", "ours only dev", "*", whyAbort},
	{"osv-scalibr/packagelockjson", "*/both/package-lock.json", "ours only", "*", whyShrinkwrap},
	{"osv-sca*", "*/optional-package.v2.json", "groups", "supports-color@5.5.0 peer [dev optional], *", whyDevOptional},
	{"osv-scalibr/pnpmlock", "*.v9.yaml", "groups", "* peer [], *", whyScalibrV9},
	{"osv-sca*", "*/empty.yaml", "error", "we fail: *not a pnpm lockfile: no lockfileVersion", whyEmpty},
	{"syft", "*/yarn*/yarn.lock", "peer only", "something-i-made-up@7.7.7", whyTarballDir},
	{"syft", "*/yarn*/yarn.lock", "ours only", "c0n-fab_u.laTION@7.7.7", whyTarballDir},
	{"osv-sca*", "*/files.v2.json", "peer only", "etag@1.8.0", whyNoLinkEntry},
}
