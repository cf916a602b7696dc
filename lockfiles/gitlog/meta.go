package gitlog

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	"github.com/depsweep/depsweep/lockfiles"
)

// Meta is what a repository's .git files say about its checkout.
type Meta struct {
	Head   string // HEAD commit (hex), "" when not a git checkout or no commit yet
	Branch string // checked-out branch, "" when detached or not a git checkout
	Remote string // URL of the origin remote with credentials removed, "" when none
}

// ReadMeta reads the metadata of the repository in dir from its .git files,
// without running git: HEAD commit, branch and the origin remote URL
// (credentials removed, see [StripCredentials]). A .git file ("gitdir: ...",
// as in worktrees and submodules) is followed. A directory without .git
// gives a zero Meta and no error. Files are read through
// lockfiles.ReadRegular: a FIFO planted as a git file cannot block.
func ReadMeta(dir string) (Meta, error) {
	var ri Meta
	gitDir, err := findGitDir(dir)
	if err != nil || gitDir == "" {
		return ri, err
	}
	// A linked worktree keeps HEAD in its own git dir and refs, packed-refs
	// and config in the common dir named by the "commondir" file.
	common := gitDir
	if b, err := readSmall(filepath.Join(gitDir, "commondir")); err == nil {
		c := strings.TrimSpace(string(b))
		if !filepath.IsAbs(c) {
			c = filepath.Join(gitDir, c)
		}
		common = c
	}
	head, err := readSmall(filepath.Join(gitDir, "HEAD"))
	if err != nil {
		return ri, fmt.Errorf("cannot read HEAD: %v", errors.Unwrap(err))
	}
	h := strings.TrimSpace(string(head))
	if ref, ok := strings.CutPrefix(h, "ref:"); ok {
		ref = strings.TrimSpace(ref)
		ri.Branch = strings.TrimPrefix(ref, "refs/heads/")
		ri.Head = resolveRef(gitDir, common, ref)
	} else if isHex(h) {
		ri.Head = h
	}
	if b, err := readSmall(filepath.Join(common, "config")); err == nil {
		ri.Remote = StripCredentials(originURL(string(b)))
	}
	return ri, nil
}

// findGitDir returns the git directory of the repository in dir: dir/.git,
// or where a .git file points; "" when there is none.
func findGitDir(dir string) (string, error) {
	dotgit := filepath.Join(dir, ".git")
	st, err := os.Stat(dotgit)
	if err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			return "", nil
		}
		return "", lockfiles.WithoutPath(err)
	}
	if st.IsDir() {
		return dotgit, nil
	}
	b, err := readSmall(dotgit)
	if err != nil {
		return "", err
	}
	line, _, _ := strings.Cut(string(b), "\n")
	target, ok := strings.CutPrefix(strings.TrimSpace(line), "gitdir:")
	if !ok {
		return "", errors.New(".git file has no gitdir line")
	}
	target = strings.TrimSpace(target)
	if !filepath.IsAbs(target) {
		target = filepath.Join(dir, target)
	}
	return target, nil
}

// resolveRef returns the commit a ref points to: a loose ref file in the
// git dir or the common dir, else packed-refs; "" when it does not exist
// yet (a branch with no commit).
func resolveRef(gitDir, common, ref string) string {
	for range 5 { // a symbolic ref may point to another; bound the chain
		var val string
		for _, d := range []string{gitDir, common} {
			if b, err := readSmall(filepath.Join(d, filepath.FromSlash(ref))); err == nil {
				val = strings.TrimSpace(string(b))
				break
			}
		}
		if val == "" {
			return packedRef(common, ref)
		}
		next, ok := strings.CutPrefix(val, "ref:")
		if !ok {
			if isHex(val) {
				return val
			}
			return ""
		}
		ref = strings.TrimSpace(next)
	}
	return ""
}

// packedRef looks ref up in common/packed-refs.
func packedRef(common, ref string) string {
	b, err := lockfiles.ReadRegular(filepath.Join(common, "packed-refs"), maxPackedRefs, true)
	if err != nil {
		return ""
	}
	for line := range strings.Lines(string(b)) {
		line = strings.TrimSpace(line)
		if line == "" || line[0] == '#' || line[0] == '^' {
			continue
		}
		hash, name, ok := strings.Cut(line, " ")
		if ok && name == ref && isHex(hash) {
			return hash
		}
	}
	return ""
}

// originURL returns the url of [remote "origin"] in a git config file.
func originURL(config string) string {
	inOrigin := false
	for line := range strings.Lines(config) {
		line = strings.TrimSpace(line)
		if line == "" || line[0] == '#' || line[0] == ';' {
			continue
		}
		if line[0] == '[' {
			sec := strings.TrimSuffix(strings.TrimPrefix(line, "["), "]")
			name, sub, _ := strings.Cut(sec, " ")
			inOrigin = strings.EqualFold(name, "remote") && strings.Trim(strings.TrimSpace(sub), `"`) == "origin"
			continue
		}
		if !inOrigin {
			continue
		}
		k, v, ok := strings.Cut(line, "=")
		if ok && strings.EqualFold(strings.TrimSpace(k), "url") {
			v = strings.TrimSpace(v)
			if len(v) >= 2 && v[0] == '"' && v[len(v)-1] == '"' {
				v = v[1 : len(v)-1]
			}
			return v
		}
	}
	return ""
}

// StripCredentials removes a password, and for http(s) URLs any user name
// (often a token), from a remote URL. scp-like addresses ("git@host:org/repo")
// carry no secret and are returned as they are.
func StripCredentials(u string) string {
	scheme, rest, ok := strings.Cut(u, "://")
	if !ok {
		return u
	}
	hostEnd := strings.IndexAny(rest, "/?#")
	if hostEnd < 0 {
		hostEnd = len(rest)
	}
	authority := rest[:hostEnd]
	at := strings.LastIndex(authority, "@")
	if at < 0 {
		return u
	}
	user := authority[:at]
	host := authority[at+1:]
	s := strings.ToLower(scheme)
	if s == "http" || s == "https" {
		return scheme + "://" + host + rest[hostEnd:]
	}
	if name, _, hasPass := strings.Cut(user, ":"); hasPass {
		return scheme + "://" + name + "@" + host + rest[hostEnd:]
	}
	return u
}

// maxMetaFile caps a git metadata file (HEAD, config, a loose ref, a .git
// file); maxPackedRefs caps packed-refs, which a repository with many tags
// makes large.
const (
	maxMetaFile   = 1 << 20
	maxPackedRefs = 64 << 20
)

// readSmall reads a small metadata file (at most 1 MiB).
func readSmall(name string) ([]byte, error) {
	return lockfiles.ReadRegular(name, maxMetaFile, true)
}

// isHex reports whether s is a full object id (sha1 or sha256, hex).
func isHex(s string) bool {
	if len(s) != 40 && len(s) != 64 {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !('0' <= c && c <= '9' || 'a' <= c && c <= 'f') {
			return false
		}
	}
	return true
}
