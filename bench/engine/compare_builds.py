#!/usr/bin/env python3
"""Benchmark binaries of two or more builds side by side: runs each in turn for ROUNDS rounds with one
benchmark filter and keeps, per benchmark, the minimum CPU time of each (the minimum is what a
loaded machine distorts least).

    bench/engine/compare_builds.py OLD/engine_bench NEW/engine_bench \\
        'Exec/(deterministic|sequential)/threads:(2|3|4)/ops:16' 6
    bench/engine/compare_builds.py OLD/fast_path_bench MAIN/fast_path_bench NEW/fast_path_bench . 10

engine_bench's Exec shapes (two binaries A and B) print as deterministic and sequential per shape
with their ratios; any other benchmark prints as one row each: ns per iteration in every binary,
then each binary's ratio to the first.
"""
import collections
import json
import os
import subprocess
import sys
import tempfile

*binaries, flt, rounds = sys.argv[1:]
rounds = int(rounds)
tags = [chr(ord('A') + i) for i in range(len(binaries))]
best = collections.defaultdict(lambda: float('inf'))
env = dict(os.environ, TSAN_OPTIONS='atexit_sleep_ms=0')
with tempfile.TemporaryDirectory() as tmp:
    out_json = os.path.join(tmp, 'out.json')
    for _ in range(rounds):
        for tag, binary in zip(tags, binaries):
            subprocess.run([binary, '--benchmark_filter=' + flt, '--benchmark_min_time=0.2',
                            '--benchmark_out=' + out_json, '--benchmark_out_format=json'],
                           capture_output=True, text=True, env=env, check=True)
            with open(out_json) as f:
                for bm in json.load(f)['benchmarks']:
                    name = bm['name'].replace('/real_time', '')
                    best[(tag, name)] = min(best[(tag, name)], bm['cpu_time'])

names = sorted({n for (_, n) in best})
for tag, binary in zip(tags, binaries):
    print(f"{tag}: {binary}")
if len(binaries) == 2 and all(n.startswith('Exec/') for n in names):
    shapes = sorted({'/'.join(n.split('/')[2:]) for n in names},
                    key=lambda s: [int(x.split(':')[1]) for x in s.split('/')])
    print(f"{'shape':18} {'A det us':>9} {'B det us':>9} {'A seq us':>9} {'B seq us':>9} "
          f"{'A det/seq':>9} {'B det/seq':>9}")
    for s in shapes:
        def us(tag, executor):
            return best.get((tag, f'Exec/{executor}/{s}'), float('nan')) / 1000
        ad, bd, aseq, bseq = us('A', 'deterministic'), us('B', 'deterministic'), \
            us('A', 'sequential'), us('B', 'sequential')
        print(f"{s:18} {ad:9.1f} {bd:9.1f} {aseq:9.1f} {bseq:9.1f} {ad / aseq:9.2f} {bd / bseq:9.2f}")
else:
    width = max(len(n) for n in names)
    print(f"{'benchmark':{width}} " + ' '.join(f"{t + ' ns':>8}" for t in tags) + ' ' +
          ' '.join(f"{t + '/A':>6}" for t in tags[1:]))
    for n in names:
        ns = [best[(t, n)] for t in tags]
        print(f"{n:{width}} " + ' '.join(f"{x:8.3f}" for x in ns) + ' ' +
              ' '.join(f"{x / ns[0]:6.2f}" for x in ns[1:]))
