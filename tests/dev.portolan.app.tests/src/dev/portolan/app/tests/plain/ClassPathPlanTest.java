package dev.portolan.app.tests.plain;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import dev.portolan.api.discovery.SettingsService;
import dev.portolan.api.ports.PortInspector;
import dev.portolan.app.internal.plain.ClassPathPlan;
import dev.portolan.app.internal.plain.ComponentDescriptor;
import dev.portolan.app.internal.plain.ComponentRuntime;
import dev.portolan.app.internal.plain.DescriptorFile;
import dev.portolan.tests.common.Build;

/**
 * The plain class path planned from the built product: the headless bundles and what they import, no workbench;
 * and the component runtime wires the product's real DS descriptors from it, in a class loader of its own.
 */
class ClassPathPlanTest {

    private static final Path PLUGINS = Build.materializedProduct("dev.portolan.product", "dev.portolan.product")
            .resolve("plugins");

    private static Path plugin(String bsn) throws Exception {
        try (Stream<Path> s = Files.list(PLUGINS)) {
            return s.filter(p -> p.getFileName().toString().startsWith(bsn + "_")).findFirst().orElseThrow();
        }
    }

    private static List<String> names(List<Path> paths) {
        List<String> out = new ArrayList<>();
        for (Path p : paths) {
            String n = p.getFileName().toString();
            out.add(n.substring(0, n.indexOf('_')));
        }
        return out;
    }

    @Test
    void theHeadlessBundlesAndTheirImportsWithoutTheWorkbench() throws Exception {
        ClassPathPlan plan = ClassPathPlan.plan(PLUGINS, plugin("dev.portolan.app"));
        List<String> cp = names(plan.classPath());
        assertEquals("dev.portolan.app", cp.get(0), "the entry bundle comes first: " + cp);
        for (String needed : List.of("dev.portolan.api", "dev.portolan.core", "dev.portolan.ports",
                "dev.portolan.detect", "dev.portolan.launch", "dev.portolan.backend",
                "com.fasterxml.jackson.core.jackson-databind", "com.fasterxml.jackson.core.jackson-core",
                "org.eclipse.osgi")) {
            assertTrue(cp.contains(needed), needed + " in " + cp);
        }
        for (String workbench : List.of("dev.portolan.ui", "org.eclipse.ui.workbench", "org.eclipse.swt",
                "org.apache.felix.scr")) {
            assertFalse(cp.contains(workbench), workbench + " is not needed headless: " + cp);
        }
        assertTrue(plan.components().stream().anyMatch(c -> c.endsWith("DiscoveryServiceImpl.xml")), plan.components().toString());
        assertFalse(plan.components().stream().anyMatch(c -> c.contains(".ui.")), "no workbench component: "
                + plan.components());
    }

    /**
     * A headless command reads the descriptors from the plan's file (the jars stay closed): the same components as the
     * bundles on the class path declare, in the same order.
     */
    @Test
    void theDescriptorsFileHoldsWhatTheBundlesDeclare(@TempDir Path dir) throws Exception {
        ClassPathPlan plan = ClassPathPlan.plan(PLUGINS, plugin("dev.portolan.app"));
        Path file = dir.resolve("descriptors");
        Files.writeString(file, DescriptorFile.format(plan.descriptorTexts()));
        List<ComponentDescriptor> fromFile = DescriptorFile.read(file);
        try (URLClassLoader loader = loaderOf(plan)) {
            List<ComponentDescriptor> fromJars = ComponentRuntime.load(loader, plan.components()).descriptors();
            assertEquals(shape(fromJars), shape(fromFile));
        }
        assertTrue(fromFile.stream().anyMatch(c -> c.implementation().endsWith(".DiscoveryServiceImpl")),
                shape(fromFile).toString());
    }

    /**
     * A loader of the plan's class path of its own (parent: the platform loader), as on the command line: nothing comes
     * from this OSGi runtime.
     */
    private static URLClassLoader loaderOf(ClassPathPlan plan) throws Exception {
        List<URL> urls = new ArrayList<>();
        for (Path p : plan.classPath()) {
            urls.add(p.toUri().toURL());
        }
        return new URLClassLoader(urls.toArray(new URL[0]), ClassLoader.getPlatformClassLoader());
    }

    /** What a descriptor says, comparable (a property's value may be an array, which a record compares by identity). */
    private static List<String> shape(List<ComponentDescriptor> descriptors) {
        return descriptors.stream().map(d -> d.name() + " " + d.implementation() + " " + d.services() + " "
                + d.references() + " " + d.properties().keySet() + " " + d.activate() + " " + d.init()).toList();
    }

    @Test
    void theRuntimeWiresTheProductsRealComponentsByInterface() throws Exception {
        ClassPathPlan plan = ClassPathPlan.plan(PLUGINS, plugin("dev.portolan.app"));
        try (URLClassLoader loader = loaderOf(plan)) {
            ComponentRuntime rt = ComponentRuntime.load(loader, plan.components());
            Class<?> settingsType = loader.loadClass(SettingsService.class.getName());
            Object settings = rt.service(settingsType).orElseThrow(() -> new AssertionError(rt.problems(settingsType)));
            assertEquals(loader, settings.getClass().getClassLoader());
            assertTrue(settingsType.isInstance(settings));
            Class<?> inspectorType = loader.loadClass(PortInspector.class.getName());
            assertTrue(rt.service(inspectorType).isPresent(), rt.problems(inspectorType).toString());
            rt.close();
        }
    }
}
