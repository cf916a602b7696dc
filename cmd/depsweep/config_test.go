package main

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestConfigPrecedence runs every combination of a config file, a
// DEPSWEEP_* variable and a flag setting --format, and checks which wins:
// the flag, then the variable, then the file, then the default (text).
func TestConfigPrecedence(t *testing.T) {
	lock := "../../testdata/fixtures/pnpm8-direct-lock6"
	dir := t.TempDir()
	cfg := filepath.Join(dir, "depsweep.yaml")
	if err := os.WriteFile(cfg, []byte("format: json\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	sniff := func(out string) string {
		switch {
		case strings.HasPrefix(out, "{\n  \"schema\""):
			return "json"
		case strings.Contains(out, `"$schema"`) && strings.Contains(out, "sarif"):
			return "sarif"
		case strings.HasPrefix(out, "# "):
			return "markdown"
		}
		return "text"
	}
	for _, tc := range []struct {
		file, env, flag bool
		want            string
	}{
		{false, false, false, "text"},
		{true, false, false, "json"},
		{false, true, false, "sarif"},
		{true, true, false, "sarif"},
		{false, false, true, "markdown"},
		{true, false, true, "markdown"},
		{false, true, true, "markdown"},
		{true, true, true, "markdown"},
	} {
		args := []string{"scan", "--no-config"}
		if tc.file {
			args = []string{"scan", "--config", cfg}
		}
		if tc.flag {
			args = append(args, "--format", "markdown")
		}
		env := ""
		if tc.env {
			env = "sarif"
		}
		t.Setenv("DEPSWEEP_FORMAT", env)
		var out, errb bytes.Buffer
		code := run(context.Background(), append(args, lock), nil, &out, &errb)
		if code != 1 {
			t.Fatalf("%v: exit %d, want 1; stderr: %s", args, code, errb.String())
		}
		if got := sniff(out.String()); got != tc.want {
			t.Errorf("file=%v env=%v flag=%v: format %s, want %s", tc.file, tc.env, tc.flag, got, tc.want)
		}
	}
}

// TestConfigKnowsEveryFlag: every long flag of every command is a key the
// config file accepts, and the list of commands is complete.
func TestConfigKnowsEveryFlag(t *testing.T) {
	names := allFlagNames()
	for _, want := range []string{"format", "fail-on", "feed", "registry-metadata", "baseline", "shard", "ignore-file", "output-dir", "since"} {
		if !names[want] {
			t.Errorf("config key %q unknown", want)
		}
	}
	var b bytes.Buffer
	writeBashCompletion(&b, commandFlagSets())
	for _, c := range commandNames() {
		if c == "help" || c == "completion" || c == "feed" {
			continue
		}
		if !strings.Contains(b.String(), "\""+c+" \"*)") {
			t.Errorf("command %s has no flags in the completion script: add it to the command table", c)
		}
	}
}
