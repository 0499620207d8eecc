package dev.portolan.api.ports;

import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;

/**
 * The ports of a range by holder: {@code ours} (a listening socket of one of our processes: this process or one of
 * its descendants, i.e. our sidecars), {@code other} (anything else listening, or a port a loopback bind test found
 * in use) and {@code free}. One classification for the occupancy metrics and the occupancy chart.
 *
 * @param ours  ports held by our processes, ascending
 * @param other ports held by another process (or in use without a visible listener), ascending
 * @param free  free ports, ascending
 * @since 0.1.3
 */
public record PortOccupancy(List<Integer> ours, List<Integer> other, List<Integer> free) {

    public PortOccupancy {
        ours = List.copyOf(ours);
        other = List.copyOf(other);
        free = List.copyOf(free);
    }

    /** Classifies {@code ports} (a {@link PortInspector#inspect} result) with {@code ourPids} as "ours". */
    public static PortOccupancy of(List<PortStatus> ports, Set<Long> ourPids) {
        Set<Integer> ours = new TreeSet<>();
        Set<Integer> other = new TreeSet<>();
        Set<Integer> free = new TreeSet<>();
        for (PortStatus p : ports) {
            if (p.state() == PortStatus.State.FREE) {
                free.add(p.port());
            } else if (p.listeners().stream().anyMatch(l -> l.pid() != null && ourPids.contains(l.pid()))) {
                ours.add(p.port());
            } else {
                other.add(p.port());
            }
        }
        return new PortOccupancy(List.copyOf(ours), List.copyOf(other), List.copyOf(free));
    }

    /** This process and its live descendants: the processes whose sockets are "ours". */
    public static Set<Long> ourProcesses() {
        Set<Long> pids = new HashSet<>();
        ProcessHandle self = ProcessHandle.current();
        pids.add(self.pid());
        self.descendants().forEach(d -> pids.add(d.pid()));
        return pids;
    }
}
