/**
 * The local instance registry's shared pieces: where its files live ({@link dev.portolan.core.registry.RuntimeDirectory}),
 * the entry's JSON form ({@link dev.portolan.core.registry.InstanceEntryCodec}, also for other registries) and the
 * writer every registering process uses ({@link dev.portolan.core.registry.EntryFiles}) with the command line it files
 * ({@link dev.portolan.core.registry.ProcessCommandLine}). Reading, reaping and watching live in the
 * {@code dev.portolan.registry} bundle. See {@code docs/protocol.md}, "Instance registry".
 *
 * @since 0.1.0
 */
package dev.portolan.core.registry;
