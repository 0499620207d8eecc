package dev.portolan.backend.internal;

import java.util.ArrayList;
import java.util.List;

import org.osgi.service.component.annotations.Component;

import dev.portolan.api.launch.DefaultBackendCommand;
import dev.portolan.api.launch.LaunchException;
import dev.portolan.backend.sample.SampleBackend;

/**
 * Offers the bundled sample backend as the backend to start when no backend command is configured. With the system
 * property {@value #ARCHIVE_PROPERTY} (a file; {@code ./portolan app} sets it beside the product's own class archive)
 * and a JDK 19+, the backend's JVM maps that class archive, or writes it at its exit when it is missing or stale
 * (dynamic class-data sharing): its announcement comes ~40 % sooner (docs/performance.md). It logs JVM errors only,
 * on stderr: its stdout carries the announcement.
 */
@Component(service = DefaultBackendCommand.class, property = "service.ranking:Integer=0")
public final class SampleBackendCommand implements DefaultBackendCommand {

    /** The class archive of the sample backend's JVM; unset: none. */
    public static final String ARCHIVE_PROPERTY = "portolan.sample.classArchive";

    @Override
    public List<String> command() throws LaunchException {
        try {
            return withArchive(SampleBackend.command(), System.getProperty(ARCHIVE_PROPERTY),
                    Runtime.version().feature());
        } catch (RuntimeException e) {
            throw new LaunchException("cannot build the bundled sample backend's command line: " + e, e);
        }
    }

    /** {@code command} (its first element the {@code java} executable) with the JVM options of {@code archive}. */
    static List<String> withArchive(List<String> command, String archive, int javaFeature) {
        if (archive == null || archive.isBlank() || javaFeature < 19) {
            return List.copyOf(command);
        }
        List<String> out = new ArrayList<>(command);
        out.addAll(1, List.of("-XX:+AutoCreateSharedArchive", "-XX:SharedArchiveFile=" + archive, "-XX:+UseSerialGC",
                "-Xlog:disable", "-Xlog:all=error:stderr"));
        return List.copyOf(out);
    }
}
