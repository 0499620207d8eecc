package dev.portolan.ui.internal.view;

import org.eclipse.swt.layout.GridData;
import org.eclipse.swt.widgets.Composite;
import org.eclipse.swt.widgets.Control;
import org.eclipse.swt.widgets.Table;

/**
 * Table heights counted in rows, so that a table's preferred size shows its header and that many rows. A row's
 * height is not fixed: it follows the rows' fonts and images (GTK measured 25 px per row for a new table and 42 px
 * later in the same run), so a kept height is refreshed ({@link #refresh}) before the layout that depends on it.
 */
public final class TableRows {

    /** Table data: the rows its height hint keeps. */
    private static final String ROWS = TableRows.class.getName() + ".rows";

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

    /** Lays {@code table} out with {@code data}, its height hint the header and {@code rows} rows (kept by refresh). */
    public static void keep(Table table, int rows, GridData data) {
        table.setData(ROWS, rows);
        data.heightHint = height(table, rows);
        table.setLayoutData(data);
    }

    /** Gives every kept table at or below {@code root} the height its rows need now; whether any hint changed. */
    public static boolean refresh(Control root) {
        boolean changed = false;
        if (root instanceof Table t && t.getData(ROWS) instanceof Integer rows
                && t.getLayoutData() instanceof GridData data) {
            int h = height(t, rows);
            changed = h != data.heightHint;
            data.heightHint = h;
        }
        if (root instanceof Composite c) {
            for (Control child : c.getChildren()) {
                changed |= refresh(child);
            }
        }
        return changed;
    }
}
