#!/usr/bin/env python3
"""report_pkt.py - tables of the kernel-only packet-rate bench (issue #17).

Reads the "PKT ..." lines that tests/bench/vm-pkt.sh prints (see there) from
the serial log and writes into --out:
  pkt.json   every run's rate, medians, ratios, rows, memory, profile
  pkt.md     the tables (Markdown)
It prints pkt.md and ends with "bench: N passed, N failed"; the exit status
is 1 if anything failed. Checks: the VM ended, no kernel splat, every
configuration delivered packets, the NAT configurations are full NAT. The
issue's goals are reported (met / not met), not checked.
"""
import json
import os
import re
import statistics
import sys

from report_common import SPLAT_RE, parse_args

NAMES = {
    "fwd": "plain forwarding",
    "l4lb": "l4lb (proto=udp)",
    "ipvs": "IPVS NAT (-u, -m) + conntrack + snat",
    "nft": "nftables numgen DNAT + snat",
}
WL = {"hit": "one flow (every packet one 5-tuple: lookup hit)",
      "new": "a new flow per packet (new 5-tuple each packet)"}
# The perf workload tags of the PKT_BIGPERF runs (vm-pkt.sh's pktbigperf),
# and the workload each profiles.
BIG_WL = {"hitbig": "hit", "newbig": "new"}
GROUPS = ["l4lb", "l4lb_gc", "ipvs", "ct_nat", "nft", "pktgen"]


def num(x):
    """A number of a log line, "-" for none."""
    return None if x == "-" else float(x)


def med(xs):
    return statistics.median(xs) if xs else None


def fmt(v, digits=2):
    if v is None:
        return "-"
    if abs(v) >= 1000:
        return "{:,.0f}".format(v)
    return "%.*f" % (digits, v)


def parse(path):
    d = {"info": {}, "val": {}, "err": [], "nat": {}, "fill": [], "slab": [], "read": [],
         "perf": {}, "perf_top": {}, "perfsym": {}, "win": {}, "ended": False, "splat": [],
         "duration": None}
    in_dmesg = False
    with open(path, errors="replace") as f:
        for line in f:
            line = line.rstrip("\n")
            if line.startswith("----- dmesg"):
                in_dmesg = True
            elif line.startswith("----- end dmesg"):
                in_dmesg = False
            if SPLAT_RE.search(line) and (in_dmesg or not line.startswith("#")):
                d["splat"].append(line)
            if line.startswith("----- bench end"):
                d["ended"] = True
            m = re.match(r"BENCH info duration (\d+)", line)
            if m:
                d["duration"] = int(m.group(1))
            m = re.match(r"(?:BENCH|PKT) info (\S+) (.*)", line)
            if m:
                d["info"][m.group(1)] = m.group(2)
                continue
            p = line.split()
            if not p:
                continue
            if p[0] == "PERF" and len(p) > 3:
                d["perf_top"].setdefault((p[1], p[2]), []).append(" ".join(p[3:]))
            if p[0] == "PERFSYM" and len(p) > 4 and p[3].endswith("%"):
                try:
                    d["perfsym"].setdefault((p[1], p[2]), []).append((float(p[3][:-1]), p[-1]))
                except ValueError:
                    pass
            if p[0] != "PKT" or len(p) < 2:
                continue
            k = p[1]
            try:
                if k == "val" and len(p) >= 9:
                    ph, cfg, wl, run = p[2], p[3], p[4], int(p[5])
                    d["val"].setdefault(ph, {}).setdefault(cfg, {}).setdefault(wl, {})[run] = {
                        "pps": float(p[6]), "delivered": float(p[7]), "secs": float(p[8])}
                elif k == "err":
                    d["err"].append(" ".join(p[2:]))
                elif k == "nat" and len(p) >= 5:
                    d["nat"][p[2]] = (p[3], p[4])
                elif k == "fill" and len(p) >= 6:
                    d["fill"].append({"cfg": p[2], "want": int(p[3]), "rows": int(p[4]),
                                      "secs": float(p[5])})
                elif k == "slab" and len(p) >= 9:
                    d["slab"].append({"cfg": p[2], "level": int(p[3]), "b0": int(p[4]),
                                      "b1": int(p[5]), "r0": int(p[6]), "r1": int(p[7]),
                                      "caches": p[8]})
                elif k == "read" and len(p) >= 6:
                    d["read"].append({"cfg": p[2], "what": p[3], "n": int(p[4]),
                                      "secs": float(p[5])})
                elif k == "win" and len(p) >= 15:
                    d["win"][(p[2], p[3], p[4])] = {
                        "rows": num(p[6]), "secs": float(p[7]), "gc_ms_per_s": num(p[8]),
                        "gc_runs": num(p[9]), "usr": float(p[10]), "sys": float(p[11]),
                        "irq": float(p[12]), "softirq": float(p[13]), "idle": float(p[14])}
                elif k == "perf" and len(p) >= 8:
                    d["perf"].setdefault((p[2], p[3]), {"pps": float(p[4]), "cpus": int(p[5]),
                                                         "groups": {}})["groups"][p[6]] = float(p[7])
            except ValueError:
                d["err"].append("unparsed: " + line)
    return d


