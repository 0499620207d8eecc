package dev.portolan.ui.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.Collection;
import java.util.Optional;

import org.junit.jupiter.api.Test;
import org.osgi.framework.BundleContext;
import org.osgi.framework.ServiceReference;

import dev.portolan.api.registry.InstanceEntry;
import dev.portolan.api.registry.Registry;
import dev.portolan.tests.common.OsgiServices;
import dev.portolan.ui.internal.StatusView;
import dev.portolan.ui.internal.WorkbenchServices;
import dev.portolan.ui.internal.model.BackendStatusModel;
import dev.portolan.ui.internal.model.StatusSnapshot.StatusEvent;

/**
 * An entry file the local registry skips (corrupt JSON here) shows in the Backend Status view's recent events, naming
 * the file and what to do: the product leaves such an entry out of its instances, and its user would never hear of it.
 */
class RegistryProblemsTest {

    private static final Duration WAIT = Duration.ofSeconds(30);

    @Test
    void aCorruptEntryFileOfTheLocalRegistryShowsAsAnEvent() throws Exception {
        BackendStatusModel model = WorkbenchServices.model().orElseThrow();
        String location = localRegistry().location(); // "local <its directory>"
        Path dir = Files.createDirectories(Path.of(location.substring(location.indexOf(' ') + 1)).resolve("instances")
                .resolve(InstanceEntry.DEFAULT_SERVICE));
        Path broken = dir.resolve("ui-test-broken-" + System.nanoTime() + ".json");
        // written aside and moved in, as entries are: the registry's watch never sees it half written or still open
        Path aside = Files.createTempFile(dir.getParent().getParent(), "broken", ".tmp",
                PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
        try {
            Files.writeString(aside, "{\"schema\": 1");
            Files.move(aside, broken, java.nio.file.StandardCopyOption.ATOMIC_MOVE);
            StatusView view = Ui.showStatusView();
            Ui.until("the skipped entry in the view's events", WAIT, () -> problem(view.shown().events(), broken)
                    .isPresent(), () -> view.shown().events().toString());
            StatusEvent e = problem(view.shown().events(), broken).orElseThrow();
            assertEquals("PROBLEM", e.result());
            assertTrue(e.detail().startsWith("registry entry " + broken + " is corrupt: not valid JSON: "), e.detail());
            assertTrue(e.detail().endsWith("remove it: rm '" + broken + "'"), e.detail());
            assertEquals(1, model.snapshot().events().stream().filter(x -> x.detail() != null
                    && x.detail().equals(e.detail())).count(), "said once: " + model.snapshot().events());
        } finally {
            Files.deleteIfExists(aside);
            Files.deleteIfExists(broken);
        }
    }

    private static Optional<StatusEvent> problem(Collection<StatusEvent> events, Path file) {
        return events.stream().filter(e -> BackendStatusModel.REGISTRY_EVENTS.equals(e.source()) && e.detail() != null
                && e.detail().contains(file.toString())).findFirst();
    }

    private static Registry localRegistry() throws Exception {
        OsgiServices.await(RegistryProblemsTest.class, Registry.class, WAIT);
        BundleContext ctx = OsgiServices.context(RegistryProblemsTest.class);
        Collection<ServiceReference<Registry>> refs = ctx.getServiceReferences(Registry.class,
                "(" + Registry.ID_PROPERTY + "=local)");
        assertEquals(1, refs.size(), "one local registry: " + refs);
        return ctx.getService(refs.iterator().next());
    }
}
