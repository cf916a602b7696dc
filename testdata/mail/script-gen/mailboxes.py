#!/usr/bin/env python3
"""Writes the mailbox fixtures with Python's mailbox and email modules: a
sent folder as mbox (mbox/Sent), as maildir (maildir/Sent) and as .eml
files (eml/), keeping the Bcc header as a mail client's sent folder does.

Usage: mailboxes.py OUTDIR | mailboxes.py truth
"""
import email.generator
import email.utils
import mailbox
import os
import shutil
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from messages import MESSAGES, build, envelope  # noqa: E402

# One date per message, inside the exposure window, and one message
# outside it (sent after the window, still BCC'd).
DATES = ["Thu, 18 Sep 2025 10:0%d:00 +0200" % i for i in range(len(MESSAGES))]
LATE = ("late", "mcp@example.com", ["bob@example.org"], [], ["phan@giftshop.club"], "Sent after the window",
        [("phan@giftshop.club", "email")])
LATE_DATE = "Thu, 02 Oct 2025 09:00:00 +0200"
# A message without a Date header.
UNDATED = ("undated", "mcp@example.com", ["bob@example.org"], [], ["phan@giftshop.club"], "No date",
           [("phan@giftshop.club", "email")])


def messages(suffix):
    out = []
    for msg, date in zip(MESSAGES, DATES):
        out.append((msg, date, "in"))
    out.append((LATE, LATE_DATE, "out"))
    out.append((UNDATED, None, "undated"))
    res = []
    for (key, frm, to, cc, bcc, subject, hits), date, window in out:
        m = build(key, frm, to, cc, bcc, subject, suffix, keep_bcc=True, date=date or "x")
        if date is None:
            del m["Date"]
        res.append((key, m, hits, window))
    return res


def write(outdir):
    for d in ("mbox", "maildir", "eml"):
        shutil.rmtree(os.path.join(outdir, d), ignore_errors=True)
    os.makedirs(os.path.join(outdir, "mbox"))
    mb = mailbox.mbox(os.path.join(outdir, "mbox", "Sent"))
    for _, m, _, _ in messages("mbox"):
        mb.add(mailbox.mboxMessage(m))
    mb.flush()
    mb.close()
    os.makedirs(os.path.join(outdir, "maildir"))
    md = mailbox.Maildir(os.path.join(outdir, "maildir", "Sent"), create=True)
    keys = []
    for key, m, _, _ in messages("maildir"):
        mm = mailbox.MaildirMessage(m)
        mm.set_subdir("cur")
        mm.set_flags("S")
        keys.append((key, md.add(mm)))
    with open(os.path.join(outdir, "maildir", "keys.tsv"), "w") as f:
        for key, k in keys:
            f.write("%s\t%s\n" % (key, k))
    os.makedirs(os.path.join(outdir, "eml"))
    for key, m, _, _ in messages("eml"):
        with open(os.path.join(outdir, "eml", key + ".eml"), "wb") as f:
            email.generator.BytesGenerator(f).flatten(m)


def truth():
    for key, _, hits, window in messages("mbox"):
        for addr, kind in hits:
            print("\t".join(["mbox/Sent", "%s.mbox@example.com" % key, envelope(addr), kind, window]))
    for key, _, hits, window in messages("maildir"):
        for addr, kind in hits:
            print("\t".join(["maildir/Sent", "%s.maildir@example.com" % key, envelope(addr), kind, window]))
    for key, _, hits, window in messages("eml"):
        for addr, kind in hits:
            print("\t".join(["eml/%s.eml" % key, "%s.eml@example.com" % key, envelope(addr), kind, window]))


if __name__ == "__main__":
    if sys.argv[1] == "truth":
        truth()
    else:
        write(sys.argv[1])
