package main

import (
	"fmt"
	"runtime"
	"runtime/debug"

	"github.com/depsweep/depsweep/feeds"
)

// version is the release version, set at build time with
// -ldflags "-X main.version=v1.2.3"; when empty the module version from the
// build info is used.
var version string

// toolVersion returns the version depsweep reports.
func toolVersion() string {
	if version != "" {
		return version
	}
	if bi, ok := debug.ReadBuildInfo(); ok && bi.Main.Version != "" {
		return bi.Main.Version
	}
	return "(devel)"
}

// cmdVersion is 'depsweep version'.
func cmdVersion(e *env, args []string) (int, error) {
	fs := newFlags("version")
	if done, err := parseFlags(e, "version", fs, args, usageVersion, ""); done {
		return flagExit(err)
	}
	if fs.NArg() > 0 {
		return 2, errVersionArgs()
	}
	fmt.Fprintf(e.stdout, "depsweep %s\n", toolVersion())
	fmt.Fprintf(e.stdout, "%s %s/%s\n", runtime.Version(), runtime.GOOS, runtime.GOARCH)
	fmt.Fprintf(e.stdout, "embedded feed sha256 %s\n", feeds.DefaultSHA256())
	return 0, nil
}
