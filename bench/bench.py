#!/usr/bin/env python3
"""Side-by-side benchmark: streamer vs dynalite vs moto on this machine (run it as bench/run,
which installs what is missing first).

The servers are measured interleaved in rounds (streamer, dynalite, moto, streamer, ...), so
drift in the machine's load hits every column alike; each metric is the median over the rounds,
and each ratio the median of the per-round ratios.

Metrics (--only picks some): putitem, getitem, insertitem (gateway POST /InsertItem),
alongside (PutItem p99 while a response-template-heavy gateway route runs; implies putitem),
startup (spawn -> ready, median of 3 cold starts), stream (gateway write ack -> stream event),
and the actions, each a short run (--action-duration): query (100-item pages), querygsi (the
same on a GSI), batchget (100 keys), updateitem (counter ADD), batchwrite (25 puts), transactwrite (4 puts on
different partitions), putgsi (PutItem on a table with one GSI and on one without, same items).
Peak RSS is read after the PutItem/GetItem load.

Exit code: 0 ok; 1 a measurement failed (a peer's wrk errors are only noted); 2 a floor not met:
every action >= 5x dynalite where dynalite has it (median of the per-round ratios), and PutItem
on a table with one GSI >= 70% of PutItem without it (streamer, median of the per-round ratios).
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

from harness import (BENCH_DIR, DYNALITE_CLI, GET_KEY_PREFIX, GSI_TABLE, PLAIN_TABLE,
                     QUERY_INDEX, QUERY_TABLE, TXN_TABLE, STREAMER_BIN, Server, Wrk, create_table,
                     git_commit, loadavg, log, median, moto_command, prefill, prefill_items,
                     query_items, run_wrk, settle, supports, write_bench_stack)

FLOOR_VS_DYNALITE = 5.0  # issues 10 and 11: every action >= 5x dynalite where dynalite has it
# (label, result key) of the actions the floor applies to
FLOOR_ACTIONS = [('PutItem', 'put'), ('GetItem', 'get'), ('Query', 'query'),
                 ('Query on a GSI', 'querygsi'), ('BatchGetItem', 'batchget'),
                 ('UpdateItem', 'updateitem'),
                 ('BatchWriteItem', 'batchwrite'), ('TransactWriteItems', 'transactwrite'),
                 ('PutItem on a table with a GSI', 'putgsi')]
FLOOR_GSI_PUT_SHARE = 0.70  # GSI maintenance costs PutItem at most 30% of its throughput
HANDLER_PREFIX = b'[DynamoLambdaHandler] request: '
ACTIONS = ('query', 'querygsi', 'batchget', 'updateitem', 'batchwrite', 'transactwrite', 'putgsi')
METRICS = ('putitem', 'getitem', 'insertitem', 'alongside', 'startup', 'stream') + ACTIONS
QUERY_PAGE = 100
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


def bench_server(kind, workdir, args, r, tag, round_index=0):
    """One server's slot in a round: the load metrics on one instance; fills dict r."""
    wrk = dict(threads=args.threads, connections=args.connections, duration=args.duration)
    if 'startup' in args.metrics:
        r['startup_s'] = measure_startup(kind, workdir, args.moto_cmd)
        log('%s: ready in %.0f ms (median of 3)' % (kind, r['startup_s'] * 1000))
    loads = args.metrics & ({'putitem', 'getitem', 'insertitem', 'alongside'} | set(ACTIONS))
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
        bench_actions(kind, srv, args, r, tag, loads & set(ACTIONS), round_index)
    finally:
        srv.stop()


