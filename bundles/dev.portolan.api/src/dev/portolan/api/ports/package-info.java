/**
 * The port finder's API: reserve a loopback port by binding it and keeping the socket (bind-and-hold).
 */
@NullMarked
package dev.portolan.api.ports;

import org.jspecify.annotations.NullMarked;
