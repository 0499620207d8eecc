/** The backend bundle's services: the bundled sample backend offered as the default backend command. */
package dev.portolan.backend.internal;
