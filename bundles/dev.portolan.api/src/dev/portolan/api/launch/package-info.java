/**
 * The sidecar launcher's API: start, watch, stop and restart backend processes and observe their output,
 * announcements and state.
 */
package dev.portolan.api.launch;
