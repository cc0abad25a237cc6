#!/usr/bin/env python3
"""Two engine_bench binaries side by side: runs A and B alternately for ROUNDS rounds with one
benchmark filter and prints, per shape, the minimum CPU time per execution of each (the minimum is
what a loaded machine distorts least) and the deterministic/sequential ratios.

    bench/engine/compare_builds.py OLD/engine_bench NEW/engine_bench \\
        'Exec/(deterministic|sequential)/threads:(2|3|4)/ops:16' 6
"""
import collections
import json
import os
import subprocess
import sys
import tempfile

a, b, flt, rounds = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])
best = collections.defaultdict(lambda: float('inf'))
env = dict(os.environ, TSAN_OPTIONS='atexit_sleep_ms=0')
with tempfile.TemporaryDirectory() as tmp:
    out_json = os.path.join(tmp, 'out.json')
    for _ in range(rounds):
        for tag, binary in (('A', a), ('B', b)):
            subprocess.run([binary, '--benchmark_filter=' + flt, '--benchmark_min_time=0.2',
                            '--benchmark_out=' + out_json, '--benchmark_out_format=json'],
                           capture_output=True, text=True, env=env, check=True)
            with open(out_json) as f:
                for bm in json.load(f)['benchmarks']:
                    name = bm['name'].replace('/real_time', '')
                    best[(tag, name)] = min(best[(tag, name)], bm['cpu_time'])

shapes = sorted({'/'.join(n.split('/')[2:]) for (_, n) in best},
                key=lambda s: [int(x.split(':')[1]) for x in s.split('/')])
print(f"{'shape':18} {'A det us':>9} {'B det us':>9} {'A seq us':>9} {'B seq us':>9} "
      f"{'A det/seq':>9} {'B det/seq':>9}")
for s in shapes:
    def us(tag, executor):
        return best.get((tag, f'Exec/{executor}/{s}'), float('nan')) / 1000
    ad, bd, aseq, bseq = us('A', 'deterministic'), us('B', 'deterministic'), \
        us('A', 'sequential'), us('B', 'sequential')
    print(f"{s:18} {ad:9.1f} {bd:9.1f} {aseq:9.1f} {bseq:9.1f} {ad / aseq:9.2f} {bd / bseq:9.2f}")
