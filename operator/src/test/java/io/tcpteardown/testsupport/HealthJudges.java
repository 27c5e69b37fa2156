package io.tcpteardown.testsupport;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.cel.common.types.MapType;
import dev.cel.common.types.SimpleType;
import dev.cel.compiler.CelCompiler;
import dev.cel.compiler.CelCompilerFactory;
import dev.cel.parser.CelStandardMacro;
import dev.cel.runtime.CelRuntime;
import dev.cel.runtime.CelRuntimeFactory;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * How GitOps tools judge an object's health, each by its own published rules: kstatus (Flux's
 * health checks and {@code kubectl wait}), the chart's Argo CD Lua script in a real Lua 5.1 with
 * Argo CD's libraries, and Flux's {@code healthCheckExprs} with the CEL library.
 */
public final class HealthJudges {
  public static final Path ARGOCD = Path.of("../helm/tcp-teardown-operator/argocd/tcpteardown.io");
  private static final Path ENV = Path.of("src/test/resources/argocd/health-env.lua");
  private static final ObjectMapper JSON = new ObjectMapper();

  private HealthJudges() {}

  /** kstatus's status of an object, in kstatus's order (cli-utils pkg/kstatus/status). */
  public enum Kstatus {
    TERMINATING,
    IN_PROGRESS,
    FAILED,
    CURRENT
  }

  public static Kstatus kstatus(JsonNode object) {
    if (object.path("metadata").has("deletionTimestamp")) {
      return Kstatus.TERMINATING;
    }
    JsonNode status = object.path("status");
    if (status.has("observedGeneration")
        && status.path("observedGeneration").asLong()
            != object.path("metadata").path("generation").asLong()) {
      return Kstatus.IN_PROGRESS;
    }
    for (JsonNode condition : status.path("conditions")) {
      String type = condition.path("type").asText();
      boolean isTrue = "True".equals(condition.path("status").asText());
      if (type.equals("Reconciling") && isTrue) {
        return Kstatus.IN_PROGRESS;
      }
      if (type.equals("Stalled") && isTrue) {
        return Kstatus.FAILED;
      }
    }
    for (JsonNode condition : status.path("conditions")) {
      if (condition.path("type").asText().equals("Ready")) {
        return "True".equals(condition.path("status").asText())
            ? Kstatus.CURRENT
            : Kstatus.IN_PROGRESS;
      }
    }
    return Kstatus.CURRENT;
  }

  public record ArgoHealth(String status, String message) {}

