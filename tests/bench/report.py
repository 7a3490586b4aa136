#!/usr/bin/env python3
"""report.py - turn the serial log of the l4lb benchmark VM into results.

Reads the "BENCH ..." lines that tests/bench/vm-bench.sh prints (see there),
and writes into --out:
  results.json   every run's value, medians, ratios to l4lb, memory, checks
  results.md     the tables (Markdown), with PROXY v2 on vs off (l4lbpp / l4lb)
                 and IPv6 (l4lb6 / ipvs6, nft6, direct6; v6 / v4)
  results.dat / results.gp / results.png   a gnuplot chart of the ratios
It prints the tables and ends with "bench: N passed, N failed"; the exit
status is 1 if anything failed.
"""
import json
import os
import statistics
import subprocess
import sys

from report_common import SPLAT_RE, parse_args


# metric -> (label, unit, higher_is_better)
METRICS = [
    ("connrate", "new connections/s (no keep-alive)", "conn/s", True),
    ("keepalive", "requests/s on keep-alive connections", "req/s", True),
    ("lat_p50", "latency p50, one short request at a time", "ms", False),
    ("lat_p99", "latency p99, one short request at a time", "ms", False),
    ("bulk_up", "bulk client->server (iperf3)", "Mbit/s", True),
    ("bulk_down", "bulk server->client (iperf3 -R)", "Mbit/s", True),
    ("small_connrate", "new connections/s, SMALL idle rows held", "conn/s", True),
    ("big_connrate", "new connections/s, BIG idle rows held", "conn/s", True),
]
ROW_CACHES = {
    "l4lb": ["l4lb_conn"],
    "l4lbpp": ["l4lb_conn_ca"],  # rows that pass the client's address
    "ipvs": ["ip_vs_conn", "nf_conntrack"],
    "ipvs0": ["ip_vs_conn"],
    "nft": ["nf_conntrack"],
    "direct": [],
}
NAMES = {
    "direct": "no balancer (forwarding)",
    "l4lb": "l4lb rr",
    "l4lbpp": "l4lb rr + PROXY v2",
    "ipvs": "IPVS NAT + masquerade",
    "ipvs0": "IPVS conntrack=0",
    "nft": "nftables numgen + masquerade",
    "direct6": "IPv6, no balancer (forwarding)",
    "l4lb6": "IPv6, l4lb rr",
    "ipvs6": "IPv6, IPVS NAT + masquerade",
    "nft6": "IPv6, nftables numgen + masquerade",
}

# The IPv6 configurations (vm-bench.sh: the name ends in 6) run only these
# metrics, and have their own section: l4lb6 / each other one, and each
# one / its IPv4 counterpart, paired by round.
V6_METRICS = ("connrate", "bulk_up", "bulk_down")
V6_OTHERS = ("ipvs6", "nft6", "direct6")
V4_OF = {"direct6": "direct", "l4lb6": "l4lb", "ipvs6": "ipvs", "nft6": "nft"}


def is_v6(cfg):
    return cfg.endswith("6")


# Metrics of the PROXY v2 on/off comparison: those of the rounds, where
# l4lbpp and l4lb run one after the other (the scale levels are not paired).
PP_METRICS = ("connrate", "keepalive", "lat_p50", "lat_p99")


def run_key(r):
    return (0, int(r), "") if r.isdigit() else (1, 0, r)


def fmt(v, digits=3):
    if v is None:
        return "-"
    if v == 0:
        return "0"
    a = abs(v)
    if a >= 100:
        return "%.0f" % v
    if a >= 10:
        return "%.1f" % v
    if a >= 1:
        return "%.2f" % v
    return "%.3g" % v


def summary(d, cfg, m):
    """Runs, errors, median, min, max and spread of metric m of cfg."""
    vals = d["val"].get(cfg, {}).get(m, [])
    e = {"runs": vals, "errors": d["err"].get(cfg, {}).get(m, [])}
    if vals:
        med = statistics.median(vals)
        e["median"] = med
        e["min"], e["max"] = min(vals), max(vals)
        e["spread_pct"] = 100.0 * (max(vals) - min(vals)) / med if med else None
    return e


