package dev.portolan.launch.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.osgi.framework.BundleContext;
import org.osgi.service.component.runtime.ServiceComponentRuntime;
import org.osgi.service.component.runtime.dto.ComponentDescriptionDTO;

import dev.portolan.api.launch.LaunchHandle;
import dev.portolan.api.launch.SidecarAnnouncement;
import dev.portolan.api.launch.SidecarLauncher;
import dev.portolan.api.launch.SidecarState;
import dev.portolan.launch.internal.SidecarLauncherComponent;
import dev.portolan.tests.common.OsgiServices;

/** Deactivating the launcher component (bundle stop, framework shutdown, disable) stops every sidecar it started. */
class DeactivationTest {

    static final Duration WAIT = Duration.ofSeconds(30);

    @Test
    void disablingTheComponentStopsItsSidecarsAndReEnablingRegistersAFreshLauncher() throws Exception {
        BundleContext ctx = OsgiServices.context(DeactivationTest.class);
        ServiceComponentRuntime scr = OsgiServices.await(DeactivationTest.class, ServiceComponentRuntime.class, WAIT);
        ComponentDescriptionDTO description = scr.getComponentDescriptionDTO(ctx.getBundle(),
                SidecarLauncherComponent.class.getName());
        assertNotNull(description, "component description of " + SidecarLauncherComponent.class.getName());
        SidecarLauncher launcher = OsgiServices.await(DeactivationTest.class, SidecarLauncher.class, WAIT);
        LaunchHandle h = launcher.launch(Fakes.python().build());
        SidecarAnnouncement a = h.announcement().get(WAIT.toMillis(), TimeUnit.MILLISECONDS);
        ProcessHandle backend = ProcessHandle.of(a.pid()).orElseThrow();
        try {
            scr.disableComponent(description).getValue();
            assertEquals(0, h.exit().get(WAIT.toMillis(), TimeUnit.MILLISECONDS), "stopped with 'sidecar shutdown'");
            assertEquals(SidecarState.EXITED, h.state());
            Fakes.awaitGone(backend, WAIT);
            assertTrue(Fakes.bindable(a.announcement().port()));
        } finally {
            scr.enableComponent(description).getValue();
        }
        SidecarLauncher again = OsgiServices.await(DeactivationTest.class, SidecarLauncher.class, WAIT);
        LaunchHandle h2 = again.launch(Fakes.python().build());
        try {
            assertTrue(h2.announcement().get(WAIT.toMillis(), TimeUnit.MILLISECONDS).verified());
        } finally {
            h2.stop().get(WAIT.toMillis(), TimeUnit.MILLISECONDS);
        }
    }
}
