package dev.portolan.ui.tests;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.time.Instant;
import java.util.Hashtable;
import java.util.function.Consumer;

import org.eclipse.swt.dnd.Clipboard;
import org.eclipse.swt.dnd.TextTransfer;
import org.eclipse.swt.widgets.Label;
import org.eclipse.ui.PlatformUI;
import org.eclipse.ui.handlers.IHandlerService;
import org.junit.jupiter.api.Test;
import org.osgi.framework.ServiceRegistration;

import dev.portolan.api.Subscription;
import dev.portolan.api.registry.Registry;
import dev.portolan.api.registry.RegistryHealth;
import dev.portolan.tests.common.EmptyRegistry;
import dev.portolan.tests.common.OsgiServices;
import dev.portolan.ui.PortolanUi;
import dev.portolan.ui.internal.StatusView;

/**
 * The Registry line of the Backend Status view follows a registry's reachability (issue 17): a Registry service whose
 * health the test sets (the etcd registry's own reachability is tested against a real etcd in EtcdReachabilityTest)
 * is shown "unreachable since HH:MM:SS (…)", in the view and in Copy Diagnostics, and plain again once it answers.
 */
class RegistryLineTest {

    private static final Duration TIMEOUT = Duration.ofSeconds(30);
    private static final String LOCATION = "etcd http://127.0.0.1:1 prefix /line-test";

    /** A registry without entries whose health the test sets. */
    private static final class SwitchableRegistry extends EmptyRegistry {
        volatile RegistryHealth health = RegistryHealth.REACHABLE;

        SwitchableRegistry() {
            super("line-test", LOCATION);
        }

        @Override
        public RegistryHealth health() {
            return health;
        }

        @Override
        public Subscription addHealthListener(Consumer<RegistryHealth> listener) {
            return Subscription.NONE;
        }
    }

    @Test
    void theRegistryLineSaysSinceWhenARegistryIsUnreachableAndClearsWhenItAnswers() throws Exception {
        StatusView view = Ui.showStatusView();
        SwitchableRegistry registry = new SwitchableRegistry();
        ServiceRegistration<Registry> reg = OsgiServices.context(RegistryLineTest.class)
                .registerService(Registry.class, registry, new Hashtable<>(java.util.Map.of(Registry.ID_PROPERTY, "line-test")));
        try {
            Ui.until("the registry named", TIMEOUT, () -> registryLine(view).contains(LOCATION), () -> registryLine(view));
            assertTrue(!registryLine(view).contains("unreachable"), registryLine(view));

            registry.health = RegistryHealth.unreachable(Instant.parse("2026-12-01T23:40:12Z"),
                    "no answer from http://127.0.0.1:1");
            String clock = java.time.format.DateTimeFormatter.ofPattern("HH:mm:ss")
                    .withZone(java.time.ZoneId.systemDefault()).format(registry.health.since());
            String expected = LOCATION + " unreachable since " + clock + " (no answer from http://127.0.0.1:1)";
            Ui.until("unreachable shown", TIMEOUT, () -> registryLine(view).contains(expected), () -> registryLine(view));

            PlatformUI.getWorkbench().getService(IHandlerService.class)
                    .executeCommand(PortolanUi.COMMAND_COPY_DIAGNOSTICS, null);
            Ui.joinPortolanJobs(TIMEOUT);
            Clipboard clipboard = new Clipboard(Ui.display());
            try {
                String report = (String) clipboard.getContents(TextTransfer.getInstance());
                assertTrue(report.contains("- " + expected), report);
            } finally {
                clipboard.dispose();
            }

            registry.health = RegistryHealth.REACHABLE;
            Ui.until("unreachable cleared", TIMEOUT, () -> registryLine(view).contains(LOCATION)
                    && !registryLine(view).contains("unreachable"), () -> registryLine(view));
        } finally {
            reg.unregister();
        }
    }

    private static String registryLine(StatusView view) {
        return Ui.find(view.getViewSite().getShell(), Label.class, l -> l.getText().contains("prefix /line-test"))
                .stream().map(Label::getText).findFirst().orElse("");
    }
}
