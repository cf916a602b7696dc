package feeds

import (
	"bufio"
	"bytes"
	"encoding/csv"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/depsweep/depsweep/ioc"
)

// blockFeeds are two feeds naming overlapping hosts: a domain and its
// subdomain, a URL with an internationalised host, a URL on an IP
// address, and the same domain in both feeds.
func blockFeeds() []*Feed {
	a := &ioc.Advisory{ID: "A-1"}
	b := &ioc.Advisory{ID: "B-2"}
	return []*Feed{
		{Name: "one.yaml", SHA256: strings.Repeat("a", 64), Advisories: []*ioc.Advisory{a}, Indicators: []ioc.Indicator{
			{Kind: ioc.KindDomain, Value: "giftshop.club", Advisory: a},
			{Kind: ioc.KindDomain, Value: "cdn.giftshop.club", Advisory: a},
			{Kind: ioc.KindURL, Value: "https://Bücher.example/collect", Advisory: a},
			{Kind: ioc.KindURL, Value: "http://192.0.2.7/x", Advisory: a},
			{Kind: ioc.KindEmail, Value: "phan@giftshop.club", Advisory: a},
		}},
		{Name: "two.json", SHA256: strings.Repeat("b", 64), Advisories: []*ioc.Advisory{b}, Indicators: []ioc.Indicator{
			{Kind: ioc.KindDomain, Value: "giftshop.club", Advisory: b},
			{Kind: ioc.KindURL, Value: "https://exfil.example.net:8443/p", Advisory: b},
		}},
	}
}

// wantCovering are the names a subdomain-covering format lists.
var wantCovering = []string{"exfil.example.net", "giftshop.club", "xn--bcher-kva.example"}

// wantAll are the names hosts and CSV list.
var wantAll = []string{"cdn.giftshop.club", "exfil.example.net", "giftshop.club", "xn--bcher-kva.example"}

func writeBlock(t *testing.T, format string) []byte {
	t.Helper()
	var b bytes.Buffer
	if err := WriteBlocklist(&b, format, blockFeeds()); err != nil {
		t.Fatal(err)
	}
	// Every format names both feeds and their digests in its header.
	for _, want := range []string{"feed one.yaml sha256 " + strings.Repeat("a", 64), "feed two.json sha256 " + strings.Repeat("b", 64), "1 IP address"} {
		if !bytes.Contains(b.Bytes(), []byte(want)) {
			t.Errorf("%s: header lacks %q", format, want)
		}
	}
	return b.Bytes()
}

// lines returns the lines of b that are not comments or blank.
func lines(b []byte, comment string) []string {
	var out []string
	sc := bufio.NewScanner(bytes.NewReader(b))
	for sc.Scan() {
		l := strings.TrimSpace(sc.Text())
		if l != "" && !strings.HasPrefix(l, comment) {
			out = append(out, l)
		}
	}
	return out
}

func sameNames(t *testing.T, format string, got, want []string) {
	t.Helper()
	slices.Sort(got)
	if !slices.Equal(got, want) {
		t.Errorf("%s: names %v, want %v", format, got, want)
	}
}

func TestBlocklistHosts(t *testing.T) {
	var names []string
	for _, l := range lines(writeBlock(t, "hosts"), "#") {
		f := strings.Fields(l)
		if len(f) != 2 || f[0] != "0.0.0.0" {
			t.Fatalf("hosts: bad line %q", l)
		}
		names = append(names, f[1])
	}
	sameNames(t, "hosts", names, wantAll)
}

func TestBlocklistRPZ(t *testing.T) {
	out := writeBlock(t, "rpz")
	var names []string
	for _, l := range lines(out, ";") {
		f := strings.Fields(l)
		if strings.HasPrefix(l, "$TTL") || (len(f) > 0 && f[0] == "@") {
			continue
		}
		if len(f) != 3 || f[1] != "CNAME" || f[2] != "." {
			t.Fatalf("rpz: bad line %q", l)
		}
		if !strings.HasPrefix(f[0], "*.") {
			names = append(names, f[0])
		} else if !bytes.Contains(out, []byte("\n"+f[0][2:]+" CNAME .")) {
			t.Errorf("rpz: wildcard %s without its name", f[0])
		}
	}
	sameNames(t, "rpz", names, wantCovering)
	checkTool(t, out, "rpz.zone", func(path string) *exec.Cmd {
		return exec.Command("named-checkzone", "-q", "rpz.depsweep.test", path)
	}, "named-checkzone")
}

