"""report_common.py - what report.py and report_pkt.py share.

Both are run as scripts (python3 tests/bench/report*.py), so Python puts
this directory first on sys.path and the import works from any cwd.
"""
import argparse
import re

# Kernel log patterns that mean a kernel bug (as tests/vm/lib/common.sh's
# SPLAT_RE).
SPLAT_RE = re.compile(r"Oops|WARNING:|BUG:|KASAN|general protection|Call Trace|"
                      r"kmem_cache_destroy|still has objects")


def parse_args():
    """The command line run.sh gives both: --log (the serial log), --out
    (the results directory), --quick (smoke mode), --qemu-rc (qemu's exit
    status)."""
    ap = argparse.ArgumentParser()
    ap.add_argument("--log", required=True)
    ap.add_argument("--out", required=True)
    ap.add_argument("--quick", action="store_true")
    ap.add_argument("--qemu-rc", type=int, default=0)
    return ap.parse_args()
