package dev.portolan.ui.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;

import org.eclipse.core.commands.Command;
import org.eclipse.core.runtime.Platform;
import org.eclipse.jface.action.ToolBarManager;
import org.eclipse.jface.bindings.Binding;
import org.eclipse.jface.bindings.keys.KeySequence;
import org.eclipse.jface.resource.ImageDescriptor;
import org.eclipse.jface.viewers.ArrayContentProvider;
import org.eclipse.jface.viewers.ColumnLabelProvider;
import org.eclipse.jface.viewers.TableViewer;
import org.eclipse.jface.viewers.TableViewerColumn;
import org.eclipse.swt.SWT;
import org.eclipse.swt.graphics.GC;
import org.eclipse.swt.graphics.Image;
import org.eclipse.swt.graphics.ImageData;
import org.eclipse.swt.layout.FillLayout;
import org.eclipse.swt.widgets.Event;
import org.eclipse.swt.widgets.Label;
import org.eclipse.swt.widgets.MenuItem;
import org.eclipse.swt.widgets.Shell;
import org.eclipse.swt.widgets.TableColumn;
import org.eclipse.swt.widgets.ToolBar;
import org.eclipse.swt.widgets.ToolItem;
import org.eclipse.ui.IWorkbenchWindow;
import org.eclipse.ui.PlatformUI;
import org.eclipse.ui.commands.ICommandImageService;
import org.eclipse.ui.commands.ICommandService;
import org.eclipse.ui.contexts.IContextService;
import org.eclipse.ui.handlers.IHandlerService;
import org.eclipse.ui.keys.IBindingService;
import org.junit.jupiter.api.Test;

import dev.portolan.api.launch.SidecarState;
import dev.portolan.ui.PortolanUi;
import dev.portolan.ui.internal.StatusView;
import dev.portolan.ui.internal.handlers.BackendStateSource;
import dev.portolan.ui.internal.view.ColumnFit;
import dev.portolan.ui.internal.view.Icons;

/** Icons, toolbar, key bindings, Help ▸ About and fitted columns: the workbench looks and behaves like Eclipse. */
class WorkbenchLookTest {

    private static final Duration TIMEOUT = Duration.ofSeconds(30);
    private static final String ABOUT_COMMAND = "dev.portolan.app.commands.about";

    @Test
    void everyCommandAndTheViewHaveAnIconThatLoadsIn16And32Pixels() {
        ICommandImageService images = PlatformUI.getWorkbench().getService(ICommandImageService.class);
        List<ImageDescriptor> icons = new ArrayList<>();
        for (String id : Commands.ALL) {
            ImageDescriptor d = images.getImageDescriptor(id);
            assertNotNull(d, id + " has no command image in plugin.xml");
            icons.add(d);
        }
        icons.add(PlatformUI.getWorkbench().getViewRegistry().find(PortolanUi.STATUS_VIEW_ID).getImageDescriptor());
        for (String path : List.of(Icons.VIEW, Icons.STOP, Icons.RESTART, Icons.OPEN_DOCS)) {
            icons.add(Icons.descriptor(path));
        }
        for (ImageDescriptor d : icons) {
            Image image = d.createImage(false);
            assertNotNull(image, d + " does not load");
            try {
                assertEquals(16, image.getBounds().width, d.toString());
                assertEquals(16, image.getBounds().height, d.toString());
            } finally {
                image.dispose();
            }
            ImageData hiDpi = d.getImageData(200);
            assertNotNull(hiDpi, d + " has no @2x version");
            assertEquals(32, hiDpi.width, d + " @2x");
            assertTrue(drawnPixels(d.getImageData(100)) > 30, d + " is (almost) empty");
        }
    }

    /** Pixels that are not fully transparent. */
    private static int drawnPixels(ImageData data) {
        int n = 0;
        for (int y = 0; y < data.height; y++) {
            for (int x = 0; x < data.width; x++) {
                if (data.alphaData == null && data.transparentPixel != data.getPixel(x, y)
                        || data.alphaData != null && data.getAlpha(x, y) > 0) {
                    n++;
                }
            }
        }
        return n;
    }