def paired(vals, a, b, wl):
    """Per-round ratios a/b of workload wl, and how many fell above/below 1."""
    ra, rb = vals.get(a, {}).get(wl, {}), vals.get(b, {}).get(wl, {})
    rs = [ra[r]["pps"] / rb[r]["pps"] for r in sorted(ra) if r in rb and rb[r]["pps"] > 0]
    return rs


def rate_table(out, vals, configs, title):
    """Median pps per configuration and workload, ratio to forwarding, and
    the paired ratios l4lb/IPVS and l4lb/nft."""
    summary = {}
    out.append("### " + title)
    out.append("")
    out.append("| workload | configuration | median pps | runs (min-max) | ÷ forwarding | delivered |")
    out.append("|---|---|---|---|---|---|")
    for wl in ("hit", "new"):
        fwd = med([v["pps"] for v in vals.get("fwd", {}).get(wl, {}).values()])
        for cfg in configs:
            runs = vals.get(cfg, {}).get(wl, {})
            xs = [v["pps"] for v in runs.values()]
            m = med(xs)
            dl = med([v["delivered"] for v in runs.values()])
            ratio = m / fwd if m and fwd else None
            summary.setdefault(wl, {})[cfg] = {"median_pps": m, "runs": [runs[r]["pps"] for r in sorted(runs)],
                                               "ratio_fwd": ratio, "delivered": dl}
            out.append("| %s | %s | %s | %d (%s-%s) | %s | %s |" % (
                wl, cfg, fmt(m), len(xs), fmt(min(xs)) if xs else "-", fmt(max(xs)) if xs else "-",
                fmt(ratio), fmt(dl, 3)))
    out.append("")
    out.append("| workload | paired ratio | per round | median | rounds > 1 / < 1 |")
    out.append("|---|---|---|---|---|")
    for wl in ("hit", "new"):
        for b in ("ipvs", "nft"):
            if "l4lb" not in configs or b not in configs:
                continue
            rs = paired(vals, "l4lb", b, wl)
            summary[wl]["l4lb/" + b] = {"rounds": rs, "median": med(rs),
                                        "above": sum(r > 1 for r in rs), "below": sum(r < 1 for r in rs)}
            out.append("| %s | l4lb / %s | %s | **%s** | %d / %d |" % (
                wl, b, " ".join(fmt(r) for r in rs), fmt(med(rs)),
                sum(r > 1 for r in rs), sum(r < 1 for r in rs)))
    out.append("")
    return summary


def ns_per_pkt(share, p):
    """A share (% of all CPU time) of profile p as ns per packet."""
    return share / 100 * p["cpus"] * 1e9 / p["pps"] if share is not None and p["pps"] > 0 else None


