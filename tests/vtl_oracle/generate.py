"""Seeded template generator for the VTL oracle.

batch(rng, count, corpus) returns `count` oracle requests: about two thirds
drawn from a small grammar of the constructs mapping templates use (text,
references, #set, #if, #foreach, macros, #define, Java methods, $input,
$util, $context), the rest mutations of corpus templates (spans deleted,
lines swapped or doubled, tokens inserted) that mostly probe the parsers'
error paths. The same seed gives the same batch.
"""
import json
import re

BODIES = [
    '{"name":"Ann","age":41,"tags":["a","b","c"],"price":12.5,"nested":{"k":"v","n":[1,2,3]},"ok":true,"none":null}',
    '{"items":[{"id":1,"v":"x"},{"id":2,"v":"y"},{"id":3,"v":"z"}],"count":3}',
    '[1,2,3]',
    '',
    '{"s":"a/b \\"q\\" \\u00e9 \\n end","big":12345678901,"neg":-7,"e":1e3}',
]
PARAMS = {"path": {"id": "42", "proxy": "a/b"}, "querystring": {"q": "x y", "limit": "10"},
          "header": {"Content-Type": "application/json", "X-Trace": "t-1"}}
CONTEXT = {"requestId": "req-1", "httpMethod": "POST", "stage": "prod", "resourcePath": "/items/{id}",
           "identity": {"sourceIp": "10.0.0.1", "userAgent": "ua"},
           "authorizer": {"principalId": "user-1", "claims": {"sub": "abc", "email": "a@example.com"}}}
STAGE = {"table": "Links", "env": "test"}

WORDS = ["a", "b", "x", "Hello", "hello world", "a,b,,c", "  pad  ", "A-B_c", "12", "3.5", "", "é", "x.y.z",
         "tab\tin", "q'uote", 'dq"uote', "back\\slash", "a/b", "$notref", "#notdir", "ab ab ab"]
REGEXES = ["[aeiou]", "\\\\s+", "\\\\.", ",", "(a)(b)", "^a", "[0-9]+", "-", "a|b", "\\\\W"]
TEXT = ["{", "}", "[", "]", ",", ":", " ", "  ", "\n", "\n\n", '"', "x", "text", "\t", " = ", "\r\n",
        "(", ")", "-", "!", "$", "#", "$1", "#1", "\\", "'"]
LISTS = ['[1, 2, 3]', '[]', '["x", 2, 3.5, true]', '[1..4]', '[[1, 2], {"k": 1}]']
MAPS = ['{"k": "v", "a": 1}', '{}', '{"k": [1, 2], "z": {"y": 2}}']
VARS = ["$a", "$s", "$l", "$m", "$d", "$n", "$b", "$e", "$i"]


