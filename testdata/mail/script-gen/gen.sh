#!/bin/bash
# gen.sh regenerates the mail fixtures of testdata/mail with real software:
#
#   postfix/   Postfix 3.7 (Debian 12 package "postfix") logging with
#              maillog_file, relaying to a local SMTP sink (sink.py) on
#              127.0.0.1:2525 and nowhere else; the clock set by libfaketime
#              (Debian package "faketime") into the exposure window, and across
#              a new year for the year-inference case.
#   exim/      Exim 4.96 (Debian 12 "exim4-daemon-light", unpacked with
#              dpkg-deb, run with its own configuration) relaying to the sink.
#   mbox/, maildir/, eml/   Python's mailbox and email modules (mailboxes.py).
#   postmark/  JSON per Postmark's documented Messages API schema (postmark.py):
#              no network, no Postmark account.
#
# Messages are submitted with python3 smtplib (messages.py); the BCC to the
# indicator address is in the envelope only, as a mail client sends it.
# Run as root on a throwaway Debian 12 machine: it reconfigures the local
# Postfix (relay to 127.0.0.1 only) and adds the Debian-exim system user.
#
#   apt-get install -y postfix faketime libidn12 python3 mutt
#   testdata/mail/script-gen/gen.sh
set -euo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
OUT=$(dirname "$HERE")
WORK=$(mktemp -d /tmp/depsweep-mailgen.XXXXXX)
chmod 755 "$WORK"
FT=$(ls /usr/lib/*/faketime/libfaketime.so.1 | head -1)
SINK=
cleanup() {
	[ -n "$SINK" ] && kill "$SINK" 2>/dev/null || true
	postfix stop >/dev/null 2>&1 || true
	[ -f "$WORK/exim.pid" ] && kill "$(cat "$WORK/exim.pid")" 2>/dev/null || true
}
trap cleanup EXIT

# offset prints the libfaketime offset (seconds) that sets the clock to $1.
offset() { echo "-$(( $(date -u +%s) - $(date -u -d "$1" +%s) ))"; }
waitport() { for _ in $(seq 50); do python3 -c "import socket;socket.create_connection(('127.0.0.1',$1),1)" 2>/dev/null && return 0; sleep 0.2; done; echo "port $1 never opened" >&2; return 1; }

python3 "$HERE/sink.py" 2525 & SINK=$!
waitport 2525

# --- Postfix -------------------------------------------------------------
cat > "$WORK/header_checks" <<'HC'
/^Subject:/ WARN
HC
postconf -e \
	"myhostname = mx1.example.com" \
	"mydestination =" \
	"inet_interfaces = loopback-only" \
	"inet_protocols = ipv4" \
	"relayhost = [127.0.0.1]:2525" \
	"smtp_tls_security_level = none" \
	"smtpd_tls_security_level = none" \
	"header_checks = regexp:$WORK/header_checks" \
	"maillog_file_prefixes = /var, /dev/stdout, /tmp" \
	"import_environment = MAIL_CONFIG MAIL_DEBUG MAIL_LOGTAG TZ XAUTHORITY DISPLAY LANG=C POSTLOG_SERVICE POSTLOG_HOSTNAME LD_PRELOAD FAKETIME"

# postfix_run START LOG SET [AT]: run Postfix with the clock at START, submit
# the message set SET (when the clock reads AT, if given), wait for the queue
# to drain, stop.
postfix_run() {
	postconf -e "maillog_file = $2"
	local off
	off=$(offset "$1")
	FAKETIME=$off LD_PRELOAD=$FT postfix start-fg > "$WORK/postfix-fg.out" 2>&1 &
	local pid=$!
	waitport 25
	if [ -n "${4:-}" ]; then
		local wait=$(( $(date -u -d "$4" +%s) - ($(date -u +%s) + off) ))
		[ "$wait" -gt 0 ] && sleep "$wait"
	fi
	python3 "$HERE/messages.py" submit 127.0.0.1 25 "$3"
	for _ in $(seq 100); do
		postqueue -p 2>/dev/null | grep -q "Mail queue is empty" && break
		sleep 0.3
	done
	sleep 1
	# postfix-script logs the stop too: under the same clock.
	FAKETIME=$off LD_PRELOAD=$FT postfix stop
	wait "$pid" || true
}
postfix_run "2025-09-18 09:58:10" "$WORK/postfix.log" postfix
# Three messages before midnight, three after: a new year inside the file.
postfix_run "2024-12-31 23:59:20" "$WORK/postfix-newyear.log" postfix-newyear "2024-12-31 23:59:52"
mkdir -p "$OUT/postfix/var/log"
cp "$WORK/postfix.log" "$OUT/postfix/var/log/mail.log"
gzip -9n < "$WORK/postfix-newyear.log" > "$OUT/postfix/var/log/mail.log.1.gz"

# --- Exim ----------------------------------------------------------------
mkdir -p "$WORK/exim-deb"
(cd "$WORK/exim-deb" && apt-get download exim4-daemon-light exim4-base >/dev/null && for f in *.deb; do dpkg-deb -x "$f" root; done)
EXIM=$WORK/exim-deb/root/usr/sbin/exim4
EXIM_OFFSET=$(offset "2025-09-19 14:21:03")
# Exim re-executes itself for deliveries with a cleaned environment: a
# wrapper as exim_path keeps libfaketime's clock in those processes too.
cat > "$WORK/exim-wrapper" <<WR
#!/bin/sh
LD_PRELOAD=$FT FAKETIME=$EXIM_OFFSET exec $EXIM "\$@"
WR
chmod 755 "$WORK/exim-wrapper"
id Debian-exim >/dev/null 2>&1 || useradd --system --no-create-home --home-dir /nonexistent Debian-exim
mkdir -p "$WORK/exim/spool" "$WORK/exim/log"
chown -R Debian-exim "$WORK/exim"
sed -e "s|@WORK@|$WORK|g" -e "s|@EXIM@|$WORK/exim-wrapper|g" "$HERE/exim.conf" > "$WORK/exim.conf"
chmod 644 "$WORK/exim.conf"
FAKETIME=$EXIM_OFFSET LD_PRELOAD=$FT "$EXIM" -C "$WORK/exim.conf" -bdf -oX 2527 -oP "$WORK/exim.pid" &
waitport 2527
python3 "$HERE/messages.py" submit 127.0.0.1 2527 exim
FAKETIME=$EXIM_OFFSET LD_PRELOAD=$FT "$EXIM" -C "$WORK/exim.conf" -qf
sleep 1
kill "$(cat "$WORK/exim.pid")"; sleep 1
mkdir -p "$OUT/exim"
cp "$WORK/exim/log/mainlog" "$OUT/exim/mainlog"
mkdir -p "$OUT/exim/gz"; gzip -9n < "$WORK/exim/log/mainlog" > "$OUT/exim/gz/mainlog.1.gz"

# --- Mailboxes and Postmark --------------------------------------------------
python3 "$HERE/mailboxes.py" "$OUT"
rm -rf "$OUT/mutt"
mkdir -p "$OUT/mutt" "$WORK/mutt-home"
# mutt_send DATE ID SUBJECT ARGS...: send one message at DATE; it lands in
# the sent folder only (sendmail is /bin/true).
mutt_send() {
	local date=$1 id=$2 subject=$3
	shift 3
	echo "Sent with Mutt." | HOME=$WORK/mutt-home FAKETIME=$(offset "$date") LD_PRELOAD=$FT mutt -n -F /dev/null \
		-e 'set sendmail=/bin/true' -e "set record=$OUT/mutt/Sent" -e 'set mbox_type=mbox' \
		-e 'set from="Ops Bot <ops@example.com>"' -e 'set use_from=yes' -e 'set hostname=example.com' \
		-e 'set charset=utf-8' -e 'set send_charset=utf-8' -e "my_hdr Message-ID: <$id@example.com>" \
		-s "$subject" "$@"
}
mutt_send "2025-09-20 08:15:00" bcc.mutt "Déploiement terminé" -b phan@giftshop.club -c dave@example.org bob@example.org
mutt_send "2025-09-20 08:16:00" plain.mutt "Lunch" carol@example.net
mutt_send "2025-09-21 11:00:00" subdomain.mutt "Status" ops@cdn.giftshop.club
python3 "$HERE/postmark.py" "$OUT/postmark"

# --- TRUTH ---------------------------------------------------------------
{
	echo "# file	message-id	recipient	indicator-kind	window (in, out, undated)   written by script-gen/gen.sh"
	python3 "$HERE/messages.py" truth postfix postfix/var/log/mail.log in
	python3 "$HERE/messages.py" truth postfix-newyear postfix/var/log/mail.log.1.gz out
	python3 "$HERE/messages.py" truth exim exim/mainlog in
	python3 "$HERE/messages.py" truth exim exim/gz/mainlog.1.gz in
	python3 "$HERE/mailboxes.py" truth
	printf 'mutt/Sent\tbcc.mutt@example.com\tphan@giftshop.club\temail\tin\n'
	printf 'mutt/Sent\tsubdomain.mutt@example.com\tops@cdn.giftshop.club\tdomain\tin\n'
	python3 "$HERE/postmark.py" truth
} > "$OUT/TRUTH.tsv"
echo "written under $OUT"
