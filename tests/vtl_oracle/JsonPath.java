// JSONPath as API Gateway documents it for $input.path/$input.json (Jayway's
// dialect): $, .name, ['name'], [n] (negative from the end), [*], .*, ..name,
// unions ['a','b'] / [0,2], slices [a:b:s] and a trailing .length(). A path
// that names at most one node (names and single indexes only) is "definite":
// its result is that node (or null), otherwise a list of every match.
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

final class JsonPath {
  static final class PathError extends RuntimeException {
    PathError(String m) { super(m); }
  }

  private interface Step { void apply(Object node, List<Object> out); }

  private final List<Step> steps = new ArrayList<>();
  private boolean definite = true;
  private boolean length = false;

  static Object evaluate(Object root, String text) {
    JsonPath p = parse(text);
    List<Object> cur = new ArrayList<>();
    cur.add(root);
    for (Step s : p.steps) {
      List<Object> next = new ArrayList<>();
      for (Object n : cur) s.apply(n, next);
      cur = next;
      if (cur.isEmpty()) break;
    }
    Object result;
    if (p.definite) {
      result = cur.isEmpty() ? null : cur.get(0);
    } else {
      Json.JsonArray a = new Json.JsonArray();
      a.addAll(cur);
      result = a;
    }
    if (!p.length) return result;
    if (result instanceof List) return ((List<?>) result).size();
    if (result instanceof Map) return ((Map<?, ?>) result).size();
    if (result instanceof String) return ((String) result).length();
    return null;
  }

  private static JsonPath parse(String original) {
    String t = original.trim();
    if (t.isEmpty()) throw new PathError("empty path");
    if (t.charAt(0) != '$') t = (t.charAt(0) == '[' ? "$" : "$.") + t;
    JsonPath p = new JsonPath();
    int i = 1, n = t.length();
    while (i < n) {
      char c = t.charAt(i);
      if (c == '.') {
        i++;
        boolean descend = false;
        if (i < n && t.charAt(i) == '.') {
          descend = true;
          i++;
          p.definite = false;
          p.steps.add(JsonPath::descend);
        }
        if (i >= n) throw new PathError("path ends after '.'");
        if (t.charAt(i) == '[') {
          if (!descend) throw new PathError("'[' after '.'");
          continue;
        }
        if (t.charAt(i) == '*') {
          p.definite = false;
          p.steps.add(JsonPath::wildcard);
          i++;
          continue;
        }
        int start = i;
        while (i < n && t.charAt(i) != '.' && t.charAt(i) != '[') i++;
        String name = t.substring(start, i);
        if (name.equals("length()") && i == n && !descend) {
          p.length = true;
          break;
        }
        if (name.isEmpty() || name.matches(".*[ '\"()].*")) throw new PathError("bad name " + name);
        p.steps.add(names(List.of(name)));
        continue;
      }
      if (c == '[') {
        int close = t.indexOf(']', i);
        // A quoted name may hold ']': find the bracket outside quotes.
        char quote = 0;
        for (close = i + 1; close < n; close++) {
          char d = t.charAt(close);
          if (quote != 0) {
            if (d == '\\') close++;
            else if (d == quote) quote = 0;
          } else if (d == '\'' || d == '"') {
            quote = d;
          } else if (d == ']') {
            break;
          }
        }
        if (close >= n) throw new PathError("unclosed [");
        String inner = t.substring(i + 1, close).trim();
        i = close + 1;
        if (inner.isEmpty() || inner.charAt(0) == '?' || inner.charAt(0) == '(') throw new PathError("unsupported");
        if (inner.equals("*")) {
          p.definite = false;
          p.steps.add(JsonPath::wildcard);
        } else if (inner.charAt(0) == '\'' || inner.charAt(0) == '"') {
          List<String> list = new ArrayList<>();
          int k = 0;
          while (k < inner.length()) {
            char q = inner.charAt(k);
            if (q != '\'' && q != '"') throw new PathError("expected a quoted name");
            StringBuilder b = new StringBuilder();
            k++;
            while (k < inner.length() && inner.charAt(k) != q) {
              if (inner.charAt(k) == '\\' && k + 1 < inner.length()) k++;
              b.append(inner.charAt(k++));
            }
            if (k >= inner.length()) throw new PathError("unclosed quote");
            k++;
            list.add(b.toString());
            while (k < inner.length() && inner.charAt(k) == ' ') k++;
            if (k < inner.length()) {
              if (inner.charAt(k) != ',') throw new PathError("expected ,");
              k++;
              while (k < inner.length() && inner.charAt(k) == ' ') k++;
              if (k >= inner.length()) throw new PathError("name expected after ,");
            }
          }
          if (list.size() > 1) p.definite = false;
          p.steps.add(names(list));
        } else if (inner.indexOf(':') >= 0) {
          String[] parts = inner.split(":", -1);
          if (parts.length > 3) throw new PathError("bad slice");
          Integer from = parts[0].isBlank() ? null : Integer.valueOf(parts[0].trim());
          Integer to = parts[1].isBlank() ? null : Integer.valueOf(parts[1].trim());
          int by = parts.length == 3 && !parts[2].isBlank() ? Integer.parseInt(parts[2].trim()) : 1;
          if (by <= 0) throw new PathError("bad slice step");
          p.definite = false;
          p.steps.add((node, out) -> {
            if (!(node instanceof List)) return;
            List<?> a = (List<?>) node;
            int size = a.size();
            int f = from == null ? 0 : from, e = to == null ? size : to;
            if (f < 0) f = Math.max(0, f + size);
            if (e < 0) e = Math.max(0, e + size);
            e = Math.min(e, size);
            for (int k = f; k < e; k += by) out.add(a.get(k));
          });
        } else {
          List<Integer> idx = new ArrayList<>();
          for (String part : inner.split(",", -1)) idx.add(Integer.valueOf(part.trim()));
          if (idx.size() > 1) p.definite = false;
          p.steps.add((node, out) -> {
            if (!(node instanceof List)) return;
            List<?> a = (List<?>) node;
            for (int k : idx) {
              if (k < 0) k += a.size();
              if (k >= 0 && k < a.size()) out.add(a.get(k));
            }
          });
        }
        continue;
      }
      throw new PathError("unexpected " + c);
    }
    return p;
  }

  private static Step names(List<String> list) {
    return (node, out) -> {
      if (!(node instanceof Map)) return;
      Map<?, ?> m = (Map<?, ?>) node;
      for (String name : list) {
        if (m.containsKey(name)) out.add(m.get(name));
      }
    };
  }

  private static void wildcard(Object node, List<Object> out) {
    if (node instanceof Map) out.addAll(((Map<?, ?>) node).values());
    else if (node instanceof List) out.addAll((List<?>) node);
  }

  // Every node under (and including) this one, in document order; the next
  // step picks from them.
  private static void descend(Object node, List<Object> out) {
    out.add(node);
    if (node instanceof Map) for (Object v : ((Map<?, ?>) node).values()) descend(v, out);
    else if (node instanceof List) for (Object v : (List<?>) node) descend(v, out);
  }
}