    @Test
    void theViewToolbarHasIconButtonsWithTooltips() throws Exception {
        StatusView view = Ui.showStatusView();
        ToolBar bar = (ToolBar) ((ToolBarManager) view.getViewSite().getActionBars().getToolBarManager()).getControl();
        List<ToolItem> buttons = Arrays.stream(bar.getItems()).filter(i -> (i.getStyle() & SWT.SEPARATOR) == 0)
                .toList();
        assertEquals(8, buttons.size(), () -> buttons.stream().map(ToolItem::getToolTipText).toList().toString());
        for (ToolItem b : buttons) {
            assertNotNull(b.getImage(), "no icon on " + b.getToolTipText());
            assertEquals("", b.getText(), "a text button: " + b.getText());
            assertFalse(b.getToolTipText() == null || b.getToolTipText().isBlank(), "no tooltip");
        }
        assertTrue(buttons.stream().anyMatch(b -> b.getToolTipText().startsWith("Refresh Discovery")),
                () -> buttons.stream().map(ToolItem::getToolTipText).toList().toString());
    }

    @Test
    void f5RefreshesWhileTheStatusViewIsActiveOnly() throws Exception {
        IBindingService bindings = PlatformUI.getWorkbench().getService(IBindingService.class);
        KeySequence f5 = KeySequence.getInstance("F5");
        Optional<Binding> declared = Arrays.stream(bindings.getBindings())
                .filter(b -> b.getParameterizedCommand() != null
                        && PortolanUi.COMMAND_REFRESH.equals(b.getParameterizedCommand().getId()))
                .findFirst();
        assertTrue(declared.isPresent(), "no binding for Refresh");
        assertEquals(f5, declared.get().getTriggerSequence());
        assertEquals(PortolanUi.STATUS_VIEW_CONTEXT_ID, declared.get().getContextId());
        assertEquals("org.eclipse.ui.defaultAcceleratorConfiguration", declared.get().getSchemeId());

        StatusView view = Ui.showStatusView();
        Ui.page().activate(view);
        IContextService contexts = PlatformUI.getWorkbench().getService(IContextService.class);
        Ui.until("the view's context active", TIMEOUT,
                () -> contexts.getActiveContextIds().contains(PortolanUi.STATUS_VIEW_CONTEXT_ID),
                () -> contexts.getActiveContextIds().toString());
        Ui.until("F5 = Refresh", TIMEOUT, () -> {
            Binding b = bindings.getPerfectMatch(f5);
            return b != null && PortolanUi.COMMAND_REFRESH.equals(b.getParameterizedCommand().getId());
        }, () -> String.valueOf(bindings.getPerfectMatch(f5)));

        // another part active: the context and the binding are gone
        Ui.page().showView("org.eclipse.ui.console.ConsoleView");
        Ui.until("the view's context inactive", TIMEOUT,
                () -> !contexts.getActiveContextIds().contains(PortolanUi.STATUS_VIEW_CONTEXT_ID),
                () -> contexts.getActiveContextIds().toString());
        Binding other = bindings.getPerfectMatch(f5);
        assertTrue(other == null || !PortolanUi.COMMAND_REFRESH.equals(other.getParameterizedCommand().getId()),
                String.valueOf(other));
        Ui.page().activate(view);
    }

    @Test
    void helpAboutShowsTheProductNameAndVersion() throws Exception {
        assertEquals("dev.portolan.app.product", Platform.getProduct().getId(), "tests run in the Portolan product");
        String version = Platform.getProduct().getDefiningBundle().getVersion().toString();
        Command about = PlatformUI.getWorkbench().getService(ICommandService.class).getCommand(ABOUT_COMMAND);
        assertTrue(about.isDefined() && about.isHandled(), "no About command/handler in the product");

        IWorkbenchWindow window = PlatformUI.getWorkbench().getActiveWorkbenchWindow();
        MenuItem help = Arrays.stream(window.getShell().getMenuBar().getItems())
                .filter(i -> i.getText().replace("&", "").equals("Help")).findFirst()
                .orElseThrow(() -> new AssertionError("no Help menu"));
        help.getMenu().notifyListeners(SWT.Show, new Event()); // menus fill their items when shown
        List<String> items = Arrays.stream(help.getMenu().getItems()).map(i -> i.getText().replace("&", ""))
                .toList();
        help.getMenu().notifyListeners(SWT.Hide, new Event());
        assertTrue(items.stream().anyMatch(t -> t.startsWith("About Portolan")), items.toString());

        // run the command; the dialog's event loop runs this check, which closes it
        List<String> texts = new ArrayList<>();
        String[] title = new String[1];
        Runnable[] closer = new Runnable[1];
        long deadline = System.nanoTime() + TIMEOUT.toNanos();
        closer[0] = () -> {
            Optional<Shell> dialog = Arrays.stream(Ui.display().getShells())
                    .filter(s -> !s.isDisposed() && s.getText().startsWith("About ")).findFirst();
            if (dialog.isPresent()) {
                title[0] = dialog.get().getText();
                Ui.find(dialog.get(), Label.class, l -> true).forEach(l -> texts.add(l.getText()));
                dialog.get().close();
            } else if (System.nanoTime() < deadline) {
                Ui.display().timerExec(20, closer[0]);
            }
        };
        Ui.display().asyncExec(closer[0]);
        PlatformUI.getWorkbench().getService(IHandlerService.class).executeCommand(ABOUT_COMMAND, null);
        assertEquals("About Portolan", title[0], "no About dialog");
        String text = String.join("\n", texts);
        assertTrue(text.contains("Portolan\nVersion " + version), text);
        assertTrue(text.contains("Finds, starts and watches"), "the product's about text: " + text);
        assertTrue(text.contains("Java " + System.getProperty("java.version")), text);
    }