class Gen:
    def __init__(self, rng):
        self.r = rng
        self.depth = 0

    def pick(self, xs):
        return xs[self.r.randrange(len(xs))]

    def chance(self, p):
        return self.r.random() < p

    # ---- literals and expressions ----
    def string_lit(self):
        w = self.pick(WORDS).replace("'", "").replace('"', "")
        if self.chance(0.5):
            return "'" + w + "'"
        inner = w
        if self.chance(0.4):
            inner += self.pick(["$a", "${s}", "$!n", "$l.size()", "$m.k", "$n"])
        return '"' + inner.replace("\\", "\\\\") + '"'

    def int_lit(self):
        return str(self.pick([0, 1, 2, 3, 7, 10, -1, -5, 100, 2147483647, -2147483648, 4]))

    def double_lit(self):
        return self.pick(["1.5", "0.1", "2.0", "-3.25", "10.0", "0.5"])

    def literal(self):
        k = self.r.randrange(8)
        if k == 0:
            return self.string_lit()
        if k == 1:
            return self.double_lit()
        if k == 2:
            return self.pick(["true", "false"])
        if k == 3 and self.depth < 2:
            self.depth += 1
            items = ", ".join(self.literal() for _ in range(self.r.randrange(4)))
            self.depth -= 1
            return "[" + items + "]"
        if k == 4 and self.depth < 2:
            self.depth += 1
            keys = self.r.sample(["k", "a", "b", "z"], self.r.randrange(4))
            items = ", ".join(f'"{key}": {self.literal()}' for key in keys)
            self.depth -= 1
            return "{" + items + "}"
        if k == 5:
            return f"[{self.r.randrange(-3, 5)}..{self.r.randrange(-3, 6)}]"
        return self.int_lit()

    def method(self):
        """A reference with a method or property chain."""
        k = self.r.randrange(30)
        w, rx = self.string_lit(), "'" + self.pick(REGEXES) + "'"
        n = self.r.randrange(-1, 6)
        options = [
            f"$s.length()", f"$s.substring({n})", f"$s.substring(0, {max(n, 0)})", f"$s.indexOf({w})",
            f"$s.replace('a', 'o')", f"$s.replaceAll({rx}, '_')", f"$s.split({rx})[0]", f"$s.split({rx}).size()",
            f"$s.toUpperCase()", f"$s.toLowerCase()", f"$s.trim()", f"$s.contains({w})", f"$s.startsWith({w})",
            f"$s.endsWith({w})", f"$s.equals({w})", f"$s.isEmpty()", f"$s.matches({rx})", f"$s.lastIndexOf('a')",
            f"$s.charAt(0)", f"$s.concat({w})", f"$s.equalsIgnoreCase({w})", f"$s.replaceFirst({rx}, '$0$0')",
            f"$l.size()", f"$l.get({n})", f"$l[{n}]", f"$l.contains({self.literal()})", f"$l.isEmpty()",
            f"$l.indexOf({self.literal()})", f"$l.add({self.literal()})", f"$l.subList(0, 1)",
            f"$m.k", f"$m.get('a')", f"$m.keySet()", f"$m.values()", f"$m.entrySet()", f"$m.size()",
            f"$m.containsKey('k')", f"$m.put('z', {self.literal()})", f"$m.remove('k')", f"$m.isEmpty()",
            f"$m.containsValue(1)", f"$a.toString()", f"$d.intValue()", f"$a.equals({self.literal()})",
            f"$e.get(0)", f"$i.toString().length()",
        ]
        if k < 8:
            return self.input_ref()
        if k < 11:
            return self.util_ref()
        if k < 13:
            return self.pick(["$context.requestId", "$context.identity.sourceIp", "$context.authorizer.claims.email",
                              "$context.authorizer.principalId", "$context.missing", "$stageVariables.table",
                              "$stageVariables.nope", "$context.responseOverride.status",
                              "$context.authorizer.claims['sub']", "$context.identity.keySet()"])
        return self.pick(options)

    def input_ref(self):
        path = self.pick(["$", "$.name", "$.age", "$.tags", "$.tags[0]", "$.tags[-1]", "$.tags[*]", "$.nested",
                          "$.nested.n", "$.nested.n[1:]", "$.items[*].id", "$..id", "$.items[0].v", "$.missing",
                          "$.price", "$.ok", "$.none", "$['name']", "name", "$.tags.length()", "$.s", "$.big",
                          "$.e", "$.count", "$[0]", "$.*", "$.items[0,2].v"])
        k = self.r.randrange(9)
        if k < 3:
            return f"$input.json('{path}')"
        if k < 6:
            return f"$input.path('{path}')" + self.pick(["", "", ".size()", ".toString()", "[0]", ".k"])
        return self.pick(["$input.body", "$input.params()", "$input.params().header", "$input.params('id')",
                          "$input.params('q')", "$input.params('x-trace')", "$input.params().querystring.limit",
                          "$input.params().path.keySet()", "$input.params('nope')"])

    def util_ref(self):
        f = self.pick(["escapeJavaScript", "urlEncode", "urlDecode", "base64Encode", "base64Decode", "parseJson"])
        arg = self.pick([self.string_lit(), "$s", "$input.body", "$input.json('$.nested')", "'aGVsbG8='",
                         "'a%20b+c%2F'", "'{\"x\":[1,2]}'", "$n", "$input.path('$.s')"])
        tail = self.pick(["", "", ".length()", ".x"]) if f == "parseJson" else ""
        return f"$util.{f}({arg}){tail}"

    def operand(self):
        k = self.r.randrange(4)
        if k == 0:
            return self.literal()
        if k == 1:
            return self.method()
        return self.pick(VARS)

    def expr(self):
        if self.depth > 2 or self.chance(0.35):
            return self.operand()
        self.depth += 1
        k = self.r.randrange(6)
        if k == 0:
            op = self.pick(["+", "-", "*", "/", "%"])
            e = f"{self.arith()} {op} {self.arith()}"
        elif k == 1:
            op = self.pick(["==", "!=", "<", ">", "<=", ">=", "eq", "ne", "lt", "gt", "le", "ge"])
            e = f"{self.operand()} {op} {self.operand()}"
        elif k == 2:
            op = self.pick(["&&", "||", "and", "or"])
            e = f"{self.expr()} {op} {self.expr()}"
        elif k == 3:
            e = self.pick(["!", "! ", "not "]) + self.operand()
        elif k == 4:
            e = f"({self.expr()})"
        else:
            e = self.operand()
        self.depth -= 1
        return e

    def arith(self):
        return self.pick(["$a", "$d", "$i", "$l.size()", "$s.length()", self.int_lit(), self.double_lit(),
                          "$input.path('$.age')", "$input.path('$.price')", "$n", "$s"])

    # ---- template text ----
    def ref_out(self):
        ref = self.method() if self.chance(0.5) else self.pick(VARS + ["$foo", "$foo.bar", "$m.k.x", "$l.get(9)"])
        k = self.r.randrange(6)
        if k == 0:
            return "$!" + ref[1:]
        if k == 1 and re.fullmatch(r"\$[a-zA-Z]+", ref):
            return "${" + ref[1:] + "}"
        if k == 2 and re.fullmatch(r"\$[a-zA-Z]+", ref):
            return "$!{" + ref[1:] + "}"
        return ref

    def block(self, n):
        return "".join(self.stmt() for _ in range(n))

    def stmt(self):
        if self.depth > 3:
            return self.pick(TEXT)
        k = self.r.randrange(22)
        if k < 5:
            return self.pick(TEXT)
        if k < 9:
            return self.ref_out() + self.pick(["", " ", "\n", ",", "x", ".", "]", "-", ".x"])
        self.depth += 1
        try:
            if k < 11:
                target = self.pick(["$a", "$s", "$x", "$y", "$m.k", "$m.z", "$n", "$context.responseOverride.status"])
                return f"#set({target} = {self.expr()})" + self.pick(["", "\n", " ", "x"])
            if k < 14:
                s = f"#if({self.expr()}){self.block(2)}"
                if self.chance(0.4):
                    s += f"#elseif({self.expr()}){self.block(1)}"
                if self.chance(0.5):
                    s += f"#else{self.block(1)}"
                return s + "#end" + self.pick(["", "\n", " "])
            if k < 17:
                var = self.pick(["$it", "$x", "$k"])
                over = self.pick(["$l", "$m", "$m.keySet()", "$m.entrySet()", "[1..3]", "[3..1]", "$input.path('$.tags')",
                                  "$input.path('$.items')", "$input.params().header.keySet()", "$s.split(',')", "$n",
                                  "$a", "[]", self.literal()])
                body = self.pick([var, "$foreach.index", "$foreach.count", "$velocityCount", "$foreach.hasNext",
                                  "$foreach.first", "$foreach.last", var + ".key=" + var + ".value", var + ".id"])
                extra = self.pick(["", "#if($foreach.hasNext),#end", "\n", "#if($foreach.count > 1)#break#end",
                                   self.block(1)])
                return f"#foreach({var} in {over}){body}{extra}#end" + self.pick(["", "\n", " "])
            if k < 18:
                return self.pick(["## comment\n", "#* block\n comment *#", "\\$a", "\\#if", "\\\\$a", "#[[raw $a #if]]#",
                                  "$", "#", "$$a", "$a$s", "$1.50", "#{if}(true)yes#{end}", "#{else}", "\\\\\\$s"])
            if k < 19:
                return self.pick(["#stop", "#break", "#if(true)#stop#end", "#foreach($q in [1..3])$q#stop#end"])
            if k < 21:
                name = self.pick(["mac", "wrap", "twice"])
                params = self.pick(["", " $p", " $p $q"])
                body = self.pick(["[$p]", "($p|$q)", "$p$p", "#if($p)yes#{else}no#end", "$a", "#set($a = $p)$a"])
                args = self.pick(["", " 1", " 'x' $a", " $s", " [1, 2]", " $n", " \"$a\"", " $l $m"])
                return f"#macro({name}{params}){body}#end#{name}({args.strip()})" + self.pick(["", "\n", "#" + name + "()"])
            return f"#define($blk){self.block(2)}#end$blk" + self.pick(["", "$blk", "$!blk"])
        finally:
            self.depth -= 1

    def template(self):
        pre = []
        if self.chance(0.85):
            pre.append(f"#set($a = {self.int_lit()})")
            pre.append(f"#set($s = {self.string_lit()})")
            pre.append("#set($l = " + self.pick(LISTS) + ")")
            pre.append("#set($m = " + self.pick(MAPS) + ")")
            pre.append(f"#set($d = {self.double_lit()})")
            pre.append(f"#set($b = {self.pick(['true', 'false'])})")
            pre.append("#set($e = $input.path('$.tags'))" if self.chance(0.5) else "#set($e = [])")
            pre.append(f"#set($i = $input.path('$.{self.pick(['age', 'price', 'big', 'neg', 'count'])}'))")
            self.r.shuffle(pre)
        sep = self.pick(["", "\n"])
        return sep.join(pre) + sep + self.block(self.r.randrange(2, 8))


