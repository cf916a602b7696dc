package host

import (
	"bufio"
	"bytes"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"os"
	"path"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/depsweep/depsweep/lockfiles"
)

// setFrom records from as the time source of the packages of trace i that
// have a time, when trace i is the one of evidence file rel (add makes
// none for a file without packages).
func (s *scanner) setFrom(i int, rel, from string) {
	if i < 0 || i >= len(s.traces) || s.traces[i].Inventory.Path != rel {
		return
	}
	tr := &s.traces[i]
	for j := range tr.Times {
		if !tr.Times[j].IsZero() {
			tr.TimeFrom[j] = from
		}
	}
}

// fetched records that npm's cache holds p's tarball since t.
func (s *scanner) fetched(p lockfiles.Package, t time.Time) {
	if t.IsZero() {
		return
	}
	for _, k := range []string{p.Resolved, p.ID()} {
		if k != "" && k != "@" && t.After(s.fetchedAt[k]) {
			s.fetchedAt[k] = t
		}
	}
}

// dateNpx dates the packages of an npx cache entry: by the time npm's
// cache recorded fetching its tarball (by URL, else by name@version), else
// by the entry directory's modification time, saying which.
func (s *scanner) dateNpx(tr *Trace, entry string) {
	var dirTime time.Time
	if st, err := os.Lstat(s.abs(entry)); err == nil {
		dirTime = st.ModTime().UTC()
	}
	for i, p := range tr.Inventory.Packages {
		if t, ok := s.fetchedAt[p.Resolved]; ok && p.Resolved != "" {
			tr.Times[i], tr.TimeFrom[i] = t, FromCacheEntry
		} else if t, ok := s.fetchedAt[p.ID()]; ok && p.Version != "" {
			tr.Times[i], tr.TimeFrom[i] = t, FromCacheEntry
		} else if !dirTime.IsZero() {
			tr.Times[i], tr.TimeFrom[i] = dirTime, FromDirTime
		}
	}
}

// Publishers is the publisher data a machine's package caches hold: the
// full packuments (with versions[v]._npmUser) that npm kept in its cache
// for npx, npm view and npm cache add. It implements the Publishers
// interface of package ioc. pnpm's and Yarn's metadata caches keep the
// abbreviated documents, which name no publisher, and are not read.
type Publishers struct {
	m     map[string]map[string]string // name → version → account
	files []string                     // the cache content files read, relative to home
}

func newPublishers() *Publishers { return &Publishers{m: map[string]map[string]string{}} }

// Publisher returns the account that published name@version, as the
// cached packument says.
func (p *Publishers) Publisher(name, version string) (string, bool) {
	a, ok := p.m[name][version]
	return a, ok && a != ""
}

// Len returns the number of package versions whose publisher is known.
func (p *Publishers) Len() int {
	n := 0
	for _, vs := range p.m {
		n += len(vs)
	}
	return n
}

// Packages returns the names of the packages whose packuments were read.
func (p *Publishers) Packages() int { return len(p.m) }

// packument reads the cached content of a packument response (cacache
// stores it under content-v2/<algorithm>/<hex digest split 2/2/rest>) and
// records the publishers it names. Abbreviated documents name none.
func (s *scanner) packument(cache, name, integrity string) {
	if s.packs == nil {
		s.packs = map[string]bool{}
	}
	if s.packs[integrity] {
		return
	}
	s.packs[integrity] = true
	first, _, _ := strings.Cut(strings.TrimSpace(integrity), " ")
	algo, b64, ok := strings.Cut(first, "-")
	if !ok || strings.ContainsAny(algo, "/.") {
		return
	}
	sum, err := base64.StdEncoding.DecodeString(b64)
	if err != nil || len(sum) < 3 {
		return
	}
	h := hex.EncodeToString(sum)
	rel := path.Join(cache, "content-v2", algo, h[:2], h[2:4], h[4:])
	data, ok := s.readFile(rel)
	if !ok {
		return // evicted content: the index line alone is still a trace
	}
	var doc struct {
		Name     string `json:"name"`
		Versions map[string]struct {
			NpmUser json.RawMessage `json:"_npmUser"`
		} `json:"versions"`
	}
	if json.Unmarshal(data, &doc) != nil {
		return // not JSON: some other response under a packument-shaped URL
	}
	if doc.Name == "" {
		doc.Name = name
	}
	added := false
	for v, vd := range doc.Versions {
		a := npmUserName(vd.NpmUser)
		if a == "" {
			continue
		}
		if s.pubs.m[doc.Name] == nil {
			s.pubs.m[doc.Name] = map[string]string{}
		}
		s.pubs.m[doc.Name][v] = a
		added = true
	}
	if added {
		s.pubs.files = append(s.pubs.files, rel)
	}
}

