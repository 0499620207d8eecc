/**
 * Portolan's shared model: the announcement a backend prints ({@link dev.portolan.api.Announcement}), the
 * endpoint a front end talks to ({@link dev.portolan.api.Endpoint}), port ranges and the names of the
 * environment variables the tool reads. Plain Java records, no Jackson, no Eclipse, no OSGi.
 */
@NullMarked
package dev.portolan.api;

import org.jspecify.annotations.NullMarked;
