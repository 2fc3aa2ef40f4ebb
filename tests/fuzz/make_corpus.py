#!/usr/bin/env python3
"""Seed corpora for the fuzz targets, built from the test cases (not committed):

    make_corpus.py CASES_DIR OUT_DIR     writes OUT_DIR/{json_request,expr,partiql,vtl,filter_pattern,json_schema}/<n>

- expr: one file per case of tests/cases/expr: a kind byte (0 condition/filter,
  1 update, 2 projection, 3 key condition, as expr_fuzz.cc reads it) + the expression.
- vtl: one file per tests/cases/vtl/*.case: the template, NUL, the body (if any).
- partiql: one file per case of tests/cases/partiql: the statement.
- filter_pattern: each pattern of tests/cases/filters/*.json (valid and invalid).
- json_schema: one file per case of tests/cases/jsonschema: the schema, NUL, the instance.
- json_request: DynamoDB request bodies assembled from the expr cases' items,
  names and values (legacy cases: their member and item), plus the VTL cases' bodies.
"""
import hashlib
import json
import os
import sys

KIND_BYTE = {'condition': 0, 'filter': 0, 'update': 1, 'projection': 2, 'key': 3}
# Legacy cases (expr is the member's JSON): json_request seeds only.
LEGACY_MEMBER = {'expected': 'Expected', 'scan_filter': 'ScanFilter', 'attribute_updates': 'AttributeUpdates',
                 'attributes_to_get': 'AttributesToGet', 'key_conditions': 'KeyConditions'}


def expr_cases(path):
    case = {}
    with open(path, encoding='utf-8') as f:
        for line in f:
            line = line.rstrip('\n')
            if line.startswith('==='):
                if case:
                    yield case
                case = {}
            elif ': ' in line and not line.startswith('#'):
                key, _, value = line.partition(': ')
                case[key] = value
    if case:
        yield case


def vtl_sections(path):
    sections, name = {}, None
    with open(path, encoding='utf-8') as f:
        for line in f:
            if line.startswith('--- '):
                name = line[4:].strip()
                sections[name] = ''
            elif name:
                sections[name] += line
    return sections


def write(out_dir, data):
    os.makedirs(out_dir, exist_ok=True)
    name = hashlib.sha1(data).hexdigest()[:16]
    with open(os.path.join(out_dir, name), 'wb') as f:
        f.write(data)


def main(cases_dir, out_dir):
    counts = {}
    expr_dir = os.path.join(cases_dir, 'expr')
    for file in sorted(os.listdir(expr_dir)):
        for case in expr_cases(os.path.join(expr_dir, file)):
            kind, text = case.get('kind'), case.get('expr')
            if kind in LEGACY_MEMBER and text is not None:
                request = {'TableName': 'FuzzTable'}
                try:
                    request[LEGACY_MEMBER[kind]] = json.loads(text)
                    if 'item' in case:
                        request['Item'] = json.loads(case['item'])
                except ValueError:
                    continue
                write(os.path.join(out_dir, 'json_request'), json.dumps(request).encode())
                continue
            if kind not in KIND_BYTE or text is None:
                continue
            if len(text) >= 2 and text[0] == '"' and text[-1] == '"':
                text = text[1:-1]
            write(os.path.join(out_dir, 'expr'), bytes([KIND_BYTE[kind]]) + text.encode())
            request = {'TableName': 'FuzzTable'}
            for key, member in (('item', 'Item'), ('names', 'ExpressionAttributeNames'),
                                ('values', 'ExpressionAttributeValues')):
                if key in case:
                    try:
                        request[member] = json.loads(case[key])
                    except ValueError:
                        pass
            request['ConditionExpression'] = text
            write(os.path.join(out_dir, 'json_request'), json.dumps(request).encode())
    vtl_dir = os.path.join(cases_dir, 'vtl')
    for file in sorted(os.listdir(vtl_dir)):
        if not file.endswith('.case'):
            continue
        sections = vtl_sections(os.path.join(vtl_dir, file))
        if 'template' not in sections:
            continue
        data = sections['template'].encode()
        if 'body' in sections:
            data += b'\0' + sections['body'].encode()
            write(os.path.join(out_dir, 'json_request'), sections['body'].encode())
        write(os.path.join(out_dir, 'vtl'), data)
    partiql_dir = os.path.join(cases_dir, 'partiql')
    for file in sorted(os.listdir(partiql_dir)):
        for case in expr_cases(os.path.join(partiql_dir, file)):
            if 'statement' in case:
                write(os.path.join(out_dir, 'partiql'), case['statement'].encode())
            elif 'statement_json' in case:
                write(os.path.join(out_dir, 'partiql'), json.loads(case['statement_json']).encode())
    filters_dir = os.path.join(cases_dir, 'filters')
    for file in sorted(os.listdir(filters_dir)):
        if not file.endswith('.json'):
            continue
        with open(os.path.join(filters_dir, file), encoding='utf-8') as f:
            case = json.load(f)
        texts = [json.dumps(p) for p in case.get('patterns', [])]
        if 'pattern' in case:
            texts.append(json.dumps(case['pattern']))
        if 'pattern_text' in case:
            texts.append(case['pattern_text'])
        for text in texts:
            write(os.path.join(out_dir, 'filter_pattern'), text.encode())
    schema_dir = os.path.join(cases_dir, 'jsonschema')
    for file in sorted(os.listdir(schema_dir)):
        if not file.endswith('.txt'):
            continue
        for case in expr_cases(os.path.join(schema_dir, file)):
            if 'schema' in case:
                write(os.path.join(out_dir, 'json_schema'),
                      case['schema'].encode() + b'\0' + case.get('instance', '').encode())
    for target in ('json_request', 'expr', 'partiql', 'vtl', 'filter_pattern', 'json_schema'):
        d = os.path.join(out_dir, target)
        counts[target] = len(os.listdir(d)) if os.path.isdir(d) else 0
    print('seed corpus: ' + ', '.join('%s %d' % kv for kv in counts.items()))
    if not all(counts.values()):
        sys.exit('make_corpus.py: an empty seed corpus (are the case folders where expected?)')


if __name__ == '__main__':
    if len(sys.argv) != 3:
        sys.exit(__doc__)
    main(sys.argv[1], sys.argv[2])
