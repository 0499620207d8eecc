package dev.portolan.ui.internal.view;

import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.function.Consumer;

import org.eclipse.jface.action.Action;
import org.eclipse.jface.action.ActionContributionItem;
import org.eclipse.jface.action.IAction;
import org.eclipse.jface.action.MenuManager;
import org.eclipse.jface.action.ToolBarManager;
import org.eclipse.jface.layout.GridDataFactory;
import org.eclipse.jface.layout.GridLayoutFactory;
import org.eclipse.jface.resource.JFaceResources;
import org.eclipse.jface.util.Throttler;
import org.eclipse.jface.viewers.ArrayContentProvider;
import org.eclipse.jface.viewers.ColumnLabelProvider;
import org.eclipse.jface.viewers.IElementComparer;
import org.eclipse.jface.viewers.IStructuredSelection;
import org.eclipse.jface.viewers.TableViewer;
import org.eclipse.jface.viewers.TableViewerColumn;
import org.eclipse.jface.viewers.Viewer;
import org.eclipse.jface.viewers.ViewerComparator;
import org.eclipse.swt.SWT;
import org.eclipse.swt.widgets.Composite;
import org.eclipse.swt.widgets.Label;
import org.eclipse.swt.widgets.Table;
import org.eclipse.swt.widgets.TableColumn;

import dev.portolan.api.Subscription;
import dev.portolan.ui.internal.handlers.InstanceActions;
import dev.portolan.ui.internal.model.InstanceRow;
import dev.portolan.ui.internal.model.InstanceTable;
import dev.portolan.ui.internal.view.InstanceColumns.Column;

/**
 * The instances table of the Backend Status view: one row per instance of the service ({@link InstanceTable}), the
 * columns of {@link InstanceColumns} (click a header to sort by it, again to reverse; by index at first), and the
 * per-instance actions Stop / Restart / Open docs in a small toolbar and the context menu, enabled only for a selected
 * instance this front end launched. Redraws on the UI thread through a {@link Throttler}; disposing the control
 * removes its subscription.
 */
public final class InstancesViewer {

    private static final Duration REDRAW_DELAY = Duration.ofMillis(50);
    /** Rows the table shows at its preferred height (the view scrolls rather than show fewer). */
    public static final int ROWS = 3;

    private final InstanceTable table;
    private final Composite root;
    private final Label message;
    private final TableViewer viewer;
    private final Action stop;
    private final Action restart;
    private final Action docs;
    private final Subscription subscription;
    private Column sortColumn = InstanceColumns.ALL.get(0);
    private boolean descending;

    public InstancesViewer(Composite parent, InstanceTable table, InstanceActions actions) {
        this.table = table;
        root = new Composite(parent, SWT.NONE);
        // one header row (title, action message, actions) above the table
        GridLayoutFactory.fillDefaults().numColumns(3).spacing(8, 2).applyTo(root);
        Label title = new Label(root, SWT.NONE);
        title.setText("Instances");
        title.setFont(JFaceResources.getFontRegistry().getBold(JFaceResources.DEFAULT_FONT));
        message = new Label(root, SWT.NONE);
        GridDataFactory.fillDefaults().grab(true, false).align(SWT.FILL, SWT.CENTER).hint(100, SWT.DEFAULT)
                .applyTo(message);
        stop = action("Stop", Icons.STOP, "Stop this instance (after draining it); the others keep serving",
                actions::stop);
        restart = action("Restart", Icons.RESTART, "Restart this instance (after draining it)", actions::restart);
        docs = action("Open docs", Icons.OPEN_DOCS, "Open this instance's API docs in the system browser",
                actions::openDocs);
        // icon buttons with tooltips (the context menu shows labels and icons)
        ToolBarManager toolbar = new ToolBarManager(SWT.FLAT);
        for (IAction a : List.of(stop, restart, docs)) {
            toolbar.add(new ActionContributionItem(a));
        }
        toolbar.createControl(root);

        viewer = new TableViewer(root, SWT.BORDER | SWT.FULL_SELECTION | SWT.SINGLE | SWT.V_SCROLL | SWT.H_SCROLL);
        Table t = viewer.getTable();
        t.setHeaderVisible(true);
        t.setLinesVisible(true);
        TableRows.keep(t, ROWS, GridDataFactory.fillDefaults().span(3, 1).grab(true, true).create());
        viewer.setContentProvider(ArrayContentProvider.getInstance());
        viewer.setComparer(new ById());
        for (Column c : InstanceColumns.ALL) {
            column(c);
        }
        ColumnFit.install(viewer);
        viewer.setComparator(new ViewerComparator() {
            @Override
            public int compare(Viewer v, Object a, Object b) {
                Comparator<InstanceRow> order = descending ? sortColumn.order().reversed() : sortColumn.order();
                return order.compare((InstanceRow) a, (InstanceRow) b);
            }
        });
        t.setSortColumn(t.getColumn(0));
        t.setSortDirection(SWT.UP);
        MenuManager menu = new MenuManager();
        menu.add(stop);
        menu.add(restart);
        menu.add(docs);
        t.setMenu(menu.createContextMenu(t));
        viewer.addSelectionChangedListener(e -> updateActions());

        Throttler redraw = new Throttler(root.getDisplay(), REDRAW_DELAY, this::refresh);
        subscription = table.addListener(redraw::throttledExec);
        root.addDisposeListener(e -> {
            subscription.close();
            menu.dispose();
            toolbar.dispose();
        });
        refresh();
    }

