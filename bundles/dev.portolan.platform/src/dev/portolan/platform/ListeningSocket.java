package dev.portolan.platform;

/**
 * One listening TCP socket.
 *
 * @param address local address as the OS tool shows it, normalised: {@code 127.0.0.1}, {@code ::1},
 *                {@code 0.0.0.0}, {@code ::}
 * @param port    local port
 * @param pid     owning process, or {@code null} when the OS does not tell (another user's process)
 * @param command the owner's command line (or its name, when that is all the OS tells), or {@code null}
 */
public record ListeningSocket(String address, int port, Long pid, String command) {
}
