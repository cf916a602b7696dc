package gitlog

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"path"
	"runtime"
	"strconv"
	"strings"
	"sync"

	"github.com/depsweep/depsweep/lockfiles"
)

// MaxBlobSize is the largest lockfile blob read, in bytes (256 MiB); a
// larger blob is an error for that file, not for the history.
const MaxBlobSize = 256 << 20

// ReadBlobs streams the content of each blob through one git cat-file
// --batch process, calling fn in the order of blobs, from the calling
// goroutine. data is only valid during the call. A blob the repository does
// not hold (a partial clone) is reported to fn as an error; fn's own error
// stops the reading and is returned.
func (r *Repo) ReadBlobs(ctx context.Context, blobs []string, fn func(blob string, data []byte, err error) error) error {
	if len(blobs) == 0 {
		return nil
	}
	for _, b := range blobs {
		if b == "" || strings.ContainsAny(b, " \t\n") {
			return fmt.Errorf("invalid object id %q", b)
		}
	}
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	cmd := gitCmd(ctx, r.dir, "cat-file", "--batch")
	stdin, err := cmd.StdinPipe()
	if err != nil {
		return err
	}
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		return err
	}
	var stderr strings.Builder
	cmd.Stderr = &stderr
	if err := cmd.Start(); err != nil {
		return gitError(ctx, r.dir, "cat-file", err, nil)
	}
	// Requests are written from their own goroutine: with both pipes full,
	// writing all requests before reading would deadlock.
	go func() {
		w := bufio.NewWriter(stdin)
		for _, b := range blobs {
			if ctx.Err() != nil {
				break
			}
			w.WriteString(b)
			w.WriteByte('\n')
		}
		w.Flush()
		stdin.Close()
	}()
	rd := bufio.NewReaderSize(stdout, 256<<10)
	var buf []byte
	rerr := func() error {
		for _, b := range blobs {
			hdr, err := rd.ReadString('\n')
			if err != nil {
				return fmt.Errorf("git cat-file: %w", err)
			}
			f := strings.Fields(hdr)
			if len(f) == 2 && f[1] == "missing" {
				if err := fn(b, nil, fmt.Errorf("blob %s is missing from the repository", b)); err != nil {
					return err
				}
				continue
			}
			if len(f) != 3 {
				return fmt.Errorf("git cat-file: unexpected header for %s", b)
			}
			size, err := strconv.ParseInt(f[2], 10, 64)
			if err != nil || size < 0 {
				return fmt.Errorf("git cat-file: bad size for %s", b)
			}
			if f[1] != "blob" || size > MaxBlobSize {
				// Skip the content (and its newline) but keep the stream in step.
				if _, err := io.CopyN(io.Discard, rd, size+1); err != nil {
					return fmt.Errorf("git cat-file: %w", err)
				}
				why := fmt.Sprintf("object %s is a %s, not a blob", b, f[1])
				if f[1] == "blob" {
					why = fmt.Sprintf("blob %s is %d bytes, over the %d byte limit", b, size, MaxBlobSize)
				}
				if err := fn(b, nil, errors.New(why)); err != nil {
					return err
				}
				continue
			}
			if int64(cap(buf)) < size+1 {
				buf = make([]byte, size+1)
			}
			buf = buf[:size+1]
			if _, err := io.ReadFull(rd, buf); err != nil {
				return fmt.Errorf("git cat-file: %w", err)
			}
			if err := fn(b, buf[:size], nil); err != nil {
				return err
			}
		}
		return nil
	}()
	if rerr != nil {
		cancel() // kills git; its exit error is not the cause
		cmd.Wait()
		return rerr
	}
	if err := cmd.Wait(); err != nil {
		return gitError(ctx, r.dir, "cat-file", err, []byte(stderr.String()))
	}
	return nil
}

// ParseOptions tune [Repo.Parse].
type ParseOptions struct {
	// Jobs is the number of parsing goroutines; 0 means GOMAXPROCS.
	Jobs int
	// Prefix is prepended to every lockfile path (with a slash) in the
	// inventories and errors: the repository's path relative to the scan
	// root. "" or "." means none.
	Prefix string
}

// Parse parses the lockfiles files name, each distinct blob (per lockfile
// name, which picks the parser) read and parsed once, however many commits
// and paths hold it. It calls fn once per distinct file (path and blob),
// concurrently from up to opts.Jobs goroutines, with the inventory (Path set
// to the file's path, other fields shared between the files of one blob, so
// fn must not modify it) or the error that file's blob gave.
//
// It returns the number of parses made (distinct blob and lockfile name
// pairs that were read).
//
// The parse is made without the project's package.json (a blob has no
// directory to read it from), so importer names come from the lockfile
// alone; packages and versions are unaffected.
func (r *Repo) Parse(ctx context.Context, files []File, opts ParseOptions, fn func(f File, inv *lockfiles.Inventory, err error)) (parses int, err error) {
	type key struct{ blob, name string }
	byKey := map[key][]File{}
	var order []key
	seen := map[File]bool{}
	for _, f := range files {
		if seen[f] {
			continue
		}
		seen[f] = true
		k := key{f.Blob, path.Base(f.Path)}
		if _, ok := byKey[k]; !ok {
			order = append(order, k)
		}
		byKey[k] = append(byKey[k], f)
	}
	// One read per blob even when it is parsed under two names.
	var blobs []string
	keysOf := map[string][]key{}
	for _, k := range order {
		if _, ok := keysOf[k.blob]; !ok {
			blobs = append(blobs, k.blob)
		}
		keysOf[k.blob] = append(keysOf[k.blob], k)
	}

	jobs := opts.Jobs
	if jobs <= 0 {
		jobs = runtime.GOMAXPROCS(0)
	}
	type work struct {
		k    key
		data []byte
		err  error
	}
	queue := make(chan work, jobs)
	var wg sync.WaitGroup
	for range jobs {
		wg.Go(func() {
			for w := range queue {
				fs := byKey[w.k]
				if w.err != nil {
					for _, f := range fs {
						fn(f, nil, fmt.Errorf("%s: %w", r.display(opts.Prefix, f.Path), w.err))
					}
					continue
				}
				first := r.display(opts.Prefix, fs[0].Path)
				inv, err := lockfiles.Parse(lockfiles.Input{Path: first, Data: w.data})
				for i, f := range fs {
					switch {
					case err != nil:
						// The error names the first path; restate it for the others.
						if i > 0 {
							err = fmt.Errorf("%s: same content as %s, which failed to parse", r.display(opts.Prefix, f.Path), first)
						}
						fn(f, nil, err)
					case i == 0:
						fn(f, inv, nil)
					default:
						c := *inv
						c.Path = r.display(opts.Prefix, f.Path)
						fn(f, &c, nil)
					}
				}
			}
		})
	}
	err = r.ReadBlobs(ctx, blobs, func(blob string, data []byte, err error) error {
		ks := keysOf[blob]
		if err == nil {
			// ReadBlobs reuses its buffer; each parse needs its own copy.
			data = append([]byte(nil), data...)
		}
		for _, k := range ks {
			select {
			case queue <- work{k, data, err}:
			case <-ctx.Done():
				return ctx.Err()
			}
		}
		return nil
	})
	close(queue)
	wg.Wait()
	if err != nil {
		return 0, err
	}
	return len(order), nil
}

func (r *Repo) display(prefix, p string) string {
	if prefix == "" || prefix == "." {
		return p
	}
	return strings.TrimSuffix(prefix, "/") + "/" + p
}
