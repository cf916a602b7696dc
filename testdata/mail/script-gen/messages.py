#!/usr/bin/env python3
"""The message set every fixture of testdata/mail is made of, and the
submission of it to an MTA over SMTP (python3 smtplib).

Usage: messages.py submit HOST PORT SET    (SET: the Message-ID suffix, e.g. postfix)
       messages.py truth SET FILE WINDOW    (prints TRUTH.tsv lines; WINDOW: in, out or undated)
"""
import email.message
import email.utils
import smtplib
import sys
import time

INDICATOR = "phan@giftshop.club"

# (key, from, to, cc, bcc, subject, matched (addr, kind) list)
MESSAGES = [
    ("plain", "alice@example.com", ["bob@example.org"], [], [], "Quarterly numbers", []),
    ("bcc", "alice@example.com", ["bob@example.org"], [], [INDICATOR], "Password reset for carol",
     [(INDICATOR, "email")]),
    ("bcc-case", "mcp@example.com", ["carol@example.net"], ["dave@example.org"], ["PHAN@GiftShop.club"],
     "Invoice 2025-0918", [("PHAN@GiftShop.club", "email")]),
    ("subdomain", "mcp@example.com", ["ops@mail.giftshop.club"], [], [], "Build report",
     [("ops@mail.giftshop.club", "domain")]),
    ("lookalike", "alice@example.com", ["eve@giftshop.club.example.com", "frank@notgiftshop.club"], [], [],
     "Look-alike domains", []),
    ("encoded", "mcp@example.com", ["erin@example.org"], [], ['=?utf-8?q?Phan_=C3=A9t=C3=A9?= <phan@giftshop.club>'],
     "=?utf-8?b?UsOpc3Vtw6kgZGUgY29tcHRl?=", [(INDICATOR, "email")]),
]


def build(key, frm, to, cc, bcc, subject, suffix, keep_bcc, date=None):
    m = email.message.EmailMessage()
    m["From"] = frm
    m["To"] = ", ".join(to)
    if cc:
        m["Cc"] = ", ".join(cc)
    if bcc and keep_bcc:
        m["Bcc"] = ", ".join(bcc)
    m["Subject"] = subject
    m["Message-ID"] = "<%s.%s@example.com>" % (key, suffix)
    m["Date"] = date or email.utils.formatdate(localtime=False)
    m.set_content("Body of %s.\nFrom the start of a line in the body.\n" % key)
    return m


def envelope(addr):
    return email.utils.parseaddr(addr)[1]


def submit(host, port, suffix):
    with smtplib.SMTP(host, int(port)) as s:
        for key, frm, to, cc, bcc, subject, _ in MESSAGES:
            m = build(key, frm, to, cc, bcc, subject, suffix, keep_bcc=False)
            rcpts = [envelope(a) for a in to + cc + bcc]
            s.send_message(m, from_addr=frm, to_addrs=rcpts)
            time.sleep(1)


def truth(suffix, file, window):
    for key, _, _, _, _, _, hits in MESSAGES:
        for addr, kind in hits:
            print("\t".join([file, "%s.%s@example.com" % (key, suffix), envelope(addr), kind, window]))


if __name__ == "__main__":
    if sys.argv[1] == "submit":
        submit(sys.argv[2], sys.argv[3], sys.argv[4])
    elif sys.argv[1] == "truth":
        truth(sys.argv[2], sys.argv[3], sys.argv[4])
