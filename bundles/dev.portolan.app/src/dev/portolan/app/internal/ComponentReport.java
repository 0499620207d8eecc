package dev.portolan.app.internal;

import java.util.Collection;
import java.util.TreeMap;
import java.util.stream.Collectors;

import org.osgi.framework.Bundle;
import org.osgi.framework.BundleContext;
import org.osgi.framework.FrameworkUtil;
import org.osgi.service.component.runtime.ServiceComponentRuntime;
import org.osgi.service.component.runtime.dto.ComponentConfigurationDTO;
import org.osgi.service.component.runtime.dto.ComponentDescriptionDTO;
import org.osgi.util.tracker.ServiceTracker;

/**
 * One line naming every Portolan Declarative Services component and its state, read from Felix SCR's
 * {@link ServiceComponentRuntime}: the product log's proof that DS wired the bundles.
 */
final class ComponentReport {

    private ComponentReport() {
    }

    static String portolanComponents() {
        BundleContext ctx = FrameworkUtil.getBundle(ComponentReport.class).getBundleContext();
        ServiceTracker<ServiceComponentRuntime, ServiceComponentRuntime> t = new ServiceTracker<>(ctx,
                ServiceComponentRuntime.class, null);
        t.open();
        try {
            ServiceComponentRuntime scr = t.getService();
            if (scr == null) {
                return "[portolan] components: none (no Declarative Services runtime: is org.apache.felix.scr started?)";
            }
            TreeMap<String, String> states = new TreeMap<>();
            for (Bundle b : ctx.getBundles()) {
                if (!b.getSymbolicName().startsWith("dev.portolan.")) {
                    continue;
                }
                for (ComponentDescriptionDTO d : scr.getComponentDescriptionDTOs(b)) {
                    Collection<ComponentConfigurationDTO> cs = scr.getComponentConfigurationDTOs(d);
                    String state = !scr.isComponentEnabled(d) ? "DISABLED"
                            : cs.isEmpty() ? "UNSATISFIED"
                                    : cs.stream().map(c -> stateName(c.state)).distinct()
                                            .collect(Collectors.joining("/"));
                    states.put(d.name, state);
                }
            }
            return states.entrySet().stream().map(e -> e.getKey() + "=" + e.getValue())
                    .collect(Collectors.joining(", ", "[portolan] components: ", ""));
        } finally {
            t.close();
        }
    }

    private static String stateName(int state) {
        return switch (state) {
        case ComponentConfigurationDTO.ACTIVE -> "ACTIVE";
        case ComponentConfigurationDTO.SATISFIED -> "SATISFIED";
        case ComponentConfigurationDTO.UNSATISFIED_REFERENCE -> "UNSATISFIED_REFERENCE";
        case ComponentConfigurationDTO.UNSATISFIED_CONFIGURATION -> "UNSATISFIED_CONFIGURATION";
        case ComponentConfigurationDTO.FAILED_ACTIVATION -> "FAILED_ACTIVATION";
        default -> "STATE_" + state;
        };
    }
}
