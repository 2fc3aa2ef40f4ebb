#!/usr/bin/env python3
"""Gateway benchmark (issue 13): what API Gateway's REST semantics cost next to raw DynamoDB.

In ONE streamer per round, interleaved (the order rotates every round), wrk against:

  putitem    raw PutItem (JSON 1.0) on :8000 into BenchTable (wrk/putitem.lua, as bench/run)
  putseed    raw PutItem of the seed's item into TheDynamoStreamer (wrk/putitem_seed.lua): the
             same work as /InsertItem (the same table, stream and log function), no gateway
  insertitem the seed's POST /InsertItem (VTL request template -> PutItem -> the stream -> the
             log function; wrk/insertitem.lua, as bench/run)
  plain      POST /Plain: a PutItem template into BenchTable, no authorizer, no validator
  checked    POST /Checked: the same route behind a JWT authorizer (Cognito's token shape,
             issuer and audience checked, signature not: no JWKS file) and a body validator
             (a JSON-schema model with required properties, a pattern and a length)
  proxy      POST /Proxy: a Lambda-proxy route to a warm Python function

The table shows medians over the rounds; each ratio is the median of the per-round ratios
(both sides from the same round, so a busy minute hits both). Floors (the issue's):
InsertItem keeps >= 75 % of raw PutItem throughput (the like-for-like raw PutItem: the same
item into the same table, whose stream feeds the same function; the ratio against BenchTable,
which has no consumer, is printed too); authorizer + validation cost <= 15 % more
time per request than the same route without them (plain rps / checked rps - 1).

A build without authorizers and validators (before they land) cannot load /Checked: with
--auth auto (default) the run says so and measures the rest.

`--profile ROUTE` instead records one run of ROUTE with `perf record -g` and prints the top
symbols and CPU per request (with raw PutItem's next to it, same server).

Usage: bench/gateway [--rounds 3] [--duration 10] [--only putitem,insertitem,...]
       bench/gateway --profile insertitem [--duration 10]
Exit code: 0 ok, 1 a measurement failed, 2 a floor not met.
"""

import argparse
import base64
import http.client
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import textwrap
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from harness import (BENCH_DIR, SEED_STACK, TABLE, Server, Wrk, git_commit, loadavg, log)  # noqa: E402

METRICS = ['putitem', 'putseed', 'insertitem', 'plain', 'checked', 'proxy']
LABELS = {
    'putitem': 'raw PutItem (:8000)',
    'putseed': 'raw PutItem of the seed item into TheDynamoStreamer (:8000)',
    'insertitem': 'gateway POST /InsertItem (seed route)',
    'plain': 'gateway POST /Plain (PutItem template)',
    'checked': 'gateway POST /Checked (/Plain + JWT authorizer + body validator)',
    'proxy': 'gateway POST /Proxy (Lambda proxy, warm Python)',
}
INSERT_FLOOR = 0.75   # insertitem / putitem >= this
AUTH_CEILING = 0.15   # plain / checked - 1 <= this

ISSUER = 'https://cognito-idp.us-east-1.amazonaws.com/us-east-1_Bench'
AUDIENCE = 'bench-client'

PROXY_PY = textwrap.dedent('''\
    import json

    def handler(event, context):
        body = event.get('body') or ''
        return {'statusCode': 200, 'headers': {'Content-Type': 'application/json'},
                'body': json.dumps({'ok': True, 'n': len(body)})}
''')

# Added to the seed stack: a table for the raw and template PutItems, the proxy function, the
# three routes, and the API's authorizer, validator and model (--auth).
EXTRA_TABLE = '''
  {table}:
    partitionKey: pk
    stream: NEW_IMAGE
'''
EXTRA_FUNCTION = '''
  ProxyFn:
    runtime: python3.12
    handler: app.handler
    code: {code}
'''
PUT_TEMPLATE = ('{{"TableName":"{table}","Item":{{"pk":{{"S":"$input.path(\'$.id\')"}},'
                '"payload":{{"S":"$input.path(\'$.payload\')"}}}}}}')