def perf_table(out, perf, wl_name=lambda wl: wl):
    """The per-packet cost table of the profiles perf ({(cfg, wl): PKT
    perf}); returns them for pkt.json."""
    out.append("| configuration | workload | pps | " + " | ".join("%s %% / ns" % g for g in GROUPS) + " |")
    out.append("|---|---|---|" + "---|" * len(GROUPS))
    r = {}
    for (cfg, wl), p in sorted(perf.items()):
        cells = []
        for g in GROUPS:
            s = p["groups"].get(g)
            ns = ns_per_pkt(s, p)
            cells.append("%s / %s" % (fmt(s), fmt(ns, 0)) if s is not None else "-")
            r.setdefault(cfg, {}).setdefault(wl_name(wl), {})[g] = {"share_pct": s, "ns_per_pkt": ns}
        r[cfg][wl_name(wl)]["pps"] = p["pps"]
        out.append("| %s | %s | %s | %s |" % (cfg, wl_name(wl), fmt(p["pps"]), " | ".join(cells)))
    out.append("")
    return r


def big_section(out, res, d, big, levels):
    """PKT_BIGPERF: the profiles of the last rows level (first round),
    the expiry worker and CPU over their windows, and l4lb's symbols
    beside the empty-table profile's."""
    m = re.search(r"\bbig=(\d+)", d["info"].get("params", ""))
    n = int(m.group(1)) if m else (levels[-1] if levels else 0)
    out.append("### Per-packet cost at %s rows (PKT_BIGPERF)" % "{:,}".format(n))
    out.append("")
    out.append("One more hit and new run per configuration under perf record (groups, and ns "
               "per packet, as in the empty-table profile), in the first round of the %s-row "
               "level, after its timed runs and on the same table (so with the rows its timed "
               "new run made; this new run from other sources)." % "{:,}".format(n))
    out.append("")
    r = res["bigperf"] = {"rows": n, "perf": perf_table(out, big, lambda wl: BIG_WL[wl])}
    win = {(cfg, wl): w for (ph, cfg, wl), w in d["win"].items() if ph == "bigperf"}
    if win:
        out.append("Over the measured window: the table's rows before the run; l4lb's expiry "
                   "worker (l4lbctl stats: gc_nsecs, gc_runs) in ms per second; /proc/stat's "
                   "shares of all CPUs' time (perf's own included).")
        out.append("")
        out.append("| configuration | workload | rows | window, s | l4lb gc ms/s (runs) | "
                   "user % | sys % | irq % | softirq % | idle % |")
        out.append("|---|---|---|---|---|---|---|---|---|---|")
        for (cfg, wl), w in sorted(win.items()):
            gc = "-" if w["gc_ms_per_s"] is None else "%.3f (%d)" % (w["gc_ms_per_s"], w["gc_runs"])
            out.append("| %s | %s | %s | %.1f | %s | %.1f | %.1f | %.1f | %.1f | %.1f |" % (
                cfg, wl, "-" if w["rows"] is None else "{:,.0f}".format(w["rows"]), w["secs"], gc,
                w["usr"], w["sys"], w["irq"], w["softirq"], w["idle"]))
        out.append("")
        r["window"] = {"%s %s" % k: w for k, w in sorted(win.items())}
    rows = []
    for (cfg, tag), p in sorted(big.items()):
        wl = BIG_WL[tag]
        syms = sorted(d["perfsym"].get((cfg, tag), []), reverse=True)
        if not any(sym.startswith("l4lb_") for _, sym in syms):
            continue
        e = d["perf"].get((cfg, wl))
        es = {sym: v for v, sym in d["perfsym"].get((cfg, wl), [])}
        for v, sym in syms[:12]:
            ens = ns_per_pkt(es.get(sym), e) if e else None
            rows.append((cfg, wl, sym, v, ns_per_pkt(v, p), ens))
            r.setdefault("symbols", []).append({"cfg": cfg, "workload": wl, "symbol": sym, "share_pct": v,
                                                "ns_per_pkt": ns_per_pkt(v, p), "ns_per_pkt_empty": ens})
    if rows:
        out.append("l4lb's top symbols in these runs (PERFSYM; with nf_hook_slow), ns per packet "
                   "beside the empty-table profile's (- : not in it, or no such profile):")
        out.append("")
        out.append("| configuration | workload | symbol | %% at %s rows | ns at %s rows | ns, empty table |"
                   % ("{:,}".format(n), "{:,}".format(n)))
        out.append("|---|---|---|---|---|---|")
        for cfg, wl, sym, v, ns, ens in rows:
            out.append("| %s | %s | %s | %s | %s | %s |" % (cfg, wl, sym, fmt(v), fmt(ns, 0), fmt(ens, 0)))
        out.append("")


