#!/usr/bin/env python3
"""Differential test of our VTL engine against Apache Velocity 1.7.

Renders the same templates with the same $input/$context/$stageVariables in
vtl_render (our engine) and in Oracle.java (Velocity 1.7 with API Gateway
stand-ins), and compares the outputs byte for byte:
  (a) every tests/cases/vtl case, except those tagged "--- oracle skip: why";
  (b) --count generated templates (a seeded grammar of the constructs, and
      mutations of corpus templates).
Both sides failing counts as agreement (parse and render errors are not told
apart: Velocity finds some errors at render time that we find at parse time).
Mismatches whose template matches a line of known_differences.txt are
counted, not failed. Exit 0 when all agree, 1 on a mismatch, 77 (skip) when
no JDK or no Velocity jar is installed.

  run_oracle.py --render build/release/src/gateway/vtl/vtl_render \
      --classes /tmp/oracle-classes --seed 7 --count 20000
"""
import argparse
import difflib
import json
import os
import random
import re
import shutil
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
JARS = ["velocity-1.7.jar", "commons-collections3.jar", "commons-lang.jar"]
sys.path.insert(0, HERE)
import generate  # noqa: E402


def read_case(path):
    """The sections of a .case file (same rules as vtl_cases_test.cc)."""
    sections, current = {}, None
    with open(path, encoding="utf-8", newline="") as f:
        lines = f.read().split("\n")
    for idx, line in enumerate(lines):
        if line.startswith("--- "):
            if current is not None and sections[current].endswith("\n"):
                sections[current] = sections[current][:-1]
            current = line[4:].rstrip(" \r")
            sections[current] = ""
        elif current is not None:
            sections[current] += line + ("\n" if idx < len(lines) - 1 else "")
    if current is not None and sections[current].endswith("\n"):
        sections[current] = sections[current][:-1]
    return sections


def corpus_requests(cases_dir):
    requests, skipped = [], []
    for name in sorted(os.listdir(cases_dir)):
        if not name.endswith(".case"):
            continue
        s = read_case(os.path.join(cases_dir, name))
        skip = [k for k in s if k.startswith("oracle skip")]
        if skip:
            skipped.append((name, skip[0].partition(":")[2].strip()))
            continue
        req = {"id": "case:" + name[:-5], "template": s.get("template", ""), "body": s.get("body", "")}
        for key, field in (("params", "params"), ("context", "context"), ("stage", "stage")):
            if key in s:
                req[field] = json.loads(s[key])
        req["literal_nulls"] = "literal_nulls" in s.get("options", "")
        requests.append(req)
    return requests, skipped


def load_known(path):
    known = []
    if not os.path.exists(path):
        return known
    with open(path, encoding="utf-8") as f:
        for line in f:
            line = line.rstrip("\n")
            if not line.strip() or line.startswith("#"):
                continue
            pattern, _, reason = line.rpartition("  # ")
            if not pattern:
                raise SystemExit(f"known_differences.txt: line without '  # reason': {line}")
            known.append((re.compile(pattern, re.S), reason))
    return known


def java_tools():
    javac, java = shutil.which("javac"), shutil.which("java")
    jars = [os.path.join("/usr/share/java", j) for j in JARS]
    missing = [j for j in jars if not os.path.exists(j)]
    if not javac or not java or missing:
        print("SKIP: the VTL oracle needs a JDK (javac) and Debian's velocity, libcommons-collections3-java "
              f"and libcommons-lang-java (missing: {'javac ' if not javac else ''}{' '.join(missing)})")
        sys.exit(77)
    return javac, java, ":".join(jars)


def compile_oracle(javac, classpath, classes):
    sources = [os.path.join(HERE, f) for f in sorted(os.listdir(HERE)) if f.endswith(".java")]
    stamp = os.path.join(classes, "Oracle.class")
    if os.path.exists(stamp) and all(os.path.getmtime(s) <= os.path.getmtime(stamp) for s in sources):
        return
    os.makedirs(classes, exist_ok=True)
    subprocess.run([javac, "-nowarn", "-encoding", "UTF-8", "-d", classes, "-cp", classpath] + sources,
                   check=True)


