package dev.portolan.ui.internal.view;

import java.util.function.Function;

import org.eclipse.jface.layout.GridDataFactory;
import org.eclipse.jface.layout.GridLayoutFactory;
import org.eclipse.jface.viewers.ArrayContentProvider;
import org.eclipse.jface.viewers.ColumnLabelProvider;
import org.eclipse.jface.viewers.TableViewer;
import org.eclipse.jface.viewers.TableViewerColumn;
import org.eclipse.swt.SWT;
import org.eclipse.swt.custom.SashForm;
import org.eclipse.swt.widgets.Composite;
import org.eclipse.swt.widgets.Group;
import org.eclipse.swt.widgets.Table;

import dev.portolan.ui.internal.model.StatusSnapshot;
import dev.portolan.ui.internal.model.StatusSnapshot.PortRow;
import dev.portolan.ui.internal.model.StatusSnapshot.StatusEvent;

/** The Backend Status view's lower tables, side by side: recent discovery events and the port range. */
public final class EventsAndPorts {

    /** Rows each table shows at its preferred height (the view scrolls rather than show fewer). */
    public static final int ROWS = 4;

    private final Group portsGroup;
    private final TableViewer eventsViewer;
    private final TableViewer portsViewer;

    public EventsAndPorts(Composite parent) {
        SashForm tables = new SashForm(parent, SWT.HORIZONTAL);
        Group eventsGroup = new Group(tables, SWT.NONE);
        eventsGroup.setText("Recent discovery events");
        GridLayoutFactory.fillDefaults().margins(4, 4).applyTo(eventsGroup);
        eventsViewer = table(eventsGroup);
        column(eventsViewer, "Time", 90, StatusEvent.class, e -> Formats.time(e.time()));
        column(eventsViewer, "Strategy", 100, StatusEvent.class, StatusEvent::source);
        column(eventsViewer, "Result", 100, StatusEvent.class, StatusEvent::result);
        column(eventsViewer, "Elapsed", 65, StatusEvent.class, e -> Formats.millis(e.elapsed()));
        column(eventsViewer, "Detail", 320, StatusEvent.class, e -> e.detail() == null ? "" : e.detail());
        ColumnFit.install(eventsViewer);
        portsGroup = new Group(tables, SWT.NONE);
        portsGroup.setText("Port range");
        GridLayoutFactory.fillDefaults().margins(4, 4).applyTo(portsGroup);
        portsViewer = table(portsGroup);
        column(portsViewer, "Port", 60, PortRow.class, r -> Integer.toString(r.port()));
        column(portsViewer, "State", 75, PortRow.class, PortRow::state);
        column(portsViewer, "Holder", 220, PortRow.class, PortRow::holder);
        ColumnFit.install(portsViewer);
        tables.setWeights(62, 38);
    }

    /** Shows the snapshot's events (newest first) and its port rows. */
    public void show(StatusSnapshot s) {
        portsGroup.setText("Port range " + s.range());
        eventsViewer.setInput(s.events());
        portsViewer.setInput(s.ports());
    }

    private static TableViewer table(Composite parent) {
        TableViewer v = new TableViewer(parent, SWT.BORDER | SWT.FULL_SELECTION | SWT.V_SCROLL | SWT.H_SCROLL);
        Table t = v.getTable();
        t.setHeaderVisible(true);
        t.setLinesVisible(true);
        TableRows.keep(t, ROWS, GridDataFactory.fillDefaults().grab(true, true).create());
        v.setContentProvider(ArrayContentProvider.getInstance());
        return v;
    }

    private static <T> void column(TableViewer viewer, String title, int width, Class<T> type,
            Function<T, String> text) {
        TableViewerColumn c = new TableViewerColumn(viewer, SWT.LEFT);
        c.getColumn().setText(title);
        c.getColumn().setWidth(width);
        c.setLabelProvider(new ColumnLabelProvider() {
            @Override
            public String getText(Object element) {
                return type.isInstance(element) ? text.apply(type.cast(element)) : "";
            }
        });
    }
}
