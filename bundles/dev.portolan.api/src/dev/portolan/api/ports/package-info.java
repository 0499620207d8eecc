/**
 * The port finder's API: reserve a loopback port by binding it and keeping the socket (bind-and-hold).
 */
package dev.portolan.api.ports;
