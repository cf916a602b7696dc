// Package gittest builds git repositories for tests: commits with fixed
// authors and dates, branches, merges, shallow and bare clones, and npm
// package-lock.json v3 files to put in them.
package gittest

import (
	"crypto/sha512"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"
)

// A Repo is a git work tree under construction. Its methods fail the test
// on any error.
type Repo struct {
	T   testing.TB
	Dir string
}

// Init creates an empty repository with branch main in a new temporary
// directory. It skips the test when git is not installed.
func Init(t testing.TB) *Repo {
	t.Helper()
	if _, err := exec.LookPath("git"); err != nil {
		t.Skip("git is not installed")
	}
	r := &Repo{T: t, Dir: t.TempDir()}
	r.Git("init", "-q", "-b", "main", ".")
	return r
}

// Git runs git in the repository with a clean, fixed environment and
// returns its trimmed output. Commit dates come from date (zero: now).
func (r *Repo) Git(args ...string) string {
	r.T.Helper()
	return run(r.T, r.Dir, time.Time{}, args...)
}

func run(t testing.TB, dir string, date time.Time, args ...string) string {
	t.Helper()
	cmd := exec.Command("git", append([]string{"-c", "user.name=Test", "-c", "user.email=test@example.com",
		"-c", "init.defaultBranch=main", "-c", "protocol.file.allow=always"}, args...)...)
	cmd.Dir = dir
	env := []string{"HOME=" + dir, "GIT_CONFIG_NOSYSTEM=1", "GIT_CONFIG_GLOBAL=/dev/null", "PATH=" + os.Getenv("PATH")}
	if !date.IsZero() {
		d := date.Format(time.RFC3339)
		env = append(env, "GIT_AUTHOR_DATE="+d, "GIT_COMMITTER_DATE="+d)
	}
	cmd.Env = env
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("git %s: %v\n%s", strings.Join(args, " "), err, out)
	}
	return strings.TrimSpace(string(out))
}

// Write writes a file (slash path relative to the work tree).
func (r *Repo) Write(path, content string) {
	r.T.Helper()
	full := filepath.Join(r.Dir, filepath.FromSlash(path))
	if err := os.MkdirAll(filepath.Dir(full), 0o755); err != nil {
		r.T.Fatal(err)
	}
	if err := os.WriteFile(full, []byte(content), 0o644); err != nil {
		r.T.Fatal(err)
	}
}

// Remove deletes a file from the work tree.
func (r *Repo) Remove(path string) {
	r.T.Helper()
	if err := os.Remove(filepath.Join(r.Dir, filepath.FromSlash(path))); err != nil {
		r.T.Fatal(err)
	}
}

// Move moves a tracked file with git mv, creating the directory it moves
// to.
func (r *Repo) Move(from, to string) {
	r.T.Helper()
	if err := os.MkdirAll(filepath.Dir(filepath.Join(r.Dir, filepath.FromSlash(to))), 0o755); err != nil {
		r.T.Fatal(err)
	}
	r.Git("mv", from, to)
}

// Commit stages everything and commits it as author name at date, and
// returns the new commit's hash.
func (r *Repo) Commit(msg, author string, date time.Time) string {
	r.T.Helper()
	run(r.T, r.Dir, date, "add", "-A")
	run(r.T, r.Dir, date, "-c", "user.name="+author, "-c", "user.email="+strings.ToLower(author)+"@example.com",
		"commit", "-q", "--allow-empty", "-m", msg)
	return r.Git("rev-parse", "HEAD")
}

// Merge merges branch into the current branch with a merge commit at date
// and returns its hash.
func (r *Repo) Merge(branch, author string, date time.Time) string {
	r.T.Helper()
	run(r.T, r.Dir, date, "-c", "user.name="+author, "-c", "user.email="+strings.ToLower(author)+"@example.com",
		"merge", "-q", "--no-ff", "--no-edit", branch)
	return r.Git("rev-parse", "HEAD")
}

// Clone clones the repository through a file:// URL (so that --depth
// works) into a new temporary directory with the extra git clone arguments
// (e.g. "--depth", "2", "--no-single-branch", "--bare") and returns its path.
func (r *Repo) Clone(args ...string) string {
	r.T.Helper()
	dst := filepath.Join(r.T.TempDir(), "clone")
	run(r.T, r.Dir, time.Time{}, append(append([]string{"clone", "-q"}, args...), "file://"+filepath.ToSlash(r.Dir), dst)...)
	return dst
}

// A Dep is one package of a lockfile built by [NPMLock].
type Dep struct {
	Name, Version string
	Dev           bool
}

