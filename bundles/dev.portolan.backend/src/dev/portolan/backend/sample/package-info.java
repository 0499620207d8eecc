/**
 * The sample Java backend (the product's default embedded backend) and the helper that builds its child-JVM
 * command line.
 */
package dev.portolan.backend.sample;
