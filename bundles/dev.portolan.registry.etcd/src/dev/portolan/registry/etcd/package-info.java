/**
 * Access to the etcd instance registry for code outside OSGi services (docs/registry.md).
 *
 * @since 0.1.0
 */
package dev.portolan.registry.etcd;
