/**
 * Port finder entry points for callers without OSGi ({@link dev.portolan.ports.PortFinders}) and the server-binding
 * extension of the API's {@code PortFinder}.
 */
package dev.portolan.ports;