EXTRA_ROUTES = '''
      # --- added by bench/gateway.py
      POST /Plain:
        integration: dynamodb:PutItem
        passthrough: NEVER
        requestTemplates:
          application/json: >-
            {put}
        responses:
          - status: 200
            templates:
              application/json: '{{"ok": true}}'
      POST /Proxy:
        integration: lambda:ProxyFn
'''
CHECKED_ROUTE = '''
      POST /Checked:
        integration: dynamodb:PutItem
        passthrough: NEVER
        authorizer: BenchJwt
        validator: body
        models: {{application/json: BenchItem}}
        requestTemplates:
          application/json: >-
            {put}
        responses:
          - status: 200
            templates:
              application/json: '{{"ok": true}}'
'''
API_SETTINGS = '''
    authorizers:
      BenchJwt:
        type: JWT
        issuer: {issuer}
        audiences: [{audience}]
    requestValidators:
      body: {{body: true, parameters: false}}
    models:
      BenchItem:
        type: object
        required: [id, payload]
        properties:
          id: {{type: string, pattern: '^[A-Za-z0-9_-]{{1,128}}$'}}
          payload: {{type: string, maxLength: 1024}}
'''


def b64url(data):
    return base64.urlsafe_b64encode(data).rstrip(b'=').decode()


def bench_token():
    """An unsigned JWT of a Cognito ID token's shape, valid for a day."""
    now = int(time.time())
    claims = {'sub': 'bench', 'iss': ISSUER, 'aud': AUDIENCE, 'token_use': 'id',
              'email': 'bench@example.com', 'iat': now, 'exp': now + 86400}
    return '.'.join([b64url(json.dumps({'alg': 'RS256', 'kid': 'bench'}).encode()),
                     b64url(json.dumps(claims).encode()), b64url(b'unchecked-signature')])


def insert_after(text, anchor, addition):
    if text.count(anchor) != 1:
        raise RuntimeError('%s no longer has exactly one %r; update bench/gateway.py' % (SEED_STACK, anchor))
    return text.replace(anchor, anchor + addition.strip('\n') + '\n')


def write_stack(workdir, with_auth):
    """The seed stack (its POST /InsertItem untouched) plus the bench's table, function and
    routes. The seed file ends inside its API's routes."""
    code = os.path.join(workdir, 'proxyfn')
    os.makedirs(code, exist_ok=True)
    with open(os.path.join(code, 'app.py'), 'w') as f:
        f.write(PROXY_PY)
    with open(SEED_STACK) as f:
        text = f.read()
    if '\n    routes:\n' not in text or not text.rstrip('\n').splitlines()[-1].startswith(' ' * 8):
        raise RuntimeError('%s no longer ends inside its API routes; update bench/gateway.py' % SEED_STACK)
    text = insert_after(text, '\ntables:\n', EXTRA_TABLE.format(table=TABLE))
    text = insert_after(text, '\nfunctions:\n', EXTRA_FUNCTION.format(code=code))
    put = PUT_TEMPLATE.format(table=TABLE)
    text = text.rstrip('\n') + '\n' + EXTRA_ROUTES.format(put=put)
    if with_auth:
        text += CHECKED_ROUTE.format(put=put) + API_SETTINGS.format(issuer=ISSUER, audience=AUDIENCE)
    path = os.path.join(workdir, 'gateway-stack%s.yaml' % ('-auth' if with_auth else ''))
    with open(path, 'w') as f:
        f.write(text)
    return path


class Target:
    """How to drive one metric: URL, wrk script, environment."""

    def __init__(self, name, srv, token):
        gw = 'http://127.0.0.1:%d' % srv.gateway_port
        self.name = name
        self.url, self.script, self.env = {
            'putitem': ('http://127.0.0.1:%d/' % srv.port, 'putitem.lua', {}),
            'putseed': ('http://127.0.0.1:%d/' % srv.port, 'putitem_seed.lua', {}),
            'insertitem': (gw + '/InsertItem', 'insertitem.lua', {}),
            'plain': (gw + '/Plain', 'gateway_put.lua', {'BENCH_PATH': '/Plain'}),
            'checked': (gw + '/Checked', 'gateway_put.lua', {'BENCH_PATH': '/Checked', 'BENCH_TOKEN': token}),
            'proxy': (gw + '/Proxy', 'proxy.lua', {}),
        }[name]

    def start(self, args, duration, run_id):
        conns = args.proxy_connections if self.name == 'proxy' else args.connections
        return Wrk(self.url, self.script, min(args.threads, conns), conns, duration, run_id, self.env)

    def run(self, args, duration, run_id):
        return self.start(args, duration, run_id).result()


