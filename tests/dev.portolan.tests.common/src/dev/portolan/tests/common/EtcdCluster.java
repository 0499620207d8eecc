package dev.portolan.tests.common;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;


/**
 * Real etcd processes (Debian's /usr/bin/etcd 3.4) for the tests: one or three members on free loopback ports, data
 * in a temporary directory (tmpfs /dev/shm when there is one, else target/), election timeout raised to 2.5 s for a
 * busy 2-core machine, progress notifications every second.
 * <p>
 * Nothing outlives the test JVM: each etcd runs under a tiny sh watchdog in a session of its own ({@code setsid}),
 * which kills it with SIGKILL as soon as its stdin - a pipe from this JVM - reaches EOF (the JVM exited or died, even
 * by SIGKILL of its whole process group). As a second line of defence every member's pid is written next to its data
 * and {@link #start} first reaps what an earlier, dead test JVM left behind.
 */
public final class EtcdCluster implements AutoCloseable {

    static final String ETCD = "/usr/bin/etcd";
    static final Duration READY = Duration.ofSeconds(60);
    private static final TestPorts PORTS = new TestPorts(25000, 25449);
    private static final AtomicInteger CLUSTERS = new AtomicInteger();
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
    /**
     * The watchdog: etcd in the background, its pid on stdout; a reader subshell SIGKILLs it when the watchdog's stdin
     * (our pipe) ends; the watchdog itself waits for (reaps) etcd and then ends the reader.
     */
    private static final String WATCHDOG = "exec 6<&0; \"$@\" >>\"$ETCD_LOG\" 2>&1 </dev/null & c=$!; "
            + "echo \"etcd-pid $c\"; (while IFS= read -r l; do :; done; kill -KILL $c 2>/dev/null) <&6 & r=$!; "
            + "exec 6<&-; wait $c; kill $r 2>/dev/null";

    private final Path root;
    private final List<Member> members = new ArrayList<>();
    private final TestCertificates tls; // null: plain HTTP
    private final HttpClient http;