def paired(d, a, b, m):
    """a's value / b's value of metric m within each round both ran: the
    rounds, their median, range, and how many fell above and below 1;
    None if there is no such round."""
    ra = d["runs"].get(a, {}).get(m, {})
    rb = d["runs"].get(b, {}).get(m, {})
    rounds = {r: ra[r] / rb[r] for r in sorted(ra, key=run_key) if rb.get(r)}
    if not rounds:
        return None
    v = list(rounds.values())
    return {"rounds": rounds, "median": statistics.median(v), "min": min(v), "max": max(v),
            "above_1": sum(1 for x in v if x > 1), "below_1": sum(1 for x in v if x < 1)}


def parse(path):
    d = {"info": {}, "fullnat": {}, "proxy": {}, "skip": {}, "na": {}, "val": {}, "err": {}, "slab": {},
         "rows": {}, "aux": {}, "runs": {}, "gc": {}, "hostload": [], "perf_dso": [], "perf_sym": [], "perf_l4lb": [], "ended": False,
         "dmesg_end": False, "splat": []}
    in_dmesg = False
    with open(path, errors="replace") as f:
        for line in f:
            line = line.rstrip("\n")
            if line == "----- bench end -----":
                d["ended"] = True
            elif line == "----- dmesg -----":
                in_dmesg = True
            elif line == "----- end dmesg -----":
                d["dmesg_end"] = True
                in_dmesg = False
            if SPLAT_RE.search(line):
                d["splat"].append(line)
            if in_dmesg:
                continue
            if line.startswith("PERF head "):
                d["perf_dso"].append("== profile with %s ==" % line[10:])
                d["perf_sym"].append("== profile with %s ==" % line[10:])
                d["perf_l4lb"].append("== profile with %s ==" % line[10:])
                continue
            if line.startswith("PERF dso "):
                d["perf_dso"].append(line[9:])
                continue
            if line.startswith("PERF sym "):
                d["perf_sym"].append(line[9:])
                continue
            if line.startswith("PERF l4lb "):
                d["perf_l4lb"].append(line[10:])
                continue
            if line.startswith("HOSTLOAD "):
                try:
                    d["hostload"].append(float(line.split()[2]))
                except (IndexError, ValueError):
                    pass
                continue
            if not line.startswith("BENCH "):
                continue
            p = line.split()
            kind = p[1]
            try:
                if kind == "info":
                    d["info"][p[2]] = " ".join(p[3:])
                elif kind == "fullnat":
                    d["fullnat"][p[2]] = {"yes": p[3] == "yes", "detail": " ".join(p[4:])}
                elif kind == "proxy":
                    d["proxy"][p[2]] = {"yes": p[3] == "yes", "detail": " ".join(p[4:])}
                elif kind == "skip":
                    d["skip"][p[2]] = " ".join(p[3:])
                elif kind == "na":
                    d["na"].setdefault(p[2], {})[p[3]] = " ".join(p[4:])
                elif kind == "val":
                    d["val"].setdefault(p[2], {}).setdefault(p[3], []).append(float(p[5]))
                    d["runs"].setdefault(p[2], {}).setdefault(p[3], {})[p[4]] = float(p[5])
                elif kind == "err":
                    d["err"].setdefault(p[2], {}).setdefault(p[3], []).append(" ".join(p[5:]))
                elif kind == "slab":
                    d["slab"].setdefault(p[2], {}).setdefault(p[3], {})[p[4]] = \
                        (int(p[5]), int(p[6]), int(p[7]))
                elif kind == "aux":
                    kv = dict(x.split("=", 1) for x in p[5:] if "=" in x)
                    d["aux"].setdefault(p[2], {}).setdefault(p[3], []).append(kv)
                elif kind == "gc":
                    d["gc"].setdefault(p[2], {})[p[3]] = {
                        "ms_per_s": float(p[4]), "calls": int(p[5]), "secs": float(p[6])}
                elif kind == "rows":
                    d["rows"].setdefault(p[2], {})[p[3]] = (int(p[4]), int(p[5]))
            except (IndexError, ValueError):
                print("report: cannot parse: " + line, file=sys.stderr)
    return d


