package dev.portolan.platform.internal;

import java.io.BufferedReader;
import java.io.FileDescriptor;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The Java supervisor: a plain {@code main} run in a JVM of its own between the front end and the backend, on
 * systems without the setsid watchdog (macOS, Windows, Linux without util-linux). It speaks the protocol of
 * {@link dev.portolan.platform.OrphanProtection}: prints the backend's pid first, copies the backend's stdout, forwards
 * {@code >line} / {@code close} to the backend's stdin, and when its own stdin ends (the front end is gone, however
 * it died) terminates the backend and its descendants, kills them 0.5 s later, and exits with the backend's code.
 * <p>
 * JDK only and one class file, no nested classes: it is copied out of the bundle and run with {@code -cp}.
 */
public final class Supervisor {

    static final String MARKER = "portolan-watchdog child ";
    static final long GRACE_MS = 500;

    private Supervisor() {
    }

    public static void main(String[] args) throws InterruptedException {
        if (args.length == 0) {
            System.err.println("portolan-supervisor: usage: Supervisor COMMAND [ARGS...]");
            System.exit(125);
        }
        Process child;
        try {
            child = new ProcessBuilder(args).redirectError(ProcessBuilder.Redirect.INHERIT).start();
        } catch (IOException e) {
            System.err.println("portolan-supervisor: cannot start " + args[0] + ": " + e.getMessage());
            System.exit(127);
            return;
        }
        OutputStream out = new FileOutputStream(FileDescriptor.out);
        try {
            out.write((MARKER + child.pid() + "\n").getBytes(StandardCharsets.UTF_8));
            out.flush();
        } catch (IOException e) {
            terminate(child); // nobody reads us: the front end is gone already
        }
        Thread pump = start("portolan-supervisor-stdout", () -> copy(child.getInputStream(), out));
        start("portolan-supervisor-stdin", () -> {
            forward(child);
            terminate(child); // our stdin ended: the front end closed it or died
        });
        int code = child.waitFor();
        pump.join(GRACE_MS); // a descendant may keep the pipe open: do not wait for it
        System.exit(code);
    }

    private static Thread start(String name, Runnable r) {
        Thread t = new Thread(r, name);
        t.setDaemon(true);
        t.start();
        return t;
    }

    private static void copy(InputStream in, OutputStream out) {
        byte[] buf = new byte[8192];
        try {
            for (int n; (n = in.read(buf)) >= 0;) {
                out.write(buf, 0, n);
                out.flush();
            }
        } catch (IOException e) {
            // the backend's end or ours is closed: nothing more to copy
        }
    }

    /** Forwards the front end's lines until our stdin ends. */
    private static void forward(Process child) {
        OutputStream stdin = child.getOutputStream();
        try (BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8))) {
            for (String line; (line = in.readLine()) != null;) {
                try {
                    if (line.startsWith(">")) {
                        stdin.write((line.substring(1) + "\n").getBytes(StandardCharsets.UTF_8));
                        stdin.flush();
                    } else if (line.equals("close")) {
                        stdin.close();
                    }
                } catch (IOException e) {
                    // the backend closed its stdin or exited: keep watching ours
                }
            }
        } catch (IOException e) {
            // our stdin broke: same as EOF
        }
    }

    /** Terminates the backend and its descendants, waits up to {@link #GRACE_MS}, then kills what is left. */
    static void terminate(Process child) {
        List<ProcessHandle> tree = new ArrayList<>();
        tree.add(child.toHandle());
        child.descendants().forEach(tree::add);
        tree.forEach(ProcessHandle::destroy);
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(GRACE_MS);
        for (ProcessHandle h : tree) {
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                break;
            }
            try {
                h.onExit().get(left, TimeUnit.NANOSECONDS);
            } catch (Exception e) {
                break; // the grace is over (or we were interrupted): kill below
            }
        }
        child.descendants().forEach(tree::add); // spawned meanwhile
        tree.forEach(ProcessHandle::destroyForcibly);
    }
}
