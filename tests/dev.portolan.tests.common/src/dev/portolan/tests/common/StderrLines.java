package dev.portolan.tests.common;

import java.io.ByteArrayOutputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;

/**
 * The lines this JVM prints on {@code System.err} while it is open, recorded to be awaited ({@link #lines}) and passed
 * on to the stream it replaced; {@link #close()} puts that stream back. For code that reports on stderr from its own
 * threads (the etcd registry's "[portolan] …" messages); tests of one bundle run one at a time.
 */
public final class StderrLines implements AutoCloseable {

    /** Each complete line, without its line end. */
    public final Await.Recorder<String> lines = new Await.Recorder<>();
    private final PrintStream before = System.err;

    public StderrLines() {
        System.setErr(new PrintStream(new OutputStream() {
            private final Object lock = new Object();
            private final ByteArrayOutputStream line = new ByteArrayOutputStream(); // guarded by lock

            @Override
            public void write(int b) {
                write(new byte[] {(byte) b}, 0, 1);
            }

            @Override
            public void write(byte[] b, int off, int len) {
                java.util.List<String> done = new java.util.ArrayList<>();
                synchronized (lock) {
                    before.write(b, off, len);
                    for (int i = off; i < off + len; i++) {
                        if (b[i] == '\n') {
                            done.add(line.toString(StandardCharsets.UTF_8));
                            line.reset();
                        } else {
                            line.write(b[i]);
                        }
                    }
                }
                done.forEach(lines); // outside the lock
            }

            @Override
            public void flush() {
                before.flush();
            }
        }, true, StandardCharsets.UTF_8));
    }

    @Override
    public void close() {
        System.setErr(before);
    }
}
