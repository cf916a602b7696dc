package feeds

import (
	"bytes"
	"os"
	"testing"
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
