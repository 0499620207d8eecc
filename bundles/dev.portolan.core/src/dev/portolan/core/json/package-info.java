/**
 * Portolan's JSON support shared across bundles: the one configured Jackson mapper and the size limit of every JSON
 * document Portolan parses.
 */
package dev.portolan.core.json;
