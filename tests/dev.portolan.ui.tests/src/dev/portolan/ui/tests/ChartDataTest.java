package dev.portolan.ui.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.time.Instant;
import java.util.List;

import org.junit.jupiter.api.Test;

import dev.portolan.api.PortRange;
import dev.portolan.api.Verification;
import dev.portolan.api.discovery.InstanceState;
import dev.portolan.api.discovery.InstanceStatus;
import dev.portolan.api.ports.PortOccupancy;
import dev.portolan.api.ports.PortStatus;
import dev.portolan.ui.internal.model.LatencyHistory;
import dev.portolan.ui.internal.model.LatencyHistory.Series;
import dev.portolan.ui.internal.model.OccupancyHistory;
import dev.portolan.ui.internal.model.TimeSeries;
import dev.portolan.ui.internal.model.TimeSeries.Points;

/** The charts' data without a display: the bounded time series, the latency and occupancy histories. */
class ChartDataTest {

    private static final Instant T0 = Instant.parse("2026-12-01T12:00:00Z");

    @Test
    void aFullSeriesOverwritesItsOldestPointsAndKeepsItsCapacity() {
        TimeSeries s = new TimeSeries(4, 1);
        for (int i = 0; i < 6; i++) {
            assertTrue(s.add(1000 * i, i));
        }
        assertEquals(4, s.size());
        assertEquals(4, s.capacity());
        assertEquals(List.of(2000L, 3000L, 4000L, 5000L), times(s.since(Long.MIN_VALUE)));
        assertEquals(2.0, s.value(0, 0));
        assertEquals(5.0, s.value(3, 0));
        assertThrows(IndexOutOfBoundsException.class, () -> s.time(4));
    }

    @Test
    void timesOnlyMoveForwardAndGapsAreNotRepeated() {
        TimeSeries s = new TimeSeries(8, 1);
        assertFalse(s.addGap(500), "no gap before the first point");
        assertTrue(s.add(1000, 1));
        assertFalse(s.add(999, 2), "older than the newest point");
        assertTrue(s.add(1000, 3), "same time is kept");
        assertTrue(s.addGap(1500));
        assertFalse(s.addGap(1600), "already a gap");
        assertTrue(s.isGap(2));
        assertEquals(3, s.size());
        assertThrows(IllegalArgumentException.class, () -> s.add(2000, 1, 2));
        assertThrows(IllegalArgumentException.class, () -> new TimeSeries(0, 1));
    }

    @Test
    void aWindowStartsWithThePointBeforeItUnlessThatIsAGap() {
        TimeSeries s = new TimeSeries(8, 1);
        s.add(1000, 1);
        s.add(2000, 2);
        s.add(3000, 3);
        assertEquals(List.of(2000L, 3000L), times(s.since(2500)), "the line enters from the left edge");
        assertEquals(List.of(1000L, 2000L, 3000L), times(s.since(1000)));
        s.addGap(3500);
        s.add(4000, 4);
        assertEquals(List.of(4000L), times(s.since(3800)), "a gap before the window is not drawn into it");
        assertEquals(0, s.since(5000).size());
    }

    @Test
    void latencyIsOnePointPerHealthCheckWithGapsWhileUnhealthyOrAbsent() {
        LatencyHistory h = new LatencyHistory(100, 8);
        InstanceStatus a1 = instance("default-1", InstanceState.HEALTHY, 3, T0);
        InstanceStatus b1 = instance("default-2", InstanceState.HEALTHY, 7, T0);
        assertTrue(h.record(List.of(a1, b1), T0));
        assertFalse(h.record(List.of(a1, b1), T0.plusMillis(100)), "the same checks again: nothing new");
        InstanceStatus a2 = instance("default-1", InstanceState.HEALTHY, 4, T0.plusSeconds(1));
        InstanceStatus b2 = instance("default-2", InstanceState.UNHEALTHY, 2000, T0.plusSeconds(1));
        assertTrue(h.record(List.of(a2, b2), T0.plusSeconds(1)));
        assertTrue(h.record(List.of(instance("default-1", InstanceState.HEALTHY, 5, T0.plusSeconds(2))),
                T0.plusSeconds(2)), "default-2 left the set");
        List<Series> all = h.since(T0);
        assertEquals(List.of("default-1", "default-2"), all.stream().map(Series::instanceId).toList());
        Points a = all.get(0).points();
        assertEquals(List.of(3.0, 4.0, 5.0), values(a));
        Points b = all.get(1).points();
        assertEquals(2, b.size(), "one check, then one gap (unhealthy; leaving the set adds no second gap)");
        assertEquals(7.0, b.value(0));
        assertTrue(Double.isNaN(b.value(1)));
        assertEquals(T0.plusSeconds(1).toEpochMilli(), b.times()[1], "the gap is at the failed check");
        assertEquals(List.of(7, 6), all.stream().map(Series::slot).toList(), "not launched (index 0): from the top");
    }

