package dev.portolan.platform.internal;

import java.nio.file.Path;
import java.util.EnumMap;
import java.util.Map;
import java.util.Optional;

import dev.portolan.platform.OrphanProtection;
import dev.portolan.platform.OsFamily;
import dev.portolan.platform.Platform;
import dev.portolan.platform.ProcessTrees;
import dev.portolan.platform.SocketTable;

/** One OS family's implementations, chosen by {@link #create}. */
public final class PlatformImpl implements Platform {

    private final OsFamily os;
    private final SocketTable sockets;
    private final ProcessTrees processes;
    private final Tools tools;
    private final Optional<Path> java;
    private final Object lock = new Object();
    private final Map<OrphanProtection.Mode, OrphanProtection> protections = new EnumMap<>(
            OrphanProtection.Mode.class); // guarded by lock

    private PlatformImpl(OsFamily os, SocketTable sockets, ProcessTrees processes, Tools tools, Optional<Path> java) {
        this.os = os;
        this.sockets = sockets;
        this.processes = processes;
        this.tools = tools;
        this.java = java;
    }

    /**
     * The implementations for {@code os}: Linux {@code /proc}, macOS {@code lsof}, Windows {@code netstat};
     * another Unix gets lsof when it has it.
     *
     * @param proc  Linux's procfs root ({@code /proc})
     * @param tools finds the external programs
     * @param java  the {@code java} executable for the Java supervisor
     */
    public static Platform create(OsFamily os, Path proc, Tools tools, Optional<Path> java) {
        return switch (os) {
        case LINUX -> new PlatformImpl(os, new ProcNetSockets(proc),
                new PosixProcessTrees(tools.find("kill"), tools.find("ps"), proc), tools, java);
        case MACOS, OTHER_UNIX -> new PlatformImpl(os, new LsofSockets(tools.find("lsof")),
                new PosixProcessTrees(tools.find("kill"), tools.find("ps"), proc), tools, java);
        case WINDOWS -> new PlatformImpl(os, new WindowsSockets(tools.find("netstat"), tools.find("powershell")),
                new WindowsProcessTrees(tools.find("taskkill")), tools, java);
        };
    }

    @Override
    public OsFamily os() {
        return os;
    }

    @Override
    public SocketTable sockets() {
        return sockets;
    }

    @Override
    public ProcessTrees processes() {
        return processes;
    }

    @Override
    public OrphanProtection orphanProtection(OrphanProtection.Mode mode) {
        synchronized (lock) {
            return protections.computeIfAbsent(mode, m -> OrphanProtections.select(os, m, tools, java));
        }
    }
}