def memory(d, cfg):
    """Bytes of slab per row between snapshots a and b (None if missing)."""
    s = d["slab"].get(cfg, {})
    r = d["rows"].get(cfg, {})
    if "a" not in s or "b" not in s or "a" not in r or "b" not in r:
        return None
    s = {"0": s["a"], "1": s["b"]}
    rows = r["b"][0] - r["a"][0]
    held = r["b"][1]
    m = {"rows": rows, "held": held, "rows_b": r["b"][0], "caches": {}}
    obj = slab = 0
    for c in ROW_CACHES.get(cfg, []):
        a0, sz, b0 = s["0"].get(c, (0, 0, 0))
        a1, sz1, b1 = s["1"].get(c, (0, 0, 0))
        sz = sz1 or sz
        m["caches"][c] = {"objsize": sz, "objects": a1 - a0, "bytes": b1 - b0}
        obj += (a1 - a0) * sz
        slab += b1 - b0
    if rows > 0 and ROW_CACHES.get(cfg):
        m["obj_per_row"] = obj / rows
        m["slab_per_row"] = slab / rows
    if held > 0:
        m["all_per_conn"] = (s["1"]["ALL"][2] - s["0"]["ALL"][2]) / held
        m["kmalloc_per_conn"] = (s["1"]["kmalloc"][2] - s["0"]["kmalloc"][2]) / held
    if rows > 0:
        m["kmalloc_per_row"] = (s["1"]["kmalloc"][2] - s["0"]["kmalloc"][2]) / rows
    return m


