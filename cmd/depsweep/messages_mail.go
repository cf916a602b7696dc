package main

// The messages of 'depsweep mail' and 'depsweep feed export', kept apart
// from messages.go while the command files are being split; they follow
// its style and belong with it.

import (
	"fmt"
	"strings"
)

const usageMail = `Usage: depsweep mail [flags] FILE|DIR ...

Mail reads mail evidence and reports every message that went to an e-mail
address or domain of the feeds (for postmark-mcp: phan@giftshop.club and
giftshop.club, with its subdomains), per sending account, server or stream:
how many were copied, first and last, their ids and subjects. It answers
"0 copied out of 12,400 examined in the window" as plainly as a hit.

It reads, telling them apart by content (gzip'd or not):
  Postmark   Messages API JSON: outbound search pages, message details, an
             array of messages, or JSON Lines of either
  Postfix    logs: qmgr from=, cleanup message-id=, smtp/lmtp/local to= lines
             joined by queue id (syslog or maillog_file, rotations .1, .2.gz)
  Exim       main log: <= arrivals, => -> ** == deliveries by message id
  mailboxes  .eml files, maildir folders and mbox files (sent folders keep
             the Bcc header); headers decoded per RFC 2047
A directory is walked; files that are none of these are listed as skipped.

Only messages inside each advisory's exposure window count (postmark-mcp:
2025-09-17 to 2025-09-25); --since and --until replace the window. Messages
to an indicator outside it are listed, not counted. Messages without a date
count, marked undated. Syslog timestamps carry no year: it is inferred from
the file's modification time, or from the next newer file of its rotation,
and the report says so (--year gives it instead); the current year is never
assumed.

A damaged file (cut short, garbage, a bad header) is read up to the damage
and reported as an error naming the file and line or byte offset.

Exit codes: 0 nothing copied, 1 a message was copied to an indicator,
2 error (some input was not fully read; the report is still written).

Flags:
`

const usageMailTail = `
Examples:
  depsweep mail /var/log/mail.log*              Postfix or Exim logs and rotations
  depsweep mail postmark-export/ --format json  pages saved from the Messages API
  depsweep mail ~/Mail/Sent --redact-subjects   a sent folder, without subjects
`

const (
	helpMailSince      = "count messages sent from `DATE` (2025-09-01 or RFC 3339), replacing the advisories' exposure windows"
	helpMailUntil      = "count messages sent up to `DATE` (a date includes its whole day), replacing the exposure windows"
	helpMailYear       = "`YEAR` of the first entry of syslog-style logs, instead of inferring it"
	helpRedactSubjects = "leave message subjects out of the report"
)

func errMailArgs() error {
	return usageErrorf("mail", "mail takes one or more files or directories of mail evidence")
}

func errMailInput(path string, err error) error {
	return &exitError{code: 2, msg: fmt.Sprintf("cannot read %s: %v", path, err),
		hint: "give Postmark exports, Postfix or Exim logs, .eml files, maildir folders or mbox files"}
}

func errMailTime(flag, s string) error {
	return &exitError{code: 2, msg: fmt.Sprintf("invalid --%s %q", flag, s),
		hint: fmt.Sprintf("--%s takes a date (2025-09-17) or an RFC 3339 time (2025-09-17T00:00:00Z)", flag)}
}

func errMailWindow(since, until string) error {
	return usageErrorf("mail", "--until %s is before --since %s", until, since)
}

func errMailYear(y int) error {
	return usageErrorf("mail", "invalid --year %d", y)
}

func errMailIndicators(err error) error {
	return &exitError{code: 2, msg: "cannot audit mail: " + err.Error(),
		hint: "use a feed with email or domain indicators (the embedded feed has them)"}
}

func errMailRead(err error) error {
	return &exitError{code: 2, msg: "cannot read mail evidence: " + err.Error()}
}

// Mail log messages.
const (
	logMailFile      = "mail evidence read"
	logMailFileError = "mail evidence not fully read"
	logMailDone      = "mail audit done"
	logMailNothing   = "no message found in the inputs: nothing was examined"
)

const usageFeedExport = `Usage: depsweep feed export --blocklist FORMAT [--feed FILE ...] [-o FILE]

Export writes the domains and URL hosts of the feeds as an egress
blocklist: deduplicated, internationalised names as punycode, each domain's
subdomains covered the way the format allows. The header comment names each
feed and its sha256.

Formats:
  hosts    /etc/hosts lines (0.0.0.0 NAME); hosts files cannot cover
           subdomains: each name is listed as the feeds give it
  rpz      a DNS response-policy zone (BIND, Knot, PowerDNS, Unbound): NAME and
           *.NAME, CNAME . (NXDOMAIN)
  dnsmasq  address=/NAME/ lines (NAME and its subdomains: NXDOMAIN)
  unbound  a server: clause of local-zone: "NAME." always_nxdomain lines
  squid    an acl of dstdomain .NAME lines, and http_access deny
  csv      host,kind,advisories,feeds

Flags:
`

func errExportArgs() error {
	return usageErrorf("feed", "feed export takes feeds with --feed and a --blocklist format, not arguments")
}

func errExportFormat(got string, choices []string) error {
	if got == "" {
		return usageErrorf("feed", "feed export needs --blocklist FORMAT (%s)", strings.Join(choices, ", "))
	}
	return errBadChoice("blocklist", got, choices...)
}

func errExport(err error) error {
	return &exitError{code: 2, msg: "cannot write blocklist: " + err.Error(),
		hint: "use feeds with domain or url indicators (the embedded feed has them)"}
}

const helpBlocklist = "write the feeds' domains and URL hosts as a blocklist in `FORMAT`: hosts, rpz, dnsmasq, unbound, squid or csv"
