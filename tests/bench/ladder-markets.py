#!/usr/bin/env python3
"""ladder-markets.py LIVE.json N OUT.json: N markets as a prediction-market
site lists them, each question of LIVE.json at a ladder of deadlines (the
month ends of 2027 and 2028, in turn), with the file's vocabularies,
modifiers and rules.  Benchmarks use it for "100 realistic markets": the
same events at different horizons move together, as they do on a site."""
import calendar, copy, json, re, sys

src, n, dst = sys.argv[1], int(sys.argv[2]), sys.argv[3]
live = json.load(open(src, encoding="utf-8"))
base = live["markets"]
months = [(y, m) for y in (2027, 2028) for m in range(1, 13)]
out = dict(live)
out["markets"] = []
for k in range(n):
    q = copy.deepcopy(base[k % len(base)])
    y, m = months[(k // len(base)) % len(months)]
    day = calendar.monthrange(y, m)[1]
    q["id"] = f"{q['id']}-by-{y}-{m:02d}"
    q["deadline"] = f"{y}-{m:02d}-{day:02d}T23:59:59Z"
    # "... by 30 Jun 2027?" (or "and 31 Mar 2027?") takes the new date.
    q["question"] = re.sub(r"\b\d{1,2} [A-Z][a-z]{2} \d{4}\?",
                           f"{day} {calendar.month_abbr[m]} {y}?",
                           q["question"], count=1)
    out["markets"].append(q)
json.dump(out, open(dst, "w", encoding="utf-8"), ensure_ascii=False, indent=1)
