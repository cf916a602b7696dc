package feeds

import (
	"bytes"
	"fmt"
	"os"
	"testing"
)

func BenchmarkDefault(b *testing.B) {
	for b.Loop() {
		if _, err := Default(); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkParseOSV(b *testing.B) {
	data, err := os.ReadFile("../testdata/osv/MAL-2025-47604.json")
	if err != nil {
		b.Fatal(err)
	}
	b.SetBytes(int64(len(data)))
	for b.Loop() {
		if _, err := ParseOSV(bytes.NewReader(data), "MAL-2025-47604.json"); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkLoadZip loads a 20,000-record export built from the real
// MAL-2025-47604 record with distinct ids and package names, about the
// shape of OpenSSF malicious-packages' npm records.
func BenchmarkLoadZip(b *testing.B) {
	const n = 20000
	mal, err := os.ReadFile("../testdata/osv/MAL-2025-47604.json")
	if err != nil {
		b.Fatal(err)
	}
	entries := make([]zipEntry, n)
	total := 0
	for i := range entries {
		rec := bytes.ReplaceAll(mal, []byte("MAL-2025-47604"), fmt.Appendf(nil, "MAL-2025-%d", i))
		rec = bytes.ReplaceAll(rec, []byte(`"name": "postmark-mcp"`), fmt.Appendf(nil, `"name": "pkg-%d"`, i))
		entries[i] = zipEntry{name: fmt.Sprintf("osv/malicious/npm/pkg-%d/MAL-2025-%d.json", i, i), data: rec}
		total += len(rec)
	}
	p := writeZip(b, entries)
	b.SetBytes(int64(total))
	b.ResetTimer()
	for b.Loop() {
		f, err := Load(p)
		if err != nil {
			b.Fatal(err)
		}
		if len(f.Indicators) != n {
			b.Fatalf("Load = %d indicators, want %d", len(f.Indicators), n)
		}
	}
}
