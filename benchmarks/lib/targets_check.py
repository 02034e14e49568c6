#!/usr/bin/env python3
"""Postwerk's figures against the issues' targets, from the RESULT files run.sh writes.

  targets_check.py RESULTS_DIR
Reads smtp-results.txt, pop3-results.txt, logins-results.txt and hashcost.txt when present and
prints markdown: the target checks (issue 6 SMTP, issue 7 POP3, issue 4 logins), the figures the
kit's summarize.py leaves out (POP3 server CPU per session), and the machine's 1-minute load
average during the runs (min / median / max of the load1 recorded with every RESULT line).
Medians over runs; ratios of medians, like summarize.py.
"""
import os, statistics, sys
from collections import defaultdict

def recs(path):
    out = []
    if not os.path.exists(path):
        return out
    for line in open(path, errors="replace"):
        if line.startswith("RESULT "):
            t = line.split()
            d = {"kind": t[1]}
            d.update(x.split("=", 1) for x in t[2:] if "=" in x)
            out.append(d)
    return out

def f(v):
    try:
        return float(v)
    except (TypeError, ValueError):
        return None

def med(xs):
    xs = [x for x in xs if x is not None]
    return statistics.median(xs) if xs else None

def fmt(v, nd=2):
    return "n/a" if v is None else ("%.0f" % v if abs(v) >= 100 else ("%.*f" % (nd, v) if abs(v) < 10 else "%.1f" % v))

def verdict(ok):
    return "n/a" if ok is None else ("**met**" if ok else "**not met**")

def load_line(rs):
    l = sorted(x for x in (f(r.get("load1")) for r in rs) if x is not None)
    return "load1 during these runs: min %s, median %s, max %s (2 cores)" % (fmt(l[0]), fmt(med(l)), fmt(l[-1])) if l else ""

def main():
    d = sys.argv[1]
    smtp = recs(os.path.join(d, "smtp-results.txt"))
    if smtp:
        print("### SMTP against issue 6's targets\n")
        print("| size | delivered msg/s: Postwerk ÷ Postfix+Dovecot (target ≥ 5) | accepted msg/s: Postwerk ÷ smtp-sink (target ≥ 0.5) "
              "| CPU ms/msg: Postwerk ÷ Postfix+Dovecot (target < 0.25) | delivered fraction (target 1.00) |")
        print("|---|---|---|---|---|")
        for test in ("smtp4k", "smtp100k"):
            g = defaultdict(lambda: defaultdict(list))
            for r in smtp:
                if r.get("test") != test:
                    continue
                ok = r.get("rc") == "0"
                g[r["target"]]["acc"].append(f(r.get("accept_msg_s")) if ok else None)
                g[r["target"]]["e2e"].append(f(r.get("e2e_msg_s")) if ok else None)
                g[r["target"]]["cpu"].append(f(r.get("cpu_ms_per_msg")))
                if r.get("delivered", "-1") != "-1":
                    g[r["target"]]["frac"].append(f(r["delivered"]) / max(1.0, f(r["expected"])))
            pw, pd, sk = g.get("postwerk"), g.get("postfix-dovecot"), g.get("smtp-sink")
            if not pw:
                continue
            def ratio(a, b, k):
                x, y = med(a[k]) if a else None, med(b[k]) if b else None
                return (x / y) if x is not None and y else None
            e, a, c = ratio(pw, pd, "e2e"), ratio(pw, sk, "acc"), ratio(pw, pd, "cpu")
            fr = min(pw["frac"]) if pw["frac"] else None
            print("| %s | %s (%s vs %s) %s | %s (%s vs %s) %s | %s (%s vs %s ms) %s | %s (lowest of %d runs) %s |" % (
                test, fmt(e), fmt(med(pw["e2e"])), fmt(med(pd["e2e"])) if pd else "n/a", verdict(None if e is None else e >= 5),
                fmt(a), fmt(med(pw["acc"])), fmt(med(sk["acc"])) if sk else "n/a", verdict(None if a is None else a >= 0.5),
                fmt(c), fmt(med(pw["cpu"])), fmt(med(pd["cpu"])) if pd else "n/a", verdict(None if c is None else c < 0.25),
                fmt(fr), len(pw["frac"]), verdict(None if fr is None else fr >= 1.0)))
        print("\n" + load_line(smtp) + "\n")
    for fname in ("pop3-results.txt", "pop3-sha512-results.txt"):
        pop3_section(recs(os.path.join(d, fname)), fname)
    rest(d)

