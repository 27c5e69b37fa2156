package io.tcpteardown.api;

/** The node agent that reports a TcpTeardownNode's status. */
public record AgentInfo(
    @com.fasterxml.jackson.annotation.JsonPropertyDescription("The agent's pod.") String podName,
    @com.fasterxml.jackson.annotation.JsonPropertyDescription("The agent's version.")
        String version,
    @com.fasterxml.jackson.annotation.JsonPropertyDescription(
            "Features this agent understands, such as "
                + AgentInfo.POD_RULES
                + " (it applies spec.podRules); an agent of an older version lists none.")
        java.util.List<String> features) {

  /** The feature of an agent that resolves and applies spec.podRules. */
  public static final String POD_RULES = "podRules";

  /** An agent that lists no features (one of an older version). */
  public AgentInfo(String podName, String version) {
    this(podName, version, null);
  }

  public boolean understands(String feature) {
    return features != null && features.contains(feature);
  }
}