// npmUserName reads _npmUser in its object form {"name": ...} or npm's old
// string form "name <email>".
func npmUserName(raw json.RawMessage) string {
	var str string
	if json.Unmarshal(raw, &str) == nil {
		name, _, _ := strings.Cut(str, "<")
		return strings.TrimSpace(name)
	}
	var obj struct {
		Name string `json:"name"`
	}
	if json.Unmarshal(raw, &obj) == nil {
		return obj.Name
	}
	return ""
}

// pnpmStoreV3 reads the store of pnpm 7 to 9: <store>/v3/files/<xx>/<hash>-index.json,
// a JSON document whose "name" and "version" name the package (pnpm 9
// writes them). An index without them says nothing and is skipped.
func (s *scanner) pnpmStoreV3(v3 string) {
	files := path.Join(v3, "files")
	for _, xx := range sortedNames(s.readDir(files)) {
		sub := path.Join(files, xx)
		for _, name := range sortedNames(s.readDir(sub)) {
			if !strings.HasSuffix(name, "-index.json") {
				continue
			}
			rel := path.Join(sub, name)
			data, ok := s.readFile(rel)
			if !ok {
				continue
			}
			var m struct {
				Name    string `json:"name"`
				Version string `json:"version"`
			}
			if json.Unmarshal(data, &m) != nil || !lockfiles.ValidName(m.Name) || !lockfiles.IsExactVersion(m.Version) {
				continue
			}
			var t time.Time
			if st, err := os.Lstat(s.abs(rel)); err == nil {
				t = st.ModTime().UTC()
			}
			p := lockfiles.Package{Name: m.Name, Version: m.Version, Source: lockfiles.SourceRegistry, Line: 1}
			s.add(rel, FormatPnpmStore, []lockfiles.Package{p}, []time.Time{t})
			s.setFrom(len(s.traces)-1, rel, FromFileTime)
		}
	}
}

// pnpmDlx reads pnpm's dlx cache: <cache>/dlx/<hash>/<stamp>/pnpm-lock.yaml,
// the lockfile of the throwaway project 'pnpm dlx' installed the package
// in. <stamp> is "<ms since epoch, hex>-<pid, hex>", the time pnpm made it;
// "pkg" beside it is a symlink to the newest stamp and is not read twice.
func (s *scanner) pnpmDlx(dir string) {
	for _, hash := range sortedNames(s.readDir(dir)) {
		entry := path.Join(dir, hash)
		for _, e := range s.readDir(entry) {
			if !e.IsDir() { // the "pkg" symlink, stray files
				continue
			}
			rel := path.Join(entry, e.Name(), lockfiles.NamePnpmLock)
			data, ok := s.readFile(rel)
			if !ok {
				continue
			}
			inv, err := lockfiles.Parse(lockfiles.Input{Path: rel, Data: data, Project: os.DirFS(s.abs(path.Join(entry, e.Name())))})
			if err != nil {
				s.errs = append(s.errs, err)
				continue
			}
			inv.Format = FormatPnpmDlx
			tr := Trace{Inventory: inv, Times: make([]time.Time, len(inv.Packages)), TimeFrom: make([]string, len(inv.Packages))}
			if t, ok := dlxStamp(e.Name()); ok {
				for i := range tr.Times {
					tr.Times[i], tr.TimeFrom[i] = t, FromDlxStamp
				}
			}
			s.traces = append(s.traces, tr)
		}
	}
}

// dlxStamp reads the time in a pnpm dlx directory name ("1a241fc90fe-707e").
func dlxStamp(name string) (time.Time, bool) {
	ms, _, ok := strings.Cut(name, "-")
	if !ok {
		return time.Time{}, false
	}
	n, err := strconv.ParseInt(ms, 16, 64)
	// Plausible times only: from 2015 to 2100.
	if err != nil || n < 1420070400000 || n > 4102444800000 {
		return time.Time{}, false
	}
	return time.UnixMilli(n).UTC(), true
}

