package main

import (
	"bytes"
	"slices"

	"github.com/depsweep/depsweep/feeds"
)

// feedExport is 'depsweep feed export --blocklist FORMAT'.
func feedExport(e *env, args []string) (int, error) {
	fs := newFlags("feed")
	var (
		ff     feedFlags
		format string
		output string
	)
	ff.register(fs)
	fs.StringVar(&format, "blocklist", "", helpBlocklist)
	fs.StringVarP(&output, "output", "o", "", helpOutput)
	if done, err := parseFlags(e, "feed", fs, args, usageFeedExport, ""); done {
		return flagExit(err)
	}
	if fs.NArg() > 0 {
		return 2, errExportArgs()
	}
	if !slices.Contains(feeds.BlocklistFormats, format) {
		return 2, errExportFormat(format, feeds.BlocklistFormats)
	}
	fds, err := ff.load()
	if err != nil {
		return 2, err
	}
	var b bytes.Buffer
	if err := feeds.WriteBlocklist(&b, format, fds); err != nil {
		return 2, errExport(err)
	}
	out, err := openOutput(e, output)
	if err != nil {
		return 2, errOutput(err)
	}
	defer out.abort()
	if _, err := out.w.Write(b.Bytes()); err != nil {
		return 2, errOutput(err)
	}
	if err := out.commit(); err != nil {
		return 2, errOutput(err)
	}
	return 0, nil
}
