package lockfiles

import (
	"encoding/base64"
	"encoding/hex"
	"strings"
)

// A Hash is one digest of an npm package tarball.
type Hash struct {
	Algorithm string // "sha512", "sha384", "sha256" or "sha1"
	Digest    []byte
}

// Hex returns the digest in lower-case hex.
func (h Hash) Hex() string { return hex.EncodeToString(h.Digest) }

// String returns the hash in Subresource Integrity form ("sha512-<base64>").
func (h Hash) String() string {
	return h.Algorithm + "-" + base64.StdEncoding.EncodeToString(h.Digest)
}

var digestSize = map[string]int{"sha512": 64, "sha384": 48, "sha256": 32, "sha1": 20}

// ParseIntegrity parses an npm Subresource Integrity string: one or more
// space-separated "<algorithm>-<base64>" entries, optionally with "?options".
// Entries with an unknown algorithm or a digest of the wrong size are
// skipped. The result keeps the order of the string.
func ParseIntegrity(sri string) []Hash {
	var out []Hash
	for _, f := range strings.Fields(sri) {
		alg, b64, ok := strings.Cut(f, "-")
		if !ok {
			continue
		}
		if j := strings.IndexByte(b64, '?'); j >= 0 {
			b64 = b64[:j]
		}
		alg = strings.ToLower(alg)
		size, known := digestSize[alg]
		if !known {
			continue
		}
		d, err := base64.StdEncoding.DecodeString(b64)
		if err != nil {
			d, err = base64.RawStdEncoding.DecodeString(strings.TrimRight(b64, "="))
		}
		if err != nil || len(d) != size {
			continue
		}
		out = append(out, Hash{Algorithm: alg, Digest: d})
	}
	return out
}

// SHA1HexIntegrity turns a hex SHA-1 (yarn classic's "#<sha1>" URL fragment)
// into an SRI string, or returns "" if it is not a SHA-1 in hex.
func SHA1HexIntegrity(hexDigest string) string {
	d, err := hex.DecodeString(hexDigest)
	if err != nil || len(d) != 20 {
		return ""
	}
	return Hash{Algorithm: "sha1", Digest: d}.String()
}
