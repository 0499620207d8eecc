package dev.portolan.api.ports;

import java.util.List;

import dev.portolan.api.PortRange;

/**
 * Tells who holds the ports of a range: the listening sockets (on Linux from {@code /proc/net/tcp*}) and their owning
 * processes (from {@code /proc/<pid>/fd}); elsewhere a loopback bind test. Read-only: it never binds a port that is
 * in use and never kills anything.
 */
public interface PortInspector {

    List<PortStatus> inspect(PortRange range);
}
