package io.tcpteardown.api;

import com.fasterxml.jackson.annotation.JsonClassDescription;
import io.fabric8.crd.generator.annotation.AdditionalPrinterColumn;
import io.fabric8.crd.generator.annotation.AdditionalPrinterColumn.Type;
import io.fabric8.kubernetes.client.CustomResource;
import io.fabric8.kubernetes.model.annotation.Categories;
import io.fabric8.kubernetes.model.annotation.Group;
import io.fabric8.kubernetes.model.annotation.Plural;
import io.fabric8.kubernetes.model.annotation.ShortNames;
import io.fabric8.kubernetes.model.annotation.Version;

/**
 * Teardown settings for the nodes a selector matches. Cluster-scoped. The printer columns are
 * listed in the order kubectl shows them (the CRD generator sorts them; {@code
 * io.tcpteardown.crd.CrdFinisher} puts them back in this order), and the class descriptions of the
 * kind, its spec and its status become the CRD's descriptions there.
 */
@JsonClassDescription(
    "A profile: TCP teardown settings (the six net.ipv4 sysctls of TIME_WAIT, FIN_WAIT2 and"
        + " orphans) for the nodes its selector matches, and optionally for pods on them. The"
        + " operator resolves every profile into one TcpTeardownNode per node, whose agent applies"
        + " it. Cluster-scoped; short name ttp, category tcpteardown.")
@Categories(TcpTeardownProfile.CATEGORY)
@Group(TcpTeardownProfile.GROUP)
@Version(TcpTeardownProfile.VERSION)
@Plural("tcpteardownprofiles")
@ShortNames("ttp")
@AdditionalPrinterColumn(
    name = "Ready",
    type = Type.STRING,
    jsonPath = ".status.conditions[?(@.type==\"Ready\")].status")
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

  /** The category of both kinds: {@code kubectl get tcpteardown} lists them. */
  public static final String CATEGORY = "tcpteardown";
}
