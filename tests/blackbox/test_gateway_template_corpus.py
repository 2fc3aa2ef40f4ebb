"""The template corpus end to end: every case of tests/cases/vtl that only needs a method
request (template, body, query string, headers -> exact output) runs through the real gateway.

Each case is a route `POST /case/<n>` whose request template is the case's template and whose
HTTP integration is a local echo server, so the response body is exactly what the gateway's
engine rendered from the real HTTP request. Cases that set $context or $stageVariables, use
path parameters, list all parameters (params() sees the client's own headers), or expect an
error are left to the engine-level corpus test (vtl_cases_test), which runs all of them."""

import http.server
import json
import os
import threading
import unittest
import urllib.parse

from harness import Streamer, StackDir

CASES = os.path.join(os.path.dirname(__file__), '..', 'cases', 'vtl')
SKIP_SECTIONS = {'context', 'stage', 'options', 'expect_context', 'parse_error', 'render_error'}


def read_case(path):
    """Sections opened by '--- NAME' lines, each without its final newline (as the C++ reader)."""
    sections, current = {}, None
    with open(path, encoding='utf-8') as f:
        text = f.read()
    for line in text.split('\n'):
        if line.startswith('--- '):
            current = line[4:].rstrip(' \r')
            sections[current] = []
        elif current is not None:
            sections[current].append(line)
    out = {}
    for name, lines in sections.items():
        value = '\n'.join(lines)
        out[name] = value[:-1] if value.endswith('\n') else value
    return out


def end_to_end_cases():
    cases = []
    for name in sorted(os.listdir(CASES)):
        if not name.endswith('.case'):
            continue
        c = read_case(os.path.join(CASES, name))
        if 'template' not in c or SKIP_SECTIONS & c.keys() or any(k.startswith('oracle') for k in c):
            continue
        if not ('expect' in c or 'expect_json' in c):
            continue
        t = c['template']
        if '$context' in t or '$stageVariables' in t or 'params()' in t or '#stop' in t:
            continue
        params = json.loads(c['params']) if c.get('params') else {}
        if params.get('path'):
            continue
        headers = params.get('header', {})
        if any(k.lower() in ('host', 'content-length', 'content-type', 'connection', 'user-agent',
                             'accept-encoding', 'accept') for k in headers):
            continue
        cases.append((name, c, params))
    return cases


class Echo(http.server.BaseHTTPRequestHandler):
    def log_message(self, *args):
        pass

    def do_POST(self):
        body = self.rfile.read(int(self.headers.get('Content-Length') or 0))
        self.send_response(200)
        self.send_header('Content-Type', 'application/json')
        self.send_header('Content-Length', str(len(body)))
        self.end_headers()
        self.wfile.write(body)


class TemplateCorpusEndToEndTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.echo = http.server.ThreadingHTTPServer(('127.0.0.1', 0), Echo)
        threading.Thread(target=cls.echo.serve_forever, daemon=True).start()
        backend = 'http://127.0.0.1:%d/echo' % cls.echo.server_address[1]
        cls.cases = end_to_end_cases()
        routes = {}
        for i, (_, c, _) in enumerate(cls.cases):
            routes['POST /case/%d' % i] = {
                'integration': 'HTTP', 'uri': backend, 'httpMethod': 'POST', 'passthrough': 'NEVER',
                'requestTemplates': {'application/json': c['template']},
                'responses': [{'status': 200}],
            }
        stack = {'name': 'corpus', 'apis': {'corpus': {'stage': 'test', 'routes': routes}}}
        cls.dir = StackDir(json.dumps(stack))
        cls.server = Streamer(stack_file=cls.dir.stack_file)
        cls.server.start()

    @classmethod
    def tearDownClass(cls):
        try:
            cls.server.stop(check=True)
        finally:
            cls.server.close()
            cls.dir.remove()
            cls.echo.shutdown()

    def test_enough_cases_run_end_to_end(self):
        self.assertGreaterEqual(len(self.cases), 100)

    def test_every_case_renders_as_the_engine_does(self):
        failures = []
        for i, (name, c, params) in enumerate(self.cases):
            query = params.get('querystring', {})
            path = '/test/case/%d' % i
            if query:
                path += '?' + urllib.parse.urlencode(query, quote_via=urllib.parse.quote)
            headers = dict(params.get('header', {}))
            headers['Content-Type'] = 'application/json'
            status, _, body = self.server.gateway('POST', path, data=c.get('body', '').encode(), headers=headers)
            text = body.decode('utf-8', 'replace')
            if status != 200:
                failures.append('%s: status %d %s' % (name, status, text[:200]))
            elif 'expect' in c and text != c['expect']:
                failures.append('%s: got %r, want %r' % (name, text[:300], c['expect'][:300]))
            elif 'expect_json' in c and json.loads(text) != json.loads(c['expect_json']):
                failures.append('%s: got %r, want JSON %r' % (name, text[:300], c['expect_json'][:300]))
        self.assertEqual(failures, [], '\n'.join(failures))


if __name__ == '__main__':
    unittest.main()
