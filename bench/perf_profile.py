#!/usr/bin/env python3
"""Where streamer's PutItem time goes (run it as bench/profile, which installs perf first).

Starts streamer (--durability fsync, the seed stack), creates BenchTable, runs wrk PutItem and
meanwhile records the server with `perf record -g` and counts its context switches (perf stat,
and every thread's voluntary/nonvoluntary_ctxt_switches in /proc). Prints a short summary: top
symbols by self %, kernel vs user share, time per thread, context switches per request.
Where perf cannot record (perf_event_paranoid, no PMU access), it says so and reports what
/proc has: context switches and user/system CPU time per thread.
"""

import argparse
import collections
import os
import re
import shutil
import subprocess
import sys
import tempfile

from harness import STREAMER_BIN, Server, Wrk, create_table, git_commit, loadavg


def proc_threads(pid):
    """{tid: (name, voluntary, nonvoluntary, utime ticks, stime ticks)} from /proc."""
    out = {}
    for tid in os.listdir('/proc/%d/task' % pid):
        base = '/proc/%d/task/%s/' % (pid, tid)
        try:
            with open(base + 'status') as f:
                status = dict(l.split(':', 1) for l in f if ':' in l)
            with open(base + 'stat') as f:
                stat = f.read()
        except OSError:
            continue  # the thread ended meanwhile
        fields = stat[stat.rindex(')') + 2:].split()
        out[tid] = (status['Name'].strip(), int(status['voluntary_ctxt_switches']),
                    int(status['nonvoluntary_ctxt_switches']), int(fields[11]), int(fields[12]))
    return out


def proc_delta(before, after):
    """Per thread ("tid name"): [voluntary, nonvoluntary, user s, system s] over the run."""
    hz = os.sysconf('SC_CLK_TCK')
    acc = collections.defaultdict(lambda: [0, 0, 0.0, 0.0])
    for tid, (name, vol, nonvol, ut, st) in after.items():
        b = before.get(tid, (name, 0, 0, 0, 0))
        a = acc['%s %s' % (tid, name)]
        a[0] += vol - b[1]
        a[1] += nonvol - b[2]
        a[2] += (ut - b[3]) / hz
        a[3] += (st - b[4]) / hz
    return acc


def perf_report(data, sort, limit):
    """[(percent, name)] from `perf report --no-children --sort <sort>`, biggest first."""
    res = subprocess.run(['perf', 'report', '-i', data, '--no-children', '--stdio', '-g', 'none',
                          '-F', 'overhead,' + sort, '--percent-limit', '0.5'],
                         capture_output=True, text=True)
    rows = []
    for line in res.stdout.splitlines():
        m = re.match(r'\s*([\d.]+)%\s+(.*\S)', line)
        if m:
            rows.append((float(m.group(1)), m.group(2)))
    return rows[:limit]


