package dev.portolan.ui.internal.view;

import org.eclipse.jface.resource.ColorDescriptor;
import org.eclipse.jface.resource.ResourceManager;
import org.eclipse.swt.graphics.Color;
import org.eclipse.swt.graphics.RGB;

import dev.portolan.ui.internal.model.StatusSnapshot.Badge;

/** Colours of the state badge, shared by the view and the status-bar badge. */
public final class Badges {

    private Badges() {
    }

    public static RGB rgb(Badge badge) {
        return switch (badge) {
        case CONNECTED -> new RGB(46, 125, 50);
        case DISCOVERING -> new RGB(230, 120, 0);
        case UNAVAILABLE -> new RGB(198, 40, 40);
        case OVERRIDDEN -> new RGB(21, 101, 192);
        case NO_SERVICE -> new RGB(117, 117, 117);
        };
    }

    /** The badge's background, owned (and disposed) by {@code resources}. */
    public static Color background(ResourceManager resources, Badge badge) {
        return resources.create(ColorDescriptor.createFrom(rgb(badge)));
    }
}
