package feeds

// Placeholders: the API the feed readers provide, until they are written.

import (
	"errors"
	"io"

	"github.com/depsweep/depsweep/ioc"
)

// ErrNoIndicators is returned for a feed with zero indicators.
var ErrNoIndicators = errors.New("feed has no indicators")

var errNotYet = errors.New("feed readers not written yet")

// Default returns the embedded default feed.
func Default() (*Feed, error) { return nil, errNotYet }

// DefaultSHA256 returns the sha256 of the embedded feed.
func DefaultSHA256() string { return "" }

// Load reads a feed file, directory or zip, detecting its format.
func Load(path string) (*Feed, error) { return nil, errNotYet }

// LoadVerified is Load with a pinned sha256.
func LoadVerified(path, wantSHA256 string) (*Feed, error) { return nil, errNotYet }

// ParseNative reads depsweep's own feed format.
func ParseNative(r io.Reader, name string) (*Feed, error) { return nil, errNotYet }

// ParseOSV reads one OSV record.
func ParseOSV(r io.Reader, name string) (*Feed, error) { return nil, errNotYet }

// Counts returns the indicator count per kind.
func (f *Feed) Counts() map[ioc.Kind]int { return nil }

// Merge returns the indicators of several feeds.
func Merge(fs ...*Feed) ([]ioc.Indicator, error) { return nil, errNotYet }
