package feeds

import (
	"bytes"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"path/filepath"
	"time"

	"github.com/depsweep/depsweep/ioc"
	"github.com/depsweep/depsweep/lockfiles"
)

// cacheIndex is the parsed form of the cached export, written by [Update]
// beside the zip so that --feed osv:npm does not parse ~200,000 records
// on every scan.
const cacheIndex = "all.zip.index"

// oldCacheIndexes are files earlier versions wrote in place of cacheIndex;
// writing an index removes them.
var oldCacheIndexes = []string{"all.zip.gob"}

// cacheFormat changes whenever the index's layout does: an index of
// another format is not read (the zip is parsed, and the index rebuilt).
const cacheFormat = 2

// cacheMagic starts every index file.
const cacheMagic = "depsweep-osv-index\n"

// The index file is
//
//	cacheMagic
//	format       uint32, little endian
//	zip sha256   32 bytes: of the zip the index was parsed from
//	body length  uint64, little endian
//	body sha256  32 bytes
//	body
//
// and the body is a sequence of unsigned varints (signed ones for times),
// strings being indexes into a table of distinct strings:
//
//	withdrawn skipped
//	nstrings  len...  bytes of all strings, concatenated
//	nlist nrange nseverity   totals, so that the reader allocates once
//	nadv  advisory...
//	nind  indicator...
//
// An advisory is id, #aliases alias..., title, summary, published,
// modified, #refs ref..., severity, #steps step..., exposure from, to; a
// time is 0 (zero) or 1, unix seconds, nanoseconds (UTC). An indicator is
// kind, ecosystem, value, #exact exact..., #ranges (introduced fixed
// last_affected)..., severity+1 (0: derived), advisory index.
//
// Every string of the feed is a substring of one string, and every list
// a window of one slice: loading 200,000 advisories makes a dozen
// allocations, not a million.
const cacheHeaderSize = len(cacheMagic) + 4 + sha256.Size + 8 + sha256.Size

// writeIndex writes f's parsed form into dir, atomically.
func writeIndex(dir string, f *Feed) error {
	zipSum, err := hex.DecodeString(f.SHA256)
	if err != nil || len(zipSum) != sha256.Size {
		return fmt.Errorf("index: feed sha256 %q is not 64 hex digits", f.SHA256)
	}
	body, err := encodeIndex(f)
	if err != nil {
		return err
	}
	head := make([]byte, 0, cacheHeaderSize)
	head = append(head, cacheMagic...)
	head = binary.LittleEndian.AppendUint32(head, cacheFormat)
	head = append(head, zipSum...)
	head = binary.LittleEndian.AppendUint64(head, uint64(len(body)))
	bodySum := sha256.Sum256(body)
	head = append(head, bodySum[:]...)

	tmp, err := os.CreateTemp(dir, ".index.*.tmp")
	if err != nil {
		return err
	}
	defer os.Remove(tmp.Name())
	if _, err := tmp.Write(append(head, body...)); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Close(); err != nil {
		return err
	}
	if err := os.Rename(tmp.Name(), filepath.Join(dir, cacheIndex)); err != nil {
		return err
	}
	for _, old := range oldCacheIndexes {
		os.Remove(filepath.Join(dir, old))
	}
	return nil
}

