//go:build !cgo

package xsd

import "errors"

// ErrUnavailable is returned by Compile when the package was built without cgo.
var ErrUnavailable = errors.New("xml schema validation needs cgo and libxml2")

// A Schema is a compiled XML Schema; without cgo there are none.
type Schema struct{}

// Compile returns ErrUnavailable: this build has no cgo.
func Compile(data []byte, base string) (*Schema, error) { return nil, ErrUnavailable }

// Validate returns ErrUnavailable.
func (s *Schema) Validate(doc []byte) error { return ErrUnavailable }
