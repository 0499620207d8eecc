/**
 * The instance registry: every running backend of this user (local files) or of a shared store (etcd), with an
 * identity a client can check ({@link dev.portolan.api.registry.InstanceIdentity}: Ed25519, public key only).
 * Implementations provide {@link dev.portolan.api.registry.Registry} as an OSGi service with a
 * {@code registry.id} property equal to {@link dev.portolan.api.registry.Registry#id()}. The entry's JSON form is
 * defined in {@code docs/protocol.md} ("Instance registry") and {@code docs/instance_entry.schema.json}.
 *
 * @since 0.1.0
 */
@NullMarked
package dev.portolan.api.registry;

import org.jspecify.annotations.NullMarked;
