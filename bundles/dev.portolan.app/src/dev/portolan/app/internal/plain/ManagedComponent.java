package dev.portolan.app.internal.plain;

import java.lang.reflect.Constructor;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.util.ArrayList;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import dev.portolan.app.internal.plain.ComponentDescriptor.Reference;

/** One component of the {@link ComponentRuntime}: its state, its instance and what it is bound to. */
final class ManagedComponent {

    enum State {
        NEW, ACTIVATING, ACTIVE, UNSATISFIED, FAILED, UNSUPPORTED, DEACTIVATED
    }

    /** DS's ComponentConstants.DEACTIVATION_REASON_BUNDLE_STOPPED: the runtime ends with the process. */
    private static final int REASON_BUNDLE_STOPPED = 6;

    record Postponed(Reference reference, ManagedComponent provider) {
    }

    private final ComponentDescriptor descriptor;
    private final long id;
    private final Map<String, Object> serviceProperties;
    private final List<Postponed> postponed = new ArrayList<>(); // guarded by itself
    private volatile State state = State.NEW;
    private volatile String problem;
    private Object instance;
    private Constructor<?> constructor;
    private Method activate;
    private Method deactivate;

    ManagedComponent(ComponentDescriptor descriptor, long id) {
        this.descriptor = descriptor;
        this.id = id;
        Map<String, Object> p = new LinkedHashMap<>(descriptor.properties());
        p.put("component.id", id);
        p.put("service.id", id);
        p.put("objectClass", descriptor.services().toArray(new String[0]));
        this.serviceProperties = Collections.unmodifiableMap(p);
    }

    ComponentDescriptor descriptor() {
        return descriptor;
    }

    long id() {
        return id;
    }

    int ranking() {
        return serviceProperties.get("service.ranking") instanceof Integer i ? i : 0;
    }

    Map<String, Object> serviceProperties() {
        return serviceProperties;
    }

    State state() {
        return state;
    }

    String problem() {
        return problem;
    }

    Object instance() {
        return instance;
    }

    void activating() {
        state = State.ACTIVATING;
    }

    /** Back to NEW: activation met a cycle that may resolve once the other end is active. */
    void retryLater() {
        synchronized (postponed) {
            postponed.clear();
        }
        state = State.NEW;
    }

    void unsatisfied(String why) {
        fail(State.UNSATISFIED, why);
    }

    void unsupported(String why) {
        fail(State.UNSUPPORTED, why);
    }

    private void fail(State s, String why) {
        problem = why;
        state = s;
    }

    void bindLater(Reference r, ManagedComponent provider) {
        synchronized (postponed) {
            postponed.add(new Postponed(r, provider));
        }
    }

    /**
     * Loads the class and checks, before any reference is bound, that this runtime can create it as SCR would;
     * false (with the state saying why) when not.
     */
    boolean prepare(ClassLoader loader) {
        if (!descriptor.enabled()) {
            unsatisfied("disabled");
            return false;
        }
        try {
            if (descriptor.factory() != null || "require".equals(descriptor.configurationPolicy())) {
                throw new Injection.UnsupportedException(descriptor.factory() != null ? "a factory component"
                        : "needs a configuration");
            }
            Class<?> type = Class.forName(descriptor.implementation(), false, loader);
            constructor = Injection.constructor(type, descriptor);
            activate = Injection.lifecycle(type, descriptor.activate());
            deactivate = Injection.lifecycle(type, descriptor.deactivate());
            for (Reference r : descriptor.references()) {
                Injection.checkBind(type, r);
            }
            return true;
        } catch (Injection.UnsupportedException e) {
            unsupported(e.getMessage());
        } catch (ClassNotFoundException | LinkageError e) {
            unsupported("its class cannot be loaded on the plain class path: " + e);
        } catch (ReflectiveOperationException | RuntimeException e) {
            fail(State.FAILED, "cannot be created: " + e);
        }
        return false;
    }

    /**
     * Creates, binds and activates the instance; false (with the state saying why) when that fails. {@code bound}: the
     * providers of each of the descriptor's references (keyed by identity), bound in the descriptor's order.
     */
    boolean start(Map<Reference, List<ManagedComponent>> bound) {
        try {
            Map<Reference, Object> values = new IdentityHashMap<>();
            bound.forEach((r, providers) -> values.put(r, value(r, providers)));
            Object o = Injection.construct(constructor, descriptor, values);
            for (Reference r : descriptor.references()) {
                List<ManagedComponent> providers = bound.get(r);
                if (r.parameter() == null && providers != null) {
                    Injection.bind(o, r, values.get(r), providers);
                }
            }
            Injection.call(activate, o, serviceProperties, 0);
            instance = o;
            state = State.ACTIVE;
            return true;
        } catch (InvocationTargetException e) {
            fail(State.FAILED, "activation failed: " + e.getCause());
        } catch (ReflectiveOperationException | Injection.UnsupportedException | RuntimeException e) {
            fail(State.FAILED, "cannot be created: " + e);
        }
        return false;
    }

    /** The value a reference gets: the one service, null, or the list of services. */
    private static Object value(Reference r, List<ManagedComponent> providers) {
        if (r.multiple()) {
            List<Object> list = new ArrayList<>();
            providers.forEach(p -> list.add(p.instance()));
            return list;
        }
        return providers.isEmpty() ? null : providers.get(0).instance();
    }

    /** The postponed bindings, removed from this component. */
    List<Postponed> takePostponed() {
        synchronized (postponed) { // another thread may run the runtime's late binding
            List<Postponed> out = List.copyOf(postponed);
            postponed.clear();
            return out;
        }
    }

    /** Binds a postponed dynamic reference to its provider, which is active now. */
    void bindNow(Postponed p) {
        Reference r = p.reference();
        try {
            Object v = r.multiple() ? List.of(p.provider().instance()) : p.provider().instance();
            Injection.bind(instance, r, v, List.of(p.provider()));
        } catch (ReflectiveOperationException | Injection.UnsupportedException | RuntimeException e) {
            System.err.println("[portolan] " + descriptor.name() + ": cannot bind " + r.name() + ": " + e);
        }
    }

    void deactivate() {
        if (state != State.ACTIVE) {
            return;
        }
        state = State.DEACTIVATED;
        try {
            Injection.call(deactivate, instance, serviceProperties, REASON_BUNDLE_STOPPED);
        } catch (InvocationTargetException e) {
            System.err.println("[portolan] " + descriptor.name() + ": deactivation failed: " + e.getCause());
        } catch (ReflectiveOperationException | RuntimeException e) {
            System.err.println("[portolan] " + descriptor.name() + ": cannot deactivate: " + e);
        }
    }
}
