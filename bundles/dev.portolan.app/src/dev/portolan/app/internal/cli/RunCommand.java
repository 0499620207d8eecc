package dev.portolan.app.internal.cli;

import java.io.PrintStream;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import com.fasterxml.jackson.databind.node.ObjectNode;

import dev.portolan.api.Announcement;
import dev.portolan.api.EnvironmentVariables;
import dev.portolan.api.Subscription;
import dev.portolan.api.discovery.BackendService;
import dev.portolan.api.discovery.EndpointStatus;
import dev.portolan.api.discovery.EndpointTracker;
import dev.portolan.api.discovery.PortolanSettings;
import dev.portolan.api.discovery.SettingsService;
import dev.portolan.api.feed.EventFeed;
import dev.portolan.api.feed.FeedAddress;
import dev.portolan.api.launch.AdoptionPolicy;
import dev.portolan.api.launch.LaunchException;
import dev.portolan.api.launch.LaunchHandle;
import dev.portolan.api.launch.LaunchSpec;
import dev.portolan.api.launch.RestartPolicy;
import dev.portolan.api.launch.SidecarAnnouncement;
import dev.portolan.api.launch.SidecarListener;
import dev.portolan.api.launch.SidecarState;
import dev.portolan.core.discovery.Troubleshooting;
import dev.portolan.core.json.JsonText;
import dev.portolan.core.protocol.AnnouncementCodec;

/**
 * {@code run [--timeout D] [--restart] [--assign-port] [--reload-on PATH]... [--no-adopt] [--health-path P] [--output-pattern RE]... -- COMMAND [ARGS...]}:
 * launches the command as a sidecar through the backend service (so the discovery service and the endpoint tracker
 * follow it and recover it), prints every accepted announcement on stdout as one JSON line (with {@code found_by}),
 * and state changes and diagnostics on stderr. Servers that do not announce are adopted through their output and
 * their process tree's listening sockets unless {@code --no-adopt} (docs/launcher.md, "Adoption"); {@code --assign-port}
 * (also on when an argument contains {@code {port}}) leases a port and passes it as {@code API_PORT}, {@code PORT} and
 * {@code {port}}; {@code --reload-on PATH} restarts the sidecar gracefully when files under PATH change (RELOADING). Runs until the backend is
 * gone for good or the process gets SIGINT/SIGTERM, which stop the whole process tree.
 */
final class RunCommand implements Command {

    static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(30);

    @Override
    public String usage() {
        return "run [--instances N] [--service S] [--timeout DURATION] [--restart] [--feed] [--assign-port] [--reload-on PATH]... [--no-adopt] [--health-path PATH] [--output-pattern REGEX]... "
                + "-- COMMAND [ARGS...]";
    }

