package feeds

import (
	"encoding/json"

	jsonv2 "github.com/go-json-experiment/json"
	jsonv1 "github.com/go-json-experiment/json/v1"
)

// v1Options make go-json-experiment/json decode as encoding/json does
// (case-insensitive names, duplicate names, invalid UTF-8 replaced, ...).
var v1Options = jsonv1.DefaultOptionsV1()

// unmarshalOSV decodes one OSV record's JSON into v. It tries
// go-json-experiment/json (the implementation of encoding/json/v2) in its
// encoding/json mode first: it validates while it decodes instead of in a
// pass of its own, and decodes a record about three times as fast, which
// is most of the time spent loading osv.dev's 200,000-record export. On
// any error it decodes again with encoding/json, whose result and error
// stand, so that what is accepted and every error message (with its line
// and column) are encoding/json's. FuzzOSVDecoders checks that the two
// agree.
func unmarshalOSV[T any](data []byte, v *T) error {
	if jsonv2.Unmarshal(data, v, v1Options) == nil {
		return nil
	}
	var zero T
	*v = zero
	return json.Unmarshal(data, v)
}
