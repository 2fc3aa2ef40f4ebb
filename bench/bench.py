#!/usr/bin/env python3
"""Side-by-side benchmark: streamer vs dynalite vs moto on this machine (run it as bench/run,
which installs what is missing first).

The servers are measured interleaved in rounds (streamer, dynalite, moto, streamer, ...), so
drift in the machine's load hits every column alike; each metric is the median over the rounds,
and each ratio the median of the per-round ratios.

Metrics (--only picks some): putitem, getitem, insertitem (gateway POST /InsertItem),
alongside (PutItem p99 while a response-template-heavy gateway route runs; implies putitem),
startup (spawn -> ready, median of 3 cold starts), stream (gateway write ack -> stream event).
Peak RSS is read after the PutItem/GetItem load.

Exit code: 0 ok; 1 a measurement failed (a peer's wrk errors are only noted); 2 the floor
(streamer PutItem and GetItem >= 5x dynalite, median of the per-round ratios) not met.
"""

import argparse
import collections
import http.client
import json
import math
import os
import platform
import shutil
import subprocess
import sys
import tempfile
import threading
import time

from harness import (BENCH_DIR, DYNALITE_CLI, GET_KEY_PREFIX, STREAMER_BIN, Server, Wrk,
                     create_table, git_commit, loadavg, log, median, moto_command, prefill,
                     run_wrk, write_bench_stack)

FLOOR_PUTITEM_VS_DYNALITE = 5.0  # issue 10: PutItem and GetItem >= 5x dynalite
FLOOR_GETITEM_VS_DYNALITE = 5.0
HANDLER_PREFIX = b'[DynamoLambdaHandler] request: '
METRICS = ('putitem', 'getitem', 'insertitem', 'alongside', 'startup', 'stream')
SERVERS = ('streamer', 'dynalite', 'moto')


def measure_startup(kind, workdir, moto_cmd, runs=3):
    """Median spawn -> ready over `runs` cold starts (fresh data dir each)."""
    times = []
    for _ in range(runs):
        srv = Server(kind, workdir, moto_cmd=moto_cmd)
        try:
            times.append(srv.start())
        finally:
            srv.stop()
    return median(times)


def wrk_line(name, w):
    return ('%s %.0f req/s, p50 %.2f ms, p99 %.2f ms, errors %d'
            % (name, w['rps'], w['p50_us'] / 1000, w['p99_us'] / 1000, w['errors']))


def bench_server(kind, workdir, args, r, tag):
    """One server's slot in a round: the load metrics on one instance; fills dict r."""
    wrk = dict(threads=args.threads, connections=args.connections, duration=args.duration)
    if 'startup' in args.metrics:
        r['startup_s'] = measure_startup(kind, workdir, args.moto_cmd)
        log('%s: ready in %.0f ms (median of 3)' % (kind, r['startup_s'] * 1000))
    loads = args.metrics & {'putitem', 'getitem', 'insertitem', 'alongside'}
    if kind != 'streamer':
        loads -= {'insertitem', 'alongside'}
    if not loads:
        return
    stack = None
    if kind == 'streamer':
        stack = os.path.join(workdir, 'bench-stack.yaml')
        write_bench_stack(stack, args.heavy_loop)
    srv = Server(kind, workdir, stack=stack, moto_cmd=args.moto_cmd)
    try:
        srv.start()
        create_table(srv.port)
        url = 'http://127.0.0.1:%d/' % srv.port
        gw = 'http://127.0.0.1:%d' % srv.gateway_port
        if loads & {'putitem', 'alongside'}:
            r['put'] = run_wrk(url, 'putitem.lua', run_id=tag + 'p', **wrk)
            log('%s: %s' % (kind, wrk_line('PutItem', r['put'])))
        if 'alongside' in loads:
            # PutItem as above, and at the same time a second wrk on a heavy route: first the
            # one that writes (its reply is rendered when the commit completes), then the mock
            # one (same template, no write) as the control for the CPU the renders take.
            for route, key in (('/HeavyPut', 'heavy_put'), ('/HeavyMock', 'heavy_mock')):
                heavy = Wrk(gw + route, 'heavy.lua', 1, args.heavy_connections, args.duration,
                            tag + key, env={'BENCH_PATH': route,
                                            'BENCH_DELAY_MS': str(args.heavy_delay_ms)})
                put = run_wrk(url, 'putitem.lua', run_id=tag + key + 'p', **wrk)
                r[key] = heavy.result()
                r['put_with_' + key] = put
                log('%s: %s; alongside %s' % (kind, wrk_line('PutItem', put),
                                               wrk_line(route, r[key])))
        if 'getitem' in loads:
            t0 = time.monotonic()
            how = prefill(srv.port, args.get_keys)
            log('%s: prefilled %d items with %s in %.1f s'
                % (kind, args.get_keys, how, time.monotonic() - t0))
            r['get'] = run_wrk(url, 'getitem.lua', run_id=tag + 'g',
                               env={'BENCH_KEYS': str(args.get_keys),
                                    'BENCH_KEY_PREFIX': GET_KEY_PREFIX}, **wrk)
            log('%s: %s' % (kind, wrk_line('GetItem', r['get'])))
        if loads & {'putitem', 'getitem'}:
            r['rss_mib'] = srv.peak_rss_mib()
            log('%s: peak RSS %.0f MiB' % (kind, r['rss_mib']))
        if 'insertitem' in loads:
            r['gateway'] = run_wrk(gw + '/InsertItem', 'insertitem.lua', run_id=tag + 'i', **wrk)
            log('%s: %s' % (kind, wrk_line('POST /InsertItem', r['gateway'])))
    finally:
        srv.stop()


