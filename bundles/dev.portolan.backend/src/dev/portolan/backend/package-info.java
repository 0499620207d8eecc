/**
 * Helpers for Java backends (plain JDK, usable with or without OSGi): reserve a port with the Portolan port finder
 * (bind-and-hold), announce it after the bind as one flushed {@code port_info} line, and hand the bound server to the
 * caller; protocol v2 security for any Java HTTP server ({@link dev.portolan.backend.BackendSecurity}: identity
 * proof, bearer token, Origin/CORS and Host rules; {@link dev.portolan.backend.DocsLogin}: one-time docs tickets and
 * session cookies).
 */
package dev.portolan.backend;
