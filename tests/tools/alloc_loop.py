#!/usr/bin/env python3
"""Issue 16, part 2: every allocation of tqo made to fail, one at a time.

    alloc_loop.py TQO [--stride S | --runs K] [--last K] [--only CASE,...] [--log FILE]

TQO is a -DTQO_FAILALLOC=ON build (cmake/FailAlloc.cmake), best with
-DTQO_SANITIZE=ON so that leaks and bad accesses are caught. For each case
(validate; align with contiguity, splits and locks; quota; scenarios;
plan) on a small generated instance, the loop counts the allocations of a
clean run (TQO_ALLOC_COUNT), then reruns with TQO_FAIL_ALLOC=N for
N = 1, 1+S, 1+2S, ... up to that count (S=1: every one; --runs K: a
stride per case giving about K runs each, for CI). Each run must
either succeed with the clean run's files, or exit 1 saying "out of memory"
with its output folder exactly as it was before (it holds the clean run's
files beforehand); never a signal, a sanitizer report or a leftover file.
Exit status 0 when every run did so, 1 otherwise; the last line sums up.
"""
import argparse
import hashlib
import os
import shutil
import subprocess
import sys
import tempfile


def manifest(folder, skip_timings=False):
    """{relative path: md5} of every file (hidden ones too) under folder."""
    out = {}
    if not os.path.isdir(folder):
        return None
    for root, _dirs, files in os.walk(folder):
        for f in files:
            p = os.path.join(root, f)
            rel = os.path.relpath(p, folder)
            data = open(p, 'rb').read()
            if skip_timings and rel.endswith('summary.json'):
                data = b''  # tqo align's summary.json holds its timings
            out[rel] = hashlib.md5(data).hexdigest()
    return out


def make_instance(tqo, d):
    inst = os.path.join(d, 'inst')
    subprocess.run([tqo, 'generate', '--units', '40', '--territories', '3', '--periods', '12', '--seed', '3',
                    '-o', inst, '--quiet'], check=True, env=clean_env())
    with open(os.path.join(inst, 'locks.csv'), 'w') as f:
        f.write('unit_id,territory_id\n01,T001\n07,T002\n')
    with open(os.path.join(d, 'scen.csv'), 'w') as f:
        f.write('scenario,history_weight,growth\ns1,0.4,5\ns2,0.6,10\n')
    return inst


def clean_env(**extra):
    env = dict(os.environ)
    for k in ('TQO_FAIL_ALLOC', 'TQO_ALLOC_COUNT'):
        env.pop(k, None)
    env.setdefault('ASAN_OPTIONS', 'detect_leaks=1')
    env['OMP_NUM_THREADS'] = '1'
    env.update(extra)
    return env


def cases(inst, d):
    """(name, argv after tqo, output folder or None, summary timings differ)."""
    scen = os.path.join(d, 'scen.csv')
    o = lambda n: os.path.join(d, 'out', n)
    return [
        ('validate', ['validate', inst, '-o', o('validate')], o('validate'), False),
        ('align', ['align', inst, '--threads', '1', '-o', o('align')], o('align'), True),
        ('align-splits', ['align', inst, '-k', '3', '--allow-splits', '--adjacency', 'none', '--threads', '1',
                          '-o', o('align-splits')], o('align-splits'), True),
        ('quota', ['quota', inst, '--growth', '5', '--potential', 'potential', '-o', o('quota')], o('quota'), False),
        ('scenarios', ['scenarios', inst, '--scenarios', scen, '--potential', 'potential', '--replicates', '20',
                       '--threads', '1', '-o', o('scenarios')], o('scenarios'), False),
        ('plan', ['plan', inst, '--potential', 'potential', '--scenarios', scen, '--replicates', '20', '--threads', '1',
                  '--growth', '5', '-o', o('plan')], o('plan'), False),
    ]


BAD_MARKS = ('AddressSanitizer', 'LeakSanitizer', 'runtime error:', 'Segmentation', 'Aborted')


