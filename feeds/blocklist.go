package feeds

import (
	"bytes"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"net/netip"
	"net/url"
	"slices"
	"strings"
	"time"

	"golang.org/x/net/idna"

	"github.com/depsweep/depsweep/ioc"
)

// BlocklistFormats are the formats [WriteBlocklist] writes.
var BlocklistFormats = []string{"hosts", "rpz", "dnsmasq", "unbound", "squid", "csv"}

// ErrNoHosts is returned by [BlocklistHosts] for feeds with no domain
// and no URL with a host name: an empty blocklist would block nothing.
var ErrNoHosts = errors.New("no domain or URL host in the feeds")

// A BlockHost is one host name to block.
type BlockHost struct {
	Name       string   // ASCII (punycode), lower case, no trailing dot
	Kinds      []string // "domain" (the name and its subdomains) and/or "url" (a URL's host)
	Advisories []string // ids of the advisories that name it
	Feeds      []string // names of the feeds that name it
}

// A Blocklist is the host names of some feeds, sorted by name.
type Blocklist struct {
	Hosts []BlockHost
	// IPs counts the URL hosts left out because they are IP addresses:
	// DNS blocklists cannot hold them (block them at the firewall).
	IPs int
	// Bad counts the names left out because they are not valid host
	// names even in IDNA form.
	Bad int
}

// BlocklistHosts collects the domain indicators and URL indicator hosts of
// fds, converting internationalised names to punycode and deduplicating.
func BlocklistHosts(fds []*Feed) (*Blocklist, error) {
	bl := &Blocklist{}
	byName := map[string]*BlockHost{}
	add := func(name, kind string, ind *ioc.Indicator, feed string) {
		h := byName[name]
		if h == nil {
			h = &BlockHost{Name: name}
			byName[name] = h
		}
		if !slices.Contains(h.Kinds, kind) {
			h.Kinds = append(h.Kinds, kind)
		}
		if ind.Advisory != nil && !slices.Contains(h.Advisories, ind.Advisory.ID) {
			h.Advisories = append(h.Advisories, ind.Advisory.ID)
		}
		if !slices.Contains(h.Feeds, feed) {
			h.Feeds = append(h.Feeds, feed)
		}
	}
	for _, fd := range fds {
		for i := range fd.Indicators {
			ind := &fd.Indicators[i]
			var host, kind string
			switch ind.Kind {
			case ioc.KindDomain:
				host, kind = ind.Value, "domain"
			case ioc.KindURL:
				u, err := url.Parse(ind.Value)
				if err != nil || u.Hostname() == "" {
					bl.Bad++
					continue
				}
				host, kind = u.Hostname(), "url"
			default:
				continue
			}
			if _, err := netip.ParseAddr(host); err == nil {
				bl.IPs++
				continue
			}
			name, err := asciiHost(host)
			if err != nil {
				bl.Bad++
				continue
			}
			add(name, kind, ind, fd.Name)
		}
	}
	if len(byName) == 0 {
		return nil, ErrNoHosts
	}
	for _, h := range byName {
		slices.Sort(h.Kinds)
		slices.Sort(h.Advisories)
		slices.Sort(h.Feeds)
		bl.Hosts = append(bl.Hosts, *h)
	}
	slices.SortFunc(bl.Hosts, func(a, b BlockHost) int { return strings.Compare(a.Name, b.Name) })
	return bl, nil
}

// asciiHost returns the ASCII form of a host name: lower case, punycode
// for internationalised labels, no trailing dot.
func asciiHost(h string) (string, error) {
	h = strings.TrimSuffix(strings.ToLower(h), ".")
	a, err := idna.Lookup.ToASCII(h)
	if err != nil {
		return "", err
	}
	if !strings.Contains(a, ".") {
		return "", errors.New("not a domain name")
	}
	return a, nil
}

// covering returns the hosts not already covered by a listed parent
// domain indicator (x.giftshop.club is covered by giftshop.club): for
// the formats whose entries cover subdomains.
func (bl *Blocklist) covering() []BlockHost {
	domains := map[string]bool{}
	for _, h := range bl.Hosts {
		if slices.Contains(h.Kinds, "domain") {
			domains[h.Name] = true
		}
	}
	var out []BlockHost
	for _, h := range bl.Hosts {
		covered := false
		for d := h.Name; ; {
			i := strings.IndexByte(d, '.')
			if i < 0 {
				break
			}
			d = d[i+1:]
			if domains[d] {
				covered = true
				break
			}
		}
		if !covered {
			out = append(out, h)
		}
	}
	return out
}

