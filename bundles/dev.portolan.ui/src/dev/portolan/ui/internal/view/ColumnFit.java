package dev.portolan.ui.internal.view;

import org.eclipse.jface.viewers.IStructuredContentProvider;
import org.eclipse.jface.viewers.TableViewer;
import org.eclipse.jface.viewers.Viewer;
import org.eclipse.swt.SWT;
import org.eclipse.swt.graphics.GC;
import org.eclipse.swt.graphics.Image;
import org.eclipse.swt.widgets.Table;
import org.eclipse.swt.widgets.TableColumn;
import org.eclipse.swt.widgets.TableItem;

/**
 * Columns that fit their content: after every new input of the viewer (one fit per burst, on the UI thread after the
 * rows were created) each column gets the width of its widest cell or its header, never less than a minimum that
 * shows the header and never more than {@link #MAX_WIDTH} (long details stay readable in the tooltip or by widening
 * the column). A column the user resized keeps the user's width.
 */
public final class ColumnFit {

    /** Upper bound of a fitted column, so that one long detail does not push the others out of sight. */
    public static final int MAX_WIDTH = 480;
    /** Lower bound of every column, in pixels. */
    public static final int MIN_WIDTH = 40;
    /** Room for the sort indicator and the cell margins around a header text. */
    private static final int HEADER_PADDING = 28;
    /** The cell margins around a cell's text. */
    private static final int CELL_PADDING = 16;
    private static final int IMAGE_GAP = 4;

    /** Column data: the width this class gave the column last (or found at install). */
    private static final String GIVEN = ColumnFit.class.getName() + ".given";
    /** Column data: set once the user gave the column another width. */
    private static final String USER = ColumnFit.class.getName() + ".user";

    private final Table table;
    private boolean fitting;
    private boolean pending;

    private ColumnFit(TableViewer viewer) {
        this.table = viewer.getTable();
        for (TableColumn c : table.getColumns()) {
            c.setData(GIVEN, c.getWidth());
            // GTK may report a resize after setWidth returned: only a width other than the one given is the user's
            c.addListener(SWT.Resize, e -> {
                if (!fitting && !Integer.valueOf(c.getWidth()).equals(c.getData(GIVEN))) {
                    c.setData(USER, Boolean.TRUE);
                }
            });
        }
        IStructuredContentProvider content = (IStructuredContentProvider) viewer.getContentProvider();
        viewer.setContentProvider(new IStructuredContentProvider() {
            @Override
            public Object[] getElements(Object input) {
                return content.getElements(input);
            }

            @Override
            public void inputChanged(Viewer v, Object oldInput, Object newInput) {
                content.inputChanged(v, oldInput, newInput);
                scheduleFit();
            }
        });
    }

    /**
     * Makes the columns of {@code viewer} fit their content from now on; call after the columns and the content
     * provider were created. Returns the fitter ({@link #fit()} fits at once).
     */
    public static ColumnFit install(TableViewer viewer) {
        return new ColumnFit(viewer);
    }

    private void scheduleFit() {
        if (!pending && !table.isDisposed()) {
            pending = true;
            // after the viewer created the rows of the new input
            table.getDisplay().asyncExec(() -> {
                pending = false;
                fit();
            });
        }
    }

    /** Fits every column the user has not resized (UI thread). */
    public void fit() {
        if (table.isDisposed()) {
            return;
        }
        fitting = true;
        GC gc = new GC(table);
        try {
            TableColumn[] columns = table.getColumns();
            for (int i = 0; i < columns.length; i++) {
                TableColumn c = columns[i];
                if (c.getData(USER) != null) {
                    continue;
                }
                int width = Math.min(MAX_WIDTH, Math.max(minimumWidth(c, gc), contentWidth(i, gc)));
                c.setData(GIVEN, width);
                if (c.getWidth() != width) {
                    c.setWidth(width);
                }
            }
        } finally {
            gc.dispose();
            fitting = false;
        }
    }

    /**
     * The widest cell of column {@code index} (text and image) plus the cell's padding. Measured here rather than by
     * {@code TableColumn.pack()}, which on GTK does not shrink a column below an earlier width.
     */
    private int contentWidth(int index, GC gc) {
        int widest = 0;
        for (TableItem item : table.getItems()) {
            int w = gc.textExtent(item.getText(index)).x;
            Image image = item.getImage(index);
            if (image != null) {
                w += image.getBounds().width + IMAGE_GAP;
            }
            widest = Math.max(widest, w);
        }
        return widest + CELL_PADDING;
    }

    /** The narrowest width {@link #fit()} gives {@code column}: its header text and padding. */
    public static int minimumWidth(TableColumn column) {
        GC gc = new GC(column.getParent());
        try {
            return minimumWidth(column, gc);
        } finally {
            gc.dispose();
        }
    }

    private static int minimumWidth(TableColumn column, GC gc) {
        return Math.max(MIN_WIDTH, gc.textExtent(column.getText()).x + HEADER_PADDING);
    }
}
