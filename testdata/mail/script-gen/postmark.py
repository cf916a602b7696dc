#!/usr/bin/env python3
"""Writes Postmark Messages API responses as a responder exports them:
outbound message search pages (GET /messages/outbound), one message's
details (GET /messages/outbound/{id}/details) and JSON Lines of messages.

No network and no Postmark account: the fields and their shapes follow
Postmark's documented schema (postmarkapp.com/developer/api/messages-api;
the OutboundMessage and OutboundMessageDetails types of the official
"postmark" npm client, 4.0.x): MessageID, Tag, To/Cc/Bcc ([{Email, Name}]),
Recipients, ReceivedAt (ISO 8601 with the US Eastern offset), From,
Subject, Attachments, Status, TrackOpens, TrackLinks, Metadata,
MessageStream, Sandboxed; details add TextBody, HtmlBody, Body and
MessageEvents.

Usage: postmark.py OUTDIR | postmark.py truth
"""
import json
import os
import sys
import uuid

NS = uuid.UUID("6f1c1d2e-0000-4000-8000-000000000017")


def mid(key):
    return str(uuid.uuid5(NS, key))


def addr(email, name=""):
    return {"Email": email, "Name": name}


# key, stream, from, to, cc, bcc, subject, received, hits, window
MESSAGES = [
    ("welcome", "outbound", '"Acme" <noreply@acme.example>', [addr("bob@example.org", "Bob")], [], [],
     "Welcome to Acme", "2025-09-17T08:12:40.1234567-04:00", [], "in"),
    ("reset", "outbound", '"Acme" <noreply@acme.example>', [addr("carol@example.net", "Carol")], [],
     [addr("phan@giftshop.club")], "Reset your password", "2025-09-18T11:02:11.5550000-04:00",
     [("phan@giftshop.club", "email")], "in"),
    ("digest", "broadcast", "news@acme.example", [addr("dave@example.org")], [addr("erin@example.org")],
     [addr("Phan@GIFTSHOP.club")], "Weekly digest", "2025-09-22T06:00:00-04:00",
     [("Phan@GIFTSHOP.club", "email")], "in"),
    ("billing", "outbound", "billing@acme.example", [addr("frank@example.com")], [], [],
     "Invoice 4711", "2025-09-23T15:30:00-04:00", [], "in"),
    ("after", "outbound", '"Acme" <noreply@acme.example>', [addr("gina@example.org")], [],
     [addr("phan@giftshop.club")], "Reset your password", "2025-10-03T09:00:00-04:00",
     [("phan@giftshop.club", "email")], "out"),
    ("before", "outbound", '"Acme" <noreply@acme.example>', [addr("hank@example.org")], [], [],
     "Welcome to Acme", "2025-09-10T09:00:00-04:00", [], "out"),
]


def message(m, details=False):
    key, stream, frm, to, cc, bcc, subject, received, _, _ = m
    out = {
        "Tag": "",
        "MessageID": mid(key),
        "MessageStream": stream,
        "To": to,
        "Cc": cc,
        "Bcc": bcc,
        "Recipients": [a["Email"] for a in to + cc + bcc],
        "ReceivedAt": received,
        "From": frm,
        "Subject": subject,
        "Attachments": [],
        "Status": "Sent",
        "TrackOpens": True,
        "TrackLinks": "None",
        "Metadata": {},
        "Sandboxed": False,
    }
    if details:
        out["TextBody"] = "Hello,\n\nThis is %s.\n" % key
        out["HtmlBody"] = "<p>Hello,</p><p>This is %s.</p>" % key
        out["Body"] = "Body of the message as sent (MIME)."
        out["MessageEvents"] = [{
            "Recipient": out["Recipients"][0],
            "Type": "Delivered",
            "ReceivedAt": received,
            "Details": {"DeliveryMessage": "smtp;250 2.0.0 OK", "DestinationServer": "mx.example.org",
                        "DestinationIP": "192.0.2.10"},
        }]
    return out


def write(outdir):
    os.makedirs(outdir, exist_ok=True)
    # Search pages, newest first as the API returns them, 3 per page.
    ms = sorted(MESSAGES, key=lambda m: m[7], reverse=True)
    for page, start in enumerate(range(0, len(ms), 3)):
        body = {"TotalCount": len(ms), "Messages": [message(m) for m in ms[start:start + 3]]}
        with open(os.path.join(outdir, "outbound-page%d.json" % (page + 1)), "w") as f:
            json.dump(body, f, indent=2)
            f.write("\n")
    with open(os.path.join(outdir, "details-reset.json"), "w") as f:
        json.dump(message(MESSAGES[1], details=True), f, indent=2)
        f.write("\n")
    with open(os.path.join(outdir, "messages.jsonl"), "w") as f:
        for m in MESSAGES:
            f.write(json.dumps(message(m)) + "\n")


def truth():
    ms = sorted(MESSAGES, key=lambda m: m[7], reverse=True)
    for page, start in enumerate(range(0, len(ms), 3)):
        for m in ms[start:start + 3]:
            for a, kind in m[8]:
                print("\t".join(["postmark/outbound-page%d.json" % (page + 1), mid(m[0]), a, kind, m[9]]))
    for a, kind in MESSAGES[1][8]:
        print("\t".join(["postmark/details-reset.json", mid(MESSAGES[1][0]), a, kind, MESSAGES[1][9]]))
    for m in MESSAGES:
        for a, kind in m[8]:
            print("\t".join(["postmark/messages.jsonl", mid(m[0]), a, kind, m[9]]))


if __name__ == "__main__":
    if sys.argv[1] == "truth":
        truth()
    else:
        write(sys.argv[1])