def start_server(workdir, args):
    """A fresh streamer on the bench stack; with_auth False if this build cannot load /Checked."""
    want_auth = args.auth != 'off' and 'checked' in args.only
    for with_auth in ([True, False] if want_auth else [False]):
        srv = Server('streamer', workdir, stack=write_stack(workdir, with_auth))
        try:
            srv.start()
            return srv, with_auth
        except RuntimeError as err:
            srv.stop()
            if not with_auth or args.auth == 'on':
                with open(srv.log_path, errors='replace') as f:
                    raise RuntimeError('%s: %s' % (err, f.read()[-500:]))
    raise AssertionError('not reached')


def gateway_post(srv, path, body, headers):
    conn = http.client.HTTPConnection('127.0.0.1', srv.gateway_port, timeout=10)
    try:
        conn.request('POST', path, body=body, headers=dict(headers, **{'Content-Type': 'application/json'}))
        resp = conn.getresponse()
        return resp.status, resp.read()
    finally:
        conn.close()


def checked_route_refuses(srv, token):
    """'' if /Checked really checks (no token: 401, a bad body: 400, a good one: 200), else why
    not: a build may load the keys before it enforces them (it warns at start-up)."""
    good = json.dumps({'id': 'probe', 'payload': 'x'})
    cases = [('no token', good, {}, 401), ('a bad body', json.dumps({'id': 'no spaces allowed'}),
                                            {'Authorization': token}, 400),
             ('a good request', good, {'Authorization': token}, 200)]
    for what, body, headers, want in cases:
        status, text = gateway_post(srv, '/Checked', body, headers)
        if status != want:
            return ('this build answers %s with %d, not %d (authorizer or validator not enforced '
                    'yet): %s' % (what, status, want, text[:120].decode(errors='replace')))
    return ''


def bench_round(workdir, args, index, token, notes):
    srv, with_auth = start_server(workdir, args)
    r = {}
    try:
        if not with_auth and 'checked' in args.only and args.auth != 'off':
            notes.add('/Checked not measured: this build does not load a route with `authorizer`, '
                      '`validator` and `models` (authorizers/validators not merged yet)')
        if with_auth:
            why = checked_route_refuses(srv, token)
            if why:
                notes.add('/Checked not measured: ' + why)
                with_auth = False
        todo = [m for m in METRICS if m in args.only and (m != 'checked' or with_auth)]
        # Warm up every route (the proxy function's workers start here), fail early on errors.
        for m in todo:
            w = Target(m, srv, token).run(args, 1, 'w%d%s' % (index, m))
            if w['errors'] or not w['requests']:
                raise RuntimeError('warm-up of %s: %s' % (m, json.dumps(w)))
        shift = index % len(todo)
        for m in todo[shift:] + todo[:shift]:
            log('round %d: %s (load average %s)' % (index + 1, m, loadavg()))
            res = Target(m, srv, token).run(args, args.duration, 'r%d%s' % (index, m))
            if res['errors']:
                raise RuntimeError('%s: %d errors: %s' % (m, res['errors'], json.dumps(res)))
            r[m] = res
    finally:
        srv.stop()
    return r


def ratio(r, a, b):
    if a in r and b in r and r[b]['rps']:
        return r[a]['rps'] / r[b]['rps']
    return None


def fmt(v, digits=2):
    if v is None:
        return '-'
    return ('%%.%df' % digits) % v if v < 100 else '%.0f' % v


def pct(v):
    return '-' if v is None else '%.1f %%' % (100 * v)


def med(values):
    got = [v for v in values if v is not None]
    return statistics.median(got) if got else None


