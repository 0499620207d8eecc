package dev.portolan.ui.internal.model;

import java.time.ZoneId;
import java.time.format.DateTimeFormatter;

import dev.portolan.api.registry.Registry;
import dev.portolan.api.registry.RegistryHealth;

/** How the view and Copy Diagnostics name a registry in use: its location, and since when it has not answered. */
final class RegistryLocation {

    private static final DateTimeFormatter CLOCK = DateTimeFormatter.ofPattern("HH:mm:ss")
            .withZone(ZoneId.systemDefault());

    private RegistryLocation() {
    }

    /** {@code etcd http://… } or {@code etcd http://… unreachable since 23:40:12 (why, endpoints tried)}. */
    static String describe(Registry r) {
        return r.location() + unreachable(r.health());
    }

    /** {@code " unreachable since HH:MM:SS (detail)"}, or empty while the registry answers. */
    static String unreachable(RegistryHealth h) {
        return h.reachable() || h.since() == null ? ""
                : " unreachable since " + CLOCK.format(h.since()) + " (" + h.detail() + ")";
    }
}
