package dev.portolan.ports.internal;

import java.net.InetSocketAddress;
import java.nio.channels.ServerSocketChannel;

import dev.portolan.api.ports.PortReservation;
import dev.portolan.ports.ServerReservation;

/** The channel flavour of the API. */
final class ChannelReservation implements PortReservation {
    private final ServerReservation<ServerSocketChannel> held;

    ChannelReservation(ServerReservation<ServerSocketChannel> held) {
        this.held = held;
    }

    @Override
    public int port() {
        return held.port();
    }

    @Override
    public InetSocketAddress address() {
        return held.address();
    }

    @Override
    public boolean inRange() {
        return held.inRange();
    }

    @Override
    public ServerSocketChannel channel() {
        return held.server();
    }

    @Override
    public ServerSocketChannel takeChannel() {
        return held.takeServer();
    }

    @Override
    public void close() {
        held.close();
    }

    @Override
    public String toString() {
        return held.toString();
    }
}