// npmLogs reads npm's debug logs (<cache>/_logs/<time>-debug-<n>.log, the
// last ten runs by default): the command line of each run ("verbose argv"),
// from which 'npm exec'/npx and 'npm cache add' name packages, and the
// registry tarballs it fetched or took from the cache ("http fetch GET 200
// <url>", "http cache <name>@<url>"). Every package gets the run's start
// time from the file name.
func (s *scanner) npmLogs(dir string) {
	for _, name := range sortedNames(s.readDir(dir)) {
		m := npmLogName().FindStringSubmatch(name)
		if m == nil {
			continue
		}
		rel := path.Join(dir, name)
		data, ok := s.readFile(rel)
		if !ok {
			continue
		}
		// "2026-12-04T16_56_28_311Z": Go layouts take milliseconds only after a dot.
		started, err := time.Parse("2006-01-02T15_04_05.000Z", m[1][:19]+"."+m[1][20:])
		if err != nil {
			continue
		}
		pkgs := npmLogPackages(data)
		times := make([]time.Time, len(pkgs))
		for i := range times {
			times[i] = started.UTC()
		}
		s.add(rel, FormatNpmLog, pkgs, times)
		s.setFrom(len(s.traces)-1, rel, FromLogName)
	}
}

var (
	npmLogName = sync.OnceValue(func() *regexp.Regexp {
		return regexp.MustCompile(`^(\d{4}-\d\d-\d\dT\d\d_\d\d_\d\d_\d{3}Z)-debug(-\d+)?\.log$`)
	})
	npmLogToken = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`"((?:[^"\\]|\\.)*)"`) })
)

// npmLogPackages returns the packages one debug log names, each once, in
// the order they appear.
func npmLogPackages(data []byte) []lockfiles.Package {
	var pkgs []lockfiles.Package
	seen := map[string]bool{}
	add := func(p lockfiles.Package, line int) {
		k := p.Name + "@" + p.Version + " " + p.Resolved
		if seen[k] {
			return
		}
		seen[k] = true
		p.Line = line
		pkgs = append(pkgs, p)
	}
	sc := bufio.NewScanner(bytes.NewReader(data))
	sc.Buffer(nil, maxFile)
	for line := 1; sc.Scan(); line++ {
		// "<n> <level> <message>"
		f := strings.SplitN(sc.Text(), " ", 3)
		if len(f) < 3 {
			continue
		}
		msg := f[2]
		switch {
		case strings.HasPrefix(msg, "argv "):
			var argv []string
			for _, m := range npmLogToken().FindAllStringSubmatch(msg, -1) {
				a, err := strconv.Unquote(`"` + m[1] + `"`)
				if err != nil {
					a = m[1]
				}
				argv = append(argv, a)
			}
			for _, spec := range npmCommandSpecs(argv) {
				if p, ok := lockfiles.SpecPackage(spec); ok {
					add(p, line)
				}
			}
		case strings.HasPrefix(msg, "fetch GET 2") || strings.HasPrefix(msg, "fetch GET 304"):
			// "fetch GET 200 <url> 38ms (cache miss)"
			w := strings.Fields(msg)
			if len(w) > 3 {
				if p, ok := registryURLPackage(w[3]); ok && p.Version != "" {
					add(p, line)
				}
			}
		case strings.HasPrefix(msg, "cache "):
			// "cache postmark-mcp@http://host/postmark-mcp/-/postmark-mcp-1.0.18.tgz 0ms (cache hit)"
			w := strings.Fields(msg)
			if len(w) > 1 {
				if i := strings.Index(w[1], "@http"); i > 0 {
					if p, ok := registryURLPackage(w[1][i+1:]); ok && p.Version != "" {
						add(p, line)
					}
				}
			}
		}
	}
	return pkgs
}

// npmCommandSpecs returns the package specs an npm command line names:
// the package 'npm exec' (npx) runs, and those 'npm cache add' stores.
func npmCommandSpecs(argv []string) []string {
	if len(argv) == 0 {
		return nil
	}
	switch argv[0] {
	case "exec", "x":
		if spec, ok := lockfiles.PackageArg(argv[1:]); ok {
			return []string{spec}
		}
	case "cache":
		if len(argv) > 1 && argv[1] == "add" {
			var specs []string
			for _, a := range argv[2:] {
				if !strings.HasPrefix(a, "-") {
					specs = append(specs, a)
				}
			}
			return specs
		}
	}
	return nil
}

// Dirs returns the npm cache directories (relative to home) whose
// packuments gave publishers, in the order read.
func (p *Publishers) Dirs() []string {
	var out []string
	for _, f := range p.files {
		d, _, _ := strings.Cut(f, "/content-v2/")
		if !slices.Contains(out, d) {
			out = append(out, d)
		}
	}
	return out
}