def bench_actions(kind, srv, args, r, tag, todo, round_index):
    """The short action runs on the server's running instance; fills r. An action the server
    does not implement is recorded in r['unsupported'] (its cells say so). A peer's action that
    fails (e.g. moto stops answering under load) is recorded in r['failed'] and noted, and the
    peer's remaining actions are skipped; streamer's failures are errors (raised)."""
    wrk = dict(threads=args.threads, connections=args.connections, duration=args.action_duration)
    url = 'http://127.0.0.1:%d/' % srv.port
    unsupported = r.setdefault('unsupported', {})
    failed = r.setdefault('failed', {})
    env = {'BENCH_TABLE': QUERY_TABLE, 'BENCH_PARTITIONS': str(args.query_partitions),
           'BENCH_PAGE': str(QUERY_PAGE), 'BENCH_PER_PARTITION': str(QUERY_PAGE + 10)}

    def run(key, script, label, env=None):
        settle(srv.port)
        r[key] = run_wrk(url, script, run_id=tag + key, env=env, **wrk)
        log('%s: %s' % (kind, wrk_line(label, r[key])))

    def run_if_supported(key, op, probe, script, label, env=None):
        if supports(srv.port, op, probe):
            run(key, script, label, env)
        else:
            unsupported[key] = 'UnknownOperationException'

    def query_table():
        settle(srv.port)
        try:
            create_table(srv.port, QUERY_TABLE, range_key=('sk', 'N'), stream=False,
                         indexes=[(QUERY_INDEX, [('gpk', 'S'), ('gsk', 'N')])])
        except RuntimeError as err:  # no GSIs: Query the table alone
            unsupported['querygsi'] = 'CreateTable with a GSI: %s' % err
            create_table(srv.port, QUERY_TABLE, range_key=('sk', 'N'), stream=False)
        t0 = time.monotonic()
        how = prefill_items(srv.port, QUERY_TABLE, query_items(args.query_partitions,
                                                               QUERY_PAGE + 10))
        log('%s: prefilled %d partitions of %d items with %s in %.1f s'
            % (kind, args.query_partitions, QUERY_PAGE + 10, how, time.monotonic() - t0))

    def put_gsi():
        settle(srv.port)
        create_table(srv.port, PLAIN_TABLE)
        try:
            create_table(srv.port, GSI_TABLE, indexes=[('byG', [('g', 'S')])])
        except RuntimeError as err:
            unsupported['putgsi'] = 'CreateTable with a GSI: %s' % err
        # Which table goes first alternates by round: the first run may pay for compactions
        # of the writes before it.
        runs = [('putplain', PLAIN_TABLE, 'PutItem, no GSI'), ('putgsi', GSI_TABLE, 'PutItem, one GSI')]
        if round_index % 2:
            runs.reverse()
        for key, table, label in runs:
            if key != 'putgsi' or 'putgsi' not in unsupported:
                run(key, 'putitem.lua', label, {'BENCH_TABLE': table, 'BENCH_WITH_G': '1'})

    # (actions a step serves, the step), in order
    steps = [
        ({'query', 'querygsi', 'batchget'}, query_table),
        ({'query'}, lambda: run('query', 'query.lua', 'Query', dict(env, BENCH_INDEX=''))),
        ({'querygsi'}, lambda: 'querygsi' in unsupported or run(
            'querygsi', 'query.lua', 'Query on a GSI', dict(env, BENCH_INDEX=QUERY_INDEX))),
        ({'batchget'}, lambda: run_if_supported('batchget', 'BatchGetItem', {'RequestItems': {}},
                                                'batchget.lua', 'BatchGetItem x100', env)),
        ({'updateitem'}, lambda: run('updateitem', 'updateitem.lua', 'UpdateItem ADD')),
        ({'batchwrite'}, lambda: run_if_supported('batchwrite', 'BatchWriteItem',
                                                  {'RequestItems': {}}, 'batchwrite.lua',
                                                  'BatchWriteItem x25')),
        ({'transactwrite'}, lambda: create_table(srv.port, TXN_TABLE) or run_if_supported(
            'transactwrite', 'TransactWriteItems', {'TransactItems': []}, 'transactwrite.lua',
            'TransactWriteItems x4', {'BENCH_TABLE': TXN_TABLE})),
        ({'putgsi'}, put_gsi),
    ]
    broken = None
    for actions, step in steps:
        actions = actions & todo
        if not actions:
            continue
        if broken:
            for a in actions - set(unsupported):
                failed.setdefault(a, broken)
            continue
        try:
            step()
        except Exception as err:
            if kind == 'streamer':
                raise
            broken = 'not run: %s stopped answering (%s: %s)' % (kind, type(err).__name__, err)
            for a in actions - set(unsupported):
                failed.setdefault(a, '%s: %s' % (type(err).__name__, err))
            log('%s: %s failed: %s' % (kind, '/'.join(sorted(actions)), err))
    for key, why in unsupported.items():
        log('%s: %s not supported (%s)' % (kind, key, why))


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


