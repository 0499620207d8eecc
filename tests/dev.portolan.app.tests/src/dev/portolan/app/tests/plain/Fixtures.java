package dev.portolan.app.tests.plain;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

import dev.portolan.app.internal.plain.ComponentRuntime;

/**
 * Component classes for {@link ComponentRuntimeTest}, wired only by the descriptors the test writes (in the shape bnd
 * generates them). Each records what the runtime did to it in {@link #EVENTS}.
 */
public final class Fixtures {

    /** What happened, in order ("activate Clock", "bind Listener to Hub", ...). */
    public static final List<String> EVENTS = new CopyOnWriteArrayList<>();

    /** The runtime the calling-back components ask (set by the test before it asks for them). */
    public static volatile ComponentRuntime runtime;
    /** What the other thread of {@link SelfAskingGreeter} got: the greeter it asked for, once activation ended. */
    public static final CompletableFuture<Greeter> OTHER_THREAD_GOT = new CompletableFuture<>();

    /** How long a component waits for the answer from its other thread (a deadlock would end there). */
    static final long DEADLINE_SECONDS = 20;

    private Fixtures() {
    }

    /**
     * Asks the runtime for a clock on another thread during {@code activate} and waits for the answer, with a
     * deadline: under a runtime that activated under its lock, the other thread would block until the deadline.
     */
    public static final class CallingBackGreeter implements Greeter {
        private String clock;

        @Override
        public String greet() {
            return "hello, the other thread found " + clock;
        }

        void activate() throws Exception {
            CountDownLatch answered = new CountDownLatch(1);
            AtomicReference<Object> answer = new AtomicReference<>();
            Thread t = new Thread(() -> {
                try {
                    answer.set(runtime.service(Clock.class).map(Clock::name).orElse("no clock"));
                } catch (Throwable e) {
                    answer.set(e);
                } finally {
                    answered.countDown();
                }
            }, "calling-back-greeter");
            t.setDaemon(true);
            t.start();
            if (!answered.await(DEADLINE_SECONDS, TimeUnit.SECONDS)) {
                EVENTS.add("activate CallingBackGreeter: no answer from the other thread (deadlock)");
                throw new IllegalStateException("the runtime did not answer another thread during activate");
            }
            clock = String.valueOf(answer.get());
            EVENTS.add("activate CallingBackGreeter clock=" + clock);
        }
    }

    /**
     * Asks the runtime for itself on another thread during {@code activate}, without waiting: that thread must get
     * this instance, and only once its activation has completed.
     */
    public static final class SelfAskingGreeter implements Greeter {
        private volatile boolean activated;

        @Override
        public String greet() {
            return activated ? "activated" : "half-activated";
        }

        void activate() {
            Thread t = new Thread(() -> {
                try {
                    Greeter g = runtime.service(Greeter.class).orElseThrow();
                    EVENTS.add("other thread got " + g.greet());
                    OTHER_THREAD_GOT.complete(g);
                } catch (Throwable e) {
                    OTHER_THREAD_GOT.completeExceptionally(e);
                }
            }, "self-asking-greeter");
            t.setDaemon(true);
            t.start();
            EVENTS.add("activate SelfAskingGreeter");
            activated = true;
        }
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
