package dev.portolan.registry.etcd.tests;

import java.net.URI;
import java.util.List;

import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

import dev.portolan.tests.common.EtcdCluster;

/**
 * One real etcd member for a test class: started before its first test, stopped after its last. Register it as
 * {@code @RegisterExtension static final EtcdPerClass etcd = new EtcdPerClass();}. Tests that need a cluster of
 * their own (several members, TLS, a member to kill) start an {@link EtcdCluster} themselves.
 */
public final class EtcdPerClass implements BeforeAllCallback, AfterAllCallback {

    private volatile EtcdCluster cluster;

    @Override
    public void beforeAll(ExtensionContext context) throws Exception {
        cluster = EtcdCluster.start(1);
    }

    @Override
    public void afterAll(ExtensionContext context) {
        EtcdCluster c = cluster;
        cluster = null;
        if (c != null) {
            c.close();
        }
    }

    /** The running member's cluster; only between the class's first and last test. */
    public EtcdCluster cluster() {
        EtcdCluster c = cluster;
        if (c == null) {
            throw new IllegalStateException("etcd runs only while the test class runs (register with @RegisterExtension)");
        }
        return c;
    }

    /** {@link EtcdCluster#registryValue(String)} of the running member. */
    public String registryValue(String prefix) {
        return cluster().registryValue(prefix);
    }

    /** {@link EtcdCluster#endpoints()} of the running member. */
    public List<URI> endpoints() {
        return cluster().endpoints();
    }

    /** {@link EtcdCluster#member(int)} of the running cluster. */
    public EtcdCluster.Member member(int i) {
        return cluster().member(i);
    }
}
