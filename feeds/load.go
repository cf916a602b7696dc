package feeds

import (
	"archive/zip"
	"bytes"
	"crypto/sha256"
	_ "embed"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"sync"
	"sync/atomic"

	"github.com/depsweep/depsweep/ioc"
	"github.com/depsweep/depsweep/lockfiles"
)

// Limits on what a feed may make depsweep read. They are variables so that
// a program (or a test) can tighten or relax them before loading; they must
// not be changed while a load is running.
var (
	// MaxFileSize caps one feed file and one zip member, after
	// decompression, in bytes.
	MaxFileSize int64 = 64 << 20
	// MaxLineLength caps one line of a feed file, in bytes.
	MaxLineLength = 1 << 20
	// MaxZipSize caps an OSV zip archive itself, in bytes.
	MaxZipSize int64 = 512 << 20
	// MaxZipDirectory caps the bytes archive/zip may read to list a zip's
	// members (its central directory, about 100 bytes a member). The
	// listing is held in memory, some 250 bytes per member of at least 46
	// bytes, so this bounds what a crafted directory can allocate to about
	// six times its value.
	MaxZipDirectory int64 = 64 << 20
	// MaxTotalSize caps the bytes read from all records of an OSV
	// directory or zip together, after decompression.
	MaxTotalSize int64 = 4 << 30
	// MaxFiles caps the number of records in an OSV directory or zip.
	MaxFiles = 1 << 20
)

// ErrNoIndicators is returned, wrapped with the feed's name, for a feed
// with zero indicators: scanning against it would report "clean" without
// having checked anything.
var ErrNoIndicators = errors.New("feed has no indicators")

// DefaultName is the name of the embedded default feed.
const DefaultName = "embedded:postmark-mcp"

//go:embed embedded/postmark-mcp.yaml
var defaultFeed []byte

// Default returns the embedded default feed: the postmark-mcp incident of
// September 2025. Each call returns a new Feed that the caller may modify.
func Default() (*Feed, error) {
	f, err := parseNative(defaultFeed, DefaultName)
	if err != nil {
		return nil, err
	}
	f.SHA256 = DefaultSHA256()
	return f, nil
}

// DefaultSHA256 returns the hex sha256 of the embedded default feed's bytes.
func DefaultSHA256() string {
	sum := sha256.Sum256(defaultFeed)
	return hex.EncodeToString(sum[:])
}

// Load reads the feed at path, detecting its format:
//   - a directory: a tree of OSV records (*.json at any depth, such as
//     OpenSSF malicious-packages' osv/malicious/npm/<name>/MAL-*.json);
//     directories whose names start with "." are skipped;
//   - a zip archive (by content): an OSV export such as osv.dev's all.zip;
//   - *.yaml, *.yml, or a JSON object with a "format" field: depsweep's own
//     format (see the package documentation);
//   - any other JSON object: one OSV record.
//
// The Feed's Name is path; its SHA256 is the digest of the file's bytes
// (for a directory: of a manifest listing "<sha256>  <slash path>\n" for
// every record, sorted by path). A feed without indicators is an error
// wrapping [ErrNoIndicators]. Records are parsed in parallel; the result
// does not depend on the order they finish in.
func Load(path string) (*Feed, error) { return load(path, "") }

// LoadVerified is [Load] for a feed pinned by its sha256 (hex, as
// [Feed.SHA256] reports it): a mismatch is an error, and the feed is not
// parsed when its digest can be checked first (single files and zips).
func LoadVerified(path, wantSHA256 string) (*Feed, error) {
	want := strings.ToLower(strings.TrimSpace(wantSHA256))
	if b, err := hex.DecodeString(want); err != nil || len(b) != sha256.Size {
		return nil, fmt.Errorf("invalid sha256 %s: want 64 hex digits", quote(wantSHA256))
	}
	return load(path, want)
}

func load(name, want string) (*Feed, error) {
	fi, err := os.Stat(name)
	if err != nil {
		return nil, err
	}
	var f *Feed
	switch {
	case fi.IsDir():
		f, err = loadDir(name, want)
	case !fi.Mode().IsRegular():
		return nil, fmt.Errorf("%s: not a regular file or directory", name)
	default:
		f, err = loadFile(name, want)
	}
	if err != nil {
		return nil, err
	}
	if len(f.Indicators) == 0 {
		return nil, fmt.Errorf("%s: %w", name, ErrNoIndicators)
	}
	return f, nil
}

