package feeds

import (
	"bufio"
	"crypto/sha256"
	"encoding/gob"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"

	"github.com/depsweep/depsweep/ioc"
)

// cacheIndex is the parsed form of the cached export, written by [Update]
// beside the zip so that --feed osv:npm does not parse ~200,000 records
// on every scan.
const cacheIndex = "all.zip.gob"

// cacheFormat changes whenever the parsed form does; an index of another
// format is ignored (and the zip parsed).
const cacheFormat = 1

type cachedIndicator struct {
	Kind      ioc.Kind
	Ecosystem string
	Value     string
	Versions  ioc.Versions
	Severity  *ioc.Severity
	Advisory  int32 // index into cachedFeed.Advisories
}

type cachedFeed struct {
	Format     int
	SHA256     string // of the zip the feed was parsed from
	Advisories []ioc.Advisory
	Indicators []cachedIndicator
	Withdrawn  int
	Skipped    int
}

// writeIndex writes f's parsed form into dir, atomically.
func writeIndex(dir string, f *Feed) error {
	c := cachedFeed{Format: cacheFormat, SHA256: f.SHA256, Withdrawn: f.Withdrawn, Skipped: f.Skipped,
		Advisories: make([]ioc.Advisory, len(f.Advisories)), Indicators: make([]cachedIndicator, len(f.Indicators))}
	at := make(map[*ioc.Advisory]int32, len(f.Advisories))
	for i, a := range f.Advisories {
		c.Advisories[i] = *a
		at[a] = int32(i)
	}
	for i, ind := range f.Indicators {
		j, ok := at[ind.Advisory]
		if !ok {
			return errors.New("indicator of an advisory the feed does not list")
		}
		c.Indicators[i] = cachedIndicator{Kind: ind.Kind, Ecosystem: ind.Ecosystem, Value: ind.Value,
			Versions: ind.Versions, Severity: ind.Severity, Advisory: j}
	}
	tmp, err := os.CreateTemp(dir, ".index.*.tmp")
	if err != nil {
		return err
	}
	defer os.Remove(tmp.Name())
	bw := bufio.NewWriterSize(tmp, 1<<20)
	if err := gob.NewEncoder(bw).Encode(&c); err != nil {
		tmp.Close()
		return err
	}
	if err := bw.Flush(); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Close(); err != nil {
		return err
	}
	return os.Rename(tmp.Name(), filepath.Join(dir, cacheIndex))
}

// LoadCachedOSV loads the OSV npm export cached in dir by [Update], named
// name. The zip is always hashed (its sha256 is the feed's, and a pin is
// checked against it, as [LoadVerified] does when want is not ""); when
// the parsed index written beside it was made from those very bytes, it
// is read instead of parsing every record again, else the zip is loaded
// with [Load]'s checks. A missing cache is an error wrapping [ErrNoCache].
func LoadCachedOSV(dir, name, want string) (*Feed, error) {
	zip, _, err := CachedOSV(dir)
	if err != nil {
		return nil, err
	}
	sum, err := fileSHA256(zip)
	if err != nil {
		return nil, err
	}
	if want != "" {
		if err := checkSum(name, sum, want); err != nil {
			return nil, err
		}
	}
	if f, err := readIndex(dir, sum); err == nil {
		f.Name = name
		for _, a := range f.Advisories {
			a.Feed = name
		}
		return f, nil
	}
	f, err := Load(zip)
	if err != nil {
		return nil, err
	}
	f.Name = name
	for _, a := range f.Advisories {
		a.Feed = name
	}
	return f, nil
}

// readIndex reads the parsed index in dir when it was made from a zip
// whose sha256 is sum.
func readIndex(dir, sum string) (*Feed, error) {
	fh, err := os.Open(filepath.Join(dir, cacheIndex))
	if err != nil {
		return nil, err
	}
	defer fh.Close()
	var c cachedFeed
	if err := gob.NewDecoder(bufio.NewReaderSize(fh, 1<<20)).Decode(&c); err != nil {
		return nil, err
	}
	if c.Format != cacheFormat || c.SHA256 != sum {
		return nil, errors.New("index of another export")
	}
	f := &Feed{SHA256: sum, Withdrawn: c.Withdrawn, Skipped: c.Skipped,
		Advisories: make([]*ioc.Advisory, len(c.Advisories)), Indicators: make([]ioc.Indicator, len(c.Indicators))}
	for i := range c.Advisories {
		f.Advisories[i] = &c.Advisories[i]
	}
	for i, ci := range c.Indicators {
		if ci.Advisory < 0 || int(ci.Advisory) >= len(c.Advisories) {
			return nil, fmt.Errorf("index: indicator %d names advisory %d of %d", i, ci.Advisory, len(c.Advisories))
		}
		f.Indicators[i] = ioc.Indicator{Kind: ci.Kind, Ecosystem: ci.Ecosystem, Value: ci.Value,
			Versions: ci.Versions, Severity: ci.Severity, Advisory: f.Advisories[ci.Advisory]}
	}
	if len(f.Indicators) == 0 {
		return nil, ErrNoIndicators
	}
	return f, nil
}

func fileSHA256(path string) (string, error) {
	fh, err := os.Open(path)
	if err != nil {
		return "", err
	}
	defer fh.Close()
	h := sha256.New()
	if _, err := io.Copy(h, fh); err != nil {
		return "", err
	}
	return hex.EncodeToString(h.Sum(nil)), nil
}
