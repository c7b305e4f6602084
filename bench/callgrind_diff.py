#!/usr/bin/env python3
"""callgrind_diff.py: instructions per notification from two callgrind runs.

Usage: callgrind_diff.py SMALL LARGE N [--top K] [--calls REGEX]

SMALL and LARGE are callgrind output files of the same thread of two runs that
differ only in the number of notifications (N more in LARGE). Start-up,
shutdown and anything else that does not grow with the load cancel out; what
is left is the cost of N notifications. Prints the thread's total and the
inclusive instructions per notification of the K most costly functions
(callgrind_annotate --inclusive=yes), or with --calls the calls per
notification from each caller to the functions matching REGEX. bench only.
"""
import collections
import os
import re
import subprocess
import sys


def inclusive(path):
    out = {}
    # From / : run inside the source tree, callgrind_annotate lists each
    # function twice (by its absolute and its relative path).
    txt = subprocess.run(['callgrind_annotate', '--inclusive=yes', '--threshold=100', '--auto=no',
                          os.path.abspath(path)], capture_output=True, text=True, check=True,
                         cwd='/').stdout
    for line in txt.splitlines():
        m = re.match(r'\s*([\d,]+) \([^)]*\)\s.*?\s(\S+:\S+)(?: \[.*\])?\s*$', line)
        if m:
            fn = m.group(2).split(':', 1)[1]
            out[fn] = out.get(fn, 0) + int(m.group(1).replace(',', ''))
    return out


def total(path):
    for line in open(path, errors='replace'):
        if line.startswith('summary:') or line.startswith('totals:'):
            return int(line.split()[1])
    return 0


def edges(path):
    names, out = {}, collections.Counter()
    fn = cfn = None

    def name(tok):
        m = re.match(r'\((\d+)\)(?:\s+(.*))?', tok)
        if not m:
            return tok
        if m.group(2):
            names[m.group(1)] = m.group(2)
        return names.get(m.group(1), tok)

    for line in open(path, errors='replace'):
        if line.startswith('fn='):
            fn = name(line[3:].strip())
        elif line.startswith('cfn='):
            cfn = name(line[4:].strip())
        elif line.startswith('calls='):
            out[(fn, cfn)] += int(line[6:].split()[0])
    return out


def main(argv):
    if len(argv) < 4 or argv[1] in ('-h', '--help'):
        print(__doc__.strip())
        return 0 if len(argv) > 1 else 2
    small, large, n = argv[1], argv[2], float(argv[3])
    top, calls = 40, None
    rest = argv[4:]
    while rest:
        if rest[0] == '--top' and len(rest) > 1:
            top, rest = int(rest[1]), rest[2:]
        elif rest[0] == '--calls' and len(rest) > 1:
            calls, rest = rest[1], rest[2:]
        else:
            print('callgrind_diff.py: unknown argument %s' % rest[0], file=sys.stderr)
            return 2
    print('%12.0f  (thread total per notification)' % ((total(large) - total(small)) / n))
    if calls:
        ea, eb = edges(small), edges(large)
        rows = [((eb.get(k, 0) - ea.get(k, 0)) / n, k) for k in set(ea) | set(eb)
                if re.search(calls, k[1] or '')]
        for d, k in sorted(rows, reverse=True):
            if abs(d) >= 0.05:
                print('%12.2f  %s -> %s' % (d, k[0], k[1]))
        return 0
    a, b = inclusive(small), inclusive(large)
    rows = sorted(((b.get(k, 0) - a.get(k, 0)) / n, k) for k in set(a) | set(b))
    for d, k in reversed(rows[-top:] if top > 0 else []):
        print('%12.0f  %s' % (d, k))
    return 0


if __name__ == '__main__':
    sys.exit(main(sys.argv))
