package dev.portolan.app.internal.plain;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

import dev.portolan.app.internal.plain.ComponentDescriptor.Reference;

/**
 * A small, generic Declarative Services runtime for a plain class path: it reads the bnd-generated component
 * descriptors and, when a service is asked for, activates the best-ranked component that provides it, first binding
 * its references to other components by service interface only (like SCR's delayed components). It knows no
 * particular component; whatever the descriptors say is wired. It never starts threads of its own.
 * <p>
 * Supported: no-argument and constructor injection, field and bind-method references of every cardinality, target
 * filters, service ranking, activate/deactivate methods without arguments or with the component properties. A
 * component that needs more of OSGi (its {@code BundleContext} or {@code ComponentContext}, configuration, factory
 * components) makes the service {@linkplain NotOnPlainClassPathException not available here}: the caller then runs
 * in a real OSGi framework instead.
 * <p>
 * Component code (class initialisation, constructors, bind and activate methods) never runs under the runtime's
 * lock: the lock only guards state changes. The thread that takes a component from NEW to ACTIVATING owns its
 * activation; a second thread asking for it waits until it is complete (never sees it half-bound), unless that would
 * close a circle of threads waiting for each other's components, which counts as a cycle (as within one thread). So
 * an {@code activate} that asks the runtime for another service from another thread, and waits for the answer, does
 * not deadlock.
 */
public final class ComponentRuntime {

    /**
     * Highest service ranking first, then the lower component id (the order SCR gives equally ranked services). One
     * lambda of this class rather than {@code Comparator.comparingInt(...).reversed().thenComparingLong(...)}: the
     * JDK's own lambdas there are spun at run time in every headless command, outside its class archive.
     */
    private static final Comparator<ManagedComponent> BEST_RANKED_FIRST = (a, b) -> a.ranking() != b.ranking()
            ? Integer.compare(b.ranking(), a.ranking())
            : Long.compare(a.id(), b.id());

    private final ClassLoader loader;
    private final List<ManagedComponent> components = new ArrayList<>();
    private final List<ManagedComponent> active = new ArrayList<>(); // guarded by lock, in activation order
    private final Object lock = new Object();
    /** The thread activating each ACTIVATING component (guarded by lock). */
    private final Map<ManagedComponent, Thread> owners = new HashMap<>();
    /** The ACTIVATING component each waiting thread waits for (guarded by lock). */
    private final Map<Thread, ManagedComponent> waiting = new HashMap<>();

    private ComponentRuntime(ClassLoader loader, List<ComponentDescriptor> descriptors) {
        this.loader = loader;
        long id = 1;
        for (ComponentDescriptor d : descriptors) {
            components.add(new ManagedComponent(d, id++));
        }
    }

    /** Reads the descriptors (resource names, e.g. {@code OSGI-INF/x.y.Z.xml}) through {@code loader}. */
    public static ComponentRuntime load(ClassLoader loader, List<String> descriptorResources) throws IOException {
        List<ComponentDescriptor> all = new ArrayList<>();
        for (String resource : descriptorResources) {
            try (InputStream in = loader.getResourceAsStream(resource)) {
                if (in == null) {
                    throw new IOException("component descriptor " + resource + " is not on the class path");
                }
                all.addAll(DescriptorReader.read(new String(in.readAllBytes(), StandardCharsets.UTF_8), resource));
            }
        }
        return new ComponentRuntime(loader, all);
    }

    /** A runtime for descriptors already read ({@link DescriptorReader}); classes load through {@code loader}. */
    public static ComponentRuntime of(ClassLoader loader, List<ComponentDescriptor> descriptors) {
        return new ComponentRuntime(loader, descriptors);
    }

    /** The descriptors this runtime knows. */
    public List<ComponentDescriptor> descriptors() {
        return components.stream().map(ManagedComponent::descriptor).toList();
    }

    /**
     * The best-ranked service of {@code type}, activating its component (and what it references) when needed; empty
     * when no component provides it or none can be satisfied ({@link #problems(Class)} says why).
     *
     * @throws NotOnPlainClassPathException when a provider needs a real OSGi framework
     */
    public <T> Optional<T> service(Class<T> type) throws NotOnPlainClassPathException {
        return service(type, null);
    }

    /**
     * The best-ranked service of {@code type} whose component properties match the LDAP {@code filter} (null: any),
     * as {@link #service(Class)}.
     */
    public <T> Optional<T> service(Class<T> type, String filter) throws NotOnPlainClassPathException {
        List<ManagedComponent> providers = providers(type.getName(), filter, null);
        for (ManagedComponent c : providers) {
            Object o = activate(c);
            if (o != null) {
                bindLate();
                return Optional.of(type.cast(o));
            }
        }
        for (ManagedComponent c : providers) {
            if (c.state() == ManagedComponent.State.UNSUPPORTED) {
                throw new NotOnPlainClassPathException(c.descriptor().name() + ": " + c.problem());
            }
        }
        return Optional.empty();
    }

    /** Why no service of {@code type} could be activated: one entry per provider that failed. */
    public List<String> problems(Class<?> type) {
        List<String> out = new ArrayList<>();
        for (ManagedComponent c : providers(type.getName(), null, null)) {
            if (c.problem() != null) {
                out.add(c.descriptor().name() + ": " + c.problem());
            }
        }
        return out;
    }