def main():
    a = parse_args()
    d = parse(a.log)
    configs = d["info"].get("configs", "fwd l4lb ipvs nft").split()
    res = {"info": d["info"], "duration_s": d["duration"], "phases": {}}
    out = ["## Packet rates, kernel only (pktgen, UDP 64-byte frames)", ""]
    out.append("Log: `%s`; %s; l4lb.ko %s; %s vCPUs; qemu %s." % (
        os.path.basename(a.log), d["info"].get("date", "?"), d["info"].get("l4lb_ko", "?"),
        d["info"].get("vcpus", "?"), d["info"].get("qemu_flags", "?").split(" -kernel")[0]))
    out.append("")
    passed, failed = 0, 0
    checks = []

    def check(ok, what):
        nonlocal passed, failed
        checks.append(("ok" if ok else "FAIL", what))
        if ok:
            passed += 1
        else:
            failed += 1

    base = d["val"].get("base", {})
    res["phases"]["base"] = rate_table(out, base, configs, "One CPU, empty tables")
    for cfg in configs if base or "runs=0 " not in d["info"].get("params", "") else []:
        for wl in ("hit", "new"):
            xs = [v["pps"] for v in base.get(cfg, {}).get(wl, {}).values()]
            check(bool(xs) and min(xs) > 0, "%s %s: every run delivered packets" % (cfg, wl))
    for ph, vals in sorted(d["val"].items()):
        if ph == "base":
            continue
        zero = ["%s %s %s" % (cfg, wl, r) for cfg, w in vals.items() for wl, rs in w.items()
                for r, v in rs.items() if v["pps"] <= 0]
        check(not zero, "%s: every run delivered packets%s" % (ph, (" (not: " + ", ".join(zero) + ")") if zero else ""))
    for cfg in configs:
        if cfg == "fwd":
            continue
        natted, other = d["nat"].get(cfg, ("0", "?"))
        check(other == "0" and natted not in ("0", "setup-failed"),
              "%s is full NAT: be1 got %s packets from the SNAT pool, %s from elsewhere" % (cfg, natted, other))

    # Rows levels.
    levels = sorted(int(ph[4:]) for ph in d["val"] if ph.startswith("rows"))
    if levels:
        out.append("### With idle rows in the table (one CPU)")
        out.append("")
        out.append("| rows | workload | configuration | median pps | runs | ÷ same config, empty table |")
        out.append("|---|---|---|---|---|---|")
        res["phases"]["rows"] = {}
        for n in levels:
            vals = d["val"]["rows%d" % n]
            for wl in ("hit", "new"):
                for cfg in configs:
                    runs = vals.get(cfg, {}).get(wl, {})
                    if not runs:
                        continue
                    m = med([v["pps"] for v in runs.values()])
                    b = res["phases"]["base"].get(wl, {}).get(cfg, {}).get("median_pps")
                    res["phases"]["rows"].setdefault(str(n), {}).setdefault(wl, {})[cfg] = {
                        "median_pps": m, "runs": [runs[r]["pps"] for r in sorted(runs)],
                        "ratio_empty": m / b if b else None}
                    out.append("| %s | %s | %s | %s | %s | %s |" % (
                        "{:,}".format(n), wl, cfg, fmt(m), " ".join(fmt(runs[r]["pps"]) for r in sorted(runs)),
                        fmt(m / b if b else None)))
        out.append("")
        if len(levels) >= 2:
            lo, hi = levels[0], levels[-1]
            out.append("Rate at %s rows ÷ rate at %s rows, the same table size, paired by round "
                       "(per round; median):" % ("{:,}".format(hi), "{:,}".format(lo)))
            out.append("")
            out.append("| workload | " + " | ".join(c for c in configs if c != "fwd") + " |")
            out.append("|---|" + "---|" * len([c for c in configs if c != "fwd"]))
            res["phases"]["rows_pair"] = {}
            for wl in ("hit", "new"):
                row = []
                for cfg in configs:
                    if cfg == "fwd":
                        continue
                    rs = paired({"hi": d["val"]["rows%d" % hi].get(cfg, {}),
                                 "lo": d["val"]["rows%d" % lo].get(cfg, {})}, "hi", "lo", wl)
                    res["phases"]["rows_pair"].setdefault(wl, {})[cfg] = {"rounds": rs, "median": med(rs)}
                    row.append("%s; **%s**" % (" ".join(fmt(r) for r in rs), fmt(med(rs))) if rs else "-")
                out.append("| %s | %s |" % (wl, " | ".join(row)))
            out.append("")
    if d["fill"] or d["slab"]:
        out.append("### Filling the table, and memory per row")
        out.append("")
        out.append("| configuration | rows wanted | rows made | fill time, s (median) | slab bytes per row | caches |")
        out.append("|---|---|---|---|---|---|")
        res["fill"] = d["fill"]
        res["slab"] = []
        for n in sorted({f["want"] for f in d["fill"]}):
            for cfg in configs:
                fs = [f for f in d["fill"] if f["cfg"] == cfg and f["want"] == n]
                if not fs:
                    continue
                sl = [s for s in d["slab"] if s["cfg"] == cfg and s["level"] == n]
                per = None
                if sl and sl[0]["r1"] > sl[0]["r0"]:
                    s = sl[0]
                    per = (s["b1"] - s["b0"]) / (s["r1"] - s["r0"])
                    res["slab"].append(dict(s, bytes_per_row=per))
                out.append("| %s | %s | %s | %s | %s | %s |" % (
                    cfg, "{:,}".format(n), "{:,}".format(min(f["rows"] for f in fs)),
                    fmt(med([f["secs"] for f in fs]), 1), fmt(per, 0), sl[0]["caches"] if sl else "-"))
        out.append("")
    if d["read"]:
        out.append("| reading l4lb's table | rows / bytes | seconds |")
        out.append("|---|---|---|")
        for r in d["read"]:
            out.append("| %s | %s | %s |" % (r["what"], "{:,}".format(r["n"]), fmt(r["secs"], 1)))
        out.append("")
        res["read"] = d["read"]

    # Profile.
    perf = {k: v for k, v in d["perf"].items() if k[1] not in BIG_WL}
    if perf:
        out.append("### Per-packet cost (perf record -a -e cpu-clock)")
        out.append("")
        out.append("ns per packet of a group = its share of all CPU time (idle included) "
                   "× CPUs × 10^9 ÷ the run's rate. l4lb_gc: l4lb's expiry worker "
                   "(l4lb_conn_sweep, l4lb_gc_*), which runs in a kworker, not per packet.")
        out.append("")
        res["perf"] = perf_table(out, perf)
        res["perf_top"] = {"%s %s" % k: v for k, v in d["perf_top"].items()}
    big = {k: v for k, v in d["perf"].items() if k[1] in BIG_WL}
    if big:
        big_section(out, res, d, big, levels)

    # Two CPUs.
    s1, s2 = d["val"].get("smp1", {}), d["val"].get("smp2", {})
    if s2:
        out.append("### Two CPUs (two pktgen threads) ÷ one, paired by round")
        out.append("")
        out.append("| workload | configuration | 1 CPU median pps | 2 CPUs median pps | 2/1 per round | median 2/1 | ÷ forwarding's 2/1 |")
        out.append("|---|---|---|---|---|---|---|")
        res["phases"]["smp"] = {}
        for wl in ("hit", "new"):
            for cfg in configs:
                a1, a2 = s1.get(cfg, {}).get(wl, {}), s2.get(cfg, {}).get(wl, {})
                rs = [a2[r]["pps"] / a1[r]["pps"] for r in sorted(a2) if r in a1 and a1[r]["pps"] > 0]
                m1 = med([v["pps"] for v in a1.values()])
                m2 = med([v["pps"] for v in a2.values()])
                res["phases"]["smp"].setdefault(wl, {})[cfg] = {"pps1": m1, "pps2": m2, "rounds": rs,
                                                                "median": med(rs)}
            fm = res["phases"]["smp"][wl].get("fwd", {}).get("median")
            for cfg in configs:
                e = res["phases"]["smp"][wl][cfg]
                e["of_fwd"] = e["median"] / fm if e["median"] and fm else None
                out.append("| %s | %s | %s | %s | %s | **%s** | %s |" % (
                    wl, cfg, fmt(e["pps1"]), fmt(e["pps2"]), " ".join(fmt(r) for r in e["rounds"]),
                    fmt(e["median"]), fmt(e["of_fwd"])))
        out.append("")
        out.append("Under TCG plain forwarding itself does not double on two vCPUs; "
                   "the last column is a configuration's scaling as a share of forwarding's.")
        out.append("")

    # The issue's goals.
    goals = []
    b = res["phases"]["base"]
    hit_fwd = b.get("hit", {}).get("l4lb", {}).get("ratio_fwd")
    goals.append(("one flow >= 0.95x forwarding", hit_fwd, hit_fwd is not None and hit_fwd >= 0.95))
    for o in ("ipvs", "nft"):
        r = b.get("new", {}).get("l4lb/" + o, {}).get("median")
        goals.append(("new flows >= 1.5x %s" % o, r, r is not None and r >= 1.5))
    rp = res["phases"].get("rows_pair", {})
    if len(levels) >= 2:
        for wl in ("hit", "new"):
            r = rp.get(wl, {}).get("l4lb", {}).get("median")
            goals.append(("%s at %s rows within 10%% of %s (paired)" % (
                wl, "{:,}".format(levels[-1]), "{:,}".format(levels[0])), r, r is not None and r >= 0.9))
    per = [s["bytes_per_row"] for s in res.get("slab", []) if s["cfg"] == "l4lb"]
    if per:
        goals.append(("<= 128 B per row (slab)", max(per), max(per) <= 128))
    sm = res["phases"].get("smp", {})
    for wl in ("hit", "new"):
        r = sm.get(wl, {}).get("l4lb", {}).get("median")
        if r is not None:
            goals.append(("2 CPUs >= 1.8x one, %s" % wl, r, r >= 1.8))
    out.append("### The issue's goals (l4lb)")
    out.append("")
    out.append("| goal | measured | met |")
    out.append("|---|---|---|")
    for g, v, ok in goals:
        out.append("| %s | %s | %s |" % (g, fmt(v), "yes" if ok else "no"))
    out.append("")
    res["goals"] = [{"goal": g, "value": v, "met": ok} for g, v, ok in goals]

    check(d["ended"], "the VM script ran to its end")
    check(not d["splat"], "no kernel warning or oops" + (": " + d["splat"][0] if d["splat"] else ""))
    check(a.qemu_rc == 0, "qemu exit status 0 (got %d)" % a.qemu_rc)
    for e in d["err"]:
        check(False, "error: " + e)
    out.append("### Checks")
    out.append("")
    for st, w in checks:
        out.append("- %s: %s" % (st, w))
    out.append("")
    if d["duration"]:
        out.append("The VM ran %d s." % d["duration"])
        out.append("")
    res["checks"] = checks
    os.makedirs(a.out, exist_ok=True)
    with open(os.path.join(a.out, "pkt.md"), "w") as f:
        f.write("\n".join(out) + "\n")
    with open(os.path.join(a.out, "pkt.json"), "w") as f:
        json.dump(res, f, indent=1, sort_keys=True)
    print("\n".join(out))
    print("bench: %d passed, %d failed" % (passed, failed))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
