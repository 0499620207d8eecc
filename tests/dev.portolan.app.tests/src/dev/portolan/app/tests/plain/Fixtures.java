package dev.portolan.app.tests.plain;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * Component classes for {@link ComponentRuntimeTest}, wired only by the descriptors the test writes (in the shape bnd
 * generates them). Each records what the runtime did to it in {@link #EVENTS}.
 */
public final class Fixtures {

    /** What happened, in order ("activate Clock", "bind Listener to Hub", ...). */
    public static final List<String> EVENTS = new CopyOnWriteArrayList<>();

    private Fixtures() {
    }

    public interface Clock {
        String name();
    }

    public interface Greeter {
        String greet();
    }

    public interface Listener {
    }

    public interface Hub {
        List<Listener> listeners();
    }

    public static final class SlowClock implements Clock {
        @Override
        public String name() {
            return "slow";
        }

        void activate() {
            EVENTS.add("activate SlowClock");
        }

        void deactivate() {
            EVENTS.add("deactivate SlowClock");
        }
    }

    public static final class FastClock implements Clock {
        @Override
        public String name() {
            return "fast";
        }

        void activate(Map<String, Object> props) {
            EVENTS.add("activate FastClock kind=" + props.get("kind"));
        }
    }

    /** Field reference. */
    public static final class FieldGreeter implements Greeter {
        private Clock clock;

        @Override
        public String greet() {
            return "hello at " + clock.name();
        }

        void deactivate(int reason) {
            EVENTS.add("deactivate FieldGreeter reason=" + reason);
        }
    }

    /** Constructor injection. */
    public static final class ConstructorGreeter implements Greeter {
        private final Clock clock;

        public ConstructorGreeter(Clock clock) {
            this.clock = clock;
        }

        @Override
        public String greet() {
            return "hi at " + clock.name();
        }
    }

    /** Multiple dynamic bind-method reference to listeners; the listener references the hub back (a cycle). */
    public static final class ListeningHub implements Hub {
        private final List<Listener> listeners = new ArrayList<>();

        void addListener(Listener l, Map<String, Object> props) {
            EVENTS.add("bind Listener ranking=" + props.get("service.ranking"));
            listeners.add(l);
        }

        void removeListener(Listener l) {
            listeners.remove(l);
        }

        @Override
        public List<Listener> listeners() {
            return listeners;
        }
    }

    public static final class HubListener implements Listener {
        private Hub hub;

        void activate() {
            EVENTS.add("activate HubListener hub=" + (hub != null));
        }
    }

    /** Needs a BundleContext in activate (SCR prefers it to the no-argument one): only OSGi can run it. */
    public static final class ContextGreeter implements Greeter {
        private Clock clock;

        @Override
        public String greet() {
            return "ctx " + clock;
        }

        void activate(org.osgi.framework.BundleContext context) {
            EVENTS.add("activate ContextGreeter");
        }

        public void activate() {
            EVENTS.add("activate ContextGreeter without context");
        }
    }
}