func TestBlocklistDnsmasq(t *testing.T) {
	out := writeBlock(t, "dnsmasq")
	var names []string
	for _, l := range lines(out, "#") {
		n, ok := strings.CutPrefix(l, "address=/")
		if !ok || !strings.HasSuffix(n, "/") {
			t.Fatalf("dnsmasq: bad line %q", l)
		}
		names = append(names, strings.TrimSuffix(n, "/"))
	}
	sameNames(t, "dnsmasq", names, wantCovering)
	checkTool(t, out, "blocklist.conf", func(path string) *exec.Cmd {
		return exec.Command("dnsmasq", "--test", "--conf-file="+path)
	}, "dnsmasq")
}

func TestBlocklistUnbound(t *testing.T) {
	out := writeBlock(t, "unbound")
	var names []string
	for _, l := range lines(out, "#") {
		if l == "server:" {
			continue
		}
		n, ok := strings.CutPrefix(l, `local-zone: "`)
		if !ok || !strings.HasSuffix(n, `." always_nxdomain`) {
			t.Fatalf("unbound: bad line %q", l)
		}
		names = append(names, strings.TrimSuffix(n, `." always_nxdomain`))
	}
	sameNames(t, "unbound", names, wantCovering)
	checkTool(t, out, "blocklist.conf", func(path string) *exec.Cmd {
		dir := filepath.Dir(path)
		conf := filepath.Join(dir, "unbound.conf")
		os.WriteFile(conf, []byte("server:\n    username: \"\"\n    chroot: \"\"\n    directory: \""+dir+"\"\n    pidfile: \"\"\ninclude: \""+path+"\"\n"), 0o644)
		return exec.Command("unbound-checkconf", conf)
	}, "unbound-checkconf")
}

func TestBlocklistSquid(t *testing.T) {
	out := writeBlock(t, "squid")
	var names []string
	for _, l := range lines(out, "#") {
		if l == "http_access deny depsweep_blocklist" {
			continue
		}
		n, ok := strings.CutPrefix(l, "acl depsweep_blocklist dstdomain .")
		if !ok {
			t.Fatalf("squid: bad line %q", l)
		}
		names = append(names, n)
	}
	sameNames(t, "squid", names, wantCovering)
	checkTool(t, out, "blocklist.conf", func(path string) *exec.Cmd {
		conf := filepath.Join(filepath.Dir(path), "squid.conf")
		os.WriteFile(conf, []byte("http_port 127.0.0.1:3128\ninclude "+path+"\nhttp_access deny all\n"), 0o644)
		return exec.Command("squid", "-k", "parse", "-f", conf)
	}, "squid")
}

func TestBlocklistCSV(t *testing.T) {
	out := writeBlock(t, "csv")
	r := csv.NewReader(bytes.NewReader(out))
	r.Comment = '#'
	recs, err := r.ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(recs[0], []string{"host", "kind", "advisories", "feeds"}) {
		t.Errorf("csv header %v", recs[0])
	}
	var names []string
	for _, rec := range recs[1:] {
		names = append(names, rec[0])
		if rec[0] == "giftshop.club" && (rec[2] != "A-1 B-2" || rec[3] != "one.yaml two.json") {
			t.Errorf("csv: giftshop.club row %v, want both advisories and feeds", rec)
		}
	}
	sameNames(t, "csv", names, wantAll)
}

func TestBlocklistErrors(t *testing.T) {
	a := &ioc.Advisory{ID: "A"}
	fd := &Feed{Name: "x", Indicators: []ioc.Indicator{{Kind: ioc.KindPackage, Value: "p", Advisory: a}}}
	if err := WriteBlocklist(&bytes.Buffer{}, "hosts", []*Feed{fd}); err != ErrNoHosts {
		t.Errorf("no hosts: err %v", err)
	}
	if err := WriteBlocklist(&bytes.Buffer{}, "pf", blockFeeds()); err == nil {
		t.Error("unknown format accepted")
	}
	// The same feeds give the same bytes.
	var x, y bytes.Buffer
	WriteBlocklist(&x, "rpz", blockFeeds())
	WriteBlocklist(&y, "rpz", blockFeeds())
	if !bytes.Equal(x.Bytes(), y.Bytes()) {
		t.Error("output not reproducible")
	}
}

// checkTool loads the blocklist with the real tool when it is installed
// (Debian packages bind9-utils, dnsmasq-base, unbound, squid); the test
// skips that part, saying so, when it is not.
func checkTool(t *testing.T, out []byte, name string, cmd func(path string) *exec.Cmd, tool string) {
	t.Helper()
	if _, err := exec.LookPath(tool); err != nil {
		t.Logf("%s not installed: the output is not loaded by the real tool", tool)
		return
	}
	path := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(path, out, 0o644); err != nil {
		t.Fatal(err)
	}
	c := cmd(path)
	if b, err := c.CombinedOutput(); err != nil {
		t.Errorf("%s rejects the blocklist: %v\n%s\n--- file:\n%s", strings.Join(c.Args, " "), err, b, out)
	}
}
