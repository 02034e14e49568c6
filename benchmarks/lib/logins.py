#!/usr/bin/env python3
"""POP3 login load: N parallel clients loop connect/greeting/login/QUIT for T seconds, while a
probe measures how fast the server answers a fresh client that does NOT log in (greeting + CAPA
+ QUIT every 0.2 s): if password checks blocked the I/O threads, the probe would stall.

  logins.py --host 127.0.0.1 --port 14110 --clients 50 --secs 30 \
      --user-fmt u%d@bench.test --user-first 1 --users 50 --password pass --mech plain|user
Bounded by --secs (each session also by a 60 s timeout) and --max-logins.
Prints one line:  RESULT logins clients=.. secs=.. logins=.. logins_s=.. errors=.. p50_ms=..
p99_ms=.. probe_n=.. probe_p50_ms=.. probe_p99_ms=.. probe_max_ms=.. client_cpu_s=..
"""
import argparse, asyncio, base64, multiprocessing as mp, resource, time

class Fail(Exception):
    pass

async def readline(r):
    line = await r.readline()
    if not line:
        raise Fail("eof")
    return line

async def cmd(r, w, c, want=b"+OK"):
    w.write(c.encode() + b"\r\n")
    await w.drain()
    line = await readline(r)
    if not line.startswith(want):
        raise Fail("%s -> %r" % (c.split()[0], line[:80]))
    return line

async def login_session(a, user):
    r, w = await asyncio.open_connection(a.host, a.port)
    try:
        if not (await readline(r)).startswith(b"+OK"):
            raise Fail("greeting")
        if a.mech == "plain":
            ir = base64.b64encode(b"\0" + user.encode() + b"\0" + a.password.encode()).decode()
            await cmd(r, w, "AUTH PLAIN " + ir)
        else:
            await cmd(r, w, "USER " + user)
            await cmd(r, w, "PASS " + a.password)
        await cmd(r, w, "QUIT")
    finally:
        w.close()
        try:
            await w.wait_closed()
        except Exception:
            pass

async def probe_session(a):
    r, w = await asyncio.open_connection(a.host, a.port)
    try:
        if not (await readline(r)).startswith(b"+OK"):
            raise Fail("greeting")
        await cmd(r, w, "CAPA")
        while (await readline(r)) != b".\r\n":
            pass
        await cmd(r, w, "QUIT")
    finally:
        w.close()
        try:
            await w.wait_closed()
        except Exception:
            pass

async def worker(a, idx, n, deadline, budget, out, probe):
    async def one(cid):
        user = a.user_fmt % (a.user_first + cid % a.users)
        while time.time() < deadline and budget[0] > 0:
            budget[0] -= 1
            t = time.perf_counter()
            try:
                await asyncio.wait_for(login_session(a, user), 60)
                out["logins"] += 1
                out["lat"].append(time.perf_counter() - t)
            except Exception as e:  # noqa
                out["errors"] += 1
                if len(out["errs"]) < 3:
                    out["errs"].append(repr(e)[:120])
                await asyncio.sleep(0.05)
    async def prober():
        while time.time() < deadline:
            t = time.perf_counter()
            try:
                await asyncio.wait_for(probe_session(a), 30)
                out["probe"].append(time.perf_counter() - t)
            except Exception as e:  # noqa
                out["probe_errors"] += 1
            await asyncio.sleep(0.2)
    tasks = [one(idx + k * a.procs) for k in range(n)]
    if probe:
        tasks.append(prober())
    await asyncio.gather(*tasks)

def proc_main(a, idx, n, deadline, budget_n, q):
    out = {"logins": 0, "errors": 0, "lat": [], "errs": [], "probe": [], "probe_errors": 0}
    asyncio.run(worker(a, idx, n, deadline, [budget_n], out, idx == 0))
    ru = resource.getrusage(resource.RUSAGE_SELF)
    out["cpu"] = ru.ru_utime + ru.ru_stime
    q.put(out)

def pct(xs, p):
    return xs[min(len(xs) - 1, int(len(xs) * p))] * 1000 if xs else float("nan")

def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--host", default="127.0.0.1"); ap.add_argument("--port", type=int, required=True)
    ap.add_argument("--clients", type=int, default=50); ap.add_argument("--secs", type=float, default=30)
    ap.add_argument("--max-logins", type=int, default=1_000_000)
    ap.add_argument("--user-fmt", default="u%d@bench.test"); ap.add_argument("--user-first", type=int, default=1)
    ap.add_argument("--users", type=int, default=50); ap.add_argument("--password", default="pass")
    ap.add_argument("--mech", choices=("plain", "user"), default="plain")
    ap.add_argument("--procs", type=int, default=2); ap.add_argument("--label", default="")
    a = ap.parse_args()
    if not (a.host.startswith("127.") or a.host in ("localhost", "::1")):
        raise SystemExit("refusing non-loopback target")
    a.procs = max(1, min(a.procs, a.clients))
    q = mp.Queue(); t0 = time.time(); deadline = t0 + a.secs; ps = []
    for i in range(a.procs):
        n = a.clients // a.procs + (1 if i < a.clients % a.procs else 0)
        p = mp.Process(target=proc_main, args=(a, i, n, deadline, a.max_logins // a.procs, q))
        p.start(); ps.append(p)
    res = [q.get(timeout=a.secs + 120) for _ in ps]
    for p in ps:
        p.join(10)
    el = time.time() - t0
    n = sum(r["logins"] for r in res); e = sum(r["errors"] for r in res)
    lat = sorted(x for r in res for x in r["lat"]); pr = sorted(x for r in res for x in r["probe"])
    pe = sum(r["probe_errors"] for r in res); cpu = sum(r["cpu"] for r in res)
    errs = [x for r in res for x in r["errs"]][:3]
    print("logins%s: %d in %.1fs = %.1f/s with %d clients (%s), errors=%d, login p50=%.1fms p99=%.1fms; "
          "probe (greeting+CAPA+QUIT, no login) n=%d p50=%.1fms p99=%.1fms max=%.1fms errors=%d; client_cpu=%.1fs%s"
          % (" " + a.label if a.label else "", n, el, n / el, a.clients, a.mech, e, pct(lat, .5), pct(lat, .99),
             len(pr), pct(pr, .5), pct(pr, .99), (pr[-1] * 1000 if pr else float("nan")), pe, cpu,
             (" first errors: %s" % errs) if errs else ""))
    print("RESULT logins label=%s clients=%d mech=%s secs=%.1f logins=%d logins_s=%.1f errors=%d p50_ms=%.1f p99_ms=%.1f "
          "probe_n=%d probe_p50_ms=%.1f probe_p99_ms=%.1f probe_max_ms=%.1f probe_errors=%d client_cpu_s=%.1f"
          % (a.label or "-", a.clients, a.mech, el, n, n / el, e, pct(lat, .5), pct(lat, .99), len(pr), pct(pr, .5),
             pct(pr, .99), (pr[-1] * 1000 if pr else float("nan")), pe, cpu))

if __name__ == "__main__":
    main()
