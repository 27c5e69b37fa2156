package io.tcpteardown.testsupport;

import io.fabric8.kubernetes.client.http.AsyncBody;
import io.fabric8.kubernetes.client.http.HttpRequest;
import io.fabric8.kubernetes.client.http.HttpResponse;
import io.fabric8.kubernetes.client.http.Interceptor;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/** Every response a client got, as "METHOD path -> code", for asserting what a component did. */
public final class RequestLog implements Interceptor {
  /** One request and the status code of its response. */
  public record Exchange(String method, String path, String query, int code) {
    /** The RBAC verb the request needs, given the plural of the resource it went to. */
    public String verbOn(String resource) {
      boolean collection = path.endsWith("/" + resource);
      boolean watch = query != null && query.contains("watch=true");
      return switch (method) {
        case "GET" -> watch ? "watch" : collection ? "list" : "get";
        case "POST" -> "create";
        case "PUT" -> "update";
        case "PATCH" -> "patch";
        case "DELETE" -> "delete";
        default -> method.toLowerCase(java.util.Locale.ROOT);
      };
    }

    @Override
    public String toString() {
      return method + " " + path + (query == null ? "" : "?" + query) + " -> " + code;
    }
  }

  private final List<Exchange> exchanges = new CopyOnWriteArrayList<>();

  @Override
  public void after(
      HttpRequest request,
      HttpResponse<?> response,
      AsyncBody.Consumer<List<ByteBuffer>> consumer) {
    exchanges.add(
        new Exchange(
            request.method(), request.uri().getPath(), request.uri().getQuery(), response.code()));
  }

  public List<Exchange> exchanges() {
    return List.copyOf(exchanges);
  }

  /** Exchanges whose path contains {@code fragment}. */
  public List<Exchange> to(String fragment) {
    return exchanges.stream().filter(e -> e.path().contains(fragment)).toList();
  }

  /** Exchanges answered 401 or 403. */
  public List<Exchange> refused() {
    return exchanges.stream().filter(e -> e.code() == 401 || e.code() == 403).toList();
  }
}
