package dev.portolan.backend.sample;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

/**
 * Fault hooks of the sample backend for balancer tests and benchmarks (issue 14); both off by default.
 * <ul>
 * <li>{@value #DELAY_ENV}{@code =N}: every {@code /v1/...} call waits N ms (0-{@value #MAX_DELAY_MS}) before it is
 * answered (a slow instance).</li>
 * <li>{@value #FAULT_FILE_ENV}{@code =PATH}: while the file PATH exists, every request ({@code /health} included)
 * answers 503 (a failing instance that recovers when the file is deleted).</li>
 * </ul>
 * A bad value is reported on stderr and ignored.
 */
record SampleFaults(long delayMs, Path faultFile) {

    static final String DELAY_ENV = "PORTOLAN_SAMPLE_DELAY_MS";
    static final String FAULT_FILE_ENV = "PORTOLAN_SAMPLE_FAULT_FILE";
    static final long MAX_DELAY_MS = 10_000;
    static final SampleFaults NONE = new SampleFaults(0, null);

    static SampleFaults fromEnv(Map<String, String> env) {
        long delay = 0;
        String d = env.getOrDefault(DELAY_ENV, "").strip();
        if (!d.isEmpty()) {
            try {
                delay = Long.parseLong(d);
            } catch (NumberFormatException e) {
                delay = -1;
            }
            if (delay < 0 || delay > MAX_DELAY_MS) {
                System.err.println("sample backend: ignoring " + DELAY_ENV + "=" + Http.abbreviate(d)
                        + ": expected milliseconds 0-" + MAX_DELAY_MS + " (unset it to answer without delay)");
                delay = 0;
            }
        }
        String f = env.getOrDefault(FAULT_FILE_ENV, "").strip();
        return new SampleFaults(delay, f.isEmpty() ? null : Path.of(f));
    }

    /** Whether every request answers 503 now. */
    boolean failing() {
        return faultFile != null && Files.exists(faultFile);
    }

    /** Waits the configured delay before a {@code /v1/...} answer. */
    void delay() {
        if (delayMs > 0) {
            try {
                Thread.sleep(delayMs); // on the request's own (virtual) thread: this is the simulated work
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }
}
