package dev.portolan.platform.internal;

import java.util.List;

import dev.portolan.platform.Capability;
import dev.portolan.platform.OrphanProtection;

/** No supervisor: the backend is started directly; the capability says why and what that means. */
public record Unprotected(String why) implements OrphanProtection {

    @Override
    public boolean wraps() {
        return false;
    }

    @Override
    public List<String> wrap(List<String> command) {
        return command;
    }

    @Override
    public Capability capability() {
        return new Capability(Capability.ORPHAN_PROTECTION, Capability.Support.UNAVAILABLE, "none",
                why + ": backends are started directly; deactivation and the JVM's shutdown hook still stop them,"
                        + " but a front end that is killed (SIGKILL, TerminateProcess) leaves backends that ignore"
                        + " stdin EOF running");
    }
}