// encodeIndex encodes f as an index body.
func encodeIndex(f *Feed) ([]byte, error) {
	strs := map[string]uint64{}
	var table []string
	ref := func(s string) uint64 {
		i, ok := strs[s]
		if !ok {
			i = uint64(len(table))
			strs[s] = i
			table = append(table, s)
		}
		return i
	}
	// The records first, strings numbered as met; the table goes in front.
	var recs []byte
	u := func(v uint64) { recs = binary.AppendUvarint(recs, v) }
	str := func(s string) { u(ref(s)) }
	var nlist, nrange, nsev uint64
	list := func(ss []string) {
		u(uint64(len(ss)))
		nlist += uint64(len(ss))
		for _, s := range ss {
			str(s)
		}
	}
	tm := func(t time.Time) {
		if t.IsZero() {
			u(0)
			return
		}
		u(1)
		recs = binary.AppendVarint(recs, t.Unix())
		u(uint64(t.Nanosecond()))
	}
	at := make(map[*ioc.Advisory]uint64, len(f.Advisories))
	u(uint64(len(f.Advisories)))
	for i, a := range f.Advisories {
		at[a] = uint64(i)
		str(a.ID)
		list(a.Aliases)
		str(a.Title)
		str(a.Summary)
		tm(a.Published)
		tm(a.Modified)
		list(a.References)
		u(uint64(a.Severity))
		list(a.Remediation)
		tm(a.Exposure.From)
		tm(a.Exposure.To)
	}
	u(uint64(len(f.Indicators)))
	for _, ind := range f.Indicators {
		j, ok := at[ind.Advisory]
		if !ok {
			return nil, errors.New("index: indicator of an advisory the feed does not list")
		}
		str(string(ind.Kind))
		str(ind.Ecosystem)
		str(ind.Value)
		list(ind.Versions.Exact)
		u(uint64(len(ind.Versions.Ranges)))
		nrange += uint64(len(ind.Versions.Ranges))
		for _, r := range ind.Versions.Ranges {
			str(r.Introduced)
			str(r.Fixed)
			str(r.LastAffected)
		}
		if ind.Severity == nil {
			u(0)
		} else {
			u(uint64(*ind.Severity) + 1)
			nsev++
		}
		u(j)
	}

	var body []byte
	body = binary.AppendUvarint(body, uint64(f.Withdrawn))
	body = binary.AppendUvarint(body, uint64(f.Skipped))
	body = binary.AppendUvarint(body, uint64(len(table)))
	for _, s := range table {
		body = binary.AppendUvarint(body, uint64(len(s)))
	}
	for _, s := range table {
		body = append(body, s...)
	}
	body = binary.AppendUvarint(body, nlist)
	body = binary.AppendUvarint(body, nrange)
	body = binary.AppendUvarint(body, nsev)
	return append(body, recs...), nil
}

// An indexError is a cached index that cannot be used: missing, of
// another format, made from other bytes than the cached zip, or corrupt.
// [LoadCachedOSV] rebuilds such an index from the zip.
type indexError struct {
	path   string
	reason string
}

func (e *indexError) Error() string { return e.path + ": " + e.reason }

// ErrCacheChanged is returned, wrapped with the zip's path, when the
// cached export's sha256 is not the one [Update] recorded: the file was
// replaced or damaged since, and 'depsweep feed update' fetches it again.
var ErrCacheChanged = errors.New("cached export changed since it was fetched")

// LoadCachedOSV loads the OSV npm export cached in dir by [Update], named
// name. The zip is always hashed: its sha256 is the feed's, a pin (want,
// when not "") is checked against it as [LoadVerified] does, and a zip
// whose sha256 is not the one [Update] recorded is an error wrapping
// [ErrCacheChanged]. The index written beside the zip is read instead of
// parsing every record again only when it is of this version's format,
// intact (its own sha256 checks) and made from those very bytes;
// otherwise it is never used: the zip is loaded with [Load]'s checks and
// the index rebuilt from it (a cache directory that cannot be written to
// only costs the next load the same parse). A missing cache is an error
// wrapping [ErrNoCache].
func LoadCachedOSV(dir, name, want string) (*Feed, error) {
	zip, meta, err := CachedOSV(dir)
	if err != nil {
		return nil, err
	}
	// The zip is hashed while the index is read and checked: two cores
	// make the hash free in wall time.
	type hashed struct {
		sum string
		err error
	}
	hc := make(chan hashed, 1)
	go func() {
		sum, err := fileSHA256(zip)
		hc <- hashed{sum, err}
	}()
	f, ierr := readIndex(filepath.Join(dir, cacheIndex))
	h := <-hc
	if h.err != nil {
		return nil, h.err
	}
	if want != "" {
		if err := checkSum(name, h.sum, want); err != nil {
			return nil, err
		}
	}
	if meta.SHA256 != "" && meta.SHA256 != h.sum {
		// Update renames the zip into place, then records it: read the
		// record again in case this load fell between the two.
		if _, m, err := CachedOSV(dir); err != nil || m.SHA256 != h.sum {
			return nil, fmt.Errorf("%s: %w (sha256 %s, recorded %s)", zip, ErrCacheChanged, h.sum, meta.SHA256)
		}
	}
	if ierr == nil && f.SHA256 != h.sum {
		ierr = &indexError{path: filepath.Join(dir, cacheIndex), reason: "made from another export than " + zip}
	}
	if ierr != nil {
		if f, err = Load(zip); err != nil {
			return nil, err
		}
		if f.SHA256 != h.sum {
			return nil, fmt.Errorf("%s: changed while it was read", zip)
		}
		_ = writeIndex(dir, f) // best effort: the feed is right either way
	}
	f.Name = name
	for _, a := range f.Advisories {
		a.Feed = name
	}
	return f, nil
}

