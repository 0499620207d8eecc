package dev.portolan.platform;

import java.nio.file.Path;

import dev.portolan.platform.internal.OrphanProtections;
import dev.portolan.platform.internal.PlatformImpl;
import dev.portolan.platform.internal.Tools;

/** The platform layer's entry point (plain Java, no OSGi needed). */
public final class Platforms {

    private static final Object LOCK = new Object();
    private static Platform current; // guarded by LOCK

    private Platforms() {
    }

    /** The implementations for the running OS ({@code os.name}), created once. */
    public static Platform current() {
        synchronized (LOCK) {
            if (current == null) {
                OsFamily os = OsFamily.current();
                current = PlatformImpl.create(os, Path.of("/proc"), Tools.system(), OrphanProtections.currentJava(os));
            }
            return current;
        }
    }
}