def main():
    ap = argparse.ArgumentParser(description='profile streamer under a PutItem wrk run')
    ap.add_argument('--duration', type=int, default=10, help='seconds of wrk (and of recording)')
    ap.add_argument('--threads', type=int, default=2)
    ap.add_argument('--connections', type=int, default=64)
    ap.add_argument('--top', type=int, default=15, help='symbols to show')
    ap.add_argument('--keep', action='store_true', help='keep perf.data (its path is printed)')
    args = ap.parse_args()
    if not os.access(STREAMER_BIN, os.X_OK):
        print('streamer binary not found at %s (bench/profile builds it, or set STREAMER_BIN)'
              % STREAMER_BIN, file=sys.stderr)
        return 1
    workdir = tempfile.mkdtemp(prefix='streamer-profile-')
    data = os.path.join(workdir, 'perf.data')
    have_perf = shutil.which('perf') is not None
    srv = Server('streamer', workdir)
    notes = []
    try:
        srv.start()
        create_table(srv.port)
        pid = srv.proc.pid
        before = proc_threads(pid)
        wrk = Wrk('http://127.0.0.1:%d/' % srv.port, 'putitem.lua', args.threads,
                  args.connections, args.duration, 'prof')
        record = stat = None
        if have_perf:
            # Both attach to the running server and stop when their `sleep` does.
            window = ['--', 'sleep', str(args.duration)]
            record = subprocess.Popen(['perf', 'record', '-g', '-o', data, '-p', str(pid)] + window,
                                      stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
            stat = subprocess.Popen(['perf', 'stat', '-x', ',', '-e',
                                     'context-switches,cpu-migrations,task-clock', '-p', str(pid)]
                                    + window, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                    text=True)
        put = wrk.result()
        after = proc_threads(pid)
        rec_out = rec_err = stat_err = ''
        if record:
            rec_out, rec_err = record.communicate(timeout=60)
            _, stat_err = stat.communicate(timeout=60)
    finally:
        srv.stop()

    requests = put['requests'] or 1
    print('# streamer PutItem profile (git %s, load average %s)' % (git_commit(), loadavg()))
    print()
    print('wrk -t%d -c%d -d%ds PutItem: %.0f req/s, p50 %.2f ms, p99 %.2f ms, %d requests, '
          '%d errors' % (args.threads, args.connections, args.duration, put['rps'],
                         put['p50_us'] / 1000, put['p99_us'] / 1000, put['requests'],
                         put['errors']))

    # Context switches and CPU per thread, from /proc (always there).
    per_thread = proc_delta(before, after)
    vol = sum(v[0] for v in per_thread.values())
    nonvol = sum(v[1] for v in per_thread.values())
    user = sum(v[2] for v in per_thread.values())
    system = sum(v[3] for v in per_thread.values())
    print()
    print('Context switches (/proc, all threads): %.2f per request (%d voluntary, %d involuntary)'
          % ((vol + nonvol) / requests, vol, nonvol))
    if user + system > 0:
        print('CPU (/proc): %.2f s user, %.2f s system -> %.0f%% kernel; %.1f us CPU per request'
              % (user, system, 100 * system / (user + system),
                 (user + system) * 1e6 / requests))
    print()
    print('| thread (tid name) | CPU s (user+sys) | voluntary cs | involuntary cs |')
    print('|---|---:|---:|---:|')
    busiest = sorted(per_thread.items(), key=lambda kv: -(kv[1][2] + kv[1][3] + kv[1][0] / 1e4))
    for name, (v, nv, u, s) in busiest[:12]:
        print('| %s | %.2f | %d | %d |' % (name, u + s, v, nv))
    if len(busiest) > 12:
        print('| (%d more threads) | | | |' % (len(busiest) - 12))

    recorded = have_perf and os.path.exists(data) and os.path.getsize(data) > 0 and \
        record.returncode == 0
    if have_perf:
        counts = {}
        for line in stat_err.splitlines():
            parts = line.split(',')
            if len(parts) > 2 and parts[0].replace('.', '').isdigit():
                counts[parts[2]] = float(parts[0])
        if 'context-switches' in counts:
            print()
            print('Context switches (perf stat): %.2f per request, cpu-migrations %.0f, '
                  'task-clock %.0f ms' % (counts['context-switches'] / requests,
                                          counts.get('cpu-migrations', 0),
                                          counts.get('task-clock', 0)))
        else:
            notes.append('perf stat gave no counts: %s' % stat_err.strip()[-300:])
    if recorded:
        dsos = perf_report(data, 'dso', 50)
        kernel = sum(p for p, name in dsos if name.startswith('[kernel'))
        total = sum(p for p, _ in dsos)
        print()
        print('perf record -g: %.0f%% of samples in the kernel, %.0f%% in user space (shown: '
              'DSOs >= 0.5%%)' % (kernel, total - kernel))
        print()
        print('| self % | symbol |')
        print('|---:|---|')
        for pct, sym in perf_report(data, 'symbol', args.top):
            print('| %.2f | %s |' % (pct, sym))
        print()
        print('| self % | thread |')
        print('|---:|---|')
        for pct, comm in perf_report(data, 'pid', 12):
            print('| %.2f | %s |' % (pct, comm))
    else:
        why = 'perf is not installed' if not have_perf else (
            'perf record failed: %s' % (rec_err.strip().splitlines() or ['?'])[-1])
        notes.append('NO PERF PROFILE (%s; perf_event_paranoid=%s): only the /proc counts above.'
                     % (why, open('/proc/sys/kernel/perf_event_paranoid').read().strip()))
    for n in notes:
        print()
        print('- ' + n)
    if args.keep and recorded:
        print('\nperf data kept: %s (perf report -i %s)' % (data, data))
    else:
        shutil.rmtree(workdir, ignore_errors=True)
    return 0


if __name__ == '__main__':
    sys.exit(main())