def bench_stream_latency(workdir, args, r):
    """Steady-rate POST /InsertItem on the seed stack; time from each HTTP ack to its
    handler's stdout line."""
    srv = Server('streamer', workdir, stdout_pipe=True)
    arrivals = {}   # message -> monotonic time its stream event line was read
    lines = collections.deque()  # appended by the reader thread, drained by _parse

    def reader():
        for line in srv.proc.stdout:
            now = time.monotonic()
            if line.startswith(HANDLER_PREFIX):
                lines.append((now, line))  # parsed later, so the timestamps stay tight

    try:
        srv.start()
        thread = threading.Thread(target=reader, daemon=True)
        thread.start()
        conn = http.client.HTTPConnection('127.0.0.1', srv.gateway_port, timeout=10)
        acks, sends, failures = {}, {}, 0
        t0 = time.monotonic()
        for i in range(args.latency_count):
            target = t0 + i / args.latency_rate
            delay = target - time.monotonic()
            if delay > 0:
                time.sleep(delay)
            msg = 'lat-%d' % i
            sends[msg] = time.monotonic()
            conn.request('POST', '/InsertItem', body=json.dumps({'message': msg}),
                         headers={'Content-Type': 'application/json'})
            resp = conn.getresponse()
            resp.read()
            if resp.status == 200:
                acks[msg] = time.monotonic()
            else:
                failures += 1
        conn.close()
        deadline = time.monotonic() + 15
        while time.monotonic() < deadline:
            _parse(lines, arrivals)
            if all(m in arrivals for m in acks):
                break
            time.sleep(0.05)
        _parse(lines, arrivals)
        lat = sorted((arrivals[m] - t) * 1000 for m, t in acks.items() if m in arrivals)
        missing = sum(1 for m in acks if m not in arrivals)
        r['stream'] = {'count': len(lat), 'missing': missing, 'failed_posts': failures,
                       'p50_ms': percentile(lat, 50), 'p99_ms': percentile(lat, 99),
                       'max_ms': lat[-1] if lat else None}
        log('streamer: ack -> stream event p50 %s ms, p99 %s ms (%d events, %d missing, '
            '%d failed POSTs)' % (fmt(percentile(lat, 50)), fmt(percentile(lat, 99)), len(lat),
                                  missing, failures))
    finally:
        srv.stop()


def _parse(lines, arrivals):
    """Move parsed handler lines into arrivals (message -> first arrival time)."""
    while lines:
        when, line = lines.popleft()
        try:
            event = json.loads(line[len(HANDLER_PREFIX):])
        except ValueError:
            continue
        for rec in event.get('Records', []):
            ddb = rec.get('dynamodb', {})
            msg = (ddb.get('Keys', {}).get('message', {}).get('S')
                   or ddb.get('NewImage', {}).get('message', {}).get('S'))
            if msg and msg not in arrivals:
                arrivals[msg] = when


