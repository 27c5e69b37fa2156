import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.ArrayList;
import java.util.List;

/**
 * A process that leaks CLOSE_WAIT: it connects N clients to its own loopback server, the server
 * closes its ends, and the clients are never closed. Prints "ready" when they are all in CLOSE_WAIT
 * and sleeps. Run inside a test network namespace: java LeakyClient.java N
 */
public class LeakyClient {
  public static void main(String[] args) throws Exception {
    int count = Integer.parseInt(args[0]);
    List<Socket> leaked = new ArrayList<>();
    try (ServerSocket server = new ServerSocket(0, 4096, InetAddress.getLoopbackAddress())) {
      for (int i = 0; i < count; i++) {
        Socket client = new Socket(InetAddress.getLoopbackAddress(), server.getLocalPort());
        server.accept().close();
        leaked.add(client);
      }
    }
    System.out.println("ready");
    System.out.flush();
    Thread.sleep(600_000);
    System.out.println(leaked.size());
  }
}
