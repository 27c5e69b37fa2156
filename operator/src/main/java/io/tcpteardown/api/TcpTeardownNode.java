package io.tcpteardown.api;

import io.fabric8.crd.generator.annotation.AdditionalPrinterColumn;
import io.fabric8.crd.generator.annotation.AdditionalPrinterColumn.Type;
import io.fabric8.kubernetes.client.CustomResource;
import io.fabric8.kubernetes.model.annotation.Group;
import io.fabric8.kubernetes.model.annotation.Plural;
import io.fabric8.kubernetes.model.annotation.ShortNames;
import io.fabric8.kubernetes.model.annotation.Version;

/**
 * One per node, named after it and owned by it: the operator writes the resolved settings into
 * spec, the node agent reports what it applied and observed in status. Cluster-scoped.
 */
@Group(TcpTeardownProfile.GROUP)
@Version(TcpTeardownProfile.VERSION)
@Plural("tcpteardownnodes")
@ShortNames("ttn")
@AdditionalPrinterColumn(name = "Profiles", type = Type.STRING, jsonPath = ".spec.profiles")
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
public class TcpTeardownNode extends CustomResource<TcpTeardownNodeSpec, TcpTeardownNodeStatus> {}
