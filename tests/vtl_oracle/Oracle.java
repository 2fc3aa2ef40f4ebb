// The VTL oracle: renders mapping templates with Apache Velocity 1.7 (the
// engine API Gateway runs) and stand-ins for API Gateway's $input, $util,
// $context and $stageVariables written from AWS's mapping-template reference.
//
// Batch protocol (one JVM renders many templates): each stdin line is a JSON
// object {"id", "template", "body", "params": {"path","querystring","header"},
// "context", "stage", "literal_nulls"}; each stdout line answers one of them
// with {"id", "ok": true, "out"} or {"id", "ok": false, "error": "parse" |
// "render", "message"}.
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.io.StringReader;
import java.io.StringWriter;
import java.net.URLDecoder;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Properties;
import org.apache.commons.lang.StringEscapeUtils;
import org.apache.velocity.VelocityContext;
import org.apache.velocity.app.event.EventCartridge;
import org.apache.velocity.app.event.ReferenceInsertionEventHandler;
import org.apache.velocity.exception.ParseErrorException;
import org.apache.velocity.exception.TemplateInitException;
import org.apache.velocity.runtime.RuntimeInstance;

public final class Oracle {
  // $input: the request as the template sees it.
  public static final class Input {
    private final String body;
    private final Map<String, Object> params;

    Input(String body, Map<String, Object> params) {
      this.body = body;
      this.params = params;
    }

    public String getBody() { return body; }

    // Each call parses the body afresh, so what one call's result is
    // changed into (#set($o.x = 1)) is not seen by the next call.
    private Object root() {
      // API Gateway treats an empty body as {}.
      return body.isBlank() ? new Json.JsonObject() : Json.parse(body);
    }

    // A body that is not JSON fails the render (API Gateway answers 400).
    public Object path(String jsonPath) {
      Object root = root();
      if (jsonPath == null) return null;
      try {
        return JsonPath.evaluate(root, jsonPath);
      } catch (JsonPath.PathError | NumberFormatException e) {
        return null;
      }
    }

    public String json(String jsonPath) {
      Object root = root();
      if (jsonPath == null) return null;
      try {
        return Json.serialize(JsonPath.evaluate(root, jsonPath));
      } catch (JsonPath.PathError | NumberFormatException e) {
        return null;
      }
    }

    public Map<String, Object> params() { return params; }

    // A parameter by name, looked up in path, then query string, then headers.
    public Object params(String name) {
      for (String where : new String[] {"path", "querystring", "header"}) {
        Map<?, ?> m = (Map<?, ?>) params.get(where);
        if (m != null && m.containsKey(name)) return m.get(name);
      }
      return null;
    }
  }

  // $util. Arguments are taken as Object and converted with toString(), so a
  // number passed in is escaped as its text.
  public static final class Util {
    public String escapeJavaScript(Object s) {
      return s == null ? null : StringEscapeUtils.escapeJavaScript(s.toString());
    }

    public Object parseJson(Object s) {
      if (s == null) return null;
      try {
        return Json.parse(s.toString());
      } catch (Json.ParseError | NumberFormatException e) {
        return null;
      }
    }

    public String urlEncode(Object s) {
      return s == null ? null : URLEncoder.encode(s.toString(), StandardCharsets.UTF_8);
    }

    public String urlDecode(Object s) {
      if (s == null) return null;
      try {
        return URLDecoder.decode(s.toString(), StandardCharsets.UTF_8);
      } catch (IllegalArgumentException e) {
        return null;
      }
    }

    public String base64Encode(Object s) {
      return s == null ? null : Base64.getEncoder().encodeToString(s.toString().getBytes(StandardCharsets.UTF_8));
    }

    public String base64Decode(Object s) {
      if (s == null) return null;
      try {
        return new String(Base64.getDecoder().decode(s.toString()), StandardCharsets.UTF_8);
      } catch (IllegalArgumentException e) {
        return null;
      }
    }
  }

  // Header maps: keys keep their spelling and are found whatever their case.
  static final class CaseInsensitiveMap extends LinkedHashMap<String, Object> {
    private String existing(Object key) {
      if (key == null) return null;
      for (String k : keySet()) {
        if (k.equalsIgnoreCase(key.toString())) return k;
      }
      return null;
    }

    @Override public Object get(Object key) {
      String k = existing(key);
      return k == null ? null : super.get(k);
    }

    @Override public boolean containsKey(Object key) { return existing(key) != null; }

    @Override public Object put(String key, Object value) {
      String k = existing(key);
      return super.put(k == null ? key : k, value);
    }

    @Override public Object remove(Object key) {
      String k = existing(key);
      return k == null ? null : super.remove(k);
    }
  }

