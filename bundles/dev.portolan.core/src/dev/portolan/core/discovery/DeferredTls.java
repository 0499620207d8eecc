package dev.portolan.core.discovery;

import java.net.http.HttpClient;
import java.security.KeyManagementException;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;

import javax.net.ssl.KeyManager;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLContextSpi;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLServerSocketFactory;
import javax.net.ssl.SSLSessionContext;
import javax.net.ssl.SSLSocketFactory;
import javax.net.ssl.TrustManager;

/**
 * TLS for an {@link HttpClient} set up on its first {@code https:} (or {@code wss:}) request instead of when it is
 * built. A client built without a context asks for the JDK's default one ({@link SSLContext#getDefault()}) and its
 * default parameters at once: that loads the trust store and computes the enabled cipher suites (~350 classes, 100+ ms
 * of CPU in a fresh JVM) even when the client only ever speaks plain HTTP to a loopback port, as a discovery run or a
 * command reading the local feed does. With the context set here, which looks the default one up on first use, and
 * empty {@link SSLParameters}, which leave an engine's defaults as they are, TLS connections are set up exactly as
 * with the default context.
 *
 * @since core.discovery 0.1.2
 */
public final class DeferredTls {

    private DeferredTls() {
    }

    /** {@code builder} with the JDK's default TLS context, looked up on the first TLS connection. */
    public static HttpClient.Builder apply(HttpClient.Builder builder) {
        return builder.sslContext(new Context()).sslParameters(new SSLParameters());
    }

    private static final class Context extends SSLContext {

        Context() {
            super(new Spi(), null, "Default");
        }
    }

    private static final class Spi extends SSLContextSpi {

        private static SSLContext delegate() {
            try {
                return SSLContext.getDefault();
            } catch (NoSuchAlgorithmException e) {
                throw new IllegalStateException("this JDK has no default TLS context: " + e.getMessage(), e);
            }
        }

        @Override
        protected void engineInit(KeyManager[] km, TrustManager[] tm, SecureRandom random)
                throws KeyManagementException {
            throw new KeyManagementException("the default TLS context is initialized by the JDK");
        }

        @Override
        protected SSLSocketFactory engineGetSocketFactory() {
            return delegate().getSocketFactory();
        }

        @Override
        protected SSLServerSocketFactory engineGetServerSocketFactory() {
            return delegate().getServerSocketFactory();
        }

        @Override
        protected SSLEngine engineCreateSSLEngine() {
            return delegate().createSSLEngine();
        }

        @Override
        protected SSLEngine engineCreateSSLEngine(String host, int port) {
            return delegate().createSSLEngine(host, port);
        }

        @Override
        protected SSLSessionContext engineGetServerSessionContext() {
            return delegate().getServerSessionContext();
        }

        @Override
        protected SSLSessionContext engineGetClientSessionContext() {
            return delegate().getClientSessionContext();
        }

        @Override
        protected SSLParameters engineGetDefaultSSLParameters() {
            return delegate().getDefaultSSLParameters();
        }

        @Override
        protected SSLParameters engineGetSupportedSSLParameters() {
            return delegate().getSupportedSSLParameters();
        }
    }
}
