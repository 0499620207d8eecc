package dev.portolan.platform.internal;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

import dev.portolan.platform.Capability;
import dev.portolan.platform.ListeningSocket;
import dev.portolan.platform.SocketTable;

/**
 * macOS (and any system with lsof): {@code lsof -nP -iTCP -sTCP:LISTEN -F pcnt}. Command names are replaced by full
 * command lines where the JDK can read them ({@link ProcessHandle.Info}).
 */
public final class LsofSockets implements SocketTable {

    static final Duration TIMEOUT = Duration.ofSeconds(10);

    private static final System.Logger LOG = System.getLogger(LsofSockets.class.getName());

    private final Optional<Path> lsof;

    public LsofSockets(Optional<Path> lsof) {
        this.lsof = lsof;
    }

    /** The command line that is run (without the pid filter). */
    static List<String> command(Path lsof) {
        return List.of(lsof.toString(), "-nP", "-iTCP", "-sTCP:LISTEN", "-F", "pcnt");
    }

    @Override
    public Optional<List<ListeningSocket>> listening(int from, int to) {
        if (lsof.isEmpty()) {
            return Optional.empty();
        }
        ToolRunner.Result r;
        try {
            r = ToolRunner.run(command(lsof.get()), TIMEOUT, StandardCharsets.UTF_8);
        } catch (IOException e) {
            LOG.log(System.Logger.Level.WARNING, "cannot list listening sockets with lsof: {0}", e.getMessage());
            return Optional.empty();
        }
        // lsof exits with 1 when it lists nothing (no listening socket at all): that is an answer, not an error
        if (r.exitCode() != 0 && !(r.exitCode() == 1 && r.stdout().isBlank())) {
            LOG.log(System.Logger.Level.WARNING, "lsof exited with {0}", r.exitCode());
            return Optional.empty();
        }
        List<String> skipped = new ArrayList<>();
        List<ListeningSocket> out = new ArrayList<>();
        for (ListeningSocket s : LsofParser.parse(r.stdout(), skipped)) {
            if (s.port() >= from && s.port() <= to) {
                out.add(new ListeningSocket(s.address(), s.port(), s.pid(), Addresses.commandOf(s.pid(), s.command())));
            }
        }
        if (!skipped.isEmpty()) {
            LOG.log(System.Logger.Level.WARNING, "skipped {0} unreadable lsof line(s), e.g. {1}", skipped.size(),
                    skipped.get(0));
        }
        return Optional.of(out);
    }

    @Override
    public Capability capability() {
        if (lsof.isPresent()) {
            return new Capability(Capability.LISTENING_SOCKETS, Capability.Support.GUARANTEED, "lsof",
                    "every listening socket; pids and commands of the same user's processes (lsof needs root for"
                            + " other users'); each inspection runs lsof once (tens of ms)");
        }
        return new Capability(Capability.LISTENING_SOCKETS, Capability.Support.UNAVAILABLE, "lsof",
                "lsof is not installed (it is part of macOS in /usr/sbin): ports are only told free or in use by a"
                        + " bind test, without owners, and unproven announcements cannot be verified");
    }
}