    @Override
    public int run(Args args, PrintStream out, PrintStream err) throws Exception {
        boolean restart = args.flag("--restart");
        boolean feed = args.flag("--feed");
        boolean assignPort = args.flag("--assign-port");
        List<java.nio.file.Path> reloadOn = new java.util.ArrayList<>();
        for (String p = args.option("--reload-on"); p != null; p = args.option("--reload-on")) {
            reloadOn.add(java.nio.file.Path.of(p));
        }
        String timeoutText = args.option("--timeout");
        String healthPath = args.option("--health-path");
        AdoptionPolicy adoption = adoption(args, healthPath);
        int instances = instances(args.option("--instances"));
        String service = args.service();
        args.noMore();
        List<String> command = args.afterDashDash();
        if (command.isEmpty()) {
            throw new UsageException("no command given after --");
        }
        Duration flagTimeout = timeoutText == null ? null : Args.duration("--timeout", timeoutText);

        // first, before anything is printed: on the plain class path this hands the command over to the OSGi
        // runtime, which the backend service needs (PlainMain); a warning printed before it made run fail (exit 20)
        BackendService backend = CliServices.get(BackendService.class);
        CliServices.requireValidEnvironment();
        if (feed) { // issue 16: serve the event feed while running
            FeedAddress f = CliServices.get(EventFeed.class).start();
            err.println("[portolan] feed: " + f.events() + " (url + token in " + f.file() + ")");
        }
        // --timeout, else PORTOLAN_START_TIMEOUT, else the start-timeout setting, else 30 s; API_PORT=N: the backend
        // service tells the sidecar N
        SettingsService settingsService = CliServices.get(SettingsService.class);
        for (String w : settingsService.warnings()) { // a bad output pattern or health path: ignored, said
            err.println("portolan: warning: " + w);
        }
        PortolanSettings settings = settingsService.effective();
        Duration timeout = flagTimeout != null ? flagTimeout : settings.startTimeout();
        // the sidecar allocates from the range discovery scans (also when it comes from the settings file)
        LaunchSpec.Builder builder = LaunchSpec.builder(command).announcementTimeout(timeout)
                .env(EnvironmentVariables.PORTOLAN_PORT_RANGE, settings.range().toString())
                .restartPolicy(restart ? RestartPolicy.DEFAULT : RestartPolicy.NEVER)
                .adoption(withSettings(adoption, healthPath != null, settings)).assignPort(assignPort)
                .reloadOn(reloadOn);
        if (service != null) {
            builder.env(EnvironmentVariables.PORTOLAN_SERVICE, service);
        }
        LaunchSpec spec = builder.build();
        EndpointTracker tracker = CliServices.get(EndpointTracker.class);
        AnnouncementCodec codec = AnnouncementCodec.standard();

        // Ctrl-C / SIGTERM: the user ends the run; what the tracker makes of the sidecars' stop (UNAVAILABLE, or
        // another registered instance of the service taking over) is no news for them
        java.util.concurrent.atomic.AtomicBoolean signalled = new java.util.concurrent.atomic.AtomicBoolean();
        RunEndpointLines endpointLines = new RunEndpointLines(err, tracker.current().sequence(), signalled);
        try (Subscription endpointLog = tracker.addListener(endpointLines::changed)) {
            if (instances > 1) {
                return new InstancesRun(backend, codec, out, err, signalled).run(spec, instances);
            }
            CompletableFuture<EndpointStatus> started = backend.start(spec);
            LaunchHandle handle = backend.sidecar().orElse(null);
            if (handle == null) {
                // the launch failed synchronously: the future carries the reason
                return failure(started, err);
            }
            handle.logFile().ifPresent(f -> err.println("[portolan] log: " + f)); // docs/launcher.md, "Log files"
            Set<String> printed = ConcurrentHashMap.newKeySet();
            SidecarListener printer = new SidecarListener() {
                @Override
                public void announced(LaunchHandle h, SidecarAnnouncement a) {
                    print(a, null, printed, codec, out);
                }

                @Override
                public void stateChanged(LaunchHandle h, SidecarState from, SidecarState to) {
                    err.println("[portolan] sidecar " + from + " -> " + to
                            + h.pid().stream().mapToObj(p -> " (pid " + p + ")").findFirst().orElse(""));
                }
            };
            Thread hook = new Thread(() -> {
                signalled.set(true);
                stopQuietly(handle, err);
            }, "portolan-run-shutdown");
            Runtime.getRuntime().addShutdownHook(hook);
            try (Subscription l = handle.addListener(printer)) {
                handle.lastAnnouncement().ifPresent(a -> print(a, null, printed, codec, out));
                handle.announcement().whenComplete((a, e) -> {
                    if (a != null) {
                        print(a, null, printed, codec, out);
                    }
                });
                int code = handle.exit().handle((c, e) -> c == null ? -1 : c).get();
                if (signalled.get()) {
                    return ExitCodes.OK; // the JVM exits with 128+signal once the hooks are done
                }
                try {
                    Runtime.getRuntime().removeShutdownHook(hook);
                } catch (IllegalStateException shuttingDown) {
                    return ExitCodes.OK; // a signal arrived just now: the JVM is exiting with 128+signal
                }
                return exitCode(handle, code, err);
            }
        }
    }

    /** {@code --instances N}: 1-{@value PortolanSettings#MAX_INSTANCES}, default 1. */
    private static int instances(String text) throws UsageException {
        if (text == null) {
            return 1;
        }
        try {
            int n = Integer.parseInt(text.strip());
            if (n >= 1 && n <= PortolanSettings.MAX_INSTANCES) {
                return n;
            }
        } catch (NumberFormatException e) {
            // below
        }
        throw new UsageException("--instances '" + text + "' is not a number of instances 1-"
                + PortolanSettings.MAX_INSTANCES);
    }

    /** {@code --no-adopt}, {@code --health-path P} ({@code healthPath}), {@code --output-pattern RE} (repeatable). */
    private static AdoptionPolicy adoption(Args args, String healthPath) throws UsageException {
        boolean off = args.flag("--no-adopt");
        List<String> patterns = new java.util.ArrayList<>();
        for (String p = args.option("--output-pattern"); p != null; p = args.option("--output-pattern")) {
            patterns.add(p);
        }
        if (off) {
            return AdoptionPolicy.OFF;
        }
        try {
            return new AdoptionPolicy(true, patterns,
                    healthPath != null ? healthPath : AdoptionPolicy.DEFAULT_HEALTH_PATH);
        } catch (IllegalArgumentException e) {
            throw new UsageException("--health-path: " + e.getMessage());
        }
    }