// readIndex reads the index at path, checking its format and its body's
// sha256; the Feed's SHA256 is that of the zip it was made from. Any
// problem is an *indexError.
func readIndex(path string) (*Feed, error) {
	bad := func(format string, args ...any) error {
		return &indexError{path: path, reason: fmt.Sprintf(format, args...)}
	}
	// Never larger than the records it was made from; and a FIFO put in
	// its place must not block the scan.
	data, err := lockfiles.ReadRegular(path, MaxTotalSize, true)
	if errors.Is(err, os.ErrNotExist) {
		return nil, bad("no index")
	}
	var tooLarge *lockfiles.TooLargeError
	if errors.As(err, &tooLarge) {
		return nil, bad("larger than %d bytes", MaxTotalSize)
	}
	if err != nil {
		if u := errors.Unwrap(err); u != nil {
			err = u
		}
		return nil, bad("%v", err)
	}
	if len(data) < cacheHeaderSize || !bytes.HasPrefix(data, []byte(cacheMagic)) {
		return nil, bad("not an index of this version of depsweep")
	}
	p := data[len(cacheMagic):]
	if v := binary.LittleEndian.Uint32(p); v != cacheFormat {
		return nil, bad("index format %d, want %d", v, cacheFormat)
	}
	zipSum := p[4 : 4+sha256.Size]
	p = p[4+sha256.Size:]
	n := binary.LittleEndian.Uint64(p)
	bodySum := p[8 : 8+sha256.Size]
	body := p[8+sha256.Size:]
	if n != uint64(len(body)) {
		return nil, bad("truncated or extended: body of %d bytes, want %d", len(body), n)
	}
	if sum := sha256.Sum256(body); !bytes.Equal(sum[:], bodySum) {
		return nil, bad("corrupt (sha256 of the body does not match)")
	}
	f, err := decodeIndex(body)
	if err != nil {
		return nil, bad("corrupt: %v", err)
	}
	f.SHA256 = hex.EncodeToString(zipSum)
	return f, nil
}

// indexReader decodes an index body. The first error sticks: later reads
// return zero values, and the caller checks err once per record.
type indexReader struct {
	b   []byte
	err error
	str []string
}

func (r *indexReader) fail(format string, args ...any) {
	if r.err == nil {
		r.err = fmt.Errorf(format, args...)
	}
	r.b = nil
}

func (r *indexReader) u() uint64 {
	v, n := binary.Uvarint(r.b)
	if n <= 0 {
		r.fail("bad number at byte %d from the end", len(r.b))
		return 0
	}
	r.b = r.b[n:]
	return v
}

// count reads a number of items each taking at least min bytes: a count
// the rest of the body cannot hold is corrupt (and would allocate).
func (r *indexReader) count(min int) int {
	v := r.u()
	if v > uint64(len(r.b))/uint64(min) {
		r.fail("count %d larger than the rest of the body", v)
		return 0
	}
	return int(v)
}

func (r *indexReader) s() string {
	i := r.u()
	if i >= uint64(len(r.str)) {
		r.fail("string %d of %d", i, len(r.str))
		return ""
	}
	return r.str[i]
}

func (r *indexReader) time() time.Time {
	switch r.u() {
	case 0:
		return time.Time{}
	case 1:
		sec, n := binary.Varint(r.b)
		if n <= 0 {
			r.fail("bad time")
			return time.Time{}
		}
		r.b = r.b[n:]
		ns := r.u()
		if ns >= 1e9 {
			r.fail("bad time")
			return time.Time{}
		}
		return time.Unix(sec, int64(ns)).UTC()
	}
	r.fail("bad time")
	return time.Time{}
}

