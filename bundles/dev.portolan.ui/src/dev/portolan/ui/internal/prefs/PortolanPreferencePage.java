package dev.portolan.ui.internal.prefs;

import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import java.util.stream.Collectors;

import org.eclipse.jface.preference.BooleanFieldEditor;
import org.eclipse.jface.preference.DirectoryFieldEditor;
import org.eclipse.jface.preference.FieldEditor;
import org.eclipse.jface.preference.FieldEditorPreferencePage;
import org.eclipse.jface.preference.IntegerFieldEditor;
import org.eclipse.jface.preference.StringFieldEditor;
import org.eclipse.swt.SWT;
import org.eclipse.swt.layout.GridData;
import org.eclipse.swt.widgets.Composite;
import org.eclipse.swt.widgets.Control;
import org.eclipse.swt.widgets.Label;
import org.eclipse.ui.IWorkbench;
import org.eclipse.ui.IWorkbenchPreferencePage;

import dev.portolan.api.PortRange;
import dev.portolan.api.discovery.PortolanSettings;
import dev.portolan.api.discovery.SettingsService;
import dev.portolan.api.launch.AdoptionPolicy;
import dev.portolan.ui.PortolanUi;
import dev.portolan.ui.internal.WorkbenchServices;

/**
 * Window ▸ Preferences ▸ Portolan: the configured settings of the {@link SettingsService} ({@code settings.json}, which
 * the headless commands read too). OK hands what the user changed to the service in a Job of
 * {@link PortolanUi#JOB_FAMILY}. Fields whose value an environment variable overrides say so, and the page lists every
 * override and every invalid environment value.
 */
public final class PortolanPreferencePage extends FieldEditorPreferencePage implements IWorkbenchPreferencePage {

    private Map<String, String> overrides = Map.of();
    private List<String> problems = List.of();
    private SettingsService settings;

    public PortolanPreferencePage() {
        super(GRID);
        setDescription("Where Portolan looks for its backend and how it starts it.");
    }

    @Override
    public void init(IWorkbench workbench) {
        settings = WorkbenchServices.settings().orElse(null);
        setPreferenceStore(new SettingsPreferenceStore(
                settings == null ? PortolanSettings.DEFAULTS : settings.configured()));
        if (settings != null) {
            overrides = Map.copyOf(settings.environmentOverrides());
            problems = List.copyOf(settings.problems());
        }
    }

    @Override
    protected Control createContents(Composite parent) {
        Control contents = super.createContents(parent);
        if (settings == null) {
            setErrorMessage(NO_SERVICE);
            setValid(false);
        }
        return contents;
    }

    @Override
    protected void createFieldEditors() {
        Composite parent = getFieldEditorParent();
        if (!overrides.isEmpty() || !problems.isEmpty()) {
            Label note = new Label(parent, SWT.WRAP);
            note.setText(environmentNote());
            GridData gd = new GridData(SWT.FILL, SWT.TOP, true, false, 3, 1);
            gd.widthHint = 420;
            note.setLayoutData(gd);
            environmentNote = note;
        }
        addField(checked(PortolanPreferences.PORT_RANGE, label("Port range (first-last):",
                PortolanPreferences.PORT_RANGE), parent, PortRange::parse));
        addField(millis(PortolanPreferences.DISCOVERY_TIMEOUT_MS, "Discovery timeout (ms):", 100, 600_000, parent));
        addField(millis(PortolanPreferences.HEALTH_INTERVAL_MS, "Health check interval (ms):", 100, 3_600_000,
                parent));
        addField(checked(PortolanPreferences.BACKEND_COMMAND, "Backend command (empty: the bundled sample backend):",
                parent, PortolanPreferences::splitCommand));
        DirectoryFieldEditor dir = new DirectoryFieldEditor(PortolanPreferences.BACKEND_DIRECTORY,
                "Backend working directory:", parent);
        dir.setEmptyStringAllowed(true);
        addField(dir);
        addField(new BooleanFieldEditor(PortolanPreferences.AUTO_START, "Start the backend when Portolan starts",
                parent));
        addField(millis(PortolanPreferences.START_TIMEOUT_MS, "Backend start timeout (ms):", 100, 600_000, parent));
        IntegerFieldEditor instances = new IntegerFieldEditor(PortolanPreferences.INSTANCES,
                "Instances (copies of the backend to run, 1-" + PortolanSettings.MAX_INSTANCES + "):", parent) {
            @Override
            protected boolean checkState() {
                boolean ok = super.checkState();
                if (!ok) {
                    // name the value, not only the rule
                    setErrorMessage("Instances '" + getStringValue().strip() + "' "
                            + PortolanPreferences.instancesRule() + ".");
                    showErrorMessage();
                }
                return ok;
            }
        };
        instances.setValidRange(1, PortolanSettings.MAX_INSTANCES);
        instances.setValidateStrategy(StringFieldEditor.VALIDATE_ON_KEY_STROKE);
        addField(instances);
        addField(checked(PortolanPreferences.OUTPUT_PATTERNS, "Output patterns of a backend that never announces\n"
                + "(one regular expression per line, with (?<port>...) or (?<url>...)):", 40, 3, parent,
                text -> PortolanPreferences.lines(text).forEach(AdoptionPolicy::checkPattern)));
        addField(checked(PortolanPreferences.HEALTH_PATH, "Health path of a backend that never announces (empty: "
                + "/health):", parent, text -> {
                    if (!text.strip().isEmpty()) {
                        AdoptionPolicy.checkHealthPath(text.strip());
                    }
                }));
        IntegerFieldEditor override = new IntegerFieldEditor(PortolanPreferences.OVERRIDE_PORT,
                label("Override port on 127.0.0.1 (0: discover):", PortolanPreferences.OVERRIDE_PORT), parent);
        override.setValidRange(0, 65535);
        addField(override);
        addField(new BooleanFieldEditor(PortolanPreferences.DEBUG,
                label("Debug logging of every probe and strategy (stderr)", PortolanPreferences.DEBUG), parent));
    }

