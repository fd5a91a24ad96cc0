#!/usr/bin/env python3
"""same-deltas.py SUB REPLAY: what a subscriber received (SUB, the raw
lines of `pmsignalctl tail --json`) against a replay of everything the
database holds (REPLAY, `tail --json --since 0`).  The replay must be the
seqs 1..N without a hole; the subscriber (which subscribed with since 0 and
resumed after every restart) must have every seq 1..N exactly once, in
order, each line equal to the replayed one, except that a delta published
from memory while the disk was full carries ,"persisted":false at the end.  Prints "RECEIVED STORED UNPERSISTED";
exits 1 with the reason otherwise.
"""
import json
import sys

MARK = ',"persisted":false}'


def deltas(path):
    return [l.rstrip("\n") for l in open(path) if l.startswith('{"type":"delta"')]


def main():
    sub, rep = deltas(sys.argv[1]), deltas(sys.argv[2])
    by_seq = {json.loads(l)["seq"]: l for l in rep}
    assert sorted(by_seq) == list(range(1, len(rep) + 1)), "replay not contiguous"
    seqs = [json.loads(l)["seq"] for l in sub]
    assert len(seqs) == len(set(seqs)), "a delta arrived twice"
    assert seqs == sorted(seqs), "out of order"
    assert seqs == list(range(1, len(rep) + 1)), (seqs[:3], len(seqs), len(rep))
    unpersisted = 0
    for line, s in zip(sub, seqs):
        if line.endswith(MARK):
            unpersisted += 1
            line = line[:-len(MARK)] + "}"
        assert line == by_seq[s], "seq %d differs:\n%s\n%s" % (s, line, by_seq[s])
    print(len(sub), len(rep), unpersisted)


if __name__ == "__main__":
    try:
        main()
    except AssertionError as e:
        print("same-deltas: %s" % e, file=sys.stderr)
        sys.exit(1)
