package dev.portolan.ui.internal.prefs;

import org.eclipse.core.runtime.ILog;
import org.eclipse.core.runtime.jobs.Job;
import org.eclipse.core.runtime.preferences.IEclipsePreferences;
import org.eclipse.core.runtime.preferences.IEclipsePreferences.IPreferenceChangeListener;
import org.eclipse.core.runtime.preferences.InstanceScope;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;
import org.osgi.service.component.annotations.ReferencePolicyOption;

import dev.portolan.api.discovery.PortolanSettings;
import dev.portolan.api.discovery.SettingsService;
import dev.portolan.ui.PortolanUi;

/**
 * Pushes the Portolan preferences to the {@link SettingsService}: once when the service arrives, then after every
 * preference change (coalesced into one update by a Job of {@link PortolanUi#JOB_FAMILY}).
 */
@Component(immediate = true, service = PreferenceSync.class)
public final class PreferenceSync {

    private static final long COALESCE_MS = 100;

    private volatile SettingsService settings;

    private volatile IEclipsePreferences node;
    private final Job push = PortolanPreferences.job("Applying Portolan preferences", this::apply);
    private final IPreferenceChangeListener listener = e -> push.schedule(COALESCE_MS);

    @Activate
    void activate() {
        node = InstanceScope.INSTANCE.getNode(PortolanUi.PLUGIN_ID);
        node.addPreferenceChangeListener(listener);
        apply();
    }

    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC,
            policyOption = ReferencePolicyOption.GREEDY)
    void setSettings(SettingsService s) {
        settings = s;
        if (node != null) {
            apply(); // at once, so that nobody starts with the defaults instead of the preferences
        }
    }

    void unsetSettings(SettingsService s) {
        if (settings == s) {
            settings = null;
        }
    }

    @Deactivate
    void deactivate() {
        node.removePreferenceChangeListener(listener);
        push.cancel();
    }

    private void apply() {
        SettingsService settings = this.settings;
        if (settings == null) {
            return; // pushed when the service arrives
        }
        try {
            PortolanSettings next = PortolanPreferences.read(settings.configured());
            if (!next.equals(settings.configured())) {
                settings.update(next);
            }
        } catch (IllegalArgumentException e) {
            ILog.of(PreferenceSync.class).error("Portolan preferences not applied: " + e.getMessage(), e);
        }
    }
}
