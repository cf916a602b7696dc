// Package validate holds only tests: it decodes every manifest in
// deploy/kubernetes strictly into the Kubernetes API types, so that a
// misspelt or misplaced field fails the build of the examples users copy.
// It is a module of its own so that depsweep itself never depends on the
// Kubernetes API packages.
package validate
