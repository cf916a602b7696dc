package gitlog_test

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/depsweep/depsweep/lockfiles/gitlog"
)

const (
	commitA = "1111111111111111111111111111111111111111"
	commitB = "2222222222222222222222222222222222222222"
)

// writeFiles creates files (slash paths → content) under dir.
func writeFiles(t testing.TB, dir string, files map[string]string) {
	t.Helper()
	for name, content := range files {
		p := filepath.Join(dir, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

func TestReadMeta(t *testing.T) {
	tests := []struct {
		name  string
		files map[string]string
		want  gitlog.Meta
	}{
		{
			name: "loose ref",
			files: map[string]string{
				".git/HEAD":            "ref: refs/heads/main\n",
				".git/refs/heads/main": commitA + "\n",
				".git/config": "[core]\n\tbare = false\n[remote \"upstream\"]\n\turl = https://example.com/up.git\n" +
					"[remote \"origin\"]\n\turl = https://x-access-token:ghp_secret@github.com/acme/shop.git\n\tfetch = +refs/heads/*:refs/remotes/origin/*\n",
			},
			want: gitlog.Meta{Head: commitA, Branch: "main", Remote: "https://github.com/acme/shop.git"},
		},
		{
			name: "packed ref",
			files: map[string]string{
				".git/HEAD":        "ref: refs/heads/release/1.x\n",
				".git/packed-refs": "# pack-refs with: peeled fully-peeled sorted\n" + commitB + " refs/heads/release/1.x\n^" + commitA + "\n" + commitA + " refs/tags/v1\n",
				".git/config":      "[remote \"origin\"]\n\turl = git@github.com:acme/shop.git\n",
			},
			want: gitlog.Meta{Head: commitB, Branch: "release/1.x", Remote: "git@github.com:acme/shop.git"},
		},
		{
			name: "detached head",
			files: map[string]string{
				".git/HEAD": commitB + "\n",
			},
			want: gitlog.Meta{Head: commitB},
		},
		{
			name: "unborn branch",
			files: map[string]string{
				".git/HEAD": "ref: refs/heads/main\n",
			},
			want: gitlog.Meta{Branch: "main"},
		},
		{
			name: "gitdir file (worktree)",
			files: map[string]string{
				"work/.git":                          "gitdir: ../main/.git/worktrees/work\n",
				"main/.git/worktrees/work/HEAD":      "ref: refs/heads/feature\n",
				"main/.git/worktrees/work/commondir": "../..\n",
				"main/.git/refs/heads/feature":       commitA + "\n",
				"main/.git/config":                   "[remote \"origin\"]\n\turl = \"ssh://deploy:hunter2@git.example.com/shop.git\"\n",
			},
			want: gitlog.Meta{Head: commitA, Branch: "feature", Remote: "ssh://deploy@git.example.com/shop.git"},
		},
		{
			name:  "not a checkout",
			files: map[string]string{"package.json": "{}"},
			want:  gitlog.Meta{},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			writeFiles(t, dir, tt.files)
			repo := dir
			if _, ok := tt.files["work/.git"]; ok {
				repo = filepath.Join(dir, "work")
			}
			got, err := gitlog.ReadMeta(repo)
			if err != nil {
				t.Fatalf("ReadMeta: %v", err)
			}
			if got != tt.want {
				t.Errorf("ReadMeta() = %+v, want %+v", got, tt.want)
			}
		})
	}
}

func TestReadMetaBadGitFile(t *testing.T) {
	dir := t.TempDir()
	writeFiles(t, dir, map[string]string{".git": "not a pointer\n"})
	if _, err := gitlog.ReadMeta(dir); err == nil {
		t.Errorf("ReadMeta(.git file without gitdir) = nil error, want an error")
	}
}

func TestStripCredentials(t *testing.T) {
	tests := []struct{ in, want string }{
		{"https://github.com/acme/shop.git", "https://github.com/acme/shop.git"},
		{"https://user:pass@github.com/acme/shop.git", "https://github.com/acme/shop.git"},
		{"https://ghp_token@github.com/acme/shop.git", "https://github.com/acme/shop.git"},
		{"HTTP://u:p@host:8080/r?x=1", "HTTP://host:8080/r?x=1"},
		{"ssh://git@github.com/acme/shop.git", "ssh://git@github.com/acme/shop.git"},
		{"ssh://git:secret@github.com/acme/shop.git", "ssh://git@github.com/acme/shop.git"},
		{"git@github.com:acme/shop.git", "git@github.com:acme/shop.git"},
		{"/srv/git/shop.git", "/srv/git/shop.git"},
		{"", ""},
	}
	for _, tt := range tests {
		if got := gitlog.StripCredentials(tt.in); got != tt.want {
			t.Errorf("StripCredentials(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}
