package bom

import (
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"strings"

	"github.com/depsweep/depsweep/lockfiles"
)

// inSources are the Source values a depsweep:source property may carry.
var inSources = map[string]lockfiles.Source{
	string(lockfiles.SourceRegistry):  lockfiles.SourceRegistry,
	string(lockfiles.SourceTarball):   lockfiles.SourceTarball,
	string(lockfiles.SourceGit):       lockfiles.SourceGit,
	string(lockfiles.SourceFile):      lockfiles.SourceFile,
	string(lockfiles.SourceLink):      lockfiles.SourceLink,
	string(lockfiles.SourceWorkspace): lockfiles.SourceWorkspace,
	string(lockfiles.SourceRuntime):   lockfiles.SourceRuntime,
}

func (c *inComp) prop(name string) (string, bool) {
	for _, p := range c.Props {
		if p.Name == name {
			return strings.TrimSpace(p.Value), true
		}
	}
	return "", false
}

func (c *inComp) propTrue(name string) bool {
	v, ok := c.prop(name)
	return ok && strings.EqualFold(v, "true")
}

// fullName is "group/name" for an npm scope in group, else name.
func (c *inComp) fullName() string {
	if strings.HasPrefix(c.Group, "@") {
		return c.Group + "/" + c.Name
	}
	return c.Name
}

// inRef is what a bom-ref or SPDX id stands for: a package or an importer.
type inRef struct {
	pkg, imp int // -1 when not
}

// inHashAlgs maps CycloneDX and SPDX hash names to SRI algorithms.
var inHashAlgs = map[string]string{
	"SHA-512": "sha512", "SHA512": "sha512",
	"SHA-384": "sha384", "SHA384": "sha384",
	"SHA-256": "sha256", "SHA256": "sha256",
	"SHA-1": "sha1", "SHA1": "sha1",
}

var inDigestSize = map[string]int{"sha512": 64, "sha384": 48, "sha256": 32, "sha1": 20}

// inIntegrity turns hashes into an SRI string, in the order given. A
// digest is hex as the specifications say; base64 is accepted too, as
// some tools write the npm integrity's digest unconverted.
func inIntegrity(hashes []inHash) string {
	var parts []string
	for _, h := range hashes {
		alg, ok := inHashAlgs[strings.ToUpper(strings.TrimSpace(h.Alg))]
		if !ok {
			continue
		}
		v := strings.TrimSpace(h.Content)
		d, err := hex.DecodeString(v)
		if err != nil || len(d) != inDigestSize[alg] {
			d, err = base64.StdEncoding.DecodeString(v)
		}
		if err != nil || len(d) != inDigestSize[alg] {
			continue
		}
		s := lockfiles.Hash{Algorithm: alg, Digest: d}.String()
		if !strings.Contains(" "+strings.Join(parts, " ")+" ", " "+s+" ") {
			parts = append(parts, s)
		}
	}
	return strings.Join(parts, " ")
}

// inSourceOf derives the source and resolved location from purl qualifiers.
func inSourceOf(q map[string]string) (lockfiles.Source, string) {
	if v := q["vcs_url"]; v != "" {
		return lockfiles.SourceGit, v
	}
	if v := q["download_url"]; v != "" {
		if strings.HasPrefix(strings.ToLower(v), "file:") {
			return lockfiles.SourceFile, v
		}
		return lockfiles.SourceTarball, v
	}
	return lockfiles.SourceRegistry, q["repository_url"]
}

// inProblems counts components that are not matched.
type inProblems struct {
	other, bad         int
	otherLine, badLine int // of the first one
}

func (s *inProblems) addOther(line int) {
	if s.other == 0 {
		s.otherLine = line
	}
	s.other++
}

func (s *inProblems) addBad(line int) {
	if s.bad == 0 {
		s.badLine = line
	}
	s.bad++
}

func (s *inProblems) into(inv *lockfiles.Inventory, what string) {
	if s.bad > 0 {
		inv.Problems = append(inv.Problems, lockfiles.Problem{Line: s.badLine,
			Msg: fmt.Sprintf("%d %s with an invalid package URL not matched", s.bad, inPlural(s.bad, what))})
	}
	if s.other > 0 {
		inv.Problems = append(inv.Problems, lockfiles.Problem{Line: s.otherLine,
			Msg: fmt.Sprintf("%d %s without an npm package URL not matched", s.other, inPlural(s.other, what))})
	}
}

func inPlural(n int, what string) string {
	if n == 1 {
		return what
	}
	return what + "s"
}
