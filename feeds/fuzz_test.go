package feeds

import (
	"bytes"
	"encoding/json"
	"os"
	"reflect"
	"testing"

	jsonv2 "github.com/go-json-experiment/json"
)

// seeds adds every file matching the patterns, and the usual degenerate
// inputs, to the corpus of f.
func seeds(f *testing.F, patterns ...string) {
	for _, p := range patterns {
		for _, path := range glob(f, p) {
			b, err := os.ReadFile(path)
			if err != nil {
				f.Fatal(err)
			}
			f.Add(b)
		}
	}
	for _, s := range []string{"", "null", "[]", "{}", "format: depsweep/feed/v1\n"} {
		f.Add([]byte(s))
	}
}

// FuzzParseNative checks that a feed ParseNative accepts survives a round
// trip through WriteNative unchanged.
func FuzzParseNative(f *testing.F) {
	seeds(f, "../testdata/feeds/valid/*", "../testdata/feeds/invalid/*.yaml", "../testdata/feeds/hostile/*.yaml", "embedded/*.yaml")
	f.Fuzz(func(t *testing.T, data []byte) {
		feed, err := ParseNative(bytes.NewReader(data), "fuzz.yaml")
		if err != nil {
			return
		}
		if len(feed.Indicators) == 0 {
			t.Fatal("ParseNative accepted a feed without indicators")
		}
		roundTrip(t, "fuzz.yaml", feed)
	})
}

// FuzzParseOSV checks that ParseOSV never panics and that every indicator
// it gives has a value and an advisory with an id.
func FuzzParseOSV(f *testing.F) {
	seeds(f, "../testdata/osv/*.json", "../testdata/feeds/osv/*.json", "../testdata/feeds/hostile/*.json")
	f.Fuzz(func(t *testing.T, data []byte) {
		feed, err := ParseOSV(bytes.NewReader(data), "fuzz.json")
		if err != nil {
			return
		}
		for _, ind := range feed.Indicators {
			if ind.Value == "" || ind.Advisory == nil || ind.Advisory.ID == "" {
				t.Fatalf("ParseOSV gave indicator %+v", ind)
			}
		}
		if len(feed.Indicators) > 0 {
			roundTrip(t, "fuzz.json", feed)
		}
	})
}

// FuzzOSVDecoders checks that the fast decoder of OSV records accepts
// exactly what encoding/json accepts, and decodes it to the same values.
func FuzzOSVDecoders(f *testing.F) {
	seeds(f, "../testdata/osv/*.json", "../testdata/feeds/osv/*.json", "../testdata/feeds/hostile/*.json")
	f.Fuzz(func(t *testing.T, data []byte) {
		var fast, std osvRecord
		fastErr := jsonv2.Unmarshal(data, &fast, v1Options)
		stdErr := json.Unmarshal(data, &std)
		if fastErr == nil && stdErr != nil {
			t.Fatalf("fast decoder accepts what encoding/json refuses (%v)", stdErr)
		}
		if fastErr == nil && !reflect.DeepEqual(fast, std) {
			t.Fatalf("decoders differ:\nfast %+v\nstd  %+v", fast, std)
		}
		var dsFast, dsStd osvDatabaseSpecific
		if jsonv2.Unmarshal(std.DatabaseSpecific, &dsFast, v1Options) == nil {
			if err := json.Unmarshal(std.DatabaseSpecific, &dsStd); err != nil || !reflect.DeepEqual(dsFast, dsStd) {
				t.Fatalf("database_specific: fast %+v, std %+v (%v)", dsFast, dsStd, err)
			}
		}
	})
}
