/** The announcement protocol codec (JSON via Jackson, kept inside this bundle). */
package dev.portolan.core.protocol;
