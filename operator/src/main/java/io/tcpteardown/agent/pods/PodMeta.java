package io.tcpteardown.agent.pods;

/** What the agent keeps of a Pod object of its node: enough to name it. */
public record PodMeta(String namespace, String name, String uid, boolean hostNetwork) {}
