package main

import (
	"context"
	"fmt"
	"io"
)

// run is the whole command: it parses args, does the work, and returns the
// exit code. Tests call it directly.
func run(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	fmt.Fprintln(stderr, "depsweep: not built yet")
	return 2
}
