package io.tcpteardown.api;

import io.fabric8.crd.generator.annotation.AdditionalPrinterColumn;
import io.fabric8.crd.generator.annotation.AdditionalPrinterColumn.Type;
import io.fabric8.kubernetes.client.CustomResource;
import io.fabric8.kubernetes.model.annotation.Group;
import io.fabric8.kubernetes.model.annotation.Plural;
import io.fabric8.kubernetes.model.annotation.ShortNames;
import io.fabric8.kubernetes.model.annotation.Version;

/** Teardown settings for the nodes a selector matches. Cluster-scoped. */
@Group(TcpTeardownProfile.GROUP)
@Version(TcpTeardownProfile.VERSION)
@Plural("tcpteardownprofiles")
@ShortNames("ttp")
@AdditionalPrinterColumn(
    name = "Accepted",
    type = Type.STRING,
    jsonPath = ".status.conditions[?(@.type==\"Accepted\")].status")
@AdditionalPrinterColumn(name = "Selected", type = Type.INTEGER, jsonPath = ".status.selectedNodes")
@AdditionalPrinterColumn(name = "Applied", type = Type.INTEGER, jsonPath = ".status.appliedNodes")
@AdditionalPrinterColumn(
    name = "TIME_WAIT",
    type = Type.INTEGER,
    jsonPath = ".status.totals.timeWait")
@AdditionalPrinterColumn(name = "Age", type = Type.DATE, jsonPath = ".metadata.creationTimestamp")
public class TcpTeardownProfile
    extends CustomResource<TcpTeardownProfileSpec, TcpTeardownProfileStatus> {
  public static final String GROUP = "tcpteardown.io";
  public static final String VERSION = "v1alpha1";
}
