import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.ArrayList;
import java.util.List;

/**
 * Teardown traffic for the real-cluster tests and the demo.
 *
 * <pre>
 * server PORT [--leak]          accept, read until the peer closes, then close (or, with --leak, never close)
 * client HOST[:PORT],... PORT PER_SECOND
 *                               connect to each target in turn, send a line, close first: TIME_WAIT on
 *                               the client's side when the server closes too, FIN_WAIT2 when it leaks
 * </pre>
 */
public final class TeardownApp {
  private static final List<Socket> NEVER_CLOSED = new ArrayList<>();

  public static void main(String[] args) throws Exception {
    switch (args.length > 0 ? args[0] : "") {
      case "server" -> server(Integer.parseInt(args[1]), args.length > 2 && args[2].equals("--leak"));
      case "client" -> client(args[1], Integer.parseInt(args[2]), Integer.parseInt(args[3]));
      default -> {
        System.err.println("usage: server PORT [--leak] | client HOST[:PORT],... PORT PER_SECOND");
        System.exit(2);
      }
    }
  }

  private static void server(int port, boolean leak) throws Exception {
    try (var listener = new ServerSocket()) {
      listener.setReuseAddress(true);
      listener.bind(new InetSocketAddress(port), 1024);
      System.out.println("listening on " + port + (leak ? ", never closing what peers close" : ""));
      while (true) {
        Socket socket = listener.accept();
        Thread.ofVirtual().start(() -> serve(socket, leak));
      }
    }
  }

  private static void serve(Socket socket, boolean leak) {
    try {
      InputStream in = socket.getInputStream();
      byte[] buffer = new byte[256];
      while (in.read(buffer) >= 0) {
        // read until the peer closes
      }
      if (leak) {
        synchronized (NEVER_CLOSED) {
          NEVER_CLOSED.add(socket); // the bug this app stands for: close() is never called
        }
      } else {
        socket.close();
      }
    } catch (Exception e) {
      try {
        socket.close();
      } catch (Exception ignored) {
        // already gone
      }
    }
  }

  private static void client(String hosts, int port, int perSecond) throws Exception {
    long pause = Math.max(1, 1000L / Math.max(1, perSecond));
    String[] targets = hosts.split(",");
    long made = 0;
    while (true) {
      String[] target = targets[(int) (made % targets.length)].split(":");
      String host = target[0];
      int targetPort = target.length > 1 ? Integer.parseInt(target[1]) : port;
      try (var socket = new Socket()) {
        socket.connect(new InetSocketAddress(host, targetPort), 2000);
        OutputStream out = socket.getOutputStream();
        out.write("hello\n".getBytes());
        out.flush();
        made++;
      } catch (Exception e) {
        System.out.println("connect to " + host + ":" + targetPort + " failed: " + e.getMessage());
        made++;
        Thread.sleep(1000);
      }
      if (made % 500 == 0 && made > 0) {
        System.out.println(made + " connections closed first");
      }
      Thread.sleep(pause);
    }
  }
}