def main():
    a = parse_args()
    d = parse(a.log)
    info = d["info"]
    allconfigs = info.get("configs", "").split() or sorted(d["val"])
    # The IPv4 configurations fill the main tables; the IPv6 ones their own.
    configs = [c for c in allconfigs if not is_v6(c)]
    v6configs = [c for c in allconfigs if is_v6(c)]
    params = dict(kv.split("=", 1) for kv in info.get("params", "").split() if "=" in kv)
    small, big = params.get("small", "SMALL"), params.get("big", "BIG")

    checks = []  # (name, ok, detail)

    def check(name, ok, detail=""):
        checks.append((name, bool(ok), detail))

    check("VM ran the benchmark to the end",
          d["ended"] and d["dmesg_end"] and a.qemu_rc not in (124, 137),
          "qemu exit %d%s" % (a.qemu_rc, "" if d["ended"] else ", no end marker"))
    check("kernel log has no splat", not d["splat"], "; ".join(d["splat"][:3]))

    # --- medians and ratios ---------------------------------------------
    res = {}
    for cfg in configs:
        for m, _, _, _ in METRICS:
            e = res.setdefault(cfg, {})[m] = summary(d, cfg, m)
            vals, errs = e["runs"], e["errors"]
            if m in ("small_connrate", "big_connrate") and cfg == "direct":
                continue
            na = d["na"].get(cfg, {}).get(m)
            if na is not None and not vals:
                e["not_applicable"] = na
                continue
            check("%s %s produced numbers" % (cfg, m),
                  vals and max(vals) > 0,
                  "%d runs, %d errors%s" % (len(vals), len(errs),
                                            (": " + errs[0][:120]) if errs else ""))
    for cfg in v6configs:
        for m in V6_METRICS:
            e = res.setdefault(cfg, {})[m] = summary(d, cfg, m)
            vals, errs = e["runs"], e["errors"]
            check("%s %s produced numbers" % (cfg, m),
                  vals and max(vals) > 0,
                  "%d runs, %d errors%s" % (len(vals), len(errs),
                                            (": " + errs[0][:120]) if errs else ""))
    # Ratio to l4lb: the median over rounds of value / l4lb's value in the
    # same round (paired, so a slow spell of the host hits both sides).
    base = res.get("l4lb", {})
    lruns = d["runs"].get("l4lb", {})
    for cfg in configs:
        for m, _, _, _ in METRICS:
            e = res[cfg][m]
            cr = d["runs"].get(cfg, {}).get(m, {})
            pairs = [cr[r] / lruns[m][r] for r in cr if lruns.get(m, {}).get(r)]
            if pairs:
                e["paired_ratios"] = pairs
                e["ratio_to_l4lb"] = statistics.median(pairs)
        s = res[cfg].get("small_connrate", {}).get("median")
        g = res[cfg].get("big_connrate", {}).get("median")
        if s and g:
            res[cfg]["scale_ratio"] = {"median": g / s}
    for cfg in configs:
        if "scale_ratio" in res[cfg] and "scale_ratio" in base:
            res[cfg]["scale_ratio"]["ratio_to_l4lb"] = \
                res[cfg]["scale_ratio"]["median"] / base["scale_ratio"]["median"]

    # PROXY v2 on vs off: l4lbpp / l4lb, paired within each round as above.
    ppv = {}
    if "l4lbpp" in configs and "l4lb" in configs:
        pruns = d["runs"].get("l4lbpp", {})
        for m in PP_METRICS:
            rr = sorted((r for r in pruns.get(m, {}) if lruns.get(m, {}).get(r)), key=run_key)
            if rr:
                rounds = {r: pruns[m][r] / lruns[m][r] for r in rr}
                ppv[m] = {"rounds": rounds, "median": statistics.median(rounds.values()),
                          "l4lb_spread_pct": res["l4lb"][m].get("spread_pct"),
                          "l4lbpp_spread_pct": res["l4lbpp"][m].get("spread_pct")}

    # IPv6: l4lb6 / each other IPv6 configuration, and each one / its IPv4
    # counterpart, paired within each round as above.
    v6 = {"l4lb6_over": {}, "v6_over_v4": {}}
    for o in V6_OTHERS:
        if "l4lb6" in v6configs and o in v6configs:
            v6["l4lb6_over"][o] = {m: paired(d, "l4lb6", o, m) for m in V6_METRICS}
    for c in v6configs:
        if V4_OF.get(c) in configs:
            v6["v6_over_v4"][c] = {m: paired(d, c, V4_OF[c], m) for m in V6_METRICS}

    # --- full NAT ---------------------------------------------------------
    for cfg in ("l4lb", "l4lbpp", "nft", "l4lb6", "nft6"):
        if cfg in allconfigs:
            fn = d["fullnat"].get(cfg)
            check("%s is full NAT (backends see only %s)"
                  % (cfg, "2001:db8:k::254" if is_v6(cfg) else "10.0.k.254"),
                  fn and fn["yes"], fn["detail"] if fn else "no check")
    if "l4lbpp" in configs:
        pp = d["proxy"].get("l4lbpp")
        check("l4lbpp: nginx reads the client (10.0.0.2) from the PROXY v2 header",
              pp and pp["yes"], pp["detail"] if pp else "no check")
    for cfg in ("ipvs", "ipvs6"):
        if cfg in allconfigs:
            fn = d["fullnat"].get(cfg)
            check("%s full-NAT check ran" % cfg, fn is not None, fn["detail"] if fn else "")

    # --- memory -----------------------------------------------------------
    mem = {cfg: memory(d, cfg) for cfg in configs}
    dm = mem.get("direct") or {}
    for cfg in configs:
        m = mem[cfg]
        if not m:
            check("%s scale: rows held" % cfg, False, "no slab snapshots")
            continue
        want = int(big) - int(small) if str(big).isdigit() and str(small).isdigit() else 0
        if cfg == "direct":
            want = max(int(big) // 5, int(small)) if str(big).isdigit() else 0
        check("%s scale: %d of %d idle connections held" % (cfg, m["held"], want),
              m["held"] >= 0.95 * want, "")
        if cfg != "direct" and str(big).isdigit():
            check("%s scale: table holds %d rows with %s idle connections" % (cfg, m["rows_b"], big),
                  m["rows_b"] >= 0.95 * int(big), "")
        if dm.get("kmalloc_per_conn") is not None and m.get("kmalloc_per_row") is not None:
            m["kmalloc_extra_per_row"] = m["kmalloc_per_row"] - dm["kmalloc_per_conn"]
    lm = mem.get("l4lb") or {}
    for cfg in configs:
        m = mem[cfg]
        if m and m.get("obj_per_row") and lm.get("obj_per_row"):
            m["obj_ratio_to_l4lb"] = m["obj_per_row"] / lm["obj_per_row"]
        if m and m.get("slab_per_row") and lm.get("slab_per_row"):
            m["slab_ratio_to_l4lb"] = m["slab_per_row"] / lm["slab_per_row"]

    # --- tables -------------------------------------------------------------
    out = []
    P = out.append
    P("## Environment\n")
    for k in ("kernel", "vcpus", "mem_mib", "cpu", "qemu", "qemu_flags", "host", "mode",
              "params", "l4lb_ko", "ipvs_mode", "ipvs6_mode", "l4lb6_setup", "configs",
              "duration"):
        if k in info:
            P("- %s: `%s`" % (k, info[k]))
    if d["hostload"]:
        hl = sorted(d["hostload"])
        P("- host load (1-min average, sampled every 10 s during the run): min %.1f, median %.1f, max %.1f"
          % (hl[0], statistics.median(hl), hl[-1]))
    for cfg, why in d["skip"].items():
        P("- skipped %s: %s" % (cfg, why))
    for cfg, ms in d["na"].items():
        P("- not run on %s: %s" % (cfg, "; ".join("%s (%s)" % (m, why) for m, why in ms.items())))
    P("")
    if configs:
        P("## Throughput and latency\n")
        P("Median of %s runs. [x] = value / l4lb's value, the median over the rounds of the "
          "ratio within a round (paired). Scale rows: %s runs each.\n"
          % (params.get("runs", "?"), params.get("scaleruns", "?")))
        hdr = "| metric | unit | " + " | ".join(NAMES.get(c, c) for c in configs) + " |"
        P(hdr)
        P("|" + "---|" * (len(configs) + 2))
        for m, label, unit, hib in METRICS:
            label = label.replace("SMALL", small).replace("BIG", big)
            cells = []
            for c in configs:
                e = res[c][m]
                if e.get("median") is None:
                    cells.append("n/a" if "not_applicable" in e else "-")
                    continue
                r = e.get("ratio_to_l4lb")
                cells.append("%s [%s]" % (fmt(e["median"]), fmt(r) if r else "-"))
            P("| %s %s | %s | %s |" % (label, "(higher is better)" if hib else "(lower is better)",
                                        unit, " | ".join(cells)))
        cells = []
        for c in configs:
            sr = res[c].get("scale_ratio")
            cells.append("%s [%s]" % (fmt(sr["median"]), fmt(sr.get("ratio_to_l4lb")))
                         if sr else "-")
        P("| connection rate at %s rows / at %s rows (1 = no slowdown) | ratio | %s |"
          % (big, small, " | ".join(cells)))
        P("")
        P("Spread of the runs, (max - min) / median:\n")
        P("| metric | " + " | ".join(configs) + " |")
        P("|" + "---|" * (len(configs) + 1))
        for m, _, _, _ in METRICS:
            P("| %s | %s |" % (m, " | ".join(
                ("%.0f%% (n=%d)" % (res[c][m]["spread_pct"], len(res[c][m]["runs"])))
                if res[c][m].get("spread_pct") is not None else "-" for c in configs)))
        P("")
    if ppv:
        P("## PROXY protocol v2 on vs off (l4lbpp / l4lb)\n")
        P("The same l4lb service, loaded with `client_addr=proxy-v2` and balancing to the "
          "backends' nginx on `listen 81 proxy_protocol`, divided by l4lb without it, within each "
          "round (paired); the median over the rounds in **bold**. The spreads are each side's own "
          "(max - min) / median over the rounds: the noise.\n")
        rids = sorted({r for v in ppv.values() for r in v["rounds"]}, key=run_key)
        P("| l4lbpp / l4lb | " + " | ".join("round %s" % r for r in rids)
          + " | median | spread l4lb, l4lbpp |")
        P("|" + "---|" * (len(rids) + 3))
        for m, label, unit, hib in METRICS:
            v = ppv.get(m)
            if not v:
                continue
            P("| %s (%s) | %s | **%s** | %s, %s |" % (
                label, "higher is better" if hib else "lower is better",
                " | ".join(fmt(v["rounds"][r]) if r in v["rounds"] else "-" for r in rids),
                fmt(v["median"]),
                "%.0f%%" % v["l4lb_spread_pct"] if v["l4lb_spread_pct"] is not None else "-",
                "%.0f%%" % v["l4lbpp_spread_pct"] if v["l4lbpp_spread_pct"] is not None else "-"))
        P("")
        if "connrate" in ppv:
            v = ppv["connrate"]
            P("Connection rate, PROXY v2 on / off: %s, the median of %d paired round%s "
              "(%s to %s; below 1 in %d).\n"
              % (fmt(v["median"]), len(v["rounds"]), "" if len(v["rounds"]) == 1 else "s",
                 fmt(min(v["rounds"].values())), fmt(max(v["rounds"].values())),
                 sum(1 for x in v["rounds"].values() if x < 1)))
    if v6configs:
        v6_tables(P, d, params, res, v6configs, v6)
    if configs:
        P("## Memory per row (from %s to %s idle connections; slab_nomerge)\n" % (small, big))
        P("| | " + " | ".join(NAMES.get(c, c) for c in configs) + " |")
        P("|" + "---|" * (len(configs) + 1))

        def mrow(title, key, ratio=None, digits=0):
            cells = []
            for c in configs:
                m = mem.get(c) or {}
                v = m.get(key)
                if v is None:
                    cells.append("-")
                elif ratio and m.get(ratio):
                    cells.append("%.*f [%s]" % (digits, v, fmt(m[ratio])))
                else:
                    cells.append("%.*f" % (digits, v))
            P("| %s | %s |" % (title, " | ".join(cells)))
        P("| caches of a row | " + " | ".join(
            ", ".join("%s (%d B)" % (k, v["objsize"]) for k, v in (mem.get(c) or {}).get("caches", {}).items())
            or "-" for c in configs) + " |")
        mrow("object bytes per row (objsize x new objects / new rows)", "obj_per_row", "obj_ratio_to_l4lb")
        mrow("slab bytes per row (new slab pages / new rows)", "slab_per_row", "slab_ratio_to_l4lb")
        mrow("kmalloc-* bytes per row beyond forwarding's per connection (ct extensions etc.; rough)", "kmalloc_extra_per_row")
        mrow("kmalloc-* bytes per connection (forwarding: the baseline)", "kmalloc_per_conn")
        mrow("rows added to the table between the snapshots", "rows")
        mrow("idle connections added between the snapshots", "held")
        P("")
    if d["gc"]:
        P("## l4lb's expiry worker\n")
        P("Time l4lb's expiry worker took, in ms per second of the window (its own counters, "
          "gc_nsecs and gc_runs of l4lbctl stats: from the start to the end of each run). Idle: no traffic but the idle rows; "
          "load: during the connection-rate runs of that level.\n")
        P("| | %s rows, idle | %s rows, load | %s rows, idle | %s rows, load |" % (small, small, big, big))
        P("|---|---|---|---|---|")
        for c, g in sorted(d["gc"].items()):
            cells = []
            for m in ("gc_idle_small", "gc_load_small", "gc_idle_big", "gc_load_big"):
                e = g.get(m)
                cells.append("%.3f ms/s (%d runs in %.0f s)" % (e["ms_per_s"], e["calls"], e["secs"])
                             if e else "-")
            P("| %s | %s |" % (NAMES.get(c, c), " | ".join(cells)))
        P("")
    P("## Diagnostics of the connection-rate runs\n")
    P("Client SYN retransmissions (each stalls a connection for 1 s) and the VM's CPU use:\n")
    P("| metric | " + " | ".join(allconfigs) + " |")
    P("|" + "---|" * (len(allconfigs) + 1))
    for m in ("connrate", "small_connrate", "big_connrate", "hold_small", "hold_big"):
        cells = []
        for c in allconfigs:
            aux = d["aux"].get(c, {}).get(m, [])
            if not aux:
                cells.append("-")
                continue
            syn = sum(int(x.get("synretrans", 0)) for x in aux)
            busy = [int(x.get("busy", "0%").rstrip("%")) for x in aux]
            cells.append("%d SYN rtx, CPU %d%%" % (syn, statistics.median(busy)))
        if any(c != "-" for c in cells):
            P("| %s | %s |" % (m, " | ".join(cells)))
    P("")
    if d["perf_sym"]:
        P("## perf: l4lb under the connection-rate load (cpu-clock, whole VM)\n")
        P("Percentages are of all samples. Under TCG most samples land in native_safe_halt even "
          "while /proc/stat shows the CPUs busy, so compare symbols with each other, not with idle.\n")
        P("```")
        for ln in d["perf_dso"][:40]:
            P(ln)
        P("")
        for ln in d["perf_sym"][:120]:
            P(ln)
        if d["perf_l4lb"]:
            P("")
            P("l4lb.ko's own symbols (l4lb_*):")
            for ln in d["perf_l4lb"][:50]:
                P(ln)
        P("```")
        P("")
    P("## Checks\n")
    for name, ok, detail in checks:
        P("- %s %s%s" % ("ok" if ok else "FAILED", name, (" (" + detail + ")") if detail and not ok else ""))
    text = "\n".join(out)

    os.makedirs(a.out, exist_ok=True)
    with open(os.path.join(a.out, "results.md"), "w") as f:
        f.write(text + "\n")
    with open(os.path.join(a.out, "results.json"), "w") as f:
        json.dump({"info": info, "configs": allconfigs, "skipped": d["skip"],
                   "not_applicable": d["na"], "fullnat": d["fullnat"], "proxy": d["proxy"],
                   "proxy_v2_vs_off": ppv, "ipv6": v6, "metrics": res, "memory": mem,
                   "perf": {"dso": d["perf_dso"], "sym": d["perf_sym"], "l4lb": d["perf_l4lb"]},
                   "aux": d["aux"], "gc": d["gc"], "hostload": d["hostload"],
                   "checks": [{"name": n, "ok": o, "detail": t} for n, o, t in checks],
                   "log": os.path.abspath(a.log)}, f, indent=1)
    chart(a.out, configs, res, mem, small, big)
    print(text)
    npass = sum(1 for c in checks if c[1])
    nfail = len(checks) - npass
    if "connrate" in ppv:
        n = len(ppv["connrate"]["rounds"])
        print("bench: connection rate, PROXY v2 on / off (l4lbpp / l4lb): %s, the median of %d paired round%s"
              % (fmt(ppv["connrate"]["median"]), n, "" if n == 1 else "s"))
    cr = [(o, v6["l4lb6_over"][o]["connrate"]) for o in V6_OTHERS
          if v6["l4lb6_over"].get(o, {}).get("connrate")]
    if cr:
        print("bench: IPv6 connection rate, %s: the medians of paired rounds"
              % ", ".join("l4lb6 / %s %s" % (o, fmt(v["median"])) for o, v in cr))
    print("bench: results in %s/results.{md,json,png}" % a.out)
    print("bench: %d passed, %d failed" % (npass, nfail))
    return 1 if nfail else 0


def v6_tables(P, d, params, res, v6configs, v6):
    """The IPv6 section: medians, l4lb6 / the others, v6 / v4."""
    labels = {m: (label, unit) for m, label, unit, _ in METRICS}
    P("## IPv6: connection rate and bulk\n")
    P("The same balancers over IPv6 with full NAT66 (cli 2001:db8::2 to the VIP 2001:db8::1, "
      "backends 2001:db8:k::1 behind 2001:db8:k::254), in the same rounds as the other "
      "configurations of the run, interleaved with them. Median of %s runs, with the spread "
      "(max - min) / median:\n" % params.get("runs", "?"))
    P("| metric | unit | " + " | ".join(NAMES.get(c, c) for c in v6configs) + " |")
    P("|" + "---|" * (len(v6configs) + 2))
    for m in V6_METRICS:
        cells = []
        for c in v6configs:
            e = res[c][m]
            if e.get("median") is None:
                cells.append("-")
            elif e.get("spread_pct") is None:
                cells.append(fmt(e["median"]))
            else:
                cells.append("%s (%.0f%%, n=%d)" % (fmt(e["median"]), e["spread_pct"], len(e["runs"])))
        P("| %s (higher is better) | %s | %s |" % (labels[m][0], labels[m][1], " | ".join(cells)))
    P("")

    def ratio_table(title, cols, get):
        P("| %s | %s |" % (title, " | ".join(NAMES.get(c, c) for c in cols)))
        P("|" + "---|" * (len(cols) + 1))
        for m in V6_METRICS:
            cells = []
            for c in cols:
                v = get(c, m)
                cells.append("**%s** (%s-%s; above 1 in %d of %d)" % (
                    fmt(v["median"]), fmt(v["min"]), fmt(v["max"]), v["above_1"],
                    len(v["rounds"])) if v else "-")
            P("| %s | %s |" % (labels[m][0], " | ".join(cells)))
        P("")
    cols = [o for o in V6_OTHERS if o in v6["l4lb6_over"]]
    if cols:
        P("l4lb6's value / each other IPv6 configuration's, within each round (paired); the "
          "median over the rounds in **bold**, the range of the rounds, and how many were "
          "above 1 (l4lb6 ahead):\n")
        ratio_table("l4lb6 /", cols, lambda c, m: v6["l4lb6_over"][c][m])
    cols = [c for c in v6configs if c in v6["v6_over_v4"]]
    if cols:
        P("Each IPv6 configuration / its IPv4 counterpart (direct, l4lb, ipvs, nft), paired the "
          "same way: the cost of IPv6 on each path.\n")
        ratio_table("IPv6 / IPv4", cols, lambda c, m: v6["v6_over_v4"][c][m])


def chart(outdir, configs, res, mem, small, big):
    others = [c for c in configs if c != "l4lb"]
    rows = []
    for m, _, _, hib in METRICS:
        label = {"connrate": "conn/s", "keepalive": "keep-alive req/s",
                 "lat_p50": "p50 latency*", "lat_p99": "p99 latency*",
                 "bulk_up": "bulk up", "bulk_down": "bulk down",
                 "small_connrate": "conn/s, %s rows" % small,
                 "big_connrate": "conn/s, %s rows" % big}[m]
        rows.append((label, [res[c][m].get("ratio_to_l4lb") for c in others]))
    rows.append(("rate kept at %s rows" % big, [res[c].get("scale_ratio", {}).get("ratio_to_l4lb") for c in others]))
    rows.append(("bytes/row*", [(mem.get(c) or {}).get("obj_ratio_to_l4lb") for c in others]))
    dat = os.path.join(outdir, "results.dat")
    with open(dat, "w") as f:
        f.write("metric " + " ".join('"%s"' % NAMES.get(c, c) for c in others) + "\n")
        for label, vals in rows:
            f.write('"%s" ' % label + " ".join("%.4f" % v if v else "NaN" for v in vals) + "\n")
    gp = os.path.join(outdir, "results.gp")
    png = os.path.join(outdir, "results.png")
    with open(gp, "w") as f:
        f.write("""set terminal pngcairo noenhanced size 1200,600 font "sans,10"
set output '%s'
set title "value / l4lb's value, same VM and run (1 = same as l4lb; * lower is better)"
set style data histogram
set style histogram clustered gap 1
set style fill solid 0.8 border -1
set boxwidth 0.9
set xtics rotate by 30 right scale 0
set grid ytics
set yrange [0:*]
set key top left
set arrow from graph 0, first 1 to graph 1, first 1 nohead lw 2 dt 2 lc rgb "black"
plot for [i=2:%d] '%s' using i:xtic(1) title columnheader(i)
""" % (png, len(others) + 1, dat))
    if not others:
        return
    try:
        subprocess.run(["gnuplot", gp], check=True, timeout=60,
                       stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    except (OSError, subprocess.SubprocessError) as e:
        print("report: gnuplot failed: %s" % e, file=sys.stderr)


if __name__ == "__main__":
    sys.exit(main())
