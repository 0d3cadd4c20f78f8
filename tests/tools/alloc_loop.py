#!/usr/bin/env python3
"""Issue 16, part 2: every allocation of tqo made to fail, one at a time.

    alloc_loop.py TQO [--stride S | --runs K] [--last K | --range A:B] [--only CASE,...] [--jobs J]
                      [--spawn | --no-checkpoint] [--lsan-always] [--progress SEC] [--log FILE]

TQO is a -DTQO_FAILALLOC=ON build (cmake/FailAlloc.cmake), best with
-DTQO_SANITIZE=ON so that leaks and bad accesses are caught. For each case
(validate; align with contiguity, splits and locks; align --objective
diameter from three layouts; quota; scenarios; plan) on a small generated instance, the loop counts the allocations of a
clean run, then reruns with the Nth allocation failing for
N = 1, 1+S, 1+2S, ... up to that count (S=1: every one; --runs K: a
stride per case giving about K runs each, for CI). Each run must
either succeed with the clean run's files, or exit 1 saying "out of memory"
with its output folder exactly as it was before (it holds the clean run's
files beforehand); never a signal, a sanitizer report or a leftover file.
Exit status 0 when every run did so, 1 otherwise; the last line sums up.

The runs go through the build's fork server (TQO_FORK_SERVER,
tests/tools/failalloc_server.c): one process per case and job, started
once, forks a child per point, so that ASan's and the shared libraries'
start-up (most of a run's time) is paid once. --spawn starts a process per
point instead (TQO_FAIL_ALLOC=N, as a single point is reproduced by hand).
--jobs J (default 2) runs J of them at once, each on its own output folder.
"""
import argparse
import hashlib
import os
import shutil
import subprocess
import sys
import tempfile
import threading
import time


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
    # a commdis file whose three centre starts end in three layouts (the
    # diameter's search screens each: align.c, objective_tabu.c)
    subprocess.run([tqo, 'generate', '--format', 'commdis', '--units', '80', '--territories', '4', '--tolerance',
                    '10', '--seed', '2', '-o', os.path.join(d, 'dl.txt'), '--quiet'], check=True, env=clean_env())
    with open(os.path.join(d, 'scen.csv'), 'w') as f:
        f.write('scenario,history_weight,growth\ns1,0.4,5\ns2,0.6,10\n')
    return inst


def clean_env(**extra):
    env = dict(os.environ)
    for k in ('TQO_FAIL_ALLOC', 'TQO_ALLOC_COUNT', 'TQO_FORK_SERVER'):
        env.pop(k, None)
    env.setdefault('ASAN_OPTIONS', 'detect_leaks=1')
    # GLPK's own leak when its realloc fails (alloc_loop.lsan.supp)
    supp = 'suppressions=' + os.path.join(os.path.dirname(os.path.abspath(__file__)), 'alloc_loop.lsan.supp')
    env['LSAN_OPTIONS'] = supp + (':' + env['LSAN_OPTIONS'] if env.get('LSAN_OPTIONS') else '')
    env['OMP_NUM_THREADS'] = '1'
    env.update(extra)
    return env


def cases(inst, d):
    """(name, argv after tqo given the output folder, summary timings differ)."""
    scen = os.path.join(d, 'scen.csv')
    return [
        ('validate', lambda o: ['validate', inst, '-o', o], False),
        ('align', lambda o: ['align', inst, '--threads', '1', '-o', o], True),
        ('align-splits', lambda o: ['align', inst, '-k', '3', '--allow-splits', '--adjacency', 'none',
                                    '--threads', '1', '-o', o], True),
        ('align-diameter', lambda o: ['align', os.path.join(d, 'dl.txt'), '--objective', 'diameter',
                                      '--search-rounds', '1', '--threads', '1', '-o', o], True),
        ('quota', lambda o: ['quota', inst, '--growth', '5', '--potential', 'potential', '-o', o], False),
        ('scenarios', lambda o: ['scenarios', inst, '--scenarios', scen, '--potential', 'potential',
                                 '--replicates', '20', '--threads', '1', '-o', o], False),
        ('plan', lambda o: ['plan', inst, '--potential', 'potential', '--scenarios', scen, '--replicates', '20',
                            '--threads', '1', '--growth', '5', '-o', o], False),
    ]


BAD_MARKS = ('AddressSanitizer', 'LeakSanitizer', 'runtime error:', 'Segmentation', 'Aborted')