def percentile(values, p):
    if not values:
        return None
    k = min(len(values) - 1, max(0, math.ceil(p / 100.0 * len(values)) - 1))  # nearest rank
    return values[k]


def fmt(v, digits=2):
    if v is None:
        return '—'
    if isinstance(v, int):
        return '{:,}'.format(v)
    if isinstance(v, str):
        return v
    if abs(v) >= 100:
        return '{:,.0f}'.format(v)
    return ('{:.%df}' % digits).format(v)


def get(r, *path):
    for p in path:
        if not isinstance(r, dict):
            return None
        r = r.get(p)
    return r


def ms(*path):
    return lambda r: None if get(r, *path) is None else get(r, *path) / 1000.0


def startup_ms(r):
    return None if r.get('startup_s') is None else r['startup_s'] * 1000.0


def p99_growth(key):
    """Alongside p99 / alone p99 within one round."""
    def fn(r):
        alone, along = get(r, 'put', 'p99_us'), get(r, 'put_with_' + key, 'p99_us')
        return along / alone if alone and along is not None else None
    return fn


# (name, value of one round's results for one server, which servers have it)
ROWS = [
    ('PutItem throughput (req/s, higher is better)', lambda r: get(r, 'put', 'rps'), SERVERS),
    ('PutItem latency p50 (ms)', ms('put', 'p50_us'), SERVERS),
    ('PutItem latency p99 (ms)', ms('put', 'p99_us'), SERVERS),
    ('GetItem throughput (req/s, higher is better)', lambda r: get(r, 'get', 'rps'), SERVERS),
    ('GetItem latency p50 (ms)', ms('get', 'p50_us'), SERVERS),
    ('GetItem latency p99 (ms)', ms('get', 'p99_us'), SERVERS),
    ('Gateway POST /InsertItem throughput (req/s)', lambda r: get(r, 'gateway', 'rps'),
     ('streamer',)),
    ('Gateway POST /InsertItem p50 (ms)', ms('gateway', 'p50_us'), ('streamer',)),
    ('Gateway POST /InsertItem p99 (ms)', ms('gateway', 'p99_us'), ('streamer',)),
    ('PutItem p99 alone (ms)',
     lambda r: ms('put', 'p99_us')(r) if 'put_with_heavy_put' in r else None, ('streamer',)),
    ('PutItem p99 alongside heavy-template write route /HeavyPut (ms)',
     ms('put_with_heavy_put', 'p99_us'), ('streamer',)),
    ('PutItem p99 alongside /HeavyPut ÷ alone', p99_growth('heavy_put'), ('streamer',)),
    ('PutItem p99 alongside the same template on a mock route /HeavyMock (ms, control)',
     ms('put_with_heavy_mock', 'p99_us'), ('streamer',)),
    ('PutItem p99 alongside /HeavyMock ÷ alone', p99_growth('heavy_mock'), ('streamer',)),
    ('PutItem throughput alongside /HeavyPut (req/s)',
     lambda r: get(r, 'put_with_heavy_put', 'rps'), ('streamer',)),
    ('/HeavyPut throughput (req/s)', lambda r: get(r, 'heavy_put', 'rps'), ('streamer',)),
    ('/HeavyMock throughput (req/s)', lambda r: get(r, 'heavy_mock', 'rps'), ('streamer',)),
    ('Peak RSS after PutItem + GetItem load (MiB, lower is better)',
     lambda r: r.get('rss_mib'), SERVERS),
    ('Start -> ready (ms, median of 3 starts, lower is better)', startup_ms, SERVERS),
    ('Write ack -> stream event p50 (ms)', lambda r: get(r, 'stream', 'p50_ms'), ('streamer',)),
    ('Write ack -> stream event p99 (ms)', lambda r: get(r, 'stream', 'p99_ms'), ('streamer',)),
]
# Rows whose values are not all there in a round are left out of the table.
RATIO_ROWS = {name for name, _, kinds in ROWS if len(kinds) > 1}


