package publisher

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"testing"

	"github.com/depsweep/depsweep/lockfiles/installed"
)

// bigPackument is a packument of n versions, each the fixtures' postmark-mcp
// 1.0.16 document (author object, one maintainer, _npmUser) under another
// version number: the shape of a long-lived package of the public registry.
func bigPackument(tb testing.TB, n int) []byte {
	tb.Helper()
	data, err := os.ReadFile(registryDir + "/postmark-mcp.json")
	if err != nil {
		tb.Fatal(err)
	}
	var doc struct {
		Versions map[string]json.RawMessage `json:"versions"`
	}
	if err := json.Unmarshal(data, &doc); err != nil {
		tb.Fatal(err)
	}
	v := doc.Versions["1.0.16"]
	if v == nil {
		tb.Fatal("no postmark-mcp 1.0.16 in the fixture packument")
	}
	var b bytes.Buffer
	b.WriteString(`{"name":"big","versions":{`)
	for i := range n {
		if i > 0 {
			b.WriteByte(',')
		}
		fmt.Fprintf(&b, `"1.%d.0":`, i)
		b.Write(v)
	}
	b.WriteString(`}}`)
	return b.Bytes()
}

// BenchmarkPackumentDecode decodes a 3,000-version packument into what a
// Registry keeps (publishers and suppliers); BenchmarkPackumentDecodePublisherOnly
// decodes the fields the publisher alone needs, for comparison.
func BenchmarkPackumentDecode(b *testing.B) {
	data := bigPackument(b, 3000)
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	for b.Loop() {
		p, err := decodePackument("big.json", bytes.NewReader(data))
		if err != nil {
			b.Fatal(err)
		}
		if len(versionsOf(p)) != 3000 {
			b.Fatal("versions lost")
		}
	}
}

func BenchmarkPackumentDecodePublisherOnly(b *testing.B) {
	data := bigPackument(b, 3000)
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	for b.Loop() {
		var p struct {
			Versions map[string]struct {
				NpmUser     *installed.User  `json:"_npmUser"`
				Maintainers []installed.User `json:"maintainers"`
			} `json:"versions"`
		}
		if err := json.Unmarshal(data, &p); err != nil {
			b.Fatal(err)
		}
	}
}
