#!/usr/bin/env python3
"""Seed POP3 users' INBOXes over SMTP (Postwerk has no IMAP APPEND yet), idempotently.

  seed_smtp.py HOST SMTP_PORT MAIL_ROOT MBOX N_MSGS ADDRESS [ADDRESS...]

The same first N_MSGS messages of the kit's fixed mbox that ../shared/bench/lib/seed.py
appends over IMAP are sent, one SMTP transaction each, to every ADDRESS (user@domain);
a user whose Maildir (MAIL_ROOT/<domain>/<local>/{new,cur}) already holds K messages gets
messages K+1..N only.  Then waits (bounded, 300 s) until every Maildir holds N messages.
The server adds Received:/Return-Path: headers, so each message is ~0.3 KB larger than
the one Dovecot gets through IMAP APPEND.  Loopback only.
"""
import os, smtplib, sys, time

def read_mbox(path, n):  # same parsing as lib/seed.py of the kit
    msgs, cur = [], None
    with open(path, "rb") as f:
        for line in f:
            if line.startswith(b"From "):
                if cur is not None:
                    msgs.append(b"".join(cur))
                    if len(msgs) >= n:
                        return msgs
                cur = []
                continue
            if line.startswith(b">From "):
                line = line[1:]
            cur.append(line.rstrip(b"\n") + b"\r\n")
    if cur is not None and len(msgs) < n:
        msgs.append(b"".join(cur))
    return msgs

def count(root, addr):
    local, dom = addr.split("@", 1)
    n = 0
    for sub in ("new", "cur"):
        try:
            n += sum(1 for e in os.scandir(os.path.join(root, dom, local, sub)) if not e.name.startswith("."))
        except FileNotFoundError:
            pass
    return n

def main():
    host, port, root, mbox, n = sys.argv[1], int(sys.argv[2]), sys.argv[3], sys.argv[4], int(sys.argv[5])
    if not (host.startswith("127.") or host in ("localhost", "::1")):
        raise SystemExit("refusing non-loopback target")
    users = sys.argv[6:]
    msgs = read_mbox(mbox, n)
    sent = 0
    for u in users:
        have = count(root, u)
        if have >= n:
            continue
        s = smtplib.SMTP(host, port, timeout=120)
        s.ehlo("seed.bench.test")
        for m in msgs[have:n]:
            s.sendmail("seed@sender.test", [u], m)
            sent += 1
        s.quit()
    deadline = time.time() + 300
    while time.time() < deadline:
        missing = [u for u in users if count(root, u) < n]
        if not missing:
            break
        time.sleep(0.5)
    else:
        raise SystemExit("seed: not delivered within 300 s: %s" % missing[:5])
    print("seeded %d users with %d messages each over SMTP (%d sent now)" % (len(users), n, sent))

if __name__ == "__main__":
    main()
