/**
 * Metrics facade: the names Portolan's meters are published under and the {@link PortolanMetrics} service through
 * which core, launcher and feed record them without depending on a metrics library. The implementation
 * ({@code dev.portolan.metrics}) is the only bundle that knows Micrometer.
 */
@NullMarked
package dev.portolan.api.metrics;

import org.jspecify.annotations.NullMarked;