    /**
     * A launched instance's colour follows its index, not which one answered first: with two instances default-1 was
     * blue in one run of the product and orange in the next.
     */
    @Test
    void aLaunchedInstanceHasTheColourOfItsIndexWhicheverIsHealthyFirst() {
        LatencyHistory h = new LatencyHistory(10, 8);
        // a backend registered by someone else is healthy first (seen in the product: it took default-1's colour)
        h.record(List.of(instance("remote-a", InstanceState.HEALTHY, 9, T0)), T0);
        h.record(List.of(launched("default-2", 2, 5, T0.plusSeconds(1))), T0.plusSeconds(1));
        h.record(List.of(launched("default-2", 2, 5, T0.plusSeconds(2)), launched("default-1", 1, 4, T0.plusSeconds(2)),
                instance("remote-a", InstanceState.HEALTHY, 9, T0.plusSeconds(2))), T0.plusSeconds(2));
        List<Series> all = h.since(T0);
        assertEquals(List.of("default-1", "default-2", "remote-a"), all.stream().map(Series::instanceId).toList());
        assertEquals(List.of(0, 1, 7), all.stream().map(Series::slot).toList(),
                "launched by index; the others from the top");
        // an instance whose index's slot is taken gets the lowest free one
        h.record(List.of(launched("web-1", 1, 3, T0.plusSeconds(3))), T0.plusSeconds(3));
        assertEquals(2, h.since(T0).stream().filter(s -> s.instanceId().equals("web-1")).findFirst().orElseThrow()
                .slot());
    }

    @Test
    void theNumberOfSeriesIsBoundedAndAColourSlotIsReusedByTheNextInstance() {
        LatencyHistory h = new LatencyHistory(10, 2);
        h.record(List.of(instance("a", InstanceState.HEALTHY, 1, T0)), T0);
        h.record(List.of(instance("b", InstanceState.HEALTHY, 1, T0.plusSeconds(1))), T0.plusSeconds(1));
        h.record(List.of(instance("b", InstanceState.HEALTHY, 1, T0.plusSeconds(2)),
                instance("c", InstanceState.HEALTHY, 2, T0.plusSeconds(2))), T0.plusSeconds(2));
        assertEquals(2, h.seriesCount());
        List<Series> all = h.since(T0);
        assertEquals(List.of("b", "c"), all.stream().map(Series::instanceId).toList(), "a (the stalest) went");
        assertEquals(1, all.get(1).slot(), "c took a's colour slot");
        assertEquals(0, all.get(0).slot());
        assertEquals(List.of("b", "c"), h.since(T0.plusSeconds(2)).stream().map(Series::instanceId).toList());
    }

    @Test
    void occupancyCountsHoldersPerSampleAndStartsAgainForAnotherRange() {
        OccupancyHistory h = new OccupancyHistory(3);
        assertNull(h.latest());
        PortRange r = new PortRange(23100, 23104);
        List<PortStatus> ports = List.of(port(23100, 42L), port(23101, 4242L), port(23102, null),
                new PortStatus(23103, PortStatus.State.FREE, List.of()),
                new PortStatus(23104, PortStatus.State.IN_USE, List.of()));
        PortOccupancy o = PortOccupancy.of(ports, java.util.Set.of(42L));
        assertEquals(List.of(23100), o.ours());
        assertEquals(List.of(23101, 23102, 23104), o.other(), "another pid, an unseen owner, in use without listener");
        assertEquals(List.of(23103), o.free());
        for (int i = 0; i < 5; i++) {
            assertTrue(h.record(T0.plusSeconds(i), r, o));
        }
        assertFalse(h.record(T0, r, o), "older than the newest sample");
        OccupancyHistory.Window w = h.since(T0);
        assertEquals(3, w.points().size(), "capacity 3");
        assertEquals(1.0, w.points().values()[OccupancyHistory.OURS][2]);
        assertEquals(3.0, w.points().values()[OccupancyHistory.OTHER][2]);
        assertEquals(1.0, w.points().values()[OccupancyHistory.FREE][2]);
        PortRange other = new PortRange(23200, 23201);
        assertTrue(h.record(T0.plusSeconds(10), other, PortOccupancy.of(List.of(), java.util.Set.of())));
        assertEquals(1, h.since(T0).points().size(), "a new range starts a new history");
        assertEquals(other, h.latest().range());
    }

    private static PortStatus port(int port, Long pid) {
        return new PortStatus(port, PortStatus.State.LISTENING,
                List.of(new PortStatus.Listener("127.0.0.1", pid, pid == null ? null : "x")));
    }

    private static InstanceStatus launched(String id, int index, long latencyMillis, Instant checked) {
        return new InstanceStatus(id, index, "default", Instances.endpoint(23100 + index, null, Verification.CHALLENGE),
                InstanceState.HEALTHY, true, Duration.ofMillis(latencyMillis), checked, 0, null);
    }

    private static InstanceStatus instance(String id, InstanceState state, long latencyMillis, Instant checked) {
        return new InstanceStatus(id, 0, "default", Instances.endpoint(23100, null, Verification.CHALLENGE), state,
                false, Duration.ofMillis(latencyMillis), checked, 0, null);
    }

    private static List<Long> times(Points p) {
        return java.util.Arrays.stream(p.times()).boxed().toList();
    }

    private static List<Double> values(Points p) {
        return java.util.Arrays.stream(p.values()[0]).boxed().toList();
    }
}
