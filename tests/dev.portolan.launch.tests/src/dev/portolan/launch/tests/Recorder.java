package dev.portolan.launch.tests;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

import dev.portolan.api.launch.LaunchHandle;
import dev.portolan.api.launch.OutputLine;
import dev.portolan.api.launch.SidecarAnnouncement;
import dev.portolan.api.launch.SidecarListener;
import dev.portolan.api.launch.SidecarState;
import dev.portolan.tests.common.Await;

/** Records a sidecar's events; the await methods wait with a deadline (never sleep). */
final class Recorder implements SidecarListener {

    final BlockingQueue<SidecarAnnouncement> announcements = new LinkedBlockingQueue<>();
    final BlockingQueue<SidecarState> states = new LinkedBlockingQueue<>();
    final List<SidecarState> stateLog = new CopyOnWriteArrayList<>();
    final List<String> diagnostics = new CopyOnWriteArrayList<>();
    final BlockingQueue<String> diagnosticQueue = new LinkedBlockingQueue<>();
    final List<OutputLine> lines = new CopyOnWriteArrayList<>();
    /** The same lines, to wait for one. */
    final Await.Recorder<OutputLine> lineEvents = new Await.Recorder<>();
    final BlockingQueue<Integer> exits = new LinkedBlockingQueue<>();

    @Override
    public void stateChanged(LaunchHandle handle, SidecarState oldState, SidecarState newState) {
        stateLog.add(newState);
        states.add(newState);
    }

    @Override
    public void announced(LaunchHandle handle, SidecarAnnouncement announcement) {
        announcements.add(announcement);
    }

    @Override
    public void output(LaunchHandle handle, OutputLine line) {
        lines.add(line);
        lineEvents.accept(line);
    }

    @Override
    public void exited(LaunchHandle handle, int exitCode, boolean expected, boolean restarting) {
        exits.add(exitCode);
    }

    @Override
    public void diagnostic(LaunchHandle handle, String message) {
        diagnostics.add(message);
        diagnosticQueue.add(message);
    }

    SidecarAnnouncement nextAnnouncement(Duration timeout) throws InterruptedException {
        SidecarAnnouncement a = announcements.poll(timeout.toMillis(), TimeUnit.MILLISECONDS);
        if (a == null) {
            throw new AssertionError("no announcement within " + timeout + "; states " + stateLog + ", diagnostics "
                    + diagnostics);
        }
        return a;
    }

    void awaitState(SidecarState wanted, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            SidecarState s = states.poll(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
            if (s == null) {
                throw new AssertionError("state " + wanted + " not reached within " + timeout + "; states " + stateLog
                        + ", diagnostics " + diagnostics);
            }
            if (s == wanted) {
                return;
            }
        }
    }

    String awaitDiagnostic(Predicate<String> match, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            String s = diagnosticQueue.poll(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
            if (s == null) {
                throw new AssertionError("no matching diagnostic within " + timeout + "; diagnostics " + diagnostics);
            }
            if (match.test(s)) {
                return s;
            }
        }
    }
}