TOKENS = ["$", "#", "#end", "#else", "(", ")", "[", "]", "{", "}", "\n", " ", "$!x", "\\", "'", '"', "#if(",
          "$a.", "..", ",", "#set(", "=", "#*", "*#", "##", "${", "$!{", "#foreach(", "$foreach.count", ".",
          "#{end}", "#break", "#stop", "0", "-1", "\r\n", "\t", "$velocityCount", "#define(", "#macro("]


def mutate(rng, t):
    for _ in range(rng.randrange(1, 4)):
        k = rng.randrange(5)
        if not t:
            t = rng.choice(TOKENS)
            continue
        i = rng.randrange(len(t) + 1)
        if k == 0:
            t = t[:i] + rng.choice(TOKENS) + t[i:]
        elif k == 1:
            j = min(len(t), i + rng.randrange(1, 6))
            t = t[:i] + t[j:]
        elif k == 2:
            lines = t.split("\n")
            a, b = rng.randrange(len(lines)), rng.randrange(len(lines))
            lines[a], lines[b] = lines[b], lines[a]
            t = "\n".join(lines)
        elif k == 3:
            lines = t.split("\n")
            a = rng.randrange(len(lines))
            lines.insert(a, lines[a])
            t = "\n".join(lines)
        else:
            j = min(len(t), i + rng.randrange(1, 12))
            t = t[:i] + t[i:j] + t[i:j] + t[j:]
    return t


def safe(t):
    """Leaves out templates whose cost would dominate the run (huge ranges)."""
    return not re.search(r"\d{5,}\s*\]|\.\.\s*-?\d{5,}|\d{5,}\s*\.\.", t)


def batch(rng, count, corpus):
    out = []
    g = Gen(rng)
    while len(out) < count:
        if corpus and rng.random() < 0.3:
            t = mutate(rng, rng.choice(corpus))
            kind = "mut"
        else:
            g.depth = 0
            t = g.template()
            kind = "gen"
        if not safe(t):
            continue
        req = {"id": f"{kind}:{len(out)}", "template": t, "body": rng.choice(BODIES), "params": PARAMS,
               "context": CONTEXT, "stage": STAGE, "literal_nulls": rng.random() < 0.25}
        out.append(json.loads(json.dumps(req)))
    return out