    private void column(Column c) {
        TableViewerColumn vc = new TableViewerColumn(viewer, SWT.LEFT);
        TableColumn tc = vc.getColumn();
        tc.setText(c.title());
        tc.setWidth(c.width());
        vc.setLabelProvider(new ColumnLabelProvider() {
            @Override
            public String getText(Object element) {
                return c.text().apply((InstanceRow) element);
            }

            @Override
            public String getToolTipText(Object element) {
                return ((InstanceRow) element).message();
            }
        });
        tc.addListener(SWT.Selection, e -> sortBy(c, tc));
    }

    private void sortBy(Column c, TableColumn tc) {
        descending = c == sortColumn && !descending;
        sortColumn = c;
        viewer.getTable().setSortColumn(tc);
        viewer.getTable().setSortDirection(descending ? SWT.DOWN : SWT.UP);
        viewer.refresh();
    }

    private Action action(String text, String icon, String tooltip, Consumer<InstanceRow> run) {
        Action a = new Action(text) {
            @Override
            public void run() {
                selected().ifPresent(run);
            }
        };
        a.setImageDescriptor(Icons.descriptor(icon));
        a.setToolTipText(tooltip);
        a.setEnabled(false);
        return a;
    }

    /** Shows the table's rows and action message now (UI thread). */
    public void refresh() {
        if (root.isDisposed()) {
            return;
        }
        viewer.setInput(table.rows());
        String m = table.actionMessage();
        message.setText(m == null ? "" : m);
        message.setToolTipText(m);
        updateActions();
    }

    private void updateActions() {
        Optional<InstanceRow> row = selected();
        boolean launched = row.map(InstanceRow::launched).orElse(false);
        stop.setEnabled(launched);
        restart.setEnabled(launched);
        docs.setEnabled(launched && row.get().endpoint() != null);
    }

    /** The selected row as the table has it now (the selection may hold an older copy of it). */
    private Optional<InstanceRow> selected() {
        if (!(viewer.getSelection() instanceof IStructuredSelection s) || s.isEmpty()) {
            return Optional.empty();
        }
        String id = ((InstanceRow) s.getFirstElement()).instanceId();
        return table.rows().stream().filter(r -> r.instanceId().equals(id)).findFirst();
    }

    public Composite control() {
        return root;
    }

    public TableViewer viewer() {
        return viewer;
    }

    public IAction stopAction() {
        return stop;
    }

    public IAction restartAction() {
        return restart;
    }

    public IAction openDocsAction() {
        return docs;
    }

    /** The action message shown above the table ("" when none). */
    public String messageText() {
        return message.getText();
    }

    /** Rows are the same instance when their instance ids are: the selection survives updates of the values. */
    private static final class ById implements IElementComparer {
        @Override
        public boolean equals(Object a, Object b) {
            return a instanceof InstanceRow x && b instanceof InstanceRow y ? x.instanceId().equals(y.instanceId())
                    : a.equals(b);
        }

        @Override
        public int hashCode(Object element) {
            return element instanceof InstanceRow r ? r.instanceId().hashCode() : element.hashCode();
        }
    }
}
