package dev.portolan.platform;

import java.util.List;

/** The OS-specific pieces for one OS family; get the running one from {@link Platforms#current()}. */
public interface Platform {

    OsFamily os();

    SocketTable sockets();

    ProcessTrees processes();

    /** The orphan protection for {@code mode}; a mode this OS cannot do degrades, and the capability says so. */
    OrphanProtection orphanProtection(OrphanProtection.Mode mode);

    /** Every capability with the {@link OrphanProtection.Mode#AUTO} orphan protection: for views and diagnostics. */
    default List<Capability> capabilities() {
        return List.of(sockets().capability(), processes().capability(),
                orphanProtection(OrphanProtection.Mode.AUTO).capability());
    }
}
