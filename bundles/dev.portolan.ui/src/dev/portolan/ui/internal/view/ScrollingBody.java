package dev.portolan.ui.internal.view;

import org.eclipse.swt.SWT;
import org.eclipse.swt.custom.ScrolledComposite;
import org.eclipse.swt.layout.FillLayout;
import org.eclipse.swt.widgets.Composite;

/**
 * A view's body that fills the view when the view is tall enough and scrolls vertically when it is not, so that no
 * section is squeezed below its preferred height: tables keep their header and the rows their hint asks for, charts
 * their plot. Its width always follows the view's (tables scroll sideways themselves).
 */
public final class ScrollingBody {

    private final ScrolledComposite scroller;
    private final Composite body;

    public ScrollingBody(Composite parent) {
        parent.setLayout(new FillLayout());
        scroller = new ScrolledComposite(parent, SWT.V_SCROLL);
        scroller.setExpandHorizontal(true);
        scroller.setExpandVertical(true);
        body = new Composite(scroller, SWT.NONE);
        scroller.setContent(body);
        // the minimum height depends on the width (the layout's own wrapping): asked again at every resize
        scroller.addListener(SWT.Resize, e -> fit());
    }

    /** The composite to build the view in; give it a layout. */
    public Composite body() {
        return body;
    }

    /**
     * Takes the body's preferred height at the view's width as the height below which the view scrolls, after the
     * tables' kept heights were brought up to date ({@link TableRows}). Runs at every resize; call it when the body's
     * content changed.
     */
    public void fit() {
        boolean rowsChanged = TableRows.refresh(body);
        int width = scroller.getClientArea().width;
        scroller.setMinHeight(body.computeSize(width > 0 ? width : SWT.DEFAULT, SWT.DEFAULT).y);
        if (rowsChanged) {
            body.layout(true, true);
        }
    }

    /** Whether the view is shorter than its body now, so that it scrolls (tests). */
    public boolean scrolls() {
        return scroller.getVerticalBar().isVisible();
    }

    /** The scrolling composite, the view's only direct child. */
    public ScrolledComposite control() {
        return scroller;
    }
}