func checkSum(name, got, want string) error {
	if want != "" && got != want {
		return fmt.Errorf("%s: sha256 mismatch: got %s, want %s", name, got, want)
	}
	return nil
}

func loadFile(name, want string) (*Feed, error) {
	fh, err := os.Open(name)
	if err != nil {
		return nil, err
	}
	defer fh.Close()
	var magic [4]byte
	n, _ := io.ReadFull(fh, magic[:])
	if _, err := fh.Seek(0, io.SeekStart); err != nil {
		return nil, err
	}
	if n == 4 && string(magic[:]) == "PK\x03\x04" || n == 4 && string(magic[:]) == "PK\x05\x06" {
		return loadZip(fh, name, want)
	}
	data, err := readCapped(fh, name)
	if err != nil {
		return nil, err
	}
	sum := sha256.Sum256(data)
	if err := checkSum(name, hex.EncodeToString(sum[:]), want); err != nil {
		return nil, err
	}
	f, err := parseFile(data, name)
	if err != nil {
		return nil, err
	}
	f.SHA256 = hex.EncodeToString(sum[:])
	return f, nil
}

// parseFile parses one feed file, native or OSV.
func parseFile(data []byte, name string) (*Feed, error) {
	ext := strings.ToLower(path.Ext(name))
	trimmed := bytes.TrimLeft(data, " \t\r\n\ufeff")
	if ext == ".yaml" || ext == ".yml" || len(trimmed) > 0 && trimmed[0] != '{' {
		return parseNative(data, name)
	}
	if err := checkLines(data, name); err != nil {
		return nil, err
	}
	var probe struct {
		Format json.RawMessage `json:"format"`
	}
	if err := json.Unmarshal(data, &probe); err != nil {
		return nil, jsonError(name, data, err)
	}
	if probe.Format != nil {
		return parseNative(data, name)
	}
	f := &Feed{Name: name}
	if err := parseOSVInto(f, data, name); err != nil {
		return nil, err
	}
	return f, nil
}

// readCapped reads all of r, refusing more than MaxFileSize bytes.
func readCapped(r io.Reader, name string) ([]byte, error) {
	return readInto(nil, r, name)
}

// readInto is readCapped appending to buf[:0], so that a caller reading
// many records can reuse one buffer.
func readInto(buf []byte, r io.Reader, name string) ([]byte, error) {
	buf = buf[:0]
	if cap(buf) == 0 {
		buf = make([]byte, 0, 4096)
	}
	lr := io.LimitReader(r, MaxFileSize+1)
	for {
		if len(buf) == cap(buf) {
			buf = append(buf, 0)[:len(buf)]
		}
		n, err := lr.Read(buf[len(buf):cap(buf)])
		buf = buf[:len(buf)+n]
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, fmt.Errorf("%s: %w", name, err)
		}
	}
	if int64(len(buf)) > MaxFileSize {
		return nil, fmt.Errorf("%s: larger than %d bytes", name, MaxFileSize)
	}
	return buf, nil
}

// checkLines refuses a line longer than MaxLineLength.
func checkLines(data []byte, name string) error {
	line := 1
	for len(data) > 0 {
		i := bytes.IndexByte(data, '\n')
		if i < 0 {
			i = len(data)
		}
		if i > MaxLineLength {
			return &lockfiles.ParseError{Path: name, Line: line, Err: fmt.Errorf("line longer than %d bytes", MaxLineLength)}
		}
		data = data[min(i+1, len(data)):]
		line++
	}
	return nil
}

// A record is one OSV file of a directory or zip.
type record struct {
	name string                        // for errors: "dir/a/MAL-1.json", "all.zip:MAL-1.json"
	rel  string                        // slash path inside the directory or zip
	open func() (io.ReadCloser, error) // opens the (decompressed) content
	feed *Feed                         // parsed
	sum  [sha256.Size]byte             // of the content, when hash is set
	hash bool                          // a directory's records are hashed for its manifest; a zip's are not
}