def build_report(rounds, args, errors, started, load_start):
    """rounds: list of {server: results}; returns (table, notes, markdown, floor)."""
    kinds = list(SERVERS)
    lines = ['| metric | streamer | dynalite | moto | streamer/dynalite | streamer/moto |',
             '|---|---:|---:|---:|---:|---:|']
    detail = ['| metric | server | ' + ' | '.join('round %d' % (i + 1) for i in range(len(rounds)))
              + ' |', '|---|---|' + '---:|' * len(rounds)]
    for name, fn, has in ROWS:
        per_round = {k: [fn(rd.get(k, {})) for rd in rounds] for k in kinds}
        if all(v is None for k in kinds for v in per_round[k]):
            continue  # not measured in this run
        med = {k: median(per_round[k]) for k in kinds}
        cells = []
        for k in kinds:
            if k not in has:
                cells.append('n/a')
            elif k in args.skipped:
                cells.append('skipped')
            else:
                cells.append(fmt(med[k]) + ('x' if '÷' in name and med[k] is not None else ''))
        ratios = []
        for peer in ('dynalite', 'moto'):
            rs = [a / b for a, b in zip(per_round['streamer'], per_round[peer])
                  if a is not None and b]
            ratios.append('%.2fx' % median(rs) if name in RATIO_ROWS and rs else '—')
        lines.append('| %s | %s | %s | %s | %s | %s |' % (name, *cells, *ratios))
        for k in kinds:
            if name.startswith('PutItem p99 alone'):
                break  # the same numbers as "PutItem latency p99"
            if k in has and any(v is not None for v in per_round[k]):
                detail.append('| %s | %s | %s |' % (name, k, ' | '.join(fmt(v) for v in
                                                                       per_round[k])))
    table = '\n'.join(lines)

    notes = []
    for key, route in (('heavy_put', '/HeavyPut'), ('heavy_mock', '/HeavyMock')):
        p99 = median([get(rd, 'streamer', key, 'p99_us') for rd in rounds])
        if p99 is not None:
            notes.append('%s (wrk -t1 -c%d, %d ms pause per connection between requests, '
                         'template loop %d): p50 %s ms, p99 %s ms.'
                         % (route, args.heavy_connections, args.heavy_delay_ms, args.heavy_loop,
                            fmt(median([get(rd, 'streamer', key, 'p50_us') for rd in rounds])
                                / 1000), fmt(p99 / 1000)))
    mem = [rd['dynalite-mem'] for rd in rounds if 'dynalite-mem' in rd]
    if mem:
        notes.append('dynalite in memory (no --path), medians: PutItem %s req/s (p99 %s ms), '
                     'GetItem %s req/s (p99 %s ms).'
                     % (fmt(median([get(m, 'put', 'rps') for m in mem])),
                        fmt(median([ms('put', 'p99_us')(m) for m in mem])),
                        fmt(median([get(m, 'get', 'rps') for m in mem])),
                        fmt(median([ms('get', 'p99_us')(m) for m in mem]))))
    floor = None
    put_rows = [(get(rd, 'streamer', 'put', 'rps'), get(rd, 'dynalite', 'put', 'rps'))
                for rd in rounds]
    put_ratios = [s / d for s, d in put_rows if s is not None and d]
    if put_ratios:
        floor = median(put_ratios) >= FLOOR_PUTITEM_VS_DYNALITE
        notes.append('Floor: streamer PutItem throughput >= %.0fx dynalite (median ratio): %s '
                     '(%.2fx).' % (FLOOR_PUTITEM_VS_DYNALITE, 'PASS' if floor else 'FAIL',
                                   median(put_ratios)))
    else:
        notes.append('Floor: not evaluated (needs both streamer and dynalite PutItem results).')
    get_ratios = [s / d for s, d in [(get(rd, 'streamer', 'get', 'rps'), get(rd, 'dynalite', 'get', 'rps'))
                                     for rd in rounds] if s is not None and d]
    if get_ratios:
        get_floor = median(get_ratios) >= FLOOR_GETITEM_VS_DYNALITE
        floor = get_floor if floor is None else (floor and get_floor)
        notes.append('Floor: streamer GetItem throughput >= %.0fx dynalite (median ratio): %s '
                     '(%.2fx).' % (FLOOR_GETITEM_VS_DYNALITE, 'PASS' if get_floor else 'FAIL',
                                   median(get_ratios)))
    notes += args.peer_notes
    busy = float(load_start.split()[0])
    if busy > os.cpu_count():
        notes.append('The machine was busy (load average %.1f on %d CPUs at the start): absolute '
                     'numbers are low and noisy; the ratios (same round) and the per-round spread '
                     'say more.' % (busy, os.cpu_count()))
    for kind, why in sorted(args.skipped.items()):
        notes.append('SKIPPED %s: %s' % (kind, why))
    notes.append('Not like for like, in the peers\' favour: streamer fsyncs every group commit and '
                 'writes the stream record with the item; dynalite accepts StreamSpecification '
                 'but keeps no stream records and does not fsync LevelDB; moto keeps everything '
                 'in memory (with stream records).')
    for e in errors:
        notes.append('ERROR: ' + e)

    binary = ''
    if os.path.exists(STREAMER_BIN):
        binary = ' (streamer binary %s, built %s)' % (STREAMER_BIN, time.strftime(
            '%Y-%m-%d %H:%M', time.localtime(os.path.getmtime(STREAMER_BIN))))
    setup = ('%s, %d CPUs; git %s%s; %d round(s), servers interleaved in each, medians over the '
             'rounds; wrk -t%d -c%d -d%ds; streamer --durability fsync; dynalite %s with --path '
             '(LevelDB on disk); moto server %s (in memory); GetItem over %d pre-filled keys. '
             'Load average %s at start, %s at end. Everything (servers, wrk, and whatever '
             'else runs on the machine) shares the same CPUs.'
             % (platform.platform(terse=True), os.cpu_count(), git_commit(), binary,
                len(rounds), args.threads, args.connections, args.duration,
                args.dynalite_version, args.moto_version, args.get_keys, load_start, loadavg()))
    md = ['# Benchmark: streamer vs dynalite vs moto', '',
          'Run %s (%.0f s). %s' % (time.strftime('%Y-%m-%d %H:%M:%S %Z'),
                                   time.monotonic() - started, setup), '', table, '']
    md += ['- ' + n for n in notes]
    md += ['', '## Per round', '', *detail, '']
    return table, notes, '\n'.join(md) + '\n', floor