def report(rounds, args, errors, notes, load_start, started):
    md = ['# Gateway benchmark', '',
          'commit %s, %s, %d rounds, wrk -t%d -c%d (proxy -c%d) -d%ds, load average %s -> %s, '
          '%.0f s' % (git_commit(), time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime()), len(rounds),
                      args.threads, args.connections, args.proxy_connections, args.duration,
                      load_start, loadavg(), time.monotonic() - started), '',
          '| route | req/s (median) | p50 ms | p99 ms | req/s per round |',
          '|---|---:|---:|---:|---|']
    for m in METRICS:
        vals = [r.get(m) for r in rounds]
        if not any(vals):
            continue
        md.append('| %s | %s | %s | %s | %s |' % (
            LABELS[m], fmt(med(v['rps'] for v in vals if v)),
            fmt(med(v['p50_us'] / 1000 for v in vals if v)),
            fmt(med(v['p99_us'] / 1000 for v in vals if v)),
            ' / '.join(fmt(v['rps']) if v else '-' for v in vals)))
    floor_ok = True
    md += ['', '| ratio (median of per-round ratios) | value | per round | floor | ok |',
           '|---|---:|---|---|---|']

    def row(label, per_round, floor_text, good):
        nonlocal floor_ok
        m = med(per_round)
        ok = ''
        if good is not None:
            ok = 'yes' if m is not None and good(m) else ('NO' if m is not None else 'not measured')
            floor_ok &= ok != 'NO'
        md.append('| %s | %s | %s | %s | %s |' % (label, pct(m), ' / '.join(pct(v) for v in per_round),
                                                 floor_text, ok))

    row('InsertItem ÷ raw PutItem of the same item (same table and consumer)',
        [ratio(r, 'insertitem', 'putseed') for r in rounds],
        '>= %.0f %%' % (100 * INSERT_FLOOR), lambda v: v >= INSERT_FLOOR)
    row('InsertItem ÷ raw PutItem into BenchTable (no consumer)',
        [ratio(r, 'insertitem', 'putitem') for r in rounds], '', None)
    row('/Plain ÷ raw PutItem', [ratio(r, 'plain', 'putitem') for r in rounds], '', None)
    extra = [(1 / x - 1) if x else None for x in (ratio(r, 'checked', 'plain') for r in rounds)]
    row('authorizer + validator: extra time per request (/Plain ÷ /Checked − 1)', extra,
        '<= %.0f %%' % (100 * AUTH_CEILING), lambda v: v <= AUTH_CEILING)
    row('/Proxy ÷ raw PutItem', [ratio(r, 'proxy', 'putitem') for r in rounds], '', None)
    md += ['',
           '- One fresh streamer per round (`--durability fsync`, the seed stack plus the bench\'s '
           'routes: `bench/gateway.py`), every route warmed up for 1 s, then each measured for '
           '%d s in an order that rotates every round.' % args.duration,
           '- raw PutItem and /Plain, /Checked write a 100-byte payload with a unique key into '
           'BenchTable (NEW_IMAGE stream, no consumer); /InsertItem writes the seed\'s item into '
           'TheDynamoStreamer, whose stream feeds the log function (it prints every record), as '
           'in bench/run; the raw PutItem of the seed item writes the same item into the same '
           'table (same stream and function), so its ratio is the like-for-like one the floor uses.',
           '- /Checked: a JWT authorizer (issuer and audience checked, expiry checked, no JWKS: the '
           'signature is not checked) and a body validator (object, 2 required string '
           'properties, a pattern, a maxLength). /Proxy: %d connections, the function\'s 4 default '
           'workers.' % args.proxy_connections]
    for n in sorted(notes):
        md.append('- ' + n)
    if errors:
        md += ['', 'Errors:'] + ['- ' + e for e in errors]
    return '\n'.join(md) + '\n', floor_ok