    private Label environmentNote;

    private String environmentNote() {
        StringBuilder sb = new StringBuilder();
        if (!overrides.isEmpty()) {
            sb.append("Environment variables override these preferences: ").append(overrides.entrySet().stream()
                    .map(e -> e.getKey() + "=" + e.getValue()).sorted().collect(Collectors.joining(", ")))
                    .append(". Changes to the overridden fields take effect only without them.");
        }
        for (String p : problems) {
            sb.append(sb.isEmpty() ? "" : "\n").append("Ignored: ").append(p);
        }
        return sb.toString();
    }

    /** The label of a field, marked when an environment variable overrides it. */
    private String label(String text, String key) {
        return overrides.keySet().stream().filter(v -> key.equals(PortolanPreferences.keyOverriddenBy(v))).findFirst()
                .map(v -> text + " [overridden by " + v + "]").orElse(text);
    }

    /** A one-line text field of unlimited width that {@code check} validates while typing. */
    private static StringFieldEditor checked(String key, String label, Composite parent, Consumer<String> check) {
        return checked(key, label, StringFieldEditor.UNLIMITED, 1, parent, check);
    }

    /**
     * A text field that {@code check} validates while typing: the message of the IllegalArgumentException it throws is
     * the page's error, and OK is disabled meanwhile.
     */
    private static StringFieldEditor checked(String key, String label, int width, int height, Composite parent,
            Consumer<String> check) {
        return new StringFieldEditor(key, label, width, height, StringFieldEditor.VALIDATE_ON_KEY_STROKE, parent) {
            @Override
            protected boolean doCheckState() {
                try {
                    check.accept(getStringValue());
                    return true;
                } catch (IllegalArgumentException e) {
                    setErrorMessage(e.getMessage());
                    return false;
                }
            }
        };
    }

    private FieldEditor millis(String key, String text, int min, int max, Composite parent) {
        IntegerFieldEditor f = new IntegerFieldEditor(key, label(text, key), parent);
        f.setValidRange(min, max);
        return f;
    }

    /** The note about environment overrides, {@code null} when there are none (tests). */
    public String environmentNoteText() {
        return environmentNote == null ? null : environmentNote.getText();
    }

    /** Shown when the settings service is not running: the fields show the defaults, and OK saves nothing. */
    static final String NO_SERVICE = "The Portolan settings service is not running, so nothing can be saved here. "
            + "Check the Error Log for why dev.portolan.core did not start.";

    @Override
    public boolean performOk() {
        SettingsService service = settings;
        if (service == null || !super.performOk()) {
            return false;
        }
        SettingsPreferenceStore store = (SettingsPreferenceStore) getPreferenceStore();
        try {
            store.onto(service.configured()); // a value no field refused but the settings do: say so, stay open
        } catch (IllegalArgumentException e) {
            setErrorMessage(e.getMessage());
            return false;
        }
        // the settings' listeners reconfigure the front end: not on the UI thread
        PortolanPreferences.job("Applying Portolan preferences", () -> {
            PortolanSettings next = store.onto(service.configured());
            if (!next.equals(service.configured())) {
                service.update(next);
            }
        }).schedule();
        return true;
    }
}