// parseRecords parses records in parallel, capping the total size. The
// error returned is that of the first failing record in order, so that it
// does not depend on scheduling.
func parseRecords(recs []record) error {
	var total atomic.Int64
	var failed atomic.Bool
	errs := make([]error, len(recs))
	next := atomic.Int64{}
	var wg sync.WaitGroup
	for range runtime.GOMAXPROCS(0) {
		wg.Go(func() {
			var buf []byte // reused: parsed values never point into it
			for {
				i := int(next.Add(1) - 1)
				if i >= len(recs) || failed.Load() {
					return
				}
				var err error
				if buf, err = parseRecord(&recs[i], buf, &total); err != nil {
					errs[i] = err
					failed.Store(true)
				}
			}
		})
	}
	wg.Wait()
	for _, err := range errs {
		if err != nil {
			return err
		}
	}
	return nil
}

// parseRecord reads and parses one record, reading into buf; it returns
// the buffer for reuse.
func parseRecord(r *record, buf []byte, total *atomic.Int64) ([]byte, error) {
	rc, err := r.open()
	if err != nil {
		return buf, fmt.Errorf("%s: %w", r.name, err)
	}
	defer rc.Close()
	// The cap applies to the decompressed stream: a zip header's sizes
	// are whatever the archive's author wrote.
	data, err := readInto(buf, rc, r.name)
	if err != nil {
		return buf, err
	}
	if total.Add(int64(len(data))) > MaxTotalSize {
		return data, fmt.Errorf("%s: records larger than %d bytes in all", r.name, MaxTotalSize)
	}
	if r.hash {
		r.sum = sha256.Sum256(data)
	}
	if err := checkLines(data, r.name); err != nil {
		return data, err
	}
	r.feed = &Feed{}
	return data, parseOSVInto(r.feed, data, r.name)
}

// collect gathers the records' advisories into one feed, refusing an id
// that two records use.
func collect(f *Feed, recs []record) error {
	nadv, nind := 0, 0
	for i := range recs {
		nadv += len(recs[i].feed.Advisories)
		nind += len(recs[i].feed.Indicators)
	}
	// Sized once: appending 200,000 records' values one by one copied
	// them over and over.
	first := make(map[string]string, nadv)
	f.Advisories = slices.Grow(f.Advisories, nadv)
	f.Indicators = slices.Grow(f.Indicators, nind)
	for i := range recs {
		rf := recs[i].feed
		f.Withdrawn += rf.Withdrawn
		f.Skipped += rf.Skipped
		for _, adv := range rf.Advisories {
			if prev, dup := first[adv.ID]; dup {
				return fmt.Errorf("%s: duplicate advisory id %s (also in %s)", recs[i].name, quote(adv.ID), prev)
			}
			first[adv.ID] = recs[i].name
			adv.Feed = f.Name
		}
		f.Advisories = append(f.Advisories, rf.Advisories...)
		f.Indicators = append(f.Indicators, rf.Indicators...)
	}
	return nil
}

func loadDir(root, want string) (*Feed, error) {
	var recs []record
	// A trailing separator makes WalkDir follow root itself when it is a
	// symbolic link (as the user named it); links inside are not followed.
	walkRoot := root
	if !strings.HasSuffix(walkRoot, string(filepath.Separator)) {
		walkRoot += string(filepath.Separator)
	}
	err := filepath.WalkDir(walkRoot, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() {
			if p != walkRoot && strings.HasPrefix(d.Name(), ".") {
				return filepath.SkipDir
			}
			return nil
		}
		if !strings.HasSuffix(d.Name(), ".json") {
			return nil
		}
		if !d.Type().IsRegular() {
			// WalkDir does not follow symbolic links; opening one (or a
			// FIFO) could leave the tree or block.
			return fmt.Errorf("%s: not a regular file (symbolic links are not followed)", p)
		}
		if len(recs) >= MaxFiles {
			return fmt.Errorf("%s: more than %d records", root, MaxFiles)
		}
		rel, _ := filepath.Rel(root, p)
		recs = append(recs, record{
			hash: true,
			name: p,
			rel:  filepath.ToSlash(rel),
			open: func() (io.ReadCloser, error) { return os.Open(p) },
		})
		return nil
	})
	if err != nil {
		return nil, err
	}
	f := &Feed{Name: root}
	if err := parseRecords(recs); err != nil {
		return nil, err
	}
	// WalkDir visits in lexical order, so the manifest is sorted by path.
	h := sha256.New()
	for i := range recs {
		fmt.Fprintf(h, "%x  %s\n", recs[i].sum, recs[i].rel)
	}
	f.SHA256 = hex.EncodeToString(h.Sum(nil))
	if err := checkSum(root, f.SHA256, want); err != nil {
		return nil, err
	}
	if err := collect(f, recs); err != nil {
		return nil, err
	}
	return f, nil
}

