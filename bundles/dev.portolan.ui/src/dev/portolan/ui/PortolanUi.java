package dev.portolan.ui;

/** IDs contributed by the Portolan UI bundle, defined once and used by plugin.xml, code and tests. */
public final class PortolanUi {

    public static final String PLUGIN_ID = "dev.portolan.ui";
    /** Window ▸ Show View ▸ Portolan ▸ Backend Status. */
    public static final String STATUS_VIEW_ID = "dev.portolan.ui.views.status";
    public static final String VIEW_CATEGORY_ID = "dev.portolan.ui.category";
    /** Context active while the Backend Status view is: F5 = Refresh there. */
    public static final String STATUS_VIEW_CONTEXT_ID = "dev.portolan.ui.contexts.statusView";

    /** Family of every Job the Portolan UI schedules (discovery, launches, port scans): tests join it. */
    public static final Object JOB_FAMILY = PortolanUi.class.getName() + ".jobs";

    public static final String COMMAND_CATEGORY_ID = "dev.portolan.ui.commands.category";
    public static final String COMMAND_REFRESH = "dev.portolan.ui.commands.refresh";
    public static final String COMMAND_START = "dev.portolan.ui.commands.start";
    public static final String COMMAND_STOP = "dev.portolan.ui.commands.stop";
    public static final String COMMAND_RESTART = "dev.portolan.ui.commands.restart";
    public static final String COMMAND_OVERRIDE = "dev.portolan.ui.commands.override";
    public static final String COMMAND_CLEAR_OVERRIDE = "dev.portolan.ui.commands.clearOverride";
    public static final String COMMAND_CLEAR_CACHE = "dev.portolan.ui.commands.clearCache";
    public static final String COMMAND_OPEN_DOCS = "dev.portolan.ui.commands.openDocs";
    public static final String COMMAND_SHOW_STATUS = "dev.portolan.ui.commands.showStatus";

    /** Window ▸ Preferences ▸ Portolan. */
    public static final String PREFERENCE_PAGE_ID = "dev.portolan.ui.preferences";
    /** Type of the Eclipse consoles that show sidecar output (one per sidecar). */
    public static final String CONSOLE_TYPE = "dev.portolan.ui.console.sidecar";
    /** The status-bar badge (trim contribution). */
    public static final String STATUS_TRIM_ID = "dev.portolan.ui.trim.status";

    private PortolanUi() {
    }
}
