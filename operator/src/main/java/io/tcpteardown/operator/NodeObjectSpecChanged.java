package io.tcpteardown.operator;

import io.tcpteardown.api.TcpTeardownNode;

/**
 * Lets a TcpTeardownNode update reconcile its Node only when its spec may have changed (the API
 * server raises metadata.generation on spec changes only) or its deletion began. Every agent report
 * is an update of the status, which never changes the spec the node should have.
 */
public final class NodeObjectSpecChanged extends SpecOrDeletionChanged<TcpTeardownNode> {}
