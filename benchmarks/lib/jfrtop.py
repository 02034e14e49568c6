#!/usr/bin/env python3
"""Top hotspots of a JFR recording (CPU samples, jdk.ExecutionSample).

  jfrtop.py JFR_TOOL FILE.jfr [N]
Prints: samples per thread group, top N self frames (top of stack), top N Postwerk frames
(the first dev.postwerk.* frame of each sample: where our code spends or causes the CPU), and
the top N "self frame <- first Postwerk frame" pairs.
"""
import collections, re, subprocess, sys

jfr, path = sys.argv[1], sys.argv[2]
N = int(sys.argv[3]) if len(sys.argv) > 3 else 15
txt = subprocess.run([jfr, "print", "--events", "jdk.ExecutionSample", "--stack-depth", "64", path],
                     capture_output=True, text=True, check=True).stdout
samples = []
for block in txt.split("jdk.ExecutionSample {")[1:]:
    m = re.search(r'sampledThread = "([^"]*)"', block)
    thread = m.group(1) if m else "?"
    st = block.split("stackTrace = [", 1)[1] if "stackTrace = [" in block else ""
    frames = [re.sub(r"\s+line:.*$", "", l.strip()) for l in st.splitlines()
              if l.strip() and not l.strip().startswith(("]", "...", "}"))]
    samples.append((thread, frames))
total = len(samples)
print("CPU samples: %d" % total)
def group(t):
    return re.sub(r"[-#]?\d+$", "", re.sub(r"-\d+-thread-\d+$", "-N-thread", t))
def show(title, counter):
    print("\n%s" % title)
    for k, v in counter.most_common(N):
        print("  %5.1f%%  %s" % (100.0 * v / max(1, total), k))
show("by thread (numbers stripped)", collections.Counter(group(t) for t, _ in samples))
show("self (top frame)", collections.Counter(f[0] for _, f in samples if f))
pw = collections.Counter()
pair = collections.Counter()
for _, f in samples:
    first = next((x for x in f if x.startswith("dev.postwerk.")), None)
    pw[first or "(no Postwerk frame)"] += 1
    if f:
        pair["%s  <-  %s" % (f[0], first or "-")] += 1
show("first Postwerk frame", pw)
show("self frame <- first Postwerk frame", pair)
