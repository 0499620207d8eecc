package dev.portolan.ui.internal.prefs;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

import org.eclipse.core.runtime.ILog;
import org.eclipse.core.runtime.preferences.IEclipsePreferences;
import org.eclipse.core.runtime.preferences.InstanceScope;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.prefs.BackingStoreException;

import dev.portolan.api.discovery.PortolanSettings;
import dev.portolan.api.discovery.SettingsService;
import dev.portolan.ui.PortolanUi;

/**
 * Moves what earlier versions kept in the Eclipse preference node {@code dev.portolan.ui} (instance scope) into the
 * {@link SettingsService}, once, and empties the node: the settings service is the one place settings live. A value
 * that is not valid is not moved; the error log names it and its value.
 */
@Component(immediate = true, service = PreferenceMigration.class)
public final class PreferenceMigration {

    @Reference
    private SettingsService settings;

    @Activate
    void activate() {
        IEclipsePreferences node = InstanceScope.INSTANCE.getNode(PortolanUi.PLUGIN_ID);
        try {
            Outcome outcome = migrate(node, settings);
            ILog log = ILog.of(PreferenceMigration.class);
            if (!outcome.moved().isEmpty()) {
                log.info("Portolan preferences " + outcome.moved() + " moved into the settings file (settings.json)");
            }
            outcome.problems().forEach(p -> log.warn("Portolan preference not moved into the settings file, "
                    + "set it again in Window > Preferences > Portolan: " + p));
        } catch (BackingStoreException e) {
            ILog.of(PreferenceMigration.class).error("Portolan preferences of an earlier version could not be read "
                    + "or removed from " + node.absolutePath() + ": " + e.getMessage(), e);
        }
    }

    /** What a migration moved (keys) and what it could not (one message each naming key and value). */
    public record Outcome(List<String> moved, List<String> problems) {
    }

    /**
     * Moves every valid Portolan key of {@code node} into {@code settings} on top of what they configure, then removes
     * every key from the node. Nothing happens when the node is empty.
     */
    public static Outcome migrate(IEclipsePreferences node, SettingsService settings) throws BackingStoreException {
        String[] keys = node.keys();
        if (keys.length == 0) {
            return new Outcome(List.of(), List.of());
        }
        Set<String> known = PortolanPreferences.text(PortolanSettings.DEFAULTS).keySet();
        PortolanSettings before = settings.configured();
        Map<String, String> merged = new HashMap<>(PortolanPreferences.text(before));
        List<String> moved = new ArrayList<>();
        List<String> problems = new ArrayList<>();
        for (String key : keys) {
            String value = node.get(key, null);
            if (!known.contains(key)) {
                problems.add("unknown preference " + key + "='" + value + "' (dropped)");
                continue;
            }
            Map<String, String> trial = new HashMap<>(merged);
            trial.put(key, value);
            try {
                PortolanPreferences.read(trial::get);
                merged = trial;
                moved.add(key);
            } catch (IllegalArgumentException e) {
                problems.add(e.getMessage());
            }
        }
        PortolanSettings after = PortolanPreferences.read(merged::get);
        if (!after.equals(before)) {
            settings.update(after);
        }
        node.clear();
        node.flush();
        return new Outcome(List.copyOf(moved), List.copyOf(problems));
    }
}
