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
 * One per node, named after it and owned by it: the operator writes the resolved settings into
 * spec, the node agent reports what it applied and observed in status. Cluster-scoped. Printer
 * columns in the order kubectl shows them, as on {@link TcpTeardownProfile}.
 */
@JsonClassDescription(
    "One per node, named after the node and owned by it: the operator writes in spec the"
        + " settings resolved from every profile that selects the node, the node's agent reports"
        + " in status what it applied and observed. Written by the operator and the agent, not by"
        + " hand. Cluster-scoped; short name ttn, category tcpteardown.")
@Categories(TcpTeardownProfile.CATEGORY)
@Group(TcpTeardownProfile.GROUP)
@Version(TcpTeardownProfile.VERSION)
@Plural("tcpteardownnodes")
@ShortNames("ttn")
@AdditionalPrinterColumn(name = "Profiles", type = Type.STRING, jsonPath = ".spec.profiles")
@AdditionalPrinterColumn(
    name = "Ready",
    type = Type.STRING,
    jsonPath = ".status.conditions[?(@.type==\"Ready\")].status")
@AdditionalPrinterColumn(
    name = "Applied",
    type = Type.STRING,
    jsonPath = ".status.conditions[?(@.type==\"Applied\")].status")
@AdditionalPrinterColumn(
    name = "TIME_WAIT",
    type = Type.INTEGER,
    jsonPath = ".status.states.timeWait")
@AdditionalPrinterColumn(
    name = "FIN_WAIT2",
    type = Type.INTEGER,
    jsonPath = ".status.states.finWait2")
@AdditionalPrinterColumn(
    name = "CLOSE_WAIT",
    type = Type.INTEGER,
    jsonPath = ".status.states.closeWait")
@AdditionalPrinterColumn(name = "Orphans", type = Type.INTEGER, jsonPath = ".status.states.orphans")
@AdditionalPrinterColumn(name = "Advice", type = Type.INTEGER, jsonPath = ".status.adviceCount")
@AdditionalPrinterColumn(name = "Age", type = Type.DATE, jsonPath = ".metadata.creationTimestamp")
public class TcpTeardownNode extends CustomResource<TcpTeardownNodeSpec, TcpTeardownNodeStatus> {}
