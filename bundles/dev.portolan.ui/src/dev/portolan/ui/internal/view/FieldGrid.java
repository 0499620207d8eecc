package dev.portolan.ui.internal.view;

import java.net.URI;

import org.eclipse.jface.layout.GridDataFactory;
import org.eclipse.jface.layout.GridLayoutFactory;
import org.eclipse.swt.SWT;
import org.eclipse.swt.layout.GridData;
import org.eclipse.swt.program.Program;
import org.eclipse.swt.widgets.Composite;
import org.eclipse.swt.widgets.Group;
import org.eclipse.swt.widgets.Label;
import org.eclipse.swt.widgets.Link;

/** Rows of "name: value" in a titled two-column group (the Backend Status view's Endpoint and Sidecar panels). */
public final class FieldGrid {

    private FieldGrid() {
    }

    /** A titled group of two columns that shares its parent's width instead of following long values. */
    public static Group group(Composite parent, String title) {
        Group g = new Group(parent, SWT.NONE);
        g.setText(title);
        GridDataFactory.fillDefaults().grab(true, true).hint(100, SWT.DEFAULT).applyTo(g);
        GridLayoutFactory.swtDefaults().numColumns(2).applyTo(g);
        return g;
    }

    /** A row with a text value. */
    public static Label field(Composite parent, String name) {
        new Label(parent, SWT.NONE).setText(name);
        Label value = new Label(parent, SWT.NONE);
        value.setLayoutData(valueLayout());
        return value;
    }

    /** A row whose value is a link that opens in the system browser. */
    public static Link link(Composite parent, String name) {
        new Label(parent, SWT.NONE).setText(name);
        Link value = new Link(parent, SWT.NONE);
        value.setLayoutData(valueLayout());
        value.addListener(SWT.Selection, ev -> Program.launch(ev.text));
        return value;
    }

    /** Shows {@code uri} as the link's target and text ("–" when null). */
    public static void setLink(Link link, URI uri) {
        link.setText(uri == null ? "–" : "<a href=\"" + uri + "\">" + uri + "</a>");
    }

    /** A value cell: fills its column, with a small width hint so long values do not widen the view. */
    private static GridData valueLayout() {
        GridData gd = new GridData(SWT.FILL, SWT.CENTER, true, false);
        gd.widthHint = 60;
        return gd;
    }
}