// NPMLock returns an npm package-lock.json (lockfileVersion 3, as npm 10
// writes it) for project name whose direct dependencies are deps, each
// resolved from the public registry with a deterministic integrity.
// Padding adds that many extra dependencies (pad-00000@1.0.0, ...) to make a
// large file.
func NPMLock(name string, deps []Dep, padding int) string {
	type entry struct {
		Name            string            `json:"name,omitempty"`
		Version         string            `json:"version"`
		Resolved        string            `json:"resolved,omitempty"`
		Integrity       string            `json:"integrity,omitempty"`
		Dev             bool              `json:"dev,omitempty"`
		License         string            `json:"license,omitempty"`
		Dependencies    map[string]string `json:"dependencies,omitempty"`
		DevDependencies map[string]string `json:"devDependencies,omitempty"`
	}
	all := slices.Clone(deps)
	for i := range padding {
		all = append(all, Dep{Name: fmt.Sprintf("pad-%05d", i), Version: "1.0.0"})
	}
	root := entry{Name: name, Version: "1.0.0", Dependencies: map[string]string{}}
	pkgs := map[string]entry{}
	for _, d := range all {
		if d.Dev {
			if root.DevDependencies == nil {
				root.DevDependencies = map[string]string{}
			}
			root.DevDependencies[d.Name] = "^" + d.Version
		} else {
			root.Dependencies[d.Name] = "^" + d.Version
		}
		sum := sha512.Sum512([]byte(d.Name + "@" + d.Version))
		pkgs["node_modules/"+d.Name] = entry{
			Version:   d.Version,
			Resolved:  fmt.Sprintf("https://registry.npmjs.org/%s/-/%s-%s.tgz", d.Name, baseName(d.Name), d.Version),
			Integrity: "sha512-" + base64.StdEncoding.EncodeToString(sum[:]),
			Dev:       d.Dev,
			License:   "MIT",
		}
	}
	pkgs[""] = root
	doc := struct {
		Name            string           `json:"name"`
		Version         string           `json:"version"`
		LockfileVersion int              `json:"lockfileVersion"`
		Requires        bool             `json:"requires"`
		Packages        map[string]entry `json:"packages"`
	}{name, "1.0.0", 3, true, pkgs}
	b, err := json.MarshalIndent(doc, "", "  ") // map keys sorted: "" first, like npm
	if err != nil {
		panic(err) // cannot happen: plain strings and maps
	}
	return string(b) + "\n"
}

func baseName(name string) string {
	if i := strings.LastIndexByte(name, '/'); i >= 0 {
		return name[i+1:]
	}
	return name
}

// Sept returns day d of September 2025 at hour h UTC: the month of the
// postmark-mcp incident, when the test histories take place.
func Sept(d, h int) time.Time { return time.Date(2025, 9, d, h, 0, 0, 0, time.UTC) }

// MailerLock returns the lockfile of the "mailer" project of the test
// histories: chalk 4.1.2 and, unless postmark is "", postmark-mcp at that
// version.
func MailerLock(postmark string) string {
	deps := []Dep{{Name: "chalk", Version: "4.1.2"}}
	if postmark != "" {
		deps = append(deps, Dep{Name: "postmark-mcp", Version: postmark})
	}
	return NPMLock("mailer", deps, 0)
}

// An Incident is the repository most history tests read. On main the
// mailer project adds postmark-mcp 1.0.15, bumps it to the malicious
// 1.0.16 and 1.0.18, and removes it; branch release forks at 1.0.16 and
// keeps it. Each field is a commit's hash.
type Incident struct {
	*Repo
	Init    string // Alice, Sept 10 09:00: package.json only
	Add     string // Alice, Sept 15 09:00: postmark-mcp 1.0.15
	Bump16  string // Bob, Sept 17 10:00: 1.0.16; release forks here
	Readme  string // Alice, Sept 18 09:00: README.md only
	Bump18  string // Bob, Sept 19 09:00: 1.0.18
	Remove  string // Carol, Sept 26 09:00: postmark-mcp removed
	Readme2 string // Alice, Sept 27 09:00: README.md only; main's tip
	Release string // Dave, Sept 20 09:00, on release: CHANGES only; release's tip
}

// NewIncident builds the [Incident] repository with main checked out.
func NewIncident(t testing.TB) *Incident {
	t.Helper()
	in := &Incident{Repo: Init(t)}
	in.Write("package.json", `{"name":"mailer","version":"1.0.0"}`)
	in.Init = in.Commit("init", "Alice", Sept(10, 9))
	in.Write("package-lock.json", MailerLock("1.0.15"))
	in.Add = in.Commit("add postmark-mcp", "Alice", Sept(15, 9))
	in.Write("package-lock.json", MailerLock("1.0.16"))
	in.Bump16 = in.Commit("bump postmark-mcp to 1.0.16", "Bob", Sept(17, 10))
	in.Git("branch", "release")
	in.Write("README.md", "mailer\n")
	in.Readme = in.Commit("readme", "Alice", Sept(18, 9))
	in.Write("package-lock.json", MailerLock("1.0.18"))
	in.Bump18 = in.Commit("bump postmark-mcp to 1.0.18", "Bob", Sept(19, 9))
	in.Write("package-lock.json", MailerLock(""))
	in.Remove = in.Commit("remove postmark-mcp", "Carol", Sept(26, 9))
	in.Write("README.md", "mailer, safe\n")
	in.Readme2 = in.Commit("readme again", "Alice", Sept(27, 9))
	in.Git("checkout", "-q", "release")
	in.Write("CHANGES", "1.0\n")
	in.Release = in.Commit("release notes", "Dave", Sept(20, 9))
	in.Git("checkout", "-q", "main")
	return in
}