class Spawn:
    """A process per point: TQO_FAIL_ALLOC=N tqo ARGV (N=0: a clean run)."""

    def __init__(self, tqo, argv, wdir):
        self.cmd, self.wdir = [tqo] + argv, wdir

    def run(self, n):
        cnt = os.path.join(self.wdir, 'count')
        env = clean_env(TQO_ALLOC_COUNT=cnt) if n == 0 else clean_env(TQO_FAIL_ALLOC=str(n))
        r = subprocess.run(self.cmd, env=env, capture_output=True, text=True)
        return r.returncode, r.stderr

    def count(self):
        return int(open(os.path.join(self.wdir, 'count')).read())

    def close(self):
        pass


class Server(Spawn):
    """The fork server: one `tqo ARGV` process started once; each point is a
    line "N" on its input, answered "N STATUS" when its child is gone."""

    lsan_always = False

    def __init__(self, tqo, argv, wdir, **env):
        super().__init__(tqo, argv, wdir)
        if Server.lsan_always:
            env['TQO_FORK_SERVER_LSAN'] = '1'
        self.p = subprocess.Popen(self.cmd, env=clean_env(TQO_FORK_SERVER=wdir, **env), stdin=subprocess.PIPE,
                                  stdout=subprocess.PIPE, text=True)

    def run(self, n):
        self.p.stdin.write('%d\n' % n)
        self.p.stdin.flush()
        ans = self.p.stdout.readline().split()
        if len(ans) != 2 or int(ans[0]) != n:
            raise RuntimeError('the fork server stopped (exit %s): is %s a -DTQO_FAILALLOC=ON build?'
                               % (self.p.poll(), self.cmd[0]))
        code = int(ans[1])
        with open(os.path.join(self.wdir, 'stderr'), errors='replace') as f:
            return code, f.read()

    def close(self):
        self.p.stdin.close()
        self.p.wait()


def leak_canary(tqo, d):
    """The server skips LeakSanitizer's scan when a child's heap ends as it
    began; TQO_FORK_SERVER_LEAKTEST makes each child leak 24 bytes after
    main: this proves the children still find leaks. None when they do."""
    # LeakSanitizer's scan is conservative (a stale copy of the address on a
    # busy machine hides the block once in a while): three tries, any report
    # proves the children find leaks.
    for attempt in range(3):
        w = os.path.join(d, 'canary%d' % attempt)
        os.makedirs(w)
        s = Server(tqo, ['--version'], w, TQO_FORK_SERVER_LEAKTEST='1')
        try:
            code, err = s.run(0)
        finally:
            s.close()
        if 'LeakSanitizer' in err and code != 0:
            return None
    return ('a leak in a fork server child went unreported (exit %d; not an ASan build, or detect_leaks=0?): %s'
            % (code, err[-300:]))


def check_point(r_code, err, out, ref, before, skip_t):
    """Why run N broke the rules, or None."""
    if r_code < 0 or r_code >= 128 or any(m in err for m in BAD_MARKS):
        return 'crash or sanitizer report'
    if r_code == 0:
        got = manifest(out, skip_t)
        if got != ref:
            diff = sorted(k for k in set(got or {}) | set(ref or {}) if (got or {}).get(k) != (ref or {}).get(k))
            return 'succeeded with different files (%s)' % ', '.join(diff[:4])
        return None
    if 'out of memory' not in err and 'Cannot allocate memory' not in err:
        return 'failed without saying "out of memory"'
    if manifest(out) != before:
        return 'failed but changed its output folder'
    return None