def run_case(tqo, d, name, argv, out, skip_t, stride, log, last=0, runs_wanted=0):
    cnt = os.path.join(d, 'count')
    r = subprocess.run([tqo] + argv, env=clean_env(TQO_ALLOC_COUNT=cnt), capture_output=True, text=True)
    if r.returncode != 0:
        log.write('%s: the clean run failed (exit %d):\n%s\n' % (name, r.returncode, r.stderr))
        return 0, 0, [('clean run', r.returncode, r.stderr[-500:])], stride
    total = int(open(cnt).read())
    if runs_wanted:
        stride = max(1, total // runs_wanted)
    ref = manifest(out, skip_t)
    saved = out + '.ref'
    shutil.rmtree(saved, ignore_errors=True)
    shutil.copytree(out, saved)
    before = manifest(saved)
    fails, runs = [], 0
    # --last K: only the last K allocation points (the output writers)
    for n in range(max(1, total - last + 1) if last else 1, total + 1, stride):
        shutil.rmtree(out)
        shutil.copytree(saved, out)
        r = subprocess.run([tqo] + argv, env=clean_env(TQO_FAIL_ALLOC=str(n)), capture_output=True, text=True)
        runs += 1
        why = None
        if r.returncode < 0 or r.returncode >= 128 or any(m in r.stderr for m in BAD_MARKS):
            why = 'crash or sanitizer report'
        elif r.returncode == 0:
            got = manifest(out, skip_t)
            if got != ref:
                diff = sorted(k for k in set(got or {}) | set(ref or {}) if (got or {}).get(k) != (ref or {}).get(k))
                why = 'succeeded with different files (%s)' % ', '.join(diff[:4])
        elif 'out of memory' not in r.stderr and 'Cannot allocate memory' not in r.stderr:
            why = 'failed without saying "out of memory"'
        elif manifest(out) != before:
            why = 'failed but changed its output folder'
        left = [e for e in os.listdir(os.path.dirname(out)) if '.tqo-stage.' in e]
        if why is None and left:
            why = 'left %s' % left
        if why:
            fails.append((n, r.returncode, why, r.stderr[-1500:]))
            log.write('%s N=%d exit %d: %s\n%s\n' % (name, n, r.returncode, why, r.stderr[-1500:]))
    shutil.rmtree(saved)
    return total, runs, fails, stride


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('tqo')
    ap.add_argument('--stride', type=int, default=1)
    ap.add_argument('--runs', type=int, default=0, help='about this many runs per case (a stride per case)')
    ap.add_argument('--last', type=int, default=0)
    ap.add_argument('--only', default='')
    ap.add_argument('--log', default=None, help='write every failure in full here')
    a = ap.parse_args()
    tqo = os.path.abspath(a.tqo)
    d = tempfile.mkdtemp(prefix='tqo-alloc-')
    log = open(a.log, 'w') if a.log else sys.stdout
    try:
        inst = make_instance(tqo, d)
        os.makedirs(os.path.join(d, 'out'))
        all_total = all_runs = all_fails = 0
        for name, argv, out, skip_t in cases(inst, d):
            if a.only and name not in a.only.split(','):
                continue
            total, runs, fails, stride = run_case(tqo, d, name, argv, out, skip_t, a.stride, log, a.last, a.runs)
            print('%-13s %5d allocations, %5d runs (stride %d), %d failed' % (name, total, runs, stride,
                                                                              len(fails)), flush=True)
            for f in fails[:5]:
                print('    N=%s exit %s: %s' % (f[0], f[1], f[2]))
            all_total += total
            all_runs += runs
            all_fails += len(fails)
        print('# %d allocation points reached, %d runs, %d failed' % (all_total, all_runs, all_fails))
        return 1 if all_fails else 0
    finally:
        shutil.rmtree(d, ignore_errors=True)


if __name__ == '__main__':
    sys.exit(main())