    private EtcdCluster(Path root, TestCertificates tls) {
        this.root = root;
        this.tls = tls;
        this.http = tls == null ? HTTP
                : HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).sslContext(tls.trustingCa()).build();
    }

    /** A cluster of {@code size} members, each ready (a linearizable read answered) within {@link #READY}. */
    public static EtcdCluster start(int size) throws Exception {
        return start(size, null);
    }

    /**
     * One member serving clients over TLS only ({@code https://127.0.0.1:port}, {@code --cert-file} and
     * {@code --key-file} of {@code certs}); peers stay plain HTTP on loopback.
     */
    public static EtcdCluster startTls(TestCertificates certs) throws Exception {
        return start(1, certs);
    }

    private static EtcdCluster start(int size, TestCertificates tls) throws Exception {
        Path base = base();
        reapOrphans(base);
        long self = ProcessHandle.current().pid();
        Path root = Files.createDirectories(base.resolve(self + "-" + CLUSTERS.incrementAndGet()));
        EtcdCluster cluster = new EtcdCluster(root, tls);
        StringBuilder initial = new StringBuilder();
        for (int i = 0; i < size; i++) {
            int first = PORTS.block(2);
            Member m = cluster.new Member("m" + i, first, first + 1, root.resolve("m" + i));
            cluster.members.add(m);
            initial.append(i == 0 ? "" : ",").append(m.name).append("=http://127.0.0.1:").append(m.peerPort);
        }
        try {
            for (Member m : cluster.members) {
                m.initialCluster = initial.toString();
                m.start();
            }
            for (Member m : cluster.members) {
                m.awaitReady(READY);
            }
        } catch (Exception | AssertionError e) {
            cluster.close();
            throw e;
        }
        return cluster;
    }

    public List<Member> members() {
        return List.copyOf(members);
    }

    public Member member(int i) {
        return members.get(i);
    }

    /** Every member's client URL. */
    public List<URI> endpoints() {
        return members.stream().map(Member::clientUri).toList();
    }

    /**
     * {@code etcd://127.0.0.1:p1,127.0.0.1:p2[prefix]} ({@code etcd+https://} for {@link #startTls}): the
     * PORTOLAN_REGISTRY value of this cluster.
     */
    public String registryValue(String prefix) {
        StringBuilder b = new StringBuilder(tls == null ? "etcd://" : "etcd+https://");
        for (int i = 0; i < members.size(); i++) {
            b.append(i == 0 ? "" : ",").append("127.0.0.1:").append(members.get(i).clientPort);
        }
        return b.append(prefix == null ? "" : prefix).toString();
    }

    /** The current leader, as the members themselves report it (waits for one within {@code timeout}). */
    public Member awaitLeader(Duration timeout) throws Exception {
        long end = System.nanoTime() + timeout.toNanos();
        String last = "no answer";
        while (System.nanoTime() < end) {
            for (Member m : members) {
                if (!m.running()) {
                    continue;
                }
                try {
                    String status = m.post("/v3/maintenance/status", "{}", Duration.ofSeconds(2));
                    String leader = field(status, "leader");
                    String self = field(status, "member_id");
                    last = status;
                    if (leader != null && leader.equals(self)) {
                        return m;
                    }
                } catch (IOException e) {
                    last = m.name + ": " + e;
                }
            }
            // a leader election is in progress: ask again after the members' own heartbeat (250 ms)
            CompletableFuture.runAsync(() -> { }, CompletableFuture.delayedExecutor(250, TimeUnit.MILLISECONDS)).join();
        }
        throw new AssertionError("no etcd leader within " + timeout + "; last status: " + last);
    }

    /** A string field of etcd's JSON answer (the first one of that name: {@code member_id} is the header's). */
    private static String field(String json, String name) {
        if (json == null) {
            return null;
        }
        Matcher m = Pattern.compile("\"" + name + "\":\"([^\"]*)\"").matcher(json);
        return m.find() ? m.group(1) : null;
    }

    @Override
    public void close() {
        for (Member m : members) {
            m.stopHard();
        }
        deleteTree(root);
    }

    /** One etcd member: its ports and data stay the same across {@link #kill()} and {@link #restart()}. */
    public final class Member {
        final String name;
        final int clientPort;
        final int peerPort;
        final Path dataDir;
        String initialCluster;
        private Process watchdog;
        private OutputStream watchdogIn;
        private long pid;

        Member(String name, int clientPort, int peerPort, Path dataDir) {
            this.name = name;
            this.clientPort = clientPort;
            this.peerPort = peerPort;
            this.dataDir = dataDir;
        }

        public URI clientUri() {
            return URI.create((tls == null ? "http" : "https") + "://127.0.0.1:" + clientPort);
        }

        public long pid() {
            return pid;
        }

        public String name() {
            return name;
        }

        public Path log() {
            return root.resolve(name + ".log");
        }

        public boolean running() {
            return pid != 0 && ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false);
        }

        synchronized void start() throws IOException {
            List<String> cmd = new ArrayList<>(List.of("setsid", "/bin/sh", "-c", WATCHDOG, "etcd-watchdog", ETCD,
                    "--name", name, "--data-dir", dataDir.toString(),
                    "--listen-client-urls", clientUri().toString(), "--advertise-client-urls", clientUri().toString(),
                    "--listen-peer-urls", "http://127.0.0.1:" + peerPort,
                    "--initial-advertise-peer-urls", "http://127.0.0.1:" + peerPort,
                    "--initial-cluster", initialCluster, "--initial-cluster-token", root.getFileName().toString(),
                    "--initial-cluster-state", "new",
                    "--heartbeat-interval", "250", "--election-timeout", "2500",
                    "--experimental-watch-progress-notify-interval", "1s",
                    "--logger", "zap", "--log-level", "warn"));
            if (tls != null) {
                // no --trusted-ca-file: etcd 3.4 would then require client certificates, which Portolan does not use
                cmd.addAll(List.of("--cert-file", tls.cert().toString(), "--key-file", tls.key().toString()));
            }
            ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true);
            pb.environment().put("ETCD_LOG", log().toString());
            pb.environment().put("ETCD_UNSUPPORTED_ARCH", "");
            watchdog = pb.start();
            watchdogIn = watchdog.getOutputStream();
            BufferedReader r = new BufferedReader(
                    new InputStreamReader(watchdog.getInputStream(), StandardCharsets.UTF_8));
            String line = r.readLine();
            if (line == null || !line.startsWith("etcd-pid ")) {
                throw new IOException("etcd watchdog for " + name + " printed " + line + " instead of its pid");
            }
            pid = Long.parseLong(line.substring("etcd-pid ".length()).trim());
            Files.writeString(root.resolve(name + ".pid"), Long.toString(pid));
        }

        /** Waits until this member answers a linearizable read (it is part of a cluster with a leader). */
        public void awaitReady(Duration timeout) throws Exception {
            long end = System.nanoTime() + timeout.toNanos();
            String last = "no answer";
            while (System.nanoTime() < end) {
                if (!running()) {
                    throw new AssertionError("etcd " + name + " exited; its log:\n" + logText());
                }
                try {
                    String r = post("/v3/kv/range", "{\"key\":\"AA==\"}", Duration.ofSeconds(3));
                    if (r.contains("\"header\"")) {
                        return;
                    }
                    last = r;
                } catch (IOException e) {
                    last = e.toString();
                }
                CompletableFuture.runAsync(() -> { }, CompletableFuture.delayedExecutor(100, TimeUnit.MILLISECONDS))
                        .join();
            }
            throw new AssertionError("etcd " + name + " not ready within " + timeout + " (" + last + "); log:\n"
                    + logText());
        }

        public String post(String path, String body, Duration timeout) throws IOException {
            HttpRequest req = HttpRequest.newBuilder(clientUri().resolve(path)).timeout(timeout)
                    .POST(HttpRequest.BodyPublishers.ofString(body)).build();
            try {
                return http.send(req, HttpResponse.BodyHandlers.ofString()).body();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IOException(e);
            }
        }

        /** SIGKILL: the member dies at once (its data stays for {@link #restart()}). */
        public synchronized void kill() throws Exception {
            signal("KILL");
            ProcessHandle.of(pid).ifPresent(h -> h.onExit().orTimeout(30, TimeUnit.SECONDS).join());
            closeWatchdog();
        }

        /** Starts the member again on the same ports and data (after {@link #kill()}). */
        public synchronized void restart() throws Exception {
            start();
        }

        /** SIGSTOP: the process stays, holds its sockets and answers nothing (a stalled server). */
        public void pause() throws Exception {
            signal("STOP");
        }

        /** SIGCONT after {@link #pause()}. */
        public void resume() throws Exception {
            signal("CONT");
        }

        private void signal(String name) throws Exception {
            Process p = new ProcessBuilder("kill", "-" + name, Long.toString(pid)).redirectErrorStream(true).start();
            if (!p.waitFor(10, TimeUnit.SECONDS) || p.exitValue() != 0) {
                throw new IOException("kill -" + name + " " + pid + " failed: "
                        + new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8));
            }
        }

        public synchronized void stopHard() {
            if (running()) {
                try {
                    signal("CONT");
                    signal("KILL");
                } catch (Exception e) {
                    // gone meanwhile: the watchdog below makes sure
                }
            }
            closeWatchdog();
        }

        private void closeWatchdog() {
            if (watchdog == null) {
                return;
            }
            try {
                watchdogIn.close();
            } catch (IOException e) {
                // the watchdog is gone already
            }
            try {
                watchdog.waitFor(10, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            watchdog.destroyForcibly();
            watchdog = null;
        }

        public String logText() {
            try {
                return Files.exists(log()) ? Files.readString(log()) : "(no log)";
            } catch (IOException e) {
                return "(log unreadable: " + e + ")";
            }
        }
    }

    private static Path base() throws IOException {
        Path shm = Path.of("/dev/shm");
        Path dir = Files.isDirectory(shm) && Files.isWritable(shm) ? shm.resolve("portolan-etcd-tests")
                : Path.of(System.getProperty("user.dir"), "target", "etcd");
        return Files.createDirectories(dir);
    }

    /** Kills etcd processes of test JVMs that no longer exist (by their pid files) and deletes their data. */
    private static void reapOrphans(Path base) throws IOException {
        try (Stream<Path> dirs = Files.list(base)) {
            for (Path dir : dirs.toList()) {
                String owner = dir.getFileName().toString().split("-")[0];
                long ownerPid;
                try {
                    ownerPid = Long.parseLong(owner);
                } catch (NumberFormatException e) {
                    continue;
                }
                if (ProcessHandle.of(ownerPid).map(ProcessHandle::isAlive).orElse(false)) {
                    continue;
                }
                try (Stream<Path> files = Files.list(dir)) {
                    for (Path f : files.filter(p -> p.toString().endsWith(".pid")).toList()) {
                        long pid = Long.parseLong(Files.readString(f).trim());
                        ProcessHandle.of(pid).filter(h -> h.info().commandLine().orElse("").contains(dir.toString()))
                                .ifPresent(ProcessHandle::destroyForcibly);
                    }
                }
                deleteTree(dir);
            }
        }
    }

    private static void deleteTree(Path dir) {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> walk = Files.walk(dir)) {
            for (Path p : walk.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        } catch (IOException e) {
            // a member still writing; the next fixture start reaps it
        }
    }
}
