package main

import (
	"bytes"
	"context"
	"os"
	"regexp"
	"slices"
	"strings"
	"testing"
)

// helpFlags runs 'depsweep ARGS --help' and returns the flags its Flags
// section lists, without the dashes.
func helpFlags(t *testing.T, args ...string) []string {
	t.Helper()
	var stdout, stderr bytes.Buffer
	if code := run(context.Background(), append(args, "--help"), strings.NewReader(""), &stdout, &stderr); code != 0 {
		t.Fatalf("depsweep %s --help: exit %d\n%s", strings.Join(args, " "), code, stderr.String())
	}
	var flags []string
	for _, m := range regexp.MustCompile(`(?m)^\s+(?:-\w, )?--([a-z0-9-]+)`).FindAllStringSubmatch(stdout.String(), -1) {
		flags = append(flags, m[1])
	}
	if len(flags) == 0 {
		t.Fatalf("depsweep %s --help lists no flags:\n%s", strings.Join(args, " "), stdout.String())
	}
	return flags
}

// usageCommands returns the subcommands the lines "depsweep NAME ..." of
// text name, in order and without repeats.
func usageCommands(text string) []string {
	var out []string
	for _, m := range regexp.MustCompile(`(?m)^\s*(?://\s*)?depsweep ([a-z]+)\b`).FindAllStringSubmatch(text, -1) {
		if !slices.Contains(out, m[1]) {
			out = append(out, m[1])
		}
	}
	return out
}

// TestDocCoversCommands checks that the manual (doc.go) and the usage
// text cannot drift from the commands: both list every subcommand of the
// command table and no other, and doc.go names every flag of every
// command, and no flag that does not exist.
func TestDocCoversCommands(t *testing.T) {
	src, err := os.ReadFile("doc.go")
	if err != nil {
		t.Fatal(err)
	}
	doc := string(src)
	usageSection, _, ok := strings.Cut(doc, "// # Exit codes")
	if !ok {
		t.Fatal("doc.go has no # Exit codes section")
	}
	_, usageSection, ok = strings.Cut(usageSection, "// # Usage")
	if !ok {
		t.Fatal("doc.go has no # Usage section")
	}
	var names []string
	for _, c := range commands {
		names = append(names, c.name)
	}
	slices.Sort(names)
	_, mainUsage, _ := strings.Cut(usageMain, "\nUsage:\n")
	mainUsage, _, _ = strings.Cut(mainUsage, "\n\n")
	for what, text := range map[string]string{"doc.go # Usage": usageSection, "usageMain's Usage": mainUsage} {
		got := usageCommands(text)
		slices.Sort(got)
		if !slices.Equal(got, names) {
			t.Errorf("%s lists commands %q, want the command table's %q", what, got, names)
		}
	}

	known := map[string]bool{}
	check := func(args ...string) {
		for _, f := range helpFlags(t, args...) {
			known[f] = true
			if !strings.Contains(doc, "--"+f) {
				t.Errorf("doc.go does not mention --%s (a flag of depsweep %s)", f, strings.Join(args, " "))
			}
		}
	}
	for _, c := range commands {
		if c.name == "help" {
			continue // help prints usageMain or the man page: no flags of its own
		}
		if c.name == "feed" {
			for _, sub := range feedCommandNames() {
				check("feed", sub)
			}
			continue
		}
		check(c.name)
	}
	for _, text := range []string{doc, usageMain, usageScan, usageHistory, usageSBOM, usageFeed, usageConvert, usageMerge} {
		for _, m := range regexp.MustCompile(`(?:^|[^-\w])--([a-z][a-z0-9-]*)`).FindAllStringSubmatch(text, -1) {
			if !known[m[1]] {
				t.Errorf("documentation names --%s, which no command has", m[1])
			}
		}
	}
}
