#!/usr/bin/env python3
"""A minimal SMTP sink on 127.0.0.1: accepts every message and keeps
nothing. The MTAs of gen.sh relay to it so that no mail leaves the host."""
import socketserver
import sys


class Handler(socketserver.StreamRequestHandler):
    def handle(self):
        def w(s):
            self.wfile.write((s + "\r\n").encode())
        w("220 sink.invalid ESMTP sink")
        data = False
        for raw in self.rfile:
            line = raw.decode("latin-1").rstrip("\r\n")
            if data:
                if line == ".":
                    data = False
                    w("250 2.0.0 Ok: queued in the sink")
                continue
            cmd = line[:4].upper()
            if cmd == "EHLO":
                w("250-sink.invalid")
                w("250 8BITMIME")
            elif cmd == "HELO":
                w("250 sink.invalid")
            elif cmd == "DATA":
                data = True
                w("354 End data with <CR><LF>.<CR><LF>")
            elif cmd == "QUIT":
                w("221 2.0.0 Bye")
                return
            else:
                w("250 2.0.0 Ok")


class Server(socketserver.ThreadingTCPServer):
    allow_reuse_address = True
    daemon_threads = True


if __name__ == "__main__":
    port = int(sys.argv[1])
    with Server(("127.0.0.1", port), Handler) as s:
        s.serve_forever()