// WriteBlocklist writes the host names of fds to w in format (one of
// [BlocklistFormats]), after a comment header naming each feed and its
// sha256. The output depends only on the feeds: the same feeds give the
// same bytes.
func WriteBlocklist(w io.Writer, format string, fds []*Feed) error {
	if !slices.Contains(BlocklistFormats, format) {
		return fmt.Errorf("unknown blocklist format %q (want %s)", format, strings.Join(BlocklistFormats, ", "))
	}
	bl, err := BlocklistHosts(fds)
	if err != nil {
		return err
	}
	var b bytes.Buffer
	c := "#"
	if format == "rpz" {
		c = ";"
	}
	hosts := bl.Hosts
	if format != "hosts" && format != "csv" {
		hosts = bl.covering()
	}
	fmt.Fprintf(&b, "%s depsweep blocklist (%s): %d host names from %d feed(s)\n", c, format, len(hosts), len(fds))
	for _, fd := range fds {
		fmt.Fprintf(&b, "%s feed %s sha256 %s\n", c, fd.Name, fd.SHA256)
	}
	if bl.IPs > 0 {
		fmt.Fprintf(&b, "%s %d IP address(es) left out: block them at the firewall\n", c, bl.IPs)
	}
	if bl.Bad > 0 {
		fmt.Fprintf(&b, "%s %d name(s) left out: not valid host names\n", c, bl.Bad)
	}
	switch format {
	case "hosts":
		fmt.Fprintf(&b, "# hosts files cannot cover subdomains: each name is listed as the feeds give it\n")
		for _, h := range hosts {
			fmt.Fprintf(&b, "0.0.0.0 %s\n", h.Name)
		}
	case "rpz":
		fmt.Fprintf(&b, "; names and their subdomains answer NXDOMAIN (CNAME .)\n")
		fmt.Fprintf(&b, "$TTL 300\n@ IN SOA localhost. hostmaster.localhost. %d 3600 600 86400 300\n@ IN NS localhost.\n", serial(fds))
		for _, h := range hosts {
			fmt.Fprintf(&b, "%s CNAME .\n*.%s CNAME .\n", h.Name, h.Name)
		}
	case "dnsmasq":
		fmt.Fprintf(&b, "# names and their subdomains answer NXDOMAIN\n")
		for _, h := range hosts {
			fmt.Fprintf(&b, "address=/%s/\n", h.Name)
		}
	case "unbound":
		fmt.Fprintf(&b, "# include: this file from unbound.conf; names and their subdomains answer NXDOMAIN\nserver:\n")
		for _, h := range hosts {
			fmt.Fprintf(&b, "    local-zone: \"%s.\" always_nxdomain\n", h.Name)
		}
	case "squid":
		fmt.Fprintf(&b, "# include this file before the first http_access allow line\n")
		for _, h := range hosts {
			fmt.Fprintf(&b, "acl depsweep_blocklist dstdomain .%s\n", h.Name)
		}
		fmt.Fprintf(&b, "http_access deny depsweep_blocklist\n")
	case "csv":
		cw := csv.NewWriter(&b)
		cw.Write([]string{"host", "kind", "advisories", "feeds"})
		for _, h := range hosts {
			cw.Write([]string{h.Name, strings.Join(h.Kinds, " "), strings.Join(h.Advisories, " "), strings.Join(h.Feeds, " ")})
		}
		cw.Flush()
		if err := cw.Error(); err != nil {
			return err
		}
	}
	_, err = w.Write(b.Bytes())
	return err
}

// serial is the RPZ zone's SOA serial: the latest modification (or
// publication) date of the feeds' advisories as YYYYMMDD01, so that a
// newer feed gives a higher serial; 1 when no advisory is dated.
func serial(fds []*Feed) uint32 {
	var latest time.Time
	for _, fd := range fds {
		for _, a := range fd.Advisories {
			for _, t := range []time.Time{a.Modified, a.Published} {
				if t.After(latest) {
					latest = t
				}
			}
		}
	}
	if latest.IsZero() {
		return 1
	}
	y, m, d := latest.UTC().Date()
	return uint32(y*1000000+int(m)*10000+d*100) + 1
}