def versions(args):
    try:
        with open(os.path.join(BENCH_DIR, 'node_modules', 'dynalite', 'package.json')) as f:
            args.dynalite_version = json.load(f)['version']
    except (OSError, ValueError, KeyError):
        args.dynalite_version = '?'
    args.moto_version = '?'
    if args.moto_cmd:
        res = subprocess.run([sys.executable, '-c', 'import moto; print(moto.__version__)'],
                             capture_output=True, text=True)
        args.moto_version = res.stdout.strip() or '?'


def parse_args():
    ap = argparse.ArgumentParser(description='streamer vs dynalite vs moto, interleaved rounds')
    ap.add_argument('--duration', type=int, default=10, help='seconds per wrk run (default 10)')
    ap.add_argument('--rounds', type=int, default=3, help='rounds of every server (default 3)')
    ap.add_argument('--only', default=','.join(METRICS),
                    help='metrics, comma-separated: %s' % ','.join(METRICS))
    ap.add_argument('--servers', default=','.join(SERVERS), help='servers, comma-separated')
    ap.add_argument('--threads', type=int, default=2, help='wrk threads')
    ap.add_argument('--connections', type=int, default=64, help='wrk connections')
    ap.add_argument('--get-keys', type=int, default=10000, help='items pre-filled for GetItem')
    ap.add_argument('--heavy-loop', type=int, default=5000,
                    help='#foreach iterations of the heavy response template (5000: ~5 ms)')
    ap.add_argument('--heavy-connections', type=int, default=2,
                    help='wrk connections on the heavy route')
    ap.add_argument('--heavy-delay-ms', type=int, default=50,
                    help='pause of each heavy connection between requests')
    ap.add_argument('--latency-count', type=int, default=2000)
    ap.add_argument('--latency-rate', type=float, default=400.0, help='POSTs per second')
    ap.add_argument('--dynalite-memory', action='store_true',
                    help='also measure dynalite without --path (a note, not a column)')
    ap.add_argument('--out', help='write the report only here (default: bench/results/latest.md '
                    'and bench/results/<date>-<commit>.md)')
    args = ap.parse_args()
    args.metrics = set(m for m in args.only.split(',') if m)
    args.servers = [s for s in args.servers.split(',') if s]
    bad = (args.metrics - set(METRICS)) or (set(args.servers) - set(SERVERS))
    if bad:
        ap.error('unknown metric or server: %s' % ', '.join(sorted(bad)))
    if args.rounds < 1 or args.duration < 1:
        ap.error('--rounds and --duration must be >= 1')
    return args


