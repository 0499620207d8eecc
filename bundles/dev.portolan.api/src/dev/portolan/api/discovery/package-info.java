/**
 * Front-end discovery API: detector strategies (a pluggable whiteboard), the discovery service that races them,
 * the endpoint tracker (the live "reactive store") and the API client that routes calls to the current endpoint.
 */
@NullMarked
package dev.portolan.api.discovery;

import org.jspecify.annotations.NullMarked;