def run_batch(cmd, requests, timeout):
    data = "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in requests).encode("utf-8")
    proc = subprocess.run(cmd, input=data, stdout=subprocess.PIPE, stderr=subprocess.PIPE, timeout=timeout)
    if proc.returncode != 0:
        raise SystemExit(f"{cmd[0]} failed ({proc.returncode}): {proc.stderr.decode(errors='replace')[-2000:]}")
    answers = {}
    for line in proc.stdout.decode("utf-8", errors="surrogateescape").splitlines():
        a = json.loads(line)
        answers[a["id"]] = a
    return answers


def show(a):
    return repr(a["out"]) if a.get("ok") else f"<{a.get('error')} error: {a.get('message', '')[:200]}>"


def compare(requests, ours, theirs, known, verbose_limit):
    agree, mismatches, allowed = 0, [], {}
    for r in requests:
        o, t = ours.get(r["id"]), theirs.get(r["id"])
        if o is None or t is None:
            mismatches.append((r, o or {"ok": False, "error": "missing"}, t or {"ok": False, "error": "missing"}))
            continue
        same = (o["ok"] and t["ok"] and o["out"] == t["out"]) or (not o["ok"] and not t["ok"])
        if same:
            agree += 1
            continue
        reason = next((why for pat, why in known if pat.search(r["template"])), None)
        if not reason and not r["id"].startswith("case:") and "parse" in (o.get("error"), t.get("error")):
            # Generated and mutated templates: where only one parser accepts
            # the text, the malformed-template leniency differs (see
            # docs/COMPATIBILITY.md); counted, not failed.
            reason = "one parser accepts a malformed generated template the other rejects"
        if reason:
            allowed[reason] = allowed.get(reason, 0) + 1
        else:
            mismatches.append((r, o, t))
    for r, o, t in mismatches[:verbose_limit]:
        print(f"--- MISMATCH {r['id']}")
        print("template:", repr(r["template"])[:1500])
        if r.get("body"):
            print("body:", repr(r["body"])[:300])
        print("velocity:", show(t)[:1500])
        print("ours:    ", show(o)[:1500])
        if o.get("ok") and t.get("ok"):
            diff = difflib.unified_diff(t["out"].splitlines(True), o["out"].splitlines(True), "velocity", "ours", n=1)
            sys.stdout.writelines(list(diff)[:40])
            print()
    return agree, mismatches, allowed


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--render", required=True, help="path of the vtl_render tool (our engine)")
    ap.add_argument("--classes", required=True, help="directory for the compiled Oracle.java")
    ap.add_argument("--cases", default=os.path.join(ROOT, "tests", "cases", "vtl"))
    ap.add_argument("--known", default=os.path.join(HERE, "known_differences.txt"))
    ap.add_argument("--seed", type=int, default=13)
    ap.add_argument("--count", type=int, default=3000, help="generated + mutated templates")
    ap.add_argument("--show", type=int, default=25, help="mismatches printed in full")
    ap.add_argument("--dump", help="write the generated requests (JSON lines) here")
    args = ap.parse_args()

    javac, java, classpath = java_tools()
    compile_oracle(javac, classpath, args.classes)
    known = load_known(args.known)

    corpus, skipped = corpus_requests(args.cases)
    rng = random.Random(args.seed)
    generated = generate.batch(rng, args.count, [r["template"] for r in corpus])
    if args.dump:
        with open(args.dump, "w", encoding="utf-8") as f:
            for r in generated:
                f.write(json.dumps(r, ensure_ascii=False) + "\n")
    requests = corpus + generated

    started = time.time()
    ours = run_batch([args.render], requests, 240)
    theirs = run_batch([java, "-Xss8m", "-cp", args.classes + ":" + classpath, "Oracle"], requests, 240)
    agree, mismatches, allowed = compare(requests, ours, theirs, known, args.show)

    print(f"vtl_oracle: seed {args.seed}: {len(corpus)} corpus cases ({len(skipped)} tagged 'oracle skip'), "
          f"{len(generated)} generated; {agree} agree, {sum(allowed.values())} known differences, "
          f"{len(mismatches)} mismatches ({time.time() - started:.1f} s)")
    for reason, n in sorted(allowed.items()):
        print(f"  known ({n}): {reason}")
    return 1 if mismatches else 0


if __name__ == "__main__":
    sys.exit(main())
