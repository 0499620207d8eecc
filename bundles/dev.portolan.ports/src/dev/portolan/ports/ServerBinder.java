package dev.portolan.ports;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.channels.ServerSocketChannel;
import java.util.Objects;

import dev.portolan.ports.internal.ChannelBinder;

/**
 * How the port finder binds a server during its scan, so that the server itself holds the port it is handed
 * (bind-and-hold without a close-and-rebind window). {@link #bind(InetSocketAddress)} must bind and listen on
 * exactly the given address; a {@link java.net.BindException} means "this port is taken, try the next one".
 *
 * @param <S> the server type, e.g. {@link ServerSocketChannel} or {@code com.sun.net.httpserver.HttpServer}
 */
public interface ServerBinder<S> {

    /** Binds (and listens) on {@code address}; port 0 asks the OS for a port. */
    S bind(InetSocketAddress address) throws IOException;

    /** The port the server is bound to (needed after an OS-assigned bind). */
    int localPort(S server) throws IOException;

    /** Closes the server and releases its socket; must not throw. */
    void close(S server);

    /** A binder for a plain {@link ServerSocketChannel} with the JDK's default backlog. */
    static ServerBinder<ServerSocketChannel> channel() {
        return channel(0);
    }

    /** A binder for a plain {@link ServerSocketChannel} with the given backlog (0: the JDK default). */
    static ServerBinder<ServerSocketChannel> channel(int backlog) {
        return new ChannelBinder(backlog);
    }

    /** Functional form of {@link #bind(InetSocketAddress)}. */
    @FunctionalInterface
    interface BindFunction<S> {
        S bind(InetSocketAddress address) throws IOException;
    }

    /** Functional form of {@link #localPort(Object)}. */
    @FunctionalInterface
    interface PortFunction<S> {
        int localPort(S server) throws IOException;
    }

    /** A binder from three functions. */
    static <S> ServerBinder<S> of(BindFunction<S> bind, PortFunction<S> port, java.util.function.Consumer<S> close) {
        Objects.requireNonNull(bind);
        Objects.requireNonNull(port);
        Objects.requireNonNull(close);
        return new ServerBinder<>() {
            @Override
            public S bind(InetSocketAddress address) throws IOException {
                return bind.bind(address);
            }

            @Override
            public int localPort(S server) throws IOException {
                return port.localPort(server);
            }

            @Override
            public void close(S server) {
                close.accept(server);
            }
        };
    }
}
