#!/usr/bin/env python3
"""Empty a mailbox over POP3 (DELE every message, QUIT): the server expunges at QUIT.

  pop3purge.py HOST PORT USER PASS
Used as Postwerk's PRE_SMTP_CMD, so every SMTP run starts with an empty INBOX (Postwerk has no
IMAP yet, so the kit's CLEAN=imap:... cannot be used).  Loopback only; bounded by timeouts.
"""
import poplib, sys

host, port, user, pw = sys.argv[1], int(sys.argv[2]), sys.argv[3], sys.argv[4]
if not (host.startswith("127.") or host in ("localhost", "::1")):
    raise SystemExit("refusing non-loopback target")
p = poplib.POP3(host, port, timeout=600)
p.user(user); p.pass_(pw)
n = p.stat()[0]
for i in range(1, n + 1):
    p.dele(i)
p.quit()
print("purged %d messages of %s" % (n, user))
