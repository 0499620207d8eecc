package dev.portolan.ui;

/** IDs contributed by the Portolan UI bundle, defined once and used by plugin.xml, code and tests. */
public final class PortolanUi {

    public static final String PLUGIN_ID = "dev.portolan.ui";
    /** Window ▸ Show View ▸ Portolan ▸ Backend Status. */
    public static final String STATUS_VIEW_ID = "dev.portolan.ui.views.status";
    public static final String VIEW_CATEGORY_ID = "dev.portolan.ui.category";

    private PortolanUi() {
    }
}
