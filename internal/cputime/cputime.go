// Package cputime reads the CPU time of the running process, for the
// benchmarks that report it beside wall time (steadier on a shared
// machine).
package cputime