    /** Deactivates every active component, the last activated first (as SCR does when the framework stops). */
    public void close() {
        List<ManagedComponent> toStop;
        synchronized (lock) {
            toStop = new ArrayList<>(active);
            active.clear();
        }
        for (int i = toStop.size() - 1; i >= 0; i--) {
            toStop.get(i).deactivate();
        }
    }

    /** Enabled components providing {@code service} (matching {@code target}), best ranking first. */
    private List<ManagedComponent> providers(String service, String target, ManagedComponent except) {
        List<ManagedComponent> out = new ArrayList<>();
        for (ManagedComponent c : components) {
            if (c != except && c.descriptor().services().contains(service)
                    && (target == null || TargetFilter.matches(target, c.serviceProperties()))) {
                out.add(c);
            }
        }
        out.sort(BEST_RANKED_FIRST);
        return out;
    }

    /**
     * Activates {@code c} (outside the lock); null when it cannot be satisfied or is being activated by this thread
     * or by one that waits for this thread (a cycle). Waits while another thread activates it.
     */
    private Object activate(ManagedComponent c) {
        Thread me = Thread.currentThread();
        synchronized (lock) {
            boolean interrupted = false;
            try {
                // (an ACTIVATING component without an owner: its activation ended by an Error; treated as a cycle)
                while (c.state() == ManagedComponent.State.ACTIVATING && owners.containsKey(c)) {
                    if (waitsFor(owners.get(c), me)) {
                        return null; // a cycle
                    }
                    waiting.put(me, c);
                    try {
                        lock.wait();
                    } catch (InterruptedException e) {
                        interrupted = true; // activation is not interruptible (as SCR's): keep the flag for the caller
                    } finally {
                        waiting.remove(me);
                    }
                }
            } finally {
                if (interrupted) {
                    me.interrupt();
                }
            }
            switch (c.state()) {
                case ACTIVE:
                    return c.instance();
                case NEW:
                    break;
                default: // ACTIVATING (a cycle), UNSATISFIED, FAILED, UNSUPPORTED, DEACTIVATED
                    return null;
            }
            c.activating();
            owners.put(c, me);
        }
        try {
            return activateOwned(c);
        } finally {
            synchronized (lock) {
                owners.remove(c);
                if (c.state() == ManagedComponent.State.ACTIVE) {
                    active.add(c);
                }
                lock.notifyAll();
            }
        }
    }

    /** Whether {@code owner} is {@code me}, or waits (through other threads) for a component {@code me} activates. */
    private boolean waitsFor(Thread owner, Thread me) {
        Set<Thread> seen = new HashSet<>();
        for (Thread t = owner; t != null && seen.add(t);) {
            if (t == me) {
                return true;
            }
            ManagedComponent w = waiting.get(t);
            t = w == null ? null : owners.get(w);
        }
        return false;
    }

    /** Activates {@code c}, which this thread owns (ACTIVATING); runs component code, so never under the lock. */
    private Object activateOwned(ManagedComponent c) {
        if (!c.prepare(loader)) {
            return null;
        }
        // keyed by the descriptor's own references, by identity: a record's hashCode spins method handles on its
        // first use, milliseconds of a cold headless command (docs/performance.md, "Twenty-second round")
        Map<Reference, List<ManagedComponent>> bound = new IdentityHashMap<>();
        for (Reference r : c.descriptor().references()) {
            List<ManagedComponent> got = new ArrayList<>();
            boolean unsupported = false;
            boolean cycle = false;
            for (ManagedComponent p : providers(r.service(), r.target(), c)) {
                if (activate(p) != null) {
                    got.add(p);
                } else if (p.state() == ManagedComponent.State.ACTIVATING || p.state() == ManagedComponent.State.NEW) {
                    cycle = true; // p is being activated, or waits for something that is
                    if (r.dynamic()) {
                        c.bindLater(r, p); // bound once both are active, as SCR binds a dynamic reference later
                    }
                } else if (p.state() == ManagedComponent.State.UNSUPPORTED) {
                    unsupported = true;
                }
                if (!got.isEmpty() && !r.multiple()) {
                    break;
                }
            }
            if (got.isEmpty() && !r.optional()) {
                String why = "no " + r.service() + " for its reference '" + r.name() + "'";
                if (unsupported) {
                    c.unsupported(why + " (its providers need a real OSGi framework)");
                } else if (cycle) {
                    c.retryLater(); // a static cycle: may be satisfied once the other end is active
                } else {
                    c.unsatisfied(why);
                }
                return null;
            }
            bound.put(r, got);
        }
        return c.start(bound) ? c.instance() : null;
    }

    /** Binds what cycles postponed, now that the other end is active (outside the lock: bind methods run). */
    private void bindLate() {
        boolean progress = true;
        while (progress) {
            progress = false;
            List<ManagedComponent> now;
            synchronized (lock) {
                now = new ArrayList<>(active);
            }
            for (ManagedComponent c : now) {
                for (ManagedComponent.Postponed p : c.takePostponed()) {
                    if (activate(p.provider()) != null) {
                        c.bindNow(p);
                        progress = true;
                    }
                }
            }
        }
    }
}
