package main

import (
	"debug/buildinfo"
	"fmt"
	"path"
	"regexp"
	"runtime"
	"runtime/debug"

	"github.com/depsweep/depsweep/sbom"

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

// cmdVersion is 'depsweep version'; with --sbom, the CycloneDX SBOM of
// depsweep's own binary (or --binary FILE's) from its Go build information.
func cmdVersion(e *env, args []string) (int, error) {
	fs := newFlags("version")
	var (
		withSBOM      bool
		binary        string
		binVersion    string
		output        string
		spec          string
		deterministic bool
	)
	fs.BoolVar(&withSBOM, "sbom", false, helpVersionSBOM)
	fs.StringVar(&binary, "binary", "", helpVersionBinary)
	fs.StringVar(&binVersion, "binary-version", "", helpVersionBinVer)
	fs.StringVarP(&output, "output", "o", "", helpVersionOutput)
	fs.StringVar(&spec, "spec-version", "1.6", helpSpecVersion)
	fs.BoolVar(&deterministic, "deterministic", false, helpDeterminist)
	if done, err := parseFlags(e, "version", fs, args, usageVersion, ""); done {
		return flagExit(err)
	}
	if fs.NArg() > 0 {
		return 2, errVersionArgs()
	}
	if withSBOM || binary != "" {
		return versionSBOM(e, binary, binVersion, output, spec, deterministic)
	}
	fmt.Fprintf(e.stdout, "depsweep %s\n", toolVersion())
	fmt.Fprintf(e.stdout, "%s %s/%s\n", runtime.Version(), runtime.GOOS, runtime.GOARCH)
	fmt.Fprintf(e.stdout, "embedded feed sha256 %s\n", feeds.DefaultSHA256())
	return 0, nil
}

// versionSBOM writes the SBOM of a Go binary: the running depsweep, or
// binary when given (a release build for another platform, say).
func versionSBOM(e *env, binary, binVersion, output, spec string, deterministic bool) (int, error) {
	so := sbomOpts{format: "json", spec: spec, deterministic: deterministic}
	opts, err := so.options() // ToolVersion: this depsweep, the SBOM's author
	if err != nil {
		return 2, err
	}
	var bi *debug.BuildInfo
	name := "depsweep"
	if binary == "" {
		var ok bool
		if bi, ok = debug.ReadBuildInfo(); !ok {
			return 2, errNoBuildInfo("depsweep")
		}
	} else {
		if bi, err = buildinfo.ReadFile(binary); err != nil {
			return 2, errNoBuildInfo(binary)
		}
		if bi.Main.Path != "github.com/depsweep/depsweep" {
			name = path.Base(bi.Path)
		}
	}
	// The version of another binary is its own, not this one's: as
	// --binary-version says, else as -X main.version in its -ldflags says
	// (recorded unless it was built with -trimpath), else its module version.
	mainVersion := toolVersion()
	if binary != "" {
		mainVersion = bi.Main.Version
		if m := regexp.MustCompile(`-X main\.version=([^\s"']+)`).FindStringSubmatch(buildSetting(bi, "-ldflags")); m != nil {
			mainVersion = m[1]
		}
		if binVersion != "" {
			mainVersion = binVersion
		}
	}
	bom, err := sbom.Binary(bi, name, mainVersion, opts)
	if err != nil {
		return 2, errSBOM(err)
	}
	out, err := openOutput(e, output)
	if err != nil {
		return 2, errOutput(err)
	}
	defer out.abort()
	if err := sbom.Write(out.w, bom, opts); err != nil {
		return 2, errOutput(err)
	}
	if err := out.commit(); err != nil {
		return 2, errOutput(err)
	}
	return 0, nil
}

// buildSetting returns the value of build setting key, "" when unset.
func buildSetting(bi *debug.BuildInfo, key string) string {
	for _, s := range bi.Settings {
		if s.Key == key {
			return s.Value
		}
	}
	return ""
}
