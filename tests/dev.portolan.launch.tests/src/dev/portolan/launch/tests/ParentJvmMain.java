package dev.portolan.launch.tests;

import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import dev.portolan.api.launch.LaunchHandle;
import dev.portolan.api.launch.LaunchSpec;
import dev.portolan.api.launch.SidecarAnnouncement;
import dev.portolan.core.protocol.AnnouncementCodec;
import dev.portolan.launch.internal.SidecarEngine;

/**
 * Run in a separate JVM on a plain class path by {@link OrphanProtectionTest}: launches the command given as
 * arguments through the launcher, prints
 * {@code SIDECAR jvm=<own pid> pid=<backend pid> port=<port> tree=<backend's descendants>} and parks until killed.
 */
public final class ParentJvmMain {

    private ParentJvmMain() {
    }

    public static void main(String[] args) throws Exception {
        SidecarEngine engine = new SidecarEngine(AnnouncementCodec.standard(), null);
        if (!engine.usesWatchdog() && !Boolean.getBoolean("expect.direct")) {
            System.out.println("NO WATCHDOG");
        }
        LaunchHandle h = engine.launch(LaunchSpec.builder(args).announcementTimeout(Duration.ofSeconds(30)).build());
        SidecarAnnouncement a = h.announcement().get(30, TimeUnit.SECONDS);
        StringBuilder tree = new StringBuilder();
        ProcessHandle.of(a.pid()).orElseThrow().descendants().forEach(d -> tree.append(d.pid()).append(','));
        System.out.println("SIDECAR jvm=" + ProcessHandle.current().pid() + " pid=" + a.pid() + " port=" + a.announcement().port() + " tree=" + tree);
        System.out.flush();
        new CountDownLatch(1).await(); // parked until the test kills this JVM
    }
}
