package main

import (
	"errors"
	"fmt"
	"time"

	"github.com/depsweep/depsweep/feeds"
)

// feedUpdate is 'depsweep feed update': fetch OSV's npm export into the
// user cache directory, for --feed osv:npm. Besides --registry, the only
// command that touches the network, and only when run.
func feedUpdate(e *env, args []string) (int, error) {
	fs := newFlags("feed")
	var (
		u       string
		maxMiB  int64
		timeout time.Duration
	)
	fs.StringVar(&u, "url", feeds.DefaultOSVNPMURL, helpUpdateURL)
	fs.Int64Var(&maxMiB, "max-size", feeds.MaxZipSize>>20, helpUpdateMax)
	fs.DurationVar(&timeout, "timeout", 10*time.Minute, helpUpdateTimeout)
	if done, err := parseFlags(e, "feed", fs, args, usageFeed, ""); done {
		return flagExit(err)
	}
	if fs.NArg() > 0 {
		return 2, errUpdateArgs()
	}
	if maxMiB <= 0 {
		return 2, errUpdateMax(maxMiB)
	}
	dir, err := feeds.OSVCacheDir("")
	if err != nil {
		return 2, errUpdate(err)
	}
	res, err := feeds.Update(e.ctx, feeds.UpdateOptions{URL: u, CacheDir: dir, MaxSize: maxMiB << 20, Timeout: timeout})
	if err != nil {
		return 2, errUpdate(err)
	}
	m := res.Meta
	state := "updated"
	if !res.Modified {
		state = "up to date (not modified since " + m.Fetched.Format(time.RFC3339) + ")"
	}
	fmt.Fprintf(e.stdout, "%s %s: %d advisories, %d indicators\n", feeds.OSVNPMName, state, m.Advisories, m.Indicators)
	fmt.Fprintf(e.stdout, "  sha256      %s\n", m.SHA256)
	fmt.Fprintf(e.stdout, "  size        %d bytes\n", m.Size)
	fmt.Fprintf(e.stdout, "  from        %s\n", m.URL)
	fmt.Fprintf(e.stdout, "  cached      %s\n", res.Path)
	return 0, nil
}

// cachedOSVFeed loads the cached OSV npm export, for --feed osv:npm
// (pinned when pin is not ""); a missing cache, or one changed since it
// was fetched, says which command to run.
func cachedOSVFeed(pin string) (*feeds.Feed, error) {
	dir, err := feeds.OSVCacheDir("")
	if err != nil {
		return nil, errFeed(err)
	}
	fd, err := feeds.LoadCachedOSV(dir, feeds.OSVNPMName, pin)
	if errors.Is(err, feeds.ErrNoCache) {
		return nil, errNoOSVCache(dir)
	}
	if errors.Is(err, feeds.ErrCacheChanged) {
		return nil, errOSVCacheChanged(err)
	}
	if err != nil {
		return nil, errFeed(err)
	}
	return fd, nil
}
