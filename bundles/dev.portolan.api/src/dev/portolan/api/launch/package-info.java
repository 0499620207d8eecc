/**
 * The sidecar launcher's API: start, watch, stop and restart backend processes and observe their output,
 * announcements and state.
 */
@NullMarked
package dev.portolan.api.launch;

import org.jspecify.annotations.NullMarked;