def main():
    args = parse_args()
    started = time.monotonic()
    load_start = loadavg()
    errors = []
    args.skipped = {}
    if shutil.which('wrk') is None:
        print('wrk not found (bench/run installs it: apt-get install wrk)', file=sys.stderr)
        return 1
    args.moto_cmd = moto_command()
    if 'moto' in args.servers and not args.moto_cmd:
        args.skipped['moto'] = ('moto_server not found (no `moto.server` module in %s and no '
                                'moto_server on PATH); its column is empty' % sys.executable)
        log('SKIPPING moto: ' + args.skipped['moto'])
    if 'dynalite' in args.servers and not os.path.exists(DYNALITE_CLI):
        args.skipped['dynalite'] = 'not installed in bench/node_modules (bench/run installs it)'
    if 'streamer' in args.servers and not os.access(STREAMER_BIN, os.X_OK):
        args.skipped['streamer'] = ('binary not found at %s (bench/run builds it, or set '
                                    'STREAMER_BIN)' % STREAMER_BIN)
    for k, why in args.skipped.items():
        if k != 'moto':
            errors.append('%s: %s' % (k, why))
    plan = [k for k in args.servers if k not in args.skipped]
    if args.dynalite_memory and 'dynalite' in plan:
        plan.insert(plan.index('dynalite') + 1, 'dynalite-mem')
    if 'alongside' in args.metrics:
        args.metrics.add('putitem')  # "alone" is the PutItem run of the same round
    versions(args)
    workdir = tempfile.mkdtemp(prefix='streamer-bench-')
    rounds = []
    try:
        for n in range(args.rounds):
            rd = {}
            rounds.append(rd)
            for kind in plan:
                log('--- round %d/%d: %s (load average %s)' % (n + 1, args.rounds, kind, loadavg()))
                r = rd.setdefault(kind, {})
                try:
                    bench_server(kind, workdir, args, r, 'r%d' % n)
                    if kind == 'streamer' and 'stream' in args.metrics:
                        bench_stream_latency(workdir, args, r)
                except Exception as err:  # one server failing must not hide the others' numbers
                    errors.append('round %d, %s: %s: %s' % (n + 1, kind, type(err).__name__, err))
                    log('ERROR ' + errors[-1])
    finally:
        if errors:
            log('server logs kept in %s' % workdir)
        else:
            shutil.rmtree(workdir, ignore_errors=True)
    # wrk errors: streamer's fail the run; a peer's (e.g. timeouts under load) are its own
    # behaviour, reported in a note.
    args.peer_notes = []
    for n, rd in enumerate(rounds):
        for kind, r in rd.items():
            for section, w in r.items():
                if isinstance(w, dict) and w.get('errors'):
                    what = ', '.join('%s %d' % (k[4:], v) for k, v in sorted(w.items())
                                     if k.startswith('err_') and v)
                    msg = 'round %d, %s %s: %d wrk errors (%s) of %d requests' % (
                        n + 1, kind, section, w['errors'], what, w['requests'])
                    if kind == 'streamer':
                        errors.append(msg + ' (numbers unreliable)')
                    else:
                        args.peer_notes.append(msg)
    table, notes, md, floor = build_report(rounds, args, errors, started, load_start)
    results = os.path.join(BENCH_DIR, 'results')
    os.makedirs(results, exist_ok=True)
    paths = [args.out] if args.out else [
        os.path.join(results, 'latest.md'),
        os.path.join(results, '%s-%s.md' % (time.strftime('%Y%m%d-%H%M'), git_commit()))]
    for p in paths:
        with open(p, 'w') as f:
            f.write(md)
    print(table)
    for n in notes:
        print('- ' + n)
    print('(written to %s)' % ', '.join(os.path.relpath(p, os.getcwd()) for p in paths))
    if errors:
        return 1
    if floor is False:
        return 2
    return 0


if __name__ == '__main__':
    sys.exit(main())
