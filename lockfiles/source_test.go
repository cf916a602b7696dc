package lockfiles

import "testing"

// TestResolvedSource: the one classifier of npm "resolved" strings, shared
// by the package-lock.json parser and installed manifests' _resolved. The
// gitlab:, bitbucket: and gist: shortcuts are git sources (the installed
// side once took gitlab: for unknown, which let a same-named git package
// pass for a registry one).
func TestResolvedSource(t *testing.T) {
	tests := []struct {
		in   string
		want Source
	}{
		{"", SourceUnknown},
		{"https://registry.npmjs.org/postmark-mcp/-/postmark-mcp-1.0.16.tgz", SourceRegistry},
		{"https://npm.corp.example/repository/npm/@acme/x/-/x-1.0.0.tgz", SourceRegistry},
		{"https://cdn.giftshop.club/postmark-mcp.tgz", SourceTarball},
		{"git+ssh://git@github.com/acme/x.git#0123abc", SourceGit},
		{"git+https://github.com/acme/x.git#0123abc", SourceGit},
		{"git://github.com/acme/x.git", SourceGit},
		{"git@github.com:acme/x.git", SourceGit},
		{"ssh://git@example.com/x.git", SourceGit},
		{"github:acme/x#0123abc", SourceGit},
		{"gitlab:acme/x#0123abc", SourceGit},
		{"bitbucket:acme/x", SourceGit},
		{"gist:11081aaa281", SourceGit},
		{"file:../x", SourceFile},
		{"link:../x", SourceLink},
		{"postmark-mcp@1.0.16", SourceUnknown},
	}
	for _, tt := range tests {
		if got := ResolvedSource(tt.in); got != tt.want {
			t.Errorf("ResolvedSource(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}
