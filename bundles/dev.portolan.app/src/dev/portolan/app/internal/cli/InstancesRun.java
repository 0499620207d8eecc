package dev.portolan.app.internal.cli;

import java.io.PrintStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

import dev.portolan.api.Subscription;
import dev.portolan.api.discovery.BackendService;
import dev.portolan.api.discovery.BackendService.ManagedInstance;
import dev.portolan.api.discovery.EndpointStatus;
import dev.portolan.api.launch.LaunchException;
import dev.portolan.api.launch.LaunchHandle;
import dev.portolan.api.launch.LaunchSpec;
import dev.portolan.api.launch.SidecarAnnouncement;
import dev.portolan.api.launch.SidecarListener;
import dev.portolan.api.launch.SidecarState;
import dev.portolan.core.protocol.AnnouncementCodec;

/**
 * {@code run --instances N} (issue 14): N instances of the command through the backend service, one JSON line (with
 * {@code instance}) per accepted announcement on stdout, each instance's state changes on stderr prefixed with its
 * id. An instance in a crash loop is reported and given up while the others keep serving; the command ends when every
 * instance has ended ({@link ExitCodes#CRASH_LOOP} when every one was given up) or on SIGINT/SIGTERM, which stop every
 * instance's process tree.
 */
final class InstancesRun {

    private final BackendService backend;
    private final AnnouncementCodec codec;
    private final PrintStream out;
    private final PrintStream err;
    private final Set<String> printed = ConcurrentHashMap.newKeySet();

    private final AtomicBoolean signalled;

    /** @param signalled set when Ctrl-C / SIGTERM ends the run (before the instances are stopped) */
    InstancesRun(BackendService backend, AnnouncementCodec codec, PrintStream out, PrintStream err,
            AtomicBoolean signalled) {
        this.backend = backend;
        this.codec = codec;
        this.out = out;
        this.err = err;
        this.signalled = signalled;
    }

    int run(LaunchSpec spec, int n) throws Exception {
        CompletableFuture<EndpointStatus> started = backend.start(spec, n);
        refused(started);
        List<ManagedInstance> instances = backend.managedInstances();
        if (instances.isEmpty()) {
            return RunCommand.failure(started, err); // the launch failed at once: the future carries the reason
        }
        Thread hook = new Thread(() -> {
            signalled.set(true);
            stopAll(instances);
        }, "portolan-run-shutdown");
        Runtime.getRuntime().addShutdownHook(hook);
        List<Subscription> listening = new ArrayList<>();
        try {
            for (ManagedInstance i : instances) {
                i.handle().logFile().ifPresent(f -> err.println("[portolan] " + i.instanceId() + " log: " + f));
                listening.add(i.handle().addListener(new Printer(i.instanceId())));
                i.handle().lastAnnouncement().ifPresent(a -> print(i.instanceId(), a));
                i.handle().announcement().thenAccept(a -> print(i.instanceId(), a));
            }
            CompletableFuture.allOf(instances.stream().map(i -> i.handle().exit().handle((c, e) -> c))
                    .toArray(CompletableFuture[]::new)).get();
            if (signalled.get()) {
                return ExitCodes.OK; // the JVM exits with 128+signal once the hooks are done
            }
            try {
                Runtime.getRuntime().removeShutdownHook(hook);
            } catch (IllegalStateException shuttingDown) {
                return ExitCodes.OK;
            }
            return exitCode(instances);
        } finally {
            listening.forEach(Subscription::close);
        }
    }

    /** {@code API_PORT} (or a fixed port) with several instances: a usage error naming the variable. */
    private static void refused(CompletableFuture<EndpointStatus> started) throws UsageException,
            InterruptedException {
        if (!started.isCompletedExceptionally()) {
            return;
        }
        try {
            started.get();
        } catch (ExecutionException e) {
            if (e.getCause() instanceof IllegalArgumentException refusal) {
                throw new UsageException(refusal.getMessage());
            }
        }
    }

    /**
     * Every instance has ended: {@link ExitCodes#CRASH_LOOP} when every one was given up after a crash loop, else the
     * exit code of the first (by index) that ended otherwise.
     */
    private int exitCode(List<ManagedInstance> instances) {
        boolean allGaveUp = instances.stream().allMatch(i -> i.handle().failure()
                .filter(f -> f.reason() == LaunchException.Reason.CRASH_LOOP).isPresent());
        if (allGaveUp) {
            err.println("portolan: all " + instances.size() + " instances were given up after crash loops");
            instances.forEach(i -> err.println("portolan: " + i.instanceId() + ": "
                    + i.handle().failure().map(Throwable::getMessage).orElse("")));
            return ExitCodes.CRASH_LOOP;
        }
        ManagedInstance first = instances.stream().filter(i -> i.handle().failure()
                .filter(f -> f.reason() == LaunchException.Reason.CRASH_LOOP).isEmpty()).findFirst().orElseThrow();
        err.println("portolan: every instance has ended; " + first.instanceId() + " is the first that was not given up:");
        int processExit = first.handle().exit().getNow(-1);
        return RunCommand.exitCode(first.handle(), processExit, err);
    }

    private void stopAll(List<ManagedInstance> instances) {
        long live = instances.stream().filter(i -> !i.handle().state().isTerminal()).count();
        if (live == 0) {
            return;
        }
        // the ones still running: an instance that exited or was given up has no tree left to stop
        err.println("[portolan] stopping the process " + (live == 1 ? "tree of 1 instance" : "trees of " + live
                + " instances") + (live < instances.size() ? " (" + (instances.size() - live) + " ended before)" : ""));
        long limitMs = instances.stream().mapToLong(i -> i.handle().spec().gracefulStopTimeout().toMillis()).max()
                .orElse(0) + 8000;
        try {
            // the handles themselves, as the single run does: nothing here may depend on services that shut down too
            CompletableFuture.allOf(instances.stream().map(i -> i.handle().stop()).toArray(CompletableFuture[]::new))
                    .get(limitMs, TimeUnit.MILLISECONDS);
        } catch (Exception e) {
            err.println("portolan: stop did not complete: " + e);
        }
    }

    private void print(String instanceId, SidecarAnnouncement a) {
        RunCommand.print(a, instanceId, printed, codec, out);
    }

    /** Prints one instance's announcements and state changes. */
    private final class Printer implements SidecarListener {
        private final String instanceId;

        Printer(String instanceId) {
            this.instanceId = instanceId;
        }

        @Override
        public void announced(LaunchHandle h, SidecarAnnouncement a) {
            print(instanceId, a);
        }

        @Override
        public void stateChanged(LaunchHandle h, SidecarState from, SidecarState to) {
            err.println("[portolan] " + instanceId + ": sidecar " + from + " -> " + to
                    + h.pid().stream().mapToObj(p -> " (pid " + p + ")").findFirst().orElse("")
                    + (to == SidecarState.FAILED ? h.failure().map(f -> ": " + f.getMessage()).orElse("") : ""));
        }
    }
}
