// A minimal JSON parser and serializer for the oracle's stand-ins.
//
// Parsed objects and arrays render as JSON text from toString(), as the
// json-smart objects API Gateway's $input.path and $util.parseJson return do.
// Integers become Integer (Long when too big for an int, Double beyond a
// long), fractions and exponents Double, as json-smart parses them.
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

final class Json {
  static final class JsonObject extends LinkedHashMap<String, Object> {
    @Override public String toString() { return serialize(this); }
  }

  static final class JsonArray extends ArrayList<Object> {
    @Override public String toString() { return serialize(this); }
  }

  static final class ParseError extends RuntimeException {
    ParseError(String m) { super(m); }
  }

  private final String s;
  private int i;

  private Json(String s) { this.s = s; }

  static Object parse(String text) {
    Json p = new Json(text);
    p.ws();
    Object v = p.value();
    p.ws();
    if (p.i != p.s.length()) throw new ParseError("trailing text at " + p.i);
    return v;
  }

  private void ws() {
    while (i < s.length() && " \t\r\n".indexOf(s.charAt(i)) >= 0) i++;
  }

  private char peek() {
    if (i >= s.length()) throw new ParseError("unexpected end");
    return s.charAt(i);
  }

  private void expect(String word) {
    if (!s.startsWith(word, i)) throw new ParseError("expected " + word + " at " + i);
    i += word.length();
  }

  private Object value() {
    char c = peek();
    switch (c) {
      case '{': {
        i++;
        JsonObject o = new JsonObject();
        ws();
        if (peek() == '}') { i++; return o; }
        while (true) {
          ws();
          if (peek() != '"') throw new ParseError("expected a key at " + i);
          String k = string();
          ws();
          expect(":");
          ws();
          o.put(k, value());
          ws();
          char d = peek();
          i++;
          if (d == '}') return o;
          if (d != ',') throw new ParseError("expected , or } at " + i);
        }
      }
      case '[': {
        i++;
        JsonArray a = new JsonArray();
        ws();
        if (peek() == ']') { i++; return a; }
        while (true) {
          ws();
          a.add(value());
          ws();
          char d = peek();
          i++;
          if (d == ']') return a;
          if (d != ',') throw new ParseError("expected , or ] at " + i);
        }
      }
      case '"': return string();
      case 't': expect("true"); return Boolean.TRUE;
      case 'f': expect("false"); return Boolean.FALSE;
      case 'n': expect("null"); return null;
      default: return number();
    }
  }

  private String string() {
    i++;  // opening quote
    StringBuilder b = new StringBuilder();
    while (true) {
      char c = peek();
      i++;
      if (c == '"') return b.toString();
      if (c < 0x20) throw new ParseError("control character in string");
      if (c != '\\') { b.append(c); continue; }
      char e = peek();
      i++;
      switch (e) {
        case '"': b.append('"'); break;
        case '\\': b.append('\\'); break;
        case '/': b.append('/'); break;
        case 'b': b.append('\b'); break;
        case 'f': b.append('\f'); break;
        case 'n': b.append('\n'); break;
        case 'r': b.append('\r'); break;
        case 't': b.append('\t'); break;
        case 'u':
          if (i + 4 > s.length()) throw new ParseError("bad \\u escape");
          b.append((char) Integer.parseInt(s.substring(i, i + 4), 16));
          i += 4;
          break;
        default: throw new ParseError("bad escape");
      }
    }
  }

  private Object number() {
    int start = i;
    if (i < s.length() && s.charAt(i) == '-') i++;
    while (i < s.length() && Character.isDigit(s.charAt(i))) i++;
    boolean fraction = false;
    if (i < s.length() && s.charAt(i) == '.') { fraction = true; i++; while (i < s.length() && Character.isDigit(s.charAt(i))) i++; }
    if (i < s.length() && (s.charAt(i) == 'e' || s.charAt(i) == 'E')) {
      fraction = true;
      i++;
      if (i < s.length() && (s.charAt(i) == '+' || s.charAt(i) == '-')) i++;
      while (i < s.length() && Character.isDigit(s.charAt(i))) i++;
    }
    String t = s.substring(start, i);
    if (t.isEmpty() || t.equals("-")) throw new ParseError("unexpected character at " + start);
    if (!fraction) {
      try { return Integer.valueOf(t); } catch (NumberFormatException e) { /* wider */ }
      try { return Long.valueOf(t); } catch (NumberFormatException e) { /* wider */ }
    }
    return Double.valueOf(t);
  }

  // ---- serializing ----
  static String serialize(Object v) {
    StringBuilder b = new StringBuilder();
    write(b, v, 0);
    return b.toString();
  }

  static void writeString(StringBuilder b, String s) {
    b.append('"');
    for (int k = 0; k < s.length(); k++) {
      char c = s.charAt(k);
      switch (c) {
        case '"': b.append("\\\""); break;
        case '\\': b.append("\\\\"); break;
        case '\n': b.append("\\n"); break;
        case '\r': b.append("\\r"); break;
        case '\t': b.append("\\t"); break;
        case '\b': b.append("\\b"); break;
        case '\f': b.append("\\f"); break;
        default:
          if (c < 0x20) b.append(String.format("\\u%04x", (int) c));
          else b.append(c);
      }
    }
    b.append('"');
  }

  private static void write(StringBuilder b, Object v, int depth) {
    if (depth > 200) return;
    if (v == null) {
      b.append("null");
    } else if (v instanceof String) {
      writeString(b, (String) v);
    } else if (v instanceof Map) {
      b.append('{');
      boolean first = true;
      for (Map.Entry<?, ?> e : ((Map<?, ?>) v).entrySet()) {
        if (!first) b.append(',');
        first = false;
        writeString(b, String.valueOf(e.getKey()));
        b.append(':');
        write(b, e.getValue(), depth + 1);
      }
      b.append('}');
    } else if (v instanceof List) {
      b.append('[');
      boolean first = true;
      for (Object e : (List<?>) v) {
        if (!first) b.append(',');
        first = false;
        write(b, e, depth + 1);
      }
      b.append(']');
    } else if (v instanceof Object[]) {
      b.append('[');
      Object[] a = (Object[]) v;
      for (int k = 0; k < a.length; k++) {
        if (k > 0) b.append(',');
        write(b, a[k], depth + 1);
      }
      b.append(']');
    } else if (v instanceof Number || v instanceof Boolean) {
      b.append(v);
    } else {
      writeString(b, v.toString());
    }
  }
}
