package dev.portolan.ui.internal.view;

import org.eclipse.swt.widgets.Table;

/** Table heights counted in rows, so that a table's preferred size shows its header and that many rows. */
public final class TableRows {

    private TableRows() {
    }

    /**
     * The height of {@code table} (border and horizontal scroll bar included) that shows its header, if visible, and
     * {@code rows} rows: a layout hint in pixels.
     */
    public static int height(Table table, int rows) {
        int inner = table.getHeaderHeight() + rows * table.getItemHeight();
        return table.computeTrim(0, 0, 0, inner).height;
    }
}