def points(total, stride, last, runs_wanted, span=None):
    if runs_wanted:
        stride = max(1, total // runs_wanted)
    # --last K: only the last K allocation points (the output writers)
    lo, hi = (max(1, total - last + 1) if last else 1), total
    if span:  # --range A:B, a slice of the points
        lo, hi = max(lo, span[0]), min(hi, span[1])
    return list(range(lo, hi + 1, stride)), stride


KEEP = ('io', 'out.ref', 'snap')  # a job's own files beside OUT


def copy_entry(src, dst):
    if os.path.isdir(src) and not os.path.islink(src):
        shutil.copytree(src, dst, symlinks=True)
    else:
        shutil.copy2(src, dst, follow_symlinks=False)


def remove_entry(p):
    if os.path.isdir(p) and not os.path.islink(p):
        shutil.rmtree(p)
    else:
        os.remove(p)


def snapshot(base):
    """OUT and whatever the checkpoint's clean run made beside it, copied
    aside (base/snap) as they are at a fork."""
    snap = os.path.join(base, 'snap')
    shutil.rmtree(snap, ignore_errors=True)
    os.makedirs(snap)
    for e in os.listdir(base):
        if e not in KEEP:
            copy_entry(os.path.join(base, e), os.path.join(snap, e))


def restore(base):
    """base as it was at the fork (the clean run goes on from there: it
    holds no file open then, only names)."""
    snap = os.path.join(base, 'snap')
    for e in os.listdir(base):
        if e not in KEEP:
            remove_entry(os.path.join(base, e))
    for e in os.listdir(snap):
        copy_entry(os.path.join(snap, e), os.path.join(base, e))


class Job:
    """One job's share of a case: its folder base (OUT is base/out, the fork
    server's files in base/io), the clean run's files, its failures."""

    def __init__(self, a, name, base, skip_t, res, log, lock):
        self.a, self.name, self.base, self.skip_t = a, name, base, skip_t
        self.out = os.path.join(base, 'out')
        self.res, self.log, self.lock = res, log, lock
        self.ref = self.before = None
        self.dirty = False

    def fail(self, n, code, why, err):
        with self.lock:
            self.res['fails'].append((n, code, why, err[-1500:]))
            self.log.write('%s N=%d exit %d: %s\n%s\n' % (self.name, n, code, why, err[-1500:]))
            self.log.flush()

    def judge(self, n, code, err):
        """Checks run n (exit code, stderr); 1 when base needs putting back."""
        res = self.res
        res['runs'] += 1
        res['done'].add(n)
        if self.a.progress and time.time() - res['shown'] >= self.a.progress:
            res['shown'] = time.time()
            pts = res['pts']
            while res['upto'] < len(pts) and pts[res['upto']] in res['done']:
                res['upto'] += 1  # every point before pts[upto] has run
            print('  %s: %d of %d runs, %d failed; every point to N=%d run' % (
                self.name, res['runs'], res['want'], len(res['fails']), pts[res['upto'] - 1] if res['upto'] else 0),
                file=sys.stderr, flush=True)
        why = check_point(code, err, self.out, self.ref, self.before, self.skip_t)
        left = [e for e in os.listdir(self.base) if '.tqo-stage.' in e]
        if why is None and left:
            why = 'left %s' % left
        if why:
            self.fail(n, code, why, err)
        return code == 0 or why is not None

    def reset(self):
        """OUT as the clean run left it (a failed run leaves it so: no copy
        needed then), nothing beside it."""
        if not self.dirty:
            return
        for e in os.listdir(self.base):
            if e not in KEEP:
                remove_entry(os.path.join(self.base, e))
        shutil.copytree(self.out + '.ref', self.out)
        self.dirty = False

    def from_main(self, runner, pts):
        for n in pts:
            self.reset()
            code, err = runner.run(n)
            self.dirty = self.judge(n, code, err)

    def checkpoint(self, tqo, argv, pts, step):
        """pts (every step-th from pts[0]) forked from inside one clean run;
        returns the points it could not fork there."""
        self.reset()
        io = os.path.join(self.base, 'io')
        env = clean_env(TQO_FORK_SERVER=io, TQO_FORK_CHECKPOINT='%d %d %d' % (pts[0], step, pts[-1]))
        if Server.lsan_always:
            env['TQO_FORK_SERVER_LSAN'] = '1'
        p = subprocess.Popen([tqo] + argv, env=env, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
        done, snap_gen, status = set(), None, None
        for line in p.stdout:
            w = line.split()
            if w[0] == 'fork':
                if int(w[2]) != snap_gen and int(w[2]) > 0:
                    snapshot(self.base)
                snap_gen = int(w[2])
            elif w[0] == 'done':
                n, code = int(w[1]), int(w[2])
                with open(os.path.join(io, 'stderr'), errors='replace') as f:
                    err = f.read()
                done.add(n)
                if self.judge(n, code, err) or snap_gen > 0:
                    if snap_gen > 0:
                        restore(self.base)
                    else:
                        self.dirty = True
                        self.reset()
            elif w[0] == 'end':
                status = int(w[1])
                break
            if w[0] in ('fork', 'done'):
                p.stdin.write('go\n')
                p.stdin.flush()
        p.stdin.close()
        code = p.wait()
        with open(os.path.join(io, 'pstderr'), errors='replace') as f:
            err = f.read()
        got = manifest(self.out, self.skip_t)
        if status != 0 or code != 0 or any(m in err for m in BAD_MARKS) or got != self.ref:
            self.fail(0, code, 'the checkpoint run (a clean run) failed or differed', err)
        self.dirty = True
        with self.lock:
            self.res['forked'] += len(done)
        return [n for n in pts if n not in done]


def run_job(a, tqo, root, job, case, res, log, lock):
    """Job `job` of a.jobs on one case: its own output folder and processes;
    its clean run, then every a.jobs-th of the case's points from `job`."""
    name, argv_of, skip_t = case
    base = os.path.join(root, 'job%d' % job, name)
    io = os.path.join(base, 'io')
    os.makedirs(io)
    J = Job(a, name, base, skip_t, res, log, lock)
    argv = argv_of(J.out)
    runner = (Spawn if a.spawn else Server)(tqo, argv, io)
    try:
        code, err = runner.run(0)
        if code != 0:
            J.fail(0, code, 'the clean run failed', err)
            return
        total = runner.count()
        res['totals'].append(total)
        pts, res['stride'] = points(total, a.stride, a.last, a.runs, a.range)
        res['want'], res['pts'] = len(pts), pts
        J.ref = manifest(J.out, skip_t)
        shutil.copytree(J.out, J.out + '.ref')
        J.before = manifest(J.out + '.ref')
        mine = pts[job::a.jobs]
        if mine and not a.spawn and not a.no_checkpoint:
            mine = J.checkpoint(tqo, argv, mine, res['stride'] * a.jobs)
        J.from_main(runner, mine)
    finally:
        runner.close()


def run_case(a, tqo, root, case, log):
    res = {'totals': [], 'runs': 0, 'fails': [], 'stride': a.stride, 'shown': time.time(), 'want': 0, 'forked': 0,
           'done': set(), 'pts': [], 'upto': 0}
    lock = threading.Lock()
    jobs = [threading.Thread(target=run_job, args=(a, tqo, root, j, case, res, log, lock)) for j in range(a.jobs)]
    for t in jobs:
        t.start()
    for t in jobs:
        t.join()
    totals = sorted(set(res['totals']))
    if len(totals) > 1:  # every job's clean run must allocate alike
        res['fails'].append((0, 0, 'clean runs counted %s allocations' % totals, ''))
    res['fails'].sort(key=lambda f: f[0])
    return (totals[-1] if totals else 0), res['runs'], res['fails'], res['stride'], res['forked']


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('tqo')
    ap.add_argument('--stride', type=int, default=1)
    ap.add_argument('--runs', type=int, default=0, help='about this many runs per case (a stride per case)')
    ap.add_argument('--last', type=int, default=0)
    ap.add_argument('--only', default='')
    ap.add_argument('--jobs', type=int, default=2, help='points run at once (each job its own process)')
    ap.add_argument('--spawn', action='store_true', help='a process per point, not the fork server')
    ap.add_argument('--no-checkpoint', action='store_true',
                    help="every point forked from main, none from inside a clean run")
    ap.add_argument('--lsan-always', action='store_true',
                    help="LeakSanitizer's full scan in every child, even when the heap ends as it began")
    ap.add_argument('--progress', type=float, default=0, help='a line on stderr every this many seconds')
    ap.add_argument('--log', default=None, help='write every failure in full here')
    ap.add_argument('--range', default=None, help='A:B, only the points from A to B (a slice)')
    a = ap.parse_args()
    if a.range:
        a.range = tuple(int(x) for x in a.range.split(':'))
    Server.lsan_always = a.lsan_always
    a.jobs = max(1, a.jobs)
    tqo = os.path.abspath(a.tqo)
    d = tempfile.mkdtemp(prefix='tqo-alloc-')
    log = open(a.log, 'w') if a.log else sys.stdout
    try:
        inst = make_instance(tqo, d)
        all_total = all_runs = all_fails = 0
        canary = None if a.spawn else leak_canary(tqo, d)
        if canary:
            print('# ' + canary)
            all_fails += 1
        t_all = time.time()
        for case in cases(inst, d):
            name = case[0]
            if a.only and name not in a.only.split(','):
                continue
            t0 = time.time()
            total, runs, fails, stride, forked = run_case(a, tqo, d, case, log)
            print('%-13s %5d allocations, %5d runs (stride %d; %d forked inside a clean run), %d failed (%.0f s)'
                  % (name, total, runs, stride, forked, len(fails), time.time() - t0), flush=True)
            for f in fails[:5]:
                print('    N=%s exit %s: %s' % (f[0], f[1], f[2]))
            all_total += total
            all_runs += runs
            all_fails += len(fails)
        print('# %d allocation points reached, %d runs, %d failed (%.0f s, %d jobs%s)'
              % (all_total, all_runs, all_fails, time.time() - t_all, a.jobs, ', spawn' if a.spawn else ''))
        return 1 if all_fails else 0
    finally:
        shutil.rmtree(d, ignore_errors=True)


if __name__ == '__main__':
    sys.exit(main())
