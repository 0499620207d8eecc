/**
 * Portolan's JSON support shared across bundles: reading and writing JSON trees without an {@code ObjectMapper}
 * ({@link dev.portolan.core.json.JsonText}), the one JSON form of an endpoint and the size limit of every JSON document
 * Portolan parses.
 */
package dev.portolan.core.json;