def gsi_put_share(r):
    """PutItem throughput with one GSI / without, within one round."""
    plain, gsi = get(r, 'putplain', 'rps'), get(r, 'putgsi', 'rps')
    return gsi / plain if plain and gsi is not None else None


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
    ('Query, 100-item pages (req/s, higher is better)', lambda r: get(r, 'query', 'rps'), SERVERS,
     'query'),
    ('Query latency p99 (ms)', ms('query', 'p99_us'), SERVERS, 'query'),
    ('Query on a GSI, 100-item pages (req/s, higher is better)',
     lambda r: get(r, 'querygsi', 'rps'), SERVERS, 'querygsi'),
    ('Query on a GSI latency p99 (ms)', ms('querygsi', 'p99_us'), SERVERS, 'querygsi'),
    ('BatchGetItem, 100 keys (req/s, higher is better)', lambda r: get(r, 'batchget', 'rps'),
     SERVERS, 'batchget'),
    ('BatchGetItem latency p99 (ms)', ms('batchget', 'p99_us'), SERVERS, 'batchget'),
    ('UpdateItem counter increment, ADD (req/s, higher is better)',
     lambda r: get(r, 'updateitem', 'rps'), SERVERS, 'updateitem'),
    ('UpdateItem latency p99 (ms)', ms('updateitem', 'p99_us'), SERVERS, 'updateitem'),
    ('BatchWriteItem, 25 puts (req/s; items/s is 25x, higher is better)',
     lambda r: get(r, 'batchwrite', 'rps'), SERVERS, 'batchwrite'),
    ('BatchWriteItem latency p99 (ms)', ms('batchwrite', 'p99_us'), SERVERS, 'batchwrite'),
    ('TransactWriteItems, 4 puts on 4 partitions (req/s, higher is better)',
     lambda r: get(r, 'transactwrite', 'rps'), SERVERS, 'transactwrite'),
    ('TransactWriteItems latency p99 (ms)', ms('transactwrite', 'p99_us'), SERVERS,
     'transactwrite'),
    ('PutItem, table without a GSI (req/s, same items as below)',
     lambda r: get(r, 'putplain', 'rps'), SERVERS, 'putgsi'),
    ('PutItem, table with one GSI (req/s, higher is better)',
     lambda r: get(r, 'putgsi', 'rps'), SERVERS, 'putgsi'),
    ('PutItem with one GSI ÷ without', gsi_put_share, SERVERS, 'putgsi'),
    ('Peak RSS after PutItem + GetItem load (MiB, lower is better)',
     lambda r: r.get('rss_mib'), SERVERS),
    ('Start -> ready (ms, median of 3 starts, lower is better)', startup_ms, SERVERS),
    ('Write ack -> stream event p50 (ms)', lambda r: get(r, 'stream', 'p50_ms'), ('streamer',)),
    ('Write ack -> stream event p99 (ms)', lambda r: get(r, 'stream', 'p99_ms'), ('streamer',)),
]
# Rows whose values are not all there in a round are left out of the table. A row may name
# the action it measures (4th field): a server without that action shows "not supported".
ROWS = [row if len(row) == 4 else row + (None,) for row in ROWS]
RATIO_ROWS = {name for name, _, kinds, _ in ROWS if len(kinds) > 1 and '÷' not in name}


def med_none(values):
    return all(v is None for v in values)


