package ioc

// Placeholders: the API the matcher provides. Each returns an error or
// nothing until the matcher is written.

import (
	"errors"
	"io/fs"
	"net/http"
	"time"

	"github.com/depsweep/depsweep/lockfiles"
)

var errNotYet = errors.New("matcher not written yet")

// An Index is the compiled set of indicators of all feeds.
type Index struct{}

// NewIndex compiles indicators into an index.
func NewIndex(inds []Indicator) (*Index, error) { return nil, errNotYet }

// Len returns the number of indicators.
func (x *Index) Len() int { return 0 }

// Contains reports whether version is covered.
func (v Versions) Contains(version string) bool { return false }

// Publishers tells which registry account published name@version.
type Publishers interface {
	Publisher(name, version string) (account string, ok bool)
}

// LoadPackuments reads a directory of registry packuments.
func LoadPackuments(dir string) (Publishers, error) { return nil, errNotYet }

// InstalledPublishers reads _npmUser from installed manifests.
func InstalledPublishers(project fs.FS) Publishers { return nil }

// ChainPublishers asks each source in turn.
func ChainPublishers(ps ...Publishers) Publishers { return nil }

// RegistryOptions configure online publisher lookups.
type RegistryOptions struct {
	URL         string
	CacheDir    string
	Timeout     time.Duration
	Concurrency int
	Client      *http.Client
}

// A Registry looks publishers up in an npm registry.
type Registry struct{}

// NewRegistry returns a registry client.
func NewRegistry(opts RegistryOptions) (*Registry, error) { return nil, errNotYet }

// Publisher implements Publishers.
func (r *Registry) Publisher(name, version string) (string, bool) { return "", false }

// MatchStats count what matching could check.
type MatchStats struct{ Packages, PublisherKnown int }

// MatchInventory matches every package of inv.
func (x *Index) MatchInventory(repo string, inv *lockfiles.Inventory, pubs Publishers) ([]Finding, MatchStats) {
	return nil, MatchStats{}
}

// MatchInstalled scans installed packages under a project's node_modules.
func (x *Index) MatchInstalled(repo, projectPath string, project fs.FS, inv *lockfiles.Inventory) ([]Finding, []error) {
	return nil, []error{errNotYet}
}

// MatchText reports the domain/email/url indicators found in b.
func (x *Index) MatchText(b []byte) []*Indicator { return nil }
