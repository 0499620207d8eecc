package dev.portolan.app.internal.plain;

import java.util.Map;

import org.osgi.framework.FrameworkUtil;
import org.osgi.framework.InvalidSyntaxException;

/** A reference's {@code target} filter (LDAP syntax), evaluated by the OSGi framework's own filter implementation. */
final class TargetFilter {

    private TargetFilter() {
    }

    static boolean matches(String target, Map<String, Object> serviceProperties) {
        try {
            return FrameworkUtil.createFilter(target).matches(serviceProperties);
        } catch (InvalidSyntaxException e) {
            throw new IllegalArgumentException("invalid target filter '" + target + "': " + e.getMessage(), e);
        }
    }
}
