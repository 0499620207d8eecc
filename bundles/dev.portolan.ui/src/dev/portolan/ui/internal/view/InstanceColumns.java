package dev.portolan.ui.internal.view;

import java.util.Comparator;
import java.util.List;
import java.util.function.Function;

import dev.portolan.core.registry.RemoteInstances;
import dev.portolan.ui.internal.model.InstanceRow;

/** The columns of the instances table: title, width, cell text and sort order (the view only formats). */
public final class InstanceColumns {

    /** One column. */
    public record Column(String title, int width, Function<InstanceRow, String> text, Comparator<InstanceRow> order) {
    }

    private static final String NONE = "–";
    private static final Comparator<InstanceRow> BY_INDEX = Comparator.comparingInt(InstanceRow::index)
            .thenComparing(InstanceRow::instanceId);

    /**
     * {@code local} for a loopback URL, {@code remote} for an instance on another machine (only ever from a registry
     * the user configured, docs/registry.md), as {@code ./portolan list}'s WHERE column.
     */
    public static String where(InstanceRow r) {
        return r.endpoint() == null ? NONE : RemoteInstances.isLoopback(r.endpoint().baseUrl()) ? "local" : "remote";
    }

    /**
     * How the instance's endpoint was found: {@code announcement}, {@code output} or {@code process} for one we launched
     * (the launcher's adoption; {@code run}'s {@code found_by}), else the discovery source ({@code scan}, {@code cache},
     * {@code registry}, {@code override}, ...).
     */
    public static String foundBy(InstanceRow r) {
        return r.endpoint() == null ? NONE : r.endpoint().source();
    }

    /** instance, port, pid, state, verification, latency, in-flight, requests, restarts, where, found by. */
    public static final List<Column> ALL = List.of(
            new Column("Instance", 130, InstanceRow::name, BY_INDEX),
            new Column("Port", 60, r -> r.endpoint() == null ? NONE : Integer.toString(r.endpoint().port()),
                    nullsLast(r -> r.endpoint() == null ? null : r.endpoint().port())),
            new Column("PID", 70, r -> r.pid() == null ? NONE : Long.toString(r.pid()), nullsLast(InstanceRow::pid)),
            new Column("State", 110, r -> r.state().id() + (r.ejected() ? " (ejected)" : ""),
                    Comparator.comparing(InstanceRow::state).thenComparing(BY_INDEX)),
            new Column("Verification", 170,
                    r -> r.endpoint() == null ? NONE : VerificationText.of(r.endpoint().verification()),
                    Comparator.comparing((InstanceRow r) -> r.endpoint() == null ? ""
                            : r.endpoint().verification().name()).thenComparing(BY_INDEX)),
            new Column("Latency", 70, r -> r.latency() == null ? NONE : Formats.millis(r.latency()),
                    nullsLast(InstanceRow::latency)),
            new Column("In-flight", 65, r -> r.inFlight() == null ? NONE : Integer.toString(r.inFlight()),
                    nullsLast(InstanceRow::inFlight)),
            new Column("Requests", 75, r -> r.requests() == null ? NONE : Long.toString(r.requests()),
                    nullsLast(InstanceRow::requests)),
            new Column("Restarts", 65, r -> Integer.toString(r.restarts()),
                    Comparator.comparingInt(InstanceRow::restarts).thenComparing(BY_INDEX)),
            new Column("Where", 60, InstanceColumns::where, Comparator.comparing(InstanceColumns::where)
                    .thenComparing(BY_INDEX)),
            new Column("Found by", 95, InstanceColumns::foundBy, Comparator.comparing(InstanceColumns::foundBy)
                    .thenComparing(BY_INDEX)));

    private InstanceColumns() {
    }

    /** Ascending, unknown values last, then by index. */
    private static <C extends Comparable<? super C>> Comparator<InstanceRow> nullsLast(Function<InstanceRow, C> key) {
        return Comparator.comparing(key, Comparator.nullsLast(Comparator.<C>naturalOrder())).thenComparing(BY_INDEX);
    }
}
