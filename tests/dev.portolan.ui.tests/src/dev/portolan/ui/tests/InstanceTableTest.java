package dev.portolan.ui.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.Test;

import dev.portolan.api.discovery.InstanceState;
import dev.portolan.api.launch.SidecarState;
import dev.portolan.ui.internal.model.InstanceRow;
import dev.portolan.ui.internal.model.InstanceTable;
import dev.portolan.ui.internal.model.InstanceTable.Managed;

/** The instances table's model, plain Java: the join of the instance set, the balancer's load and our launches. */
class InstanceTableTest {

    @Test
    void joinsTheSetWithLoadAndLaunchesSortedByIndex() {
        InstanceTable t = new InstanceTable();
        // delivered out of order: the table sorts by index
        t.instancesChanged(List.of(Instances.launched(3, 23103, 303, InstanceState.UNHEALTHY, 2),
                Instances.launched(1, 23101, 301, InstanceState.HEALTHY, 0),
                Instances.launched(2, 23102, 302, InstanceState.HEALTHY, 1)));
        t.loadChanged(List.of(Instances.load("default-1", 4, 120), Instances.load("default-2", 1, 80)));
        t.managedChanged(List.of(new Managed("default-2", 2, 9302L, 5, 23102, SidecarState.RUNNING)));
        List<InstanceRow> rows = t.rows();
        assertEquals(List.of("default-1", "default-2", "default-3"), rows.stream().map(InstanceRow::name).toList());
        InstanceRow one = rows.get(0);
        assertEquals(4, one.inFlight());
        assertEquals(120L, one.requests());
        assertEquals(301L, one.pid(), "the announced pid when the launcher has none");
        assertTrue(one.serving());
        InstanceRow two = rows.get(1);
        assertEquals(9302L, two.pid(), "the launcher's pid wins over the announcement's");
        assertEquals(5, two.restarts(), "the launcher's restart count when it knows more");
        InstanceRow three = rows.get(2);
        assertNull(three.inFlight(), "the balancer has not seen it");
        assertNull(three.requests());
        assertFalse(three.serving());
        assertEquals("health check failed: connection refused", three.message());
        assertEquals(new InstanceTable.Summary(2, 3), t.summary());
        assertEquals("2/3 healthy", t.summary().text());
    }

    @Test
    void onlyOurInstancesHaveALaunchIdAndAPortMatchJoinsATrackerThatDoesNotKnowOurIds() {
        InstanceTable t = new InstanceTable();
        // the single-instance tracker names the instance by its port; the backend service by its launch id
        t.instancesChanged(List.of(Instances.found(23105), Instances.found(23107)));
        t.managedChanged(List.of(new Managed("default-1", 1, 4242L, 0, 23105, SidecarState.RUNNING)));
        List<InstanceRow> rows = t.rows();
        assertEquals(2, rows.size(), rows::toString);
        InstanceRow ours = rows.stream().filter(r -> r.endpoint().port() == 23105).findFirst().orElseThrow();
        assertEquals("default-1", ours.launchId());
        assertEquals("default-1", ours.name());
        assertEquals(4242L, ours.pid());
        assertEquals(1, ours.index());
        InstanceRow other = rows.stream().filter(r -> r.endpoint().port() == 23107).findFirst().orElseThrow();
        assertFalse(other.launched(), "found by the scan: not ours");
        assertEquals("port-23107", other.name());
    }

    /** A stopped instance is checked no more: its last check's latency is not shown as if it were current. */
    @Test
    void aStoppedInstanceHasNoLatency() {
        InstanceTable t = new InstanceTable();
        t.instancesChanged(List.of(Instances.launched(1, 23101, 301, InstanceState.HEALTHY, 0),
                Instances.launched(2, 23102, 302, InstanceState.STOPPED, 0),
                Instances.launched(3, 23103, 303, InstanceState.GAVE_UP, 0)));
        List<InstanceRow> rows = t.rows();
        assertEquals(java.time.Duration.ofMillis(1), rows.get(0).latency());
        assertNull(rows.get(1).latency(), rows.get(1).toString());
        assertNull(rows.get(2).latency(), rows.get(2).toString());
    }

    @Test
    void aLaunchedInstanceNotInTheSetIsShownStartingOrGivenUp() {
        InstanceTable t = new InstanceTable();
        t.instancesChanged(List.of(Instances.launched(1, 23101, 301, InstanceState.HEALTHY, 0)));
        t.managedChanged(List.of(new Managed("default-2", 2, 502L, 0, null, SidecarState.STARTING),
                new Managed("default-3", 3, null, 5, null, SidecarState.FAILED)));
        List<InstanceRow> rows = t.rows();
        assertEquals(List.of(InstanceState.HEALTHY, InstanceState.STARTING, InstanceState.GAVE_UP),
                rows.stream().map(InstanceRow::state).toList());
        assertNull(rows.get(1).endpoint());
        assertTrue(rows.get(2).launched());
        assertEquals(new InstanceTable.Summary(1, 3), t.summary());
    }

    @Test
    void listenersAreToldOutsideTheLockAndOnlyOfChanges() throws Exception {
        InstanceTable t = new InstanceTable();
        AtomicInteger told = new AtomicInteger();
        t.addListener(() -> {
            told.incrementAndGet();
            // another thread reads the table while the listener runs: it would wait forever under the lock
            CompletableFuture<Integer> read = CompletableFuture.supplyAsync(() -> t.rows().size());
            try {
                read.get(30, TimeUnit.SECONDS);
            } catch (Exception e) {
                throw new AssertionError("the table was locked while it told its listener", e);
            }
        });
        t.instancesChanged(List.of(Instances.launched(1, 23101, 301, InstanceState.HEALTHY, 0)));
        assertEquals(1, told.get());
        t.loadChanged(List.of(Instances.load("default-1", 1, 1)));
        t.loadChanged(List.of(Instances.load("default-1", 1, 1)));
        assertEquals(2, told.get(), "the same load again is no change");
        t.actionMessage("Stop failed");
        t.actionMessage("Stop failed");
        assertEquals(3, told.get());
    }
}