def profile(workdir, args, token):
    """perf record -g of the server during a raw PutItem run and a run of args.profile (one
    server); prints CPU per request and the symbols whose cost per request grew the most."""
    from perf_profile import perf_report, proc_delta, proc_threads
    srv, _ = start_server(workdir, args)
    out = {}
    try:
        for m in ['putitem', args.profile]:
            Target(m, srv, token).run(args, 1, 'warm' + m)
            before = proc_threads(srv.proc.pid)
            wrk = Target(m, srv, token).start(args, args.duration, 'prof' + m)
            data = os.path.join(workdir, 'perf-%s.data' % m)
            rec = None
            if shutil.which('perf'):
                rec = subprocess.Popen(['perf', 'record', '-g', '-o', data, '-p', str(srv.proc.pid),
                                        '--', 'sleep', str(args.duration)],
                                       stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
            res = wrk.result()
            delta = proc_delta(before, proc_threads(srv.proc.pid))
            if rec:
                rec.communicate(timeout=120)
            cpu = sum(u + s for (_, _, u, s) in delta.values())
            out[m] = (res, cpu * 1e6 / max(res['requests'], 1), data)
    finally:
        srv.stop()
    print('# gateway profile: %s next to raw PutItem (git %s, load average %s)\n'
          % (args.profile, git_commit(), loadavg()))
    for m, (res, us, _) in out.items():
        print('%-12s %8.0f req/s  p50 %.2f ms  p99 %.2f ms  %.1f us CPU per request  (%d errors)'
              % (m, res['rps'], res['p50_us'] / 1000, res['p99_us'] / 1000, us, res['errors']))
    if not all(os.path.exists(d) for (_, _, d) in out.values()):
        print('\nperf did not record (not installed or not allowed); CPU per request above is from /proc')
        return 0
    # A symbol's share of the samples times the run's CPU per request: its microseconds per
    # request (approximately: perf samples every thread of the server on CPU).
    cost = {}
    for m, (_, us, data) in out.items():
        cost[m] = {name: p / 100 * us for p, name in perf_report(data, 'dso,symbol', 400)}
    base, route = cost['putitem'], cost[args.profile]
    grown = sorted(((route.get(n, 0) - base.get(n, 0), n) for n in set(base) | set(route)), reverse=True)
    print('\nSymbols by growth in CPU per request, %s minus raw PutItem (us; self time):' % args.profile)
    print('  %7s %7s %7s  %s' % ('growth', 'route', 'raw', 'symbol'))
    for g, n in grown[:args.top]:
        print('  %7.2f %7.2f %7.2f  %s' % (g, route.get(n, 0), base.get(n, 0), n[:150]))
    print('\nBy thread (comm), %s:' % args.profile)
    for p, name in perf_report(out[args.profile][2], 'comm', 10):
        print('  %5.1f%%  %s' % (p, name))
    return 0


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument('--rounds', type=int, default=3)
    p.add_argument('--duration', type=int, default=10, help='seconds per wrk run')
    p.add_argument('--threads', type=int, default=2)
    p.add_argument('--connections', type=int, default=64)
    p.add_argument('--proxy-connections', type=int, default=16,
                   help='the proxy function has 4 workers; more connections only queue')
    p.add_argument('--only', default=','.join(METRICS), help='comma-separated: ' + ','.join(METRICS))
    p.add_argument('--auth', choices=['auto', 'on', 'off'], default='auto',
                   help='measure /Checked: auto = if this build can load it')
    p.add_argument('--profile', choices=METRICS[1:], help='perf-record one route instead')
    p.add_argument('--top', type=int, default=25)
    p.add_argument('--keep', action='store_true', help='--profile: keep perf.data (its path is printed)')
    p.add_argument('--out', help='write the markdown here instead of bench/results/')
    args = p.parse_args()
    args.only = [m.strip() for m in args.only.split(',') if m.strip()]
    unknown = set(args.only) - set(METRICS)
    if unknown:
        p.error('unknown metrics: %s' % ', '.join(sorted(unknown)))
    workdir = tempfile.mkdtemp(prefix='streamer-bench-gw-')
    token = bench_token()
    try:
        if args.profile:
            args.only = ['putitem', args.profile]
            return profile(workdir, args, token)
        started, load_start = time.monotonic(), loadavg()
        rounds, errors, notes = [], [], set()
        for n in range(args.rounds):
            try:
                rounds.append(bench_round(workdir, args, n, token, notes))
            except Exception as err:  # one round failing must not hide the others
                errors.append('round %d: %s: %s' % (n + 1, type(err).__name__, err))
                log('ERROR ' + errors[-1])
                rounds.append({})
        text, floor_ok = report(rounds, args, errors, notes, load_start, started)
        results = os.path.join(BENCH_DIR, 'results')
        os.makedirs(results, exist_ok=True)
        paths = [args.out] if args.out else [
            os.path.join(results, 'gateway-latest.md'),
            os.path.join(results, 'gateway-%s-%s.md' % (time.strftime('%Y%m%d-%H%M'), git_commit()))]
        for path in paths:
            with open(path, 'w') as f:
                f.write(text)
        print(text)
        if errors:
            return 1
        return 0 if floor_ok else 2
    finally:
        if args.keep and args.profile:
            print('\nperf data kept: %s/perf-*.data (perf report -i ...)' % workdir)
        else:
            shutil.rmtree(workdir, ignore_errors=True)


if __name__ == '__main__':
    sys.exit(main())