    /**
     * The settings' output patterns (valid ones: the settings dropped the others) before the command line's, and the
     * settings' health path unless {@code --health-path} gave one.
     */
    private static AdoptionPolicy withSettings(AdoptionPolicy adoption, boolean healthPathFlag,
            PortolanSettings settings) {
        if (!adoption.enabled()) {
            return adoption;
        }
        List<String> all = new java.util.ArrayList<>(settings.outputPatterns());
        all.addAll(adoption.outputPatterns());
        return adoption.withPatterns(all).withHealthPath(healthPathFlag ? adoption.healthPath()
                : settings.healthPath());
    }

    static int failure(CompletableFuture<EndpointStatus> started, PrintStream err) throws InterruptedException {
        try {
            started.get(DEFAULT_TIMEOUT.toSeconds(), TimeUnit.SECONDS);
            err.println("portolan: the backend service started nothing");
            return ExitCodes.LAUNCH_FAILED;
        } catch (ExecutionException e) {
            err.println("portolan: " + rootMessage(e));
            return ExitCodes.LAUNCH_FAILED;
        } catch (TimeoutException e) {
            err.println("portolan: the backend service did not start the sidecar");
            return ExitCodes.LAUNCH_FAILED;
        }
    }

    static int exitCode(LaunchHandle handle, int processExit, PrintStream err) {
        var failure = handle.failure();
        if (failure.isPresent()) {
            err.println("portolan: " + failure.get().getMessage());
            Troubleshooting.of(failure.get()).ifPresent(c -> err.println("portolan: hint: " + c.hint()));
            return switch (failure.get().reason()) {
            case ANNOUNCEMENT_TIMEOUT -> ExitCodes.ANNOUNCEMENT_TIMEOUT;
            case EXITED_BEFORE_ANNOUNCING -> ExitCodes.EXITED_BEFORE_ANNOUNCING;
            case CRASH_LOOP -> ExitCodes.CRASH_LOOP;
            case PORT_NOT_OURS -> ExitCodes.PORT_NOT_OURS;
            case INVALID_SPEC, START_FAILED -> ExitCodes.LAUNCH_FAILED;
            default -> ExitCodes.BACKEND_EXITED;
            };
        }
        err.println("portolan: backend exited with code " + processExit);
        return ExitCodes.BACKEND_EXITED;
    }

    static String rootMessage(Throwable t) {
        Throwable c = t;
        while ((c instanceof ExecutionException || c instanceof java.util.concurrent.CompletionException)
                && c.getCause() != null) {
            c = c.getCause();
        }
        return c instanceof LaunchException ? c.getMessage() : String.valueOf(c);
    }

    /** One JSON line per accepted announcement (once), with {@code instance} when {@code instanceId} is not null. */
    static void print(SidecarAnnouncement a, String instanceId, Set<String> printed, AnnouncementCodec codec,
            PrintStream out) {
        // once per announcement; a backend that announces again without a restart (the Python reference's --reload
        // workers: the same launched pid and port, a new worker's pid and start) is printed again
        if (!printed.add(instanceId + ":" + a.pid() + ":" + a.announcement().port() + ":" + a.restartCount() + ":"
                + a.announcement().pid() + ":" + a.announcement().startedAt())) {
            return;
        }
        Announcement ann = a.announcement();
        Announcement publicAnn = ann.withDetails(a.pid(), null, ann.version(), ann.startedAt());
        try {
            ObjectNode o = (ObjectNode) JsonText.parse(codec.encode(publicAnn));
            o.put("verified", a.verified());
            o.put("verification", a.verification().id());
            o.put("found_by", a.foundBy().id());
            o.put("restart_count", a.restartCount());
            if (instanceId != null) {
                o.put("instance", instanceId);
            }
            synchronized (out) {
                out.println(JsonText.write(o));
                out.flush();
            }
        } catch (java.io.IOException e) {
            throw new IllegalStateException("cannot print announcement " + ann, e);
        }
    }

    private static void stopQuietly(LaunchHandle handle, PrintStream err) {
        if (handle.state().isTerminal()) {
            return;
        }
        err.println("[portolan] stopping the sidecar process tree");
        try {
            handle.stop().get(handle.spec().gracefulStopTimeout().plusSeconds(5).toMillis(), TimeUnit.MILLISECONDS);
        } catch (Exception e) {
            err.println("portolan: stop did not complete: " + e);
        }
    }
}
