package dev.portolan.ports.internal;

import java.io.IOException;
import java.lang.System.Logger.Level;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.StandardProtocolFamily;
import java.net.StandardSocketOptions;
import java.net.UnknownHostException;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;

import dev.portolan.api.Announcement;

/** The loopback addresses the finder binds, and its IPv6 twin: whether [::1] exists here, and holding a port on it. */
final class Loopback {

    static final InetAddress V4 = literal(new byte[] { 127, 0, 0, 1 });
    static final InetAddress V6 = literal(new byte[] { 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1 });
    private static volatile Boolean ipv6;

    private Loopback() {
    }

    /**
     * Binds the [::1] twin of {@code port} without listening: a plain TCP socket that is bound but neither listens
     * nor connects. Without {@code SO_REUSEADDR} nobody else can bind [::1]:port while we hold it, and a client that
     * resolves {@code localhost} to ::1 first is refused at once (no listener, so the kernel answers with a reset)
     * and falls back to 127.0.0.1, instead of hanging in a backlog nobody ever accepts from.
     */
    static SocketChannel holdV6(int port) throws IOException {
        SocketChannel ch = SocketChannel.open(StandardProtocolFamily.INET6);
        try {
            ch.setOption(StandardSocketOptions.SO_REUSEADDR, false);
            ch.bind(new InetSocketAddress(V6, port));
            return ch;
        } catch (IOException | RuntimeException e) {
            ch.close();
            throw e;
        }
    }

    /** Whether [::1] can be bound on this machine (checked once). */
    static boolean ipv6Available() {
        Boolean v = ipv6;
        if (v == null) {
            try (ServerSocketChannel ch = ServerSocketChannel.open(StandardProtocolFamily.INET6)) {
                ch.bind(new InetSocketAddress(V6, 0));
                v = true;
            } catch (IOException | UnsupportedOperationException e) {
                PortsLog.get().log(Level.DEBUG, "no IPv6 loopback (" + e + "): ports are checked on 127.0.0.1 only");
                v = false;
            }
            ipv6 = v;
        }
        return v;
    }

    static String hostPort(InetAddress a, int port) {
        return Announcement.authority(a.getHostAddress(), port);
    }

    private static InetAddress literal(byte[] b) {
        try {
            return InetAddress.getByAddress(b);
        } catch (UnknownHostException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    static void closeQuietly(SocketChannel ch) {
        if (ch != null) {
            try {
                ch.close();
            } catch (IOException ignored) {
                // nothing to release
            }
        }
    }
}