// decodeIndex decodes an index body into a Feed.
func decodeIndex(body []byte) (*Feed, error) {
	r := &indexReader{b: body}
	f := &Feed{Withdrawn: int(min(r.u(), math.MaxInt32)), Skipped: int(min(r.u(), math.MaxInt32))}

	nstr := r.count(1)
	lens := make([]int, nstr)
	total := 0
	for i := range lens {
		l := r.u()
		if l > uint64(len(r.b)) {
			r.fail("string of %d bytes", l)
			break
		}
		lens[i] = int(l)
		total += int(l)
	}
	if r.err != nil {
		return nil, r.err
	}
	if total > len(r.b) {
		return nil, fmt.Errorf("strings of %d bytes in a body of %d", total, len(r.b))
	}
	all := string(r.b[:total]) // the one copy every string of the feed points into
	r.b = r.b[total:]
	r.str = make([]string, nstr)
	off := 0
	for i, l := range lens {
		r.str[i] = all[off : off+l]
		off += l
	}

	// Every list item, range and severity takes at least a byte.
	lists := make([]string, 0, r.count(1))
	ranges := make([]ioc.Range, 0, r.count(3))
	sevs := make([]ioc.Severity, 0, r.count(1))
	list := func() []string {
		n := r.count(1)
		if n == 0 || len(lists)+n > cap(lists) {
			if n != 0 {
				r.fail("more list items than the body declares")
			}
			return nil
		}
		start := len(lists)
		for range n {
			lists = append(lists, r.s())
		}
		return lists[start:len(lists):len(lists)]
	}

	nadv := r.count(11) // an advisory takes at least 11 bytes
	advs := make([]ioc.Advisory, nadv)
	f.Advisories = make([]*ioc.Advisory, nadv)
	for i := range advs {
		a := &advs[i]
		a.ID = r.s()
		a.Aliases = list()
		a.Title = r.s()
		a.Summary = r.s()
		a.Published = r.time()
		a.Modified = r.time()
		a.References = list()
		if sev := r.u(); sev <= uint64(ioc.SeverityCritical) {
			a.Severity = ioc.Severity(sev)
		} else {
			r.fail("advisory %d: severity %d", i, sev)
		}
		a.Remediation = list()
		a.Exposure.From = r.time()
		a.Exposure.To = r.time()
		if r.err != nil {
			return nil, r.err
		}
		f.Advisories[i] = a
	}

	nind := r.count(7) // an indicator takes at least 7 bytes
	f.Indicators = make([]ioc.Indicator, nind)
	for i := range f.Indicators {
		ind := &f.Indicators[i]
		ind.Kind = ioc.Kind(r.s())
		ind.Ecosystem = r.s()
		ind.Value = r.s()
		ind.Versions.Exact = list()
		if n := r.count(3); n > 0 {
			if len(ranges)+n > cap(ranges) {
				r.fail("more ranges than the body declares")
			} else {
				start := len(ranges)
				for range n {
					ranges = append(ranges, ioc.Range{Introduced: r.s(), Fixed: r.s(), LastAffected: r.s()})
				}
				ind.Versions.Ranges = ranges[start:len(ranges):len(ranges)]
			}
		}
		switch sev := r.u(); {
		case sev == 0:
		case sev-1 > uint64(ioc.SeverityCritical):
			r.fail("indicator %d: severity %d", i, sev-1)
		case len(sevs) == cap(sevs):
			r.fail("more severities than the body declares")
		default:
			sevs = append(sevs, ioc.Severity(sev-1))
			ind.Severity = &sevs[len(sevs)-1]
		}
		j := r.u()
		if r.err != nil {
			return nil, r.err
		}
		if j >= uint64(nadv) {
			return nil, fmt.Errorf("indicator %d names advisory %d of %d", i, j, nadv)
		}
		ind.Advisory = f.Advisories[j]
	}
	if len(r.b) != 0 {
		return nil, fmt.Errorf("%d bytes after the last indicator", len(r.b))
	}
	if len(f.Indicators) == 0 {
		return nil, ErrNoIndicators
	}
	return f, nil
}

// fileSHA256 hashes the regular file at path (a FIFO in its place is an
// error, not a read that blocks).
func fileSHA256(path string) (string, error) {
	fh, _, err := lockfiles.OpenRegular(path, true, false)
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
