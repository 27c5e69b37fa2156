package io.tcpteardown.cli;

import java.io.PrintWriter;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

@Command(
    name = "probe",
    description = {
      "Fetches an HTTP URL and checks the answer: status 200 and, with --expect, the text in its body. The chart's"
          + " `helm test` runs it against the agent's /metrics.",
      "Exit 0 when the answer is as expected, 1 when it is not, 2 when nothing answered or on a usage error."
    })
public final class ProbeCommand implements Callable<Integer> {
  /** What is read of a body, at most: a scrape of one agent is far smaller. */
  static final int MAX_BODY = 4 * 1024 * 1024;

  @Spec CommandSpec spec;

  @Parameters(index = "0", paramLabel = "URL", description = "An http:// or https:// URL.")
  URI url;

  @Option(names = "--expect", paramLabel = "TEXT", description = "Text the body must contain.")
  String expect;

  @Option(
      names = "--timeout",
      defaultValue = "10s",
      converter = DurationConverter.class,
      description = "How long to wait for the whole answer (default ${DEFAULT-VALUE}).")
  Duration timeout;

  @Override
  public Integer call() {
    PrintWriter out = spec.commandLine().getOut();
    PrintWriter err = spec.commandLine().getErr();
    if (url.getScheme() == null || !url.getScheme().matches("https?")) {
      err.println("error: URL " + url + " is not http:// or https://; give a full URL");
      return ExitCodes.UNREADABLE;
    }
    HttpResponse<byte[]> response;
    try (HttpClient client = HttpClient.newBuilder().connectTimeout(timeout).build()) {
      response =
          client.send(
              HttpRequest.newBuilder(url).timeout(timeout).GET().build(),
              HttpResponse.BodyHandlers.ofByteArray());
    } catch (java.io.IOException e) {
      err.println("error: " + url + " did not answer: " + e.getMessage());
      return ExitCodes.UNREADABLE;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return ExitCodes.UNREADABLE;
    }
    byte[] body = response.body();
    String text =
        new String(
            body, 0, Math.min(body.length, MAX_BODY), java.nio.charset.StandardCharsets.UTF_8);
    if (response.statusCode() != 200) {
      out.println(url + ": HTTP " + response.statusCode() + ", expected 200");
      out.flush();
      return ExitCodes.REJECTED;
    }
    if (expect != null && !text.contains(expect)) {
      out.println(url + ": HTTP 200, but the answer does not contain \"" + expect + "\"");
      out.flush();
      return ExitCodes.REJECTED;
    }
    out.println(url + ": HTTP 200" + (expect == null ? "" : ", contains \"" + expect + "\""));
    out.flush();
    return ExitCodes.OK;
  }
}
