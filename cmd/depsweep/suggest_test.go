package main

import "testing"

func TestSuggest(t *testing.T) {
	cmds := []string{"scan", "sbom", "history", "feed", "convert", "merge", "version", "completion", "help"}
	flags := []string{"format", "fail-on", "fail-on-new", "feed", "feed-sha256", "output", "registry", "registry-metadata", "baseline"}
	for _, tc := range []struct {
		in   string
		list []string
		want string
	}{
		{"scna", cmds, "scan"},       // swap
		{"sacn", cmds, "scan"},       // swap
		{"histroy", cmds, "history"}, // swap
		{"merg", cmds, "merge"},      // deletion
		{"versoin", cmds, "version"},
		{"deploy", cmds, ""}, // nothing close
		{"x", cmds, ""},
		{"scan", cmds, ""}, // exact: no suggestion
		{"fromat", flags, "format"},
		{"fail-o", flags, "fail-on"},
		{"registry-meta", flags, "registry-metadata"}, // prefix
		{"baselin", flags, "baseline"},
		{"colour", flags, ""},
	} {
		if got := suggest(tc.in, tc.list); got != tc.want {
			t.Errorf("suggest(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}

func TestEditDistance(t *testing.T) {
	for _, tc := range []struct {
		a, b string
		want int
	}{
		{"", "", 0}, {"a", "", 1}, {"", "abc", 3}, {"scan", "scan", 0},
		{"scan", "scna", 1}, {"kitten", "sitting", 3}, {"ca", "abc", 3}, {"é", "e", 1},
	} {
		if got := editDistance(tc.a, tc.b); got != tc.want {
			t.Errorf("editDistance(%q, %q) = %d, want %d", tc.a, tc.b, got, tc.want)
		}
	}
}
