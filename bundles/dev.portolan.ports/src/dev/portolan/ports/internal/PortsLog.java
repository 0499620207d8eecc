package dev.portolan.ports.internal;

/**
 * The "dev.portolan.ports" logger, created on first use: looking a System.Logger up initializes the JDK's logging
 * back end, which costs a fresh JVM more than the finder's first bind (see docs/performance.md), and most runs log
 * nothing.
 */
final class PortsLog {

    private PortsLog() {
    }

    static System.Logger get() {
        return Holder.LOG;
    }

    private static final class Holder {
        static final System.Logger LOG = System.getLogger("dev.portolan.ports");
    }
}