  // API Gateway renders a null reference as nothing; plain Velocity renders
  // its source text.
  static final class NullsAsEmpty implements ReferenceInsertionEventHandler {
    @Override public Object referenceInsert(String reference, Object value) {
      return value == null ? "" : value;
    }
  }

  private static Map<String, Object> stringMap(Object json, boolean caseInsensitive) {
    Map<String, Object> m = caseInsensitive ? new CaseInsensitiveMap() : new LinkedHashMap<>();
    if (json instanceof Map) {
      // Sorted, as the C++ side's std::map hands them over.
      new java.util.TreeMap<>((Map<?, ?>) json).forEach((k, v) -> m.put(k.toString(), v instanceof String ? v : Json.serialize(v)));
    }
    return m;
  }

  @SuppressWarnings("unchecked")
  private static Map<String, Object> ensureMap(Map<String, Object> parent, String key) {
    Object v = parent.get(key);
    if (!(v instanceof Map)) {
      v = key.equals("header") ? new CaseInsensitiveMap() : new LinkedHashMap<String, Object>();
      parent.put(key, v);
    }
    return (Map<String, Object>) v;
  }

  @SuppressWarnings("unchecked")
  static Json.JsonObject render(RuntimeInstance velocity, Json.JsonObject req, int serial) {
    Json.JsonObject answer = new Json.JsonObject();
    answer.put("id", req.get("id"));
    String template = (String) req.get("template");
    Object body = req.get("body");
    Map<String, Object> params = new LinkedHashMap<>();
    Object p = req.get("params");
    Map<?, ?> pm = p instanceof Map ? (Map<?, ?>) p : Map.of();
    params.put("path", stringMap(pm.get("path"), false));
    params.put("querystring", stringMap(pm.get("querystring"), false));
    params.put("header", stringMap(pm.get("header"), true));

    Object ctxJson = req.get("context");
    Map<String, Object> context = ctxJson instanceof Map ? (Map<String, Object>) ctxJson : new LinkedHashMap<>();
    ensureMap(ensureMap(context, "responseOverride"), "header");
    Map<String, Object> requestOverride = ensureMap(context, "requestOverride");
    ensureMap(requestOverride, "header");
    ensureMap(requestOverride, "path");
    ensureMap(requestOverride, "querystring");

    VelocityContext vc = new VelocityContext();
    vc.put("input", new Input(body == null ? "" : body.toString(), params));
    vc.put("util", new Util());
    vc.put("context", context);
    Object stage = req.get("stage");
    if (stage != null) vc.put("stageVariables", stage);
    if (!Boolean.TRUE.equals(req.get("literal_nulls"))) {
      EventCartridge ec = new EventCartridge();
      ec.addEventHandler(new NullsAsEmpty());
      ec.attachToContext(vc);
    }
    StringWriter out = new StringWriter();
    try {
      // A name per template: its macros live in their own namespace.
      // Velocity's default macro settings (first definition wins, macros are
      // global) apply per template: one that defines macros gets its own engine.
      RuntimeInstance engine = template.contains("macro") ? newEngine() : velocity;
      engine.evaluate(vc, out, "template" + serial, new StringReader(template));
      answer.put("ok", true);
      answer.put("out", out.toString());
    } catch (ParseErrorException | TemplateInitException e) {
      answer.put("ok", false);
      answer.put("error", "parse");
      answer.put("message", String.valueOf(e.getMessage()));
    } catch (Throwable e) {  // MethodInvocationException, StackOverflowError, ...
      answer.put("ok", false);
      answer.put("error", "render");
      Throwable cause = e.getCause() != null ? e.getCause() : e;
      answer.put("message", cause.getClass().getSimpleName() + ": " + cause.getMessage());
    }
    return answer;
  }

  static RuntimeInstance newEngine() throws Exception {
    Properties props = new Properties();
    props.setProperty("runtime.log.logsystem.class", "org.apache.velocity.runtime.log.NullLogChute");
    // API Gateway's quota: a #foreach ends quietly after 1,000 iterations.
    props.setProperty("directive.foreach.maxloops", "1000");
    props.setProperty("runtime.references.strict", "false");
    props.setProperty("input.encoding", "UTF-8");
    props.setProperty("output.encoding", "UTF-8");
    RuntimeInstance ri = new RuntimeInstance();
    ri.init(props);
    return ri;
  }

  public static void main(String[] args) throws Exception {
    RuntimeInstance velocity = newEngine();
    BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
    PrintStream out = new PrintStream(System.out, false, StandardCharsets.UTF_8);
    String line;
    int serial = 0;
    while ((line = in.readLine()) != null) {
      if (line.isBlank()) continue;
      Json.JsonObject req = (Json.JsonObject) Json.parse(line);
      out.println(Json.serialize(render(velocity, req, ++serial)));
    }
    out.flush();
  }
}
