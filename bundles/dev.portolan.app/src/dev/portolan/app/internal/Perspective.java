package dev.portolan.app.internal;

import org.eclipse.ui.IPageLayout;
import org.eclipse.ui.IPerspectiveFactory;

import dev.portolan.ui.PortolanUi;

/** The standalone product's only perspective: the Backend Status view filling the window. */
public class Perspective implements IPerspectiveFactory {

    public static final String ID = "dev.portolan.app.perspective";

    @Override
    public void createInitialLayout(IPageLayout layout) {
        layout.setEditorAreaVisible(false);
        layout.addStandaloneView(PortolanUi.STATUS_VIEW_ID, true, IPageLayout.LEFT, 1.0f, layout.getEditorArea());
    }
}