def pop3_section(pop, fname):
    if pop:
        g = defaultdict(lambda: defaultdict(list))
        for r in pop:
            s = f(r.get("sessions"))
            g[r["target"]]["s"].append(f(r.get("sessions_s")))
            g[r["target"]]["mb"].append(f(r.get("mb_s")))
            g[r["target"]]["cpu"].append(1000 * f(r.get("cpu_s")) / s if s else None)
            g[r["target"]]["err"].append(f(r.get("errors")))
            g[r["target"]]["p99"].append(f(r.get("p99_ms")))
            g[r["target"]]["ccpu"].append(f(r.get("client_cpu_s")) / f(r.get("secs")) if f(r.get("secs")) else None)
        ref = next((t for t in g if t != "postwerk"), None)
        both = ref is not None and "postwerk" in g
        print("### POP3 against issue 7's target (%s)\n" % fname)
        tg = list(g)
        print("| metric | " + " | ".join(tg) + (" | postwerk ÷ %s |" % ref if both else " |"))
        print("|---|" + "---|" * len(tg) + ("---|" if both else ""))
        for k, lab in (("s", "sessions/s"), ("mb", "RETR MB/s"), ("cpu", "server CPU ms/session"), ("p99", "session p99 ms"),
                       ("err", "errors (median)"), ("ccpu", "load client CPU (cores busy)")):
            row = [fmt(med(g[t][k])) + " (%d)" % len([x for x in g[t][k] if x is not None]) for t in tg]
            rat = ""
            if both:
                a, b = med(g["postwerk"][k]), med(g[ref][k])
                rat = " %s |" % (("%.2fx" % (a / b)) if a is not None and b else "")
            print("| %s | %s |%s" % (lab, " | ".join(row), rat))
        print("| errors (total) | %s |%s" % (" | ".join(fmt(sum(x for x in g[t]["err"] if x is not None)) for t in tg), " |" if both else ""))
        if both:
            sr = med(g["postwerk"]["s"]) / med(g[ref]["s"])
            cr = med(g["postwerk"]["cpu"]) / med(g[ref]["cpu"])
            print("\nTarget >= 1.5x %s's sessions/s at equal or lower CPU per session: sessions/s %.2fx %s, "
                  "CPU/session %.2fx %s." % (ref, sr, verdict(sr >= 1.5), cr, verdict(cr <= 1.0)))
        print("\n" + load_line(pop) + "\n")

def rest(d):
    lg = recs(os.path.join(d, "logins-results.txt"))
    if lg:
        print("### Logins: %s parallel POP3 clients, AUTH PLAIN, connect/login/QUIT loop (issue 4)\n" % lg[0].get("clients"))
        g = defaultdict(lambda: defaultdict(list))
        for r in lg:
            n = f(r.get("logins"))
            for k in ("logins_s", "p50_ms", "p99_ms", "probe_p50_ms", "probe_p99_ms", "probe_max_ms", "errors", "probe_errors"):
                g[r["label"]][k].append(f(r.get(k)))
            g[r["label"]]["cpu"].append(1000 * f(r.get("cpu_s")) / n if n else None)
        cols = ("logins_s", "cpu", "p50_ms", "p99_ms", "errors", "probe_p50_ms", "probe_p99_ms", "probe_max_ms", "probe_errors")
        print("| stored hash | logins/s | server CPU ms/login | login p50 ms | login p99 ms | errors | probe p50 ms | probe p99 ms | probe max ms | probe errors |")
        print("|---|" + "---|" * len(cols))
        for lab, v in g.items():
            print("| %s | %s |" % (lab, " | ".join(fmt(med(v[k])) + ("" if k != "logins_s" else " (%d)" % len(v[k])) for k in cols)))
        print("\n(probe = a fresh client that only reads the greeting, sends CAPA and QUIT, every 0.2 s during the load)")
        print("\n" + load_line(lg) + "\n")
    hc = recs(os.path.join(d, "hashcost.txt"))
    if hc:
        print("### One password verification, single thread, the directory's libraries\n")
        print("| scheme | parameters | ms |")
        print("|---|---|---|")
        for r in hc:
            p = " ".join("%s=%s" % (k, v) for k, v in r.items() if k not in ("kind", "scheme", "ms"))
            print("| %s | %s | %s |" % (r["scheme"], p, r["ms"]))
        print()


if __name__ == "__main__":
    main()
