/**
 * Portolan's platform layer: what differs between Linux, macOS and Windows (who listens on a port, killing a
 * process tree, protecting backends against a dying front end), one implementation per OS family, chosen at run time
 * from {@code os.name} by {@link dev.portolan.platform.Platforms#current()}. Every capability says whether this OS
 * can guarantee it ({@link dev.portolan.platform.Capability}); callers report a degradation instead of failing.
 * Plain JDK, usable without OSGi. docs/platforms.md has the feature × OS table.
 */
package dev.portolan.platform;