    @Test
    void columnsFitTheirContentAndKeepAUsersWidth() {
        Shell shell = new Shell(Ui.display());
        try {
            shell.setLayout(new FillLayout());
            shell.setSize(900, 300);
            TableViewer viewer = new TableViewer(shell, SWT.BORDER);
            viewer.getTable().setHeaderVisible(true);
            viewer.setContentProvider(ArrayContentProvider.getInstance());
            // (GTK stretches the last column over the rest of the table: the checked columns are not last)
            String[] headers = { "Port", "Holder", "Detail", "State" };
            for (int i = 0; i < headers.length; i++) {
                int col = i;
                TableViewerColumn c = new TableViewerColumn(viewer, SWT.LEFT);
                c.getColumn().setText(headers[i]);
                c.getColumn().setWidth(10);
                c.setLabelProvider(new ColumnLabelProvider() {
                    @Override
                    public String getText(Object element) {
                        return ((String[]) element)[col];
                    }
                });
            }
            ColumnFit.install(viewer);
            shell.open();
            TableColumn[] columns = viewer.getTable().getColumns();
            columns[0].setWidth(200); // the user widened the first column
            String holder = "12345 /usr/lib/jvm/java-21/bin/java -jar backend.jar";
            viewer.setInput(List.<String[]>of(new String[] { "8", holder, "x".repeat(400), "free" }));
            Ui.drain();
            assertEquals(200, columns[0].getWidth(), "a user's width is kept");
            GC gc = new GC(viewer.getTable());
            int holderText;
            try {
                holderText = gc.textExtent(holder).x;
            } finally {
                gc.dispose();
            }
            assertTrue(columns[1].getWidth() >= holderText, columns[1].getWidth() + " < text " + holderText);
            assertEquals(ColumnFit.MAX_WIDTH, columns[2].getWidth(), "a very long detail is capped");
            viewer.setInput(List.<String[]>of(new String[] { "8", "", "", "free" }));
            Ui.drain();
            assertTrue(columns[1].getWidth() < holderText && columns[1].getWidth() >= ColumnFit.minimumWidth(columns[1]),
                    "empty: about the header's width, not the old content's: " + columns[1].getWidth());
        } finally {
            shell.dispose();
        }
    }

    @Test
    void theBackendStateFollowsOurSidecarsAndTheRunningJobs() {
        assertEquals("stopped", BackendStateSource.backendState(List.of(), false, false));
        assertEquals("stopped", BackendStateSource.backendState(List.of(SidecarState.EXITED, SidecarState.FAILED),
                false, false));
        assertEquals("starting", BackendStateSource.backendState(List.of(SidecarState.STARTING), false, false));
        assertEquals("starting", BackendStateSource.backendState(List.of(), true, false));
        assertEquals("running", BackendStateSource.backendState(List.of(SidecarState.FAILED, SidecarState.RUNNING),
                false, false));
        assertEquals("running", BackendStateSource.backendState(List.of(SidecarState.RELOADING), false, false));
        assertEquals("stopping", BackendStateSource.backendState(List.of(SidecarState.RUNNING), false, true));
        assertEquals("stopping", BackendStateSource.backendState(List.of(SidecarState.STOPPING), false, false));
    }
}
