"""Shared by the event source mapping tests: one exec function script (fn.py) whose behaviour the
stack picks through environment variables, and helpers to read what it saw.

fn.py reads Lambda's event on stdin. Every invocation is appended to $ATTEMPTS (if set) as
{"records": [...], "start", "end", "pid", and the tumbling-window fields}. What it then does ($MODE):
  ok        append the batch to $OUT, succeed
  fail      exit 1 (always)
  failfirst fail the first $FAILS invocations (counter in $COUNTER), then as ok
  poison    exit 1 if the batch holds a record whose NewImage has `poison`, else as ok
  report    ReportBatchItemFailures: a record with `fail: N` fails its first N deliveries, one with
            `bogus` answers an unknown itemIdentifier on its first delivery; the records before the
            first failure are appended to $OUT as succeeded
  window    tumbling windows: returns {"state": {"count": .., "ns": [..]}} carried from the event
  dest      append the whole event (an on-failure record) to $OUT
$SLEEP: seconds to sleep before answering (for parallelism).
"""

import json
import os
import time

FN = r'''
import json, os, sys, time
event = json.loads(sys.stdin.read())
def log(path, obj):
    with open(path, 'a') as f:
        f.write(json.dumps(obj) + '\n')
        f.flush()
        os.fsync(f.fileno())
mode = os.environ.get('MODE', 'ok')
if mode == 'dest':
    log(os.environ['OUT'], event)
    print('{}')
    sys.exit(0)
recs = []
for r in event.get('Records', []):
    d = r['dynamodb']
    img = d.get('NewImage', {})
    recs.append({'k': d['Keys']['pk']['S'], 'n': int(img['n']['N']) if 'n' in img else None,
                 'seq': d['SequenceNumber'], 'poison': 'poison' in img, 'bogus': 'bogus' in img,
                 'fail': int(img['fail']['N']) if 'fail' in img else 0,
                 'created': d['ApproximateCreationDateTime'], 'arn': r['eventSourceARN']})
start = time.time()
time.sleep(float(os.environ.get('SLEEP', '0')))
entry = {'records': recs, 'start': start, 'end': time.time(), 'pid': os.getpid()}
for k in ('window', 'state', 'isFinalInvokeForWindow', 'isWindowTerminatedEarly', 'shardId', 'eventSourceARN'):
    if k in event:
        entry[k] = event[k]
if os.environ.get('ATTEMPTS'):
    log(os.environ['ATTEMPTS'], entry)
if mode == 'failfirst':
    counter = os.environ['COUNTER']
    n = int(open(counter).read()) if os.path.exists(counter) else 0
    with open(counter, 'w') as f:
        f.write(str(n + 1))
    if n < int(os.environ['FAILS']):
        mode = 'fail'
    else:
        mode = 'ok'
if mode == 'fail' or (mode == 'poison' and any(r['poison'] for r in recs)):
    print('failing on purpose', file=sys.stderr)
    sys.exit(1)
if mode == 'report':
    path = os.environ['COUNTS']
    counts = json.load(open(path)) if os.path.exists(path) else {}
    failures = []
    for r in recs:
        seen = counts.get(r['seq'], 0)
        counts[r['seq']] = seen + 1
        if r['bogus'] and seen == 0:
            failures.append('not-a-sequence-number')
        elif seen < r['fail']:
            failures.append(r['seq'])
    with open(path, 'w') as f:
        json.dump(counts, f)
    bad = [i for i, r in enumerate(recs) if r['seq'] in failures]
    if 'not-a-sequence-number' in failures:
        ok = []
    else:
        ok = recs[:min(bad)] if bad else recs
    log(os.environ['OUT'], {'records': ok})
    print(json.dumps({'batchItemFailures': [{'itemIdentifier': s} for s in failures]}))
    sys.exit(0)
if mode == 'window':
    state = event.get('state') or {}
    state = {'count': state.get('count', 0) + len(recs), 'ns': state.get('ns', []) + [r['n'] for r in recs]}
    log(os.environ['OUT'], entry)
    print(json.dumps({'state': state}))
    sys.exit(0)
if os.environ.get('OUT'):
    log(os.environ['OUT'], entry)
print(json.dumps({'ok': len(recs)}))
'''


def read_lines(path):
    if not os.path.exists(path):
        return []
    # A function may be writing its line right now: only whole lines (ending in a newline)
    # count; the last one is read on the next poll.
    with open(path) as f:
        return [json.loads(line) for line in f if line.endswith('\n') and line.strip()]


def delivered(path):
    """Every record appended to an $OUT file, in the order of the lines."""
    return [r for b in read_lines(path) for r in b.get('records', [])]


def wait_until(predicate, timeout=30.0, what='condition', interval=0.05):
    deadline = time.monotonic() + timeout
    while True:
        value = predicate()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError('timed out after %.0fs waiting for %s' % (timeout, what))
        time.sleep(interval)


def wait_for_lines(path, count, timeout=30.0):
    return wait_until(lambda: (lambda l: l if len(l) >= count else None)(read_lines(path)),
                      timeout, '%d lines in %s' % (count, path))


def wait_for_ns(path, expected, timeout=30.0, quiet=0.5):
    """Waits until every n in `expected` was delivered to `path`, then `quiet` seconds with nothing new."""
    deadline = time.monotonic() + timeout
    last, since = -1, time.monotonic()
    while True:
        recs = delivered(path)
        if len(recs) != last:
            last, since = len(recs), time.monotonic()
        if set(expected) <= {r['n'] for r in recs} and time.monotonic() - since >= quiet:
            return recs
        if time.monotonic() > deadline:
            raise AssertionError('missing %s in %s' % (sorted(set(expected) - {r['n'] for r in recs}), path))
        time.sleep(0.05)


def check_per_key_order(test, records, keys_to_ns):
    """Per key, the first deliveries are in write order and nothing is missing (redeliveries after a
    crash or a retry may repeat a record, never reorder first deliveries)."""
    firsts = {}
    for r in records:
        firsts.setdefault(r['k'], [])
        if r['n'] not in firsts[r['k']]:
            firsts[r['k']].append(r['n'])
    for k, ns in keys_to_ns.items():
        test.assertEqual(firsts.get(k), ns, 'key %s out of order or incomplete' % k)
