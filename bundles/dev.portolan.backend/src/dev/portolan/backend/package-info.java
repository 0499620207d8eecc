/**
 * Helpers for Java backends (plain JDK, usable with or without OSGi): reserve a port with the Portolan port finder
 * (bind-and-hold), announce it after the bind as one flushed {@code port_info} line, and hand the bound server to the
 * caller.
 */
package dev.portolan.backend;