func loadZip(fh *os.File, name, want string) (*Feed, error) {
	fi, err := fh.Stat()
	if err != nil {
		return nil, err
	}
	if fi.Size() > MaxZipSize {
		return nil, fmt.Errorf("%s: zip larger than %d bytes", name, MaxZipSize)
	}
	// The archive is read into memory once (it is hashed anyway): reading
	// 200,000 members through the file costs three system calls each.
	data := make([]byte, fi.Size())
	if _, err := io.ReadFull(fh, data); err != nil {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	sum := sha256.Sum256(data)
	f := &Feed{Name: name, SHA256: hex.EncodeToString(sum[:])}
	if err := checkSum(name, f.SHA256, want); err != nil {
		return nil, err
	}
	// archive/zip reads member headers until it finds something else,
	// whatever count the archive declares: a budget on the bytes it reads
	// bounds the listing it builds.
	budget := &budgetReaderAt{r: bytes.NewReader(data), left: MaxZipDirectory + 128<<10}
	zr, err := zip.NewReader(budget, int64(len(data)))
	budget.left = -1 // reading members is capped per member instead
	if errors.Is(err, errZipDirectory) {
		return nil, fmt.Errorf("%s: zip directory larger than %d bytes", name, MaxZipDirectory)
	}
	if err != nil && !errors.Is(err, zip.ErrInsecurePath) {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	if len(zr.File) > MaxFiles {
		return nil, fmt.Errorf("%s: more than %d files", name, MaxFiles)
	}
	var recs []record
	seen := make(map[string]bool, len(zr.File))
	for _, zf := range zr.File {
		member := name + ":" + zf.Name
		if err := checkMemberName(zf.Name); err != nil {
			return nil, fmt.Errorf("%s: %v", member, err)
		}
		if zf.Mode()&fs.ModeSymlink != 0 {
			return nil, fmt.Errorf("%s: symbolic link in zip", member)
		}
		if zf.FileInfo().IsDir() || !strings.HasSuffix(zf.Name, ".json") {
			continue
		}
		if !zf.Mode().IsRegular() {
			return nil, fmt.Errorf("%s: not a regular file", member)
		}
		if seen[zf.Name] {
			return nil, fmt.Errorf("%s: duplicate file name in zip", member)
		}
		seen[zf.Name] = true
		recs = append(recs, record{name: member, rel: zf.Name, open: zf.Open})
	}
	if err := parseRecords(recs); err != nil {
		return nil, err
	}
	if err := collect(f, recs); err != nil {
		return nil, err
	}
	return f, nil
}

var errZipDirectory = errors.New("zip directory too large")

// budgetReaderAt fails reads once left bytes have been read; left < 0
// means no budget. It is not safe for concurrent use while the budget is
// on.
type budgetReaderAt struct {
	r    io.ReaderAt
	left int64
}

func (b *budgetReaderAt) ReadAt(p []byte, off int64) (int, error) {
	if b.left >= 0 {
		if int64(len(p)) > b.left {
			return 0, errZipDirectory
		}
		b.left -= int64(len(p))
	}
	return b.r.ReadAt(p, off)
}

// checkMemberName refuses zip member names that would escape a directory
// they were extracted to ("zip slip"). depsweep never extracts, but such a
// name only appears in an archive built to attack a tool that does.
func checkMemberName(n string) error {
	if n == "" || strings.HasPrefix(n, "/") || strings.Contains(n, `\`) || filepath.VolumeName(n) != "" ||
		len(n) >= 2 && n[1] == ':' {
		return errors.New("unsafe path in zip (absolute or with backslashes)")
	}
	for _, el := range strings.Split(n, "/") {
		if el == ".." {
			return errors.New("unsafe path in zip (climbs out with ..)")
		}
	}
	if strings.ContainsRune(n, 0) {
		return errors.New("unsafe path in zip (nul byte)")
	}
	return nil
}

// Counts returns the number of indicators of each kind; kinds without
// indicators are absent.
func (f *Feed) Counts() map[ioc.Kind]int {
	m := make(map[ioc.Kind]int)
	for _, ind := range f.Indicators {
		m[ind.Kind]++
	}
	return m
}