def build_report(rounds, args, errors, started, load_start):
    """rounds: list of {server: results}; returns (table, notes, markdown, floor)."""
    kinds = list(SERVERS)
    lines = ['| metric | streamer | dynalite | moto | streamer/dynalite | streamer/moto |',
             '|---|---:|---:|---:|---:|---:|']
    detail = ['| metric | server | ' + ' | '.join('round %d' % (i + 1) for i in range(len(rounds)))
              + ' |', '|---|---|' + '---:|' * len(rounds)]
    for name, fn, has, action in ROWS:
        per_round = {k: [fn(rd.get(k, {})) for rd in rounds] for k in kinds}
        missing = {}  # server -> what its cell says instead of a number
        for k in kinds:
            if not action or not med_none(per_round[k]):
                continue
            if any(action in (get(rd, k, 'unsupported') or {}) for rd in rounds):
                missing[k] = 'not supported'
            elif any(action in (get(rd, k, 'failed') or {}) for rd in rounds):
                missing[k] = 'failed'
        if all(v is None for k in kinds for v in per_round[k]) and not missing:
            continue  # not measured in this run
        med = {k: median(per_round[k]) for k in kinds}
        cells = []
        for k in kinds:
            if k not in has:
                cells.append('n/a')
            elif k in args.skipped:
                cells.append('skipped')
            elif k in missing:
                cells.append(missing[k])
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
    for label, key in FLOOR_ACTIONS:
        ratios = [s / d for s, d in [(get(rd, 'streamer', key, 'rps'), get(rd, 'dynalite', key, 'rps'))
                                     for rd in rounds] if s is not None and d]
        if not ratios:
            continue
        ok = median(ratios) >= FLOOR_VS_DYNALITE
        floor = ok if floor is None else (floor and ok)
        notes.append('Floor: streamer %s throughput >= %.0fx dynalite (median ratio): %s (%.2fx).'
                     % (label, FLOOR_VS_DYNALITE, 'PASS' if ok else 'FAIL', median(ratios)))
    if floor is None:
        notes.append('Floor vs dynalite: not evaluated (needs both streamer and dynalite results).')
    shares = [gsi_put_share(rd.get('streamer', {})) for rd in rounds]
    if median(shares) is not None:
        ok = median(shares) >= FLOOR_GSI_PUT_SHARE
        floor = ok if floor is None else (floor and ok)
        notes.append('Floor: streamer PutItem on a table with one GSI >= %.0f%% of PutItem without '
                     '(median ratio): %s (%.0f%%).' % (FLOOR_GSI_PUT_SHARE * 100,
                                                     'PASS' if ok else 'FAIL',
                                                     median(shares) * 100))
    for kind in SERVERS:
        for key, why in sorted({k: w for rd in rounds
                                for k, w in (get(rd, kind, 'unsupported') or {}).items()}.items()):
            notes.append('%s does not support %s (%s).' % (kind, key, why))
        for n, rd in enumerate(rounds):
            for key, why in sorted((get(rd, kind, 'failed') or {}).items()):
                notes.append('round %d, %s %s failed: %s' % (n + 1, kind, key, why))
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
             'rounds; wrk -t%d -c%d -d%ds (actions from Query on: -d%ds); streamer --durability fsync; dynalite %s with --path '
             '(LevelDB on disk); moto server %s (in memory); GetItem over %d pre-filled keys. '
             'Load average %s at start, %s at end. Everything (servers, wrk, and whatever '
             'else runs on the machine) shares the same CPUs.'
             % (platform.platform(terse=True), os.cpu_count(), git_commit(), binary,
                len(rounds), args.threads, args.connections, args.duration, args.action_duration,
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
    ap.add_argument('--action-duration', type=int, default=3,
                    help='seconds per wrk run of the actions (query ... putgsi; default 3)')
    ap.add_argument('--query-partitions', type=int, default=20,
                    help='partitions of %d items pre-filled for the Query runs' % (QUERY_PAGE + 10))
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
    if args.rounds < 1 or args.duration < 1 or args.action_duration < 1:
        ap.error('--rounds, --duration and --action-duration must be >= 1')
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
                    bench_server(kind, workdir, args, r, 'r%d' % n, n)
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
