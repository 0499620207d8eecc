package dev.portolan.ui.internal.prefs;

import java.util.HashMap;
import java.util.Map;

import org.eclipse.jface.preference.PreferenceStore;

import dev.portolan.api.discovery.PortolanSettings;
import dev.portolan.api.discovery.SettingsService;

/**
 * The preference page's store over the {@link SettingsService}, the one place Portolan's settings live
 * ({@code settings.json} in the state directory, which the headless commands read too): its values are the configured
 * settings when the page opened, its defaults {@link PortolanSettings#DEFAULTS}. It writes nothing itself: the page
 * hands {@link #onto} to the service.
 */
final class SettingsPreferenceStore extends PreferenceStore {

    private final Map<String, String> loaded;

    SettingsPreferenceStore(PortolanSettings configured) {
        PortolanPreferences.text(PortolanSettings.DEFAULTS).forEach(this::setDefault);
        loaded = PortolanPreferences.text(configured);
        loaded.forEach(this::setValue);
    }

    /**
     * {@code current} with the values the user changed on the page since it opened (what changed elsewhere in the
     * meantime stays).
     *
     * @throws IllegalArgumentException naming the preference and value when one is invalid
     */
    PortolanSettings onto(PortolanSettings current) {
        Map<String, String> next = new HashMap<>(PortolanPreferences.text(current));
        loaded.forEach((key, was) -> {
            if (!getString(key).equals(was)) {
                next.put(key, getString(key));
            }
        });
        return PortolanPreferences.read(next::get);
    }

    /** Nothing to write here: the settings service saves what the page hands it. */
    @Override
    public void save() {
    }
}
