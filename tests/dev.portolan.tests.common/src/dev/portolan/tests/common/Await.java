package dev.portolan.tests.common;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Predicate;
import java.util.function.Supplier;

/** Waiting helpers with deadlines (never sleeping). */
public final class Await {

    private Await() {
    }

    /** The future's value, or an AssertionError naming {@code what} after {@code timeout}. */
    public static <T> T result(Future<T> future, Duration timeout, String what) {
        return result(future, timeout, () -> what);
    }

    /** The same, with what was awaited said as the wait ends (what it names may have changed meanwhile). */
    public static <T> T result(Future<T> future, Duration timeout, Supplier<String> what) {
        try {
            return future.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            throw new AssertionError(what.get() + ": not done within " + timeout, e);
        } catch (ExecutionException e) {
            throw new AssertionError(what.get() + ": failed: " + e.getCause(), e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(what.get() + ": interrupted", e);
        }
    }

    /**
     * Returns once {@code file} exists and {@code ready} says so, looking again at each event of {@code watch} (which
     * watches the file's folder, registered before the file can appear); else an AssertionError saying {@code what}
     * after {@code timeout}. The folder's change notifications, not a poll.
     */
    public static void file(java.nio.file.WatchService watch, java.nio.file.Path file,
            java.util.concurrent.Callable<Boolean> ready, Duration timeout, Supplier<String> what) throws Exception {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!java.nio.file.Files.exists(file) || !ready.call()) {
            java.nio.file.WatchKey key = watch.poll(deadline - System.nanoTime(), TimeUnit.NANOSECONDS);
            if (key == null) {
                throw new AssertionError(what.get() + " within " + timeout);
            }
            key.pollEvents();
            key.reset();
        }
    }

    /**
     * Records values pushed by a listener, in order, and waits for one matching a predicate (also one already
     * recorded).
     */
    public static final class Recorder<T> implements java.util.function.Consumer<T> {
        private final List<T> values = new CopyOnWriteArrayList<>();
        private final List<Waiter<T>> waiters = new CopyOnWriteArrayList<>();

        private record Waiter<T>(Predicate<T> match, CompletableFuture<T> found) {
        }

        @Override
        public void accept(T value) {
            values.add(value);
            for (Waiter<T> w : waiters) {
                if (w.match().test(value)) {
                    w.found().complete(value);
                }
            }
        }

        public List<T> values() {
            return List.copyOf(values);
        }

        /** Waits for a value recorded from now on or already recorded after index {@code from}. */
        public T await(int from, Predicate<T> match, Duration timeout, String what) {
            Waiter<T> w = new Waiter<>(match, new CompletableFuture<>());
            waiters.add(w);
            try {
                List<T> snapshot = values();
                for (int i = from; i < snapshot.size(); i++) {
                    if (match.test(snapshot.get(i))) {
                        w.found().complete(snapshot.get(i));
                        break;
                    }
                }
                // the values when the wait ended (taken before it, a timed-out wait listed none of what came meanwhile)
                return result(w.found(), timeout, () -> what + " (values so far: " + values() + ")");
            } finally {
                waiters.remove(w);
            }
        }

        public T await(Predicate<T> match, Duration timeout, String what) {
            return await(0, match, timeout, what);
        }

        public int size() {
            return values.size();
        }
    }
}
