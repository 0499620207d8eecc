/**
 * Shared building blocks of front-end discovery, used by the core services and the detector strategies: the one
 * shared HTTP client with its health + identity probe, the endpoint cache file and the state directory.
 */
package dev.portolan.core.discovery;