  /** The chart's Argo CD script for the object's kind, run by Debian's lua5.1. */
  public static ArgoHealth argoCd(JsonNode object) throws IOException, InterruptedException {
    Path script = ARGOCD.resolve(object.path("kind").asText()).resolve("health.lua");
    Path literal = Files.createTempFile("argocd-obj", ".lua");
    try {
      Files.writeString(literal, "return " + luaLiteral(object) + "\n");
      Process lua =
          new ProcessBuilder("lua5.1", ENV.toString(), script.toString(), literal.toString())
              .redirectErrorStream(true)
              .start();
      String out = new String(lua.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      if (!lua.waitFor(10, TimeUnit.SECONDS) || lua.exitValue() != 0) {
        throw new AssertionError("lua5.1 failed on " + script + ": " + out);
      }
      List<String> lines = out.lines().toList();
      return new ArgoHealth(lines.get(0), lines.size() > 1 ? lines.get(1) : "");
    } finally {
      Files.deleteIfExists(literal);
    }
  }

  /** A JSON value as a Lua table constructor (strings escaped as Lua decimal escapes). */
  static String luaLiteral(JsonNode node) {
    if (node.isObject()) {
      StringBuilder out = new StringBuilder("{");
      for (Iterator<Map.Entry<String, JsonNode>> it = node.properties().iterator();
          it.hasNext(); ) {
        Map.Entry<String, JsonNode> field = it.next();
        out.append('[').append(luaString(field.getKey())).append("]=");
        out.append(luaLiteral(field.getValue())).append(',');
      }
      return out.append('}').toString();
    }
    if (node.isArray()) {
      StringBuilder out = new StringBuilder("{");
      node.forEach(item -> out.append(luaLiteral(item)).append(','));
      return out.append('}').toString();
    }
    if (node.isNumber()) {
      return node.asText();
    }
    if (node.isBoolean()) {
      return node.asBoolean() ? "true" : "false";
    }
    if (node.isNull()) {
      return "nil";
    }
    return luaString(node.asText());
  }

  private static String luaString(String text) {
    StringBuilder out = new StringBuilder("\"");
    for (byte b : text.getBytes(StandardCharsets.UTF_8)) {
      int c = b & 0xff;
      if (c >= 0x20 && c < 0x7f && c != '"' && c != '\\') {
        out.append((char) c);
      } else {
        // Three digits always: a shorter escape would take the digits that follow it.
        out.append('\\').append(String.format("%03d", c));
      }
    }
    return out.append('"').toString();
  }

  /** Flux's verdict from {@code healthCheckExprs}, evaluated as Flux does. */
  public enum FluxHealth {
    IN_PROGRESS,
    FAILED,
    CURRENT,
    /** An expression failed to evaluate (a missing top-level field): Flux fails the check. */
    ERROR
  }

  /** The expressions the docs give for both kinds (docs/gitops.md). */
  public record FluxExprs(String inProgress, String failed, String current) {}

  public static final FluxExprs FLUX =
      new FluxExprs(
          "has(status.conditions) && status.conditions.exists(c, c.type == 'Reconciling' &&"
              + " c.status == 'True')",
          "has(status.conditions) && status.conditions.exists(c, c.type == 'Stalled' && c.status"
              + " == 'True')",
          "has(status.conditions) && status.conditions.exists(c, c.type == 'Ready' && c.status =="
              + " 'True')");

  /**
   * Flux's order (RFC-0009, kustomize-controller): an observedGeneration that differs from the
   * generation is in progress; then inProgress, failed, current, each a CEL expression over the
   * object's top-level fields as variables, the first true one wins; none true is in progress; an
   * expression that cannot be evaluated fails the check.
   */
  public static FluxHealth flux(JsonNode object, FluxExprs exprs) throws Exception {
    Map<String, Object> variables = new HashMap<>();
    object
        .properties()
        .forEach(f -> variables.put(f.getKey(), JSON.convertValue(f.getValue(), Object.class)));
    JsonNode status = object.path("status");
    if (status.has("observedGeneration")
        && status.path("observedGeneration").asLong()
            != object.path("metadata").path("generation").asLong()) {
      return FluxHealth.IN_PROGRESS;
    }
    try {
      if (eval(exprs.inProgress(), variables)) {
        return FluxHealth.IN_PROGRESS;
      }
      if (eval(exprs.failed(), variables)) {
        return FluxHealth.FAILED;
      }
      if (eval(exprs.current(), variables)) {
        return FluxHealth.CURRENT;
      }
    } catch (dev.cel.common.CelValidationException | dev.cel.runtime.CelEvaluationException e) {
      return FluxHealth.ERROR;
    }
    return FluxHealth.IN_PROGRESS;
  }

  private static boolean eval(String expression, Map<String, Object> variables) throws Exception {
    var builder =
        CelCompilerFactory.standardCelCompilerBuilder()
            .setStandardMacros(CelStandardMacro.STANDARD_MACROS);
    for (String name : variables.keySet()) {
      builder.addVar(name, MapType.create(SimpleType.STRING, SimpleType.DYN));
    }
    CelCompiler compiler = builder.build();
    CelRuntime runtime = CelRuntimeFactory.standardCelRuntimeBuilder().build();
    return (Boolean) runtime.createProgram(compiler.compile(expression).getAst()).eval(variables);
  }
}
