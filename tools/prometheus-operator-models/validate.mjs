// Reads a JSON array of Prometheus Operator objects on standard input and validates each with the
// published models of @kubernetes-models/prometheus-operator (JSON schemas of the operator's CRDs:
// types, enums, required fields; like the API server's structural schemas, not unknown fields).
// Prints one line per problem; exit 0 when all are valid, 1 when any is not, 2 on unusable input.
import { PrometheusRule } from "@kubernetes-models/prometheus-operator/monitoring.coreos.com/v1/PrometheusRule";
import { ServiceMonitor } from "@kubernetes-models/prometheus-operator/monitoring.coreos.com/v1/ServiceMonitor";
import { PodMonitor } from "@kubernetes-models/prometheus-operator/monitoring.coreos.com/v1/PodMonitor";

const MODELS = { PrometheusRule, ServiceMonitor, PodMonitor };

let input = "";
for await (const chunk of process.stdin) input += chunk;
let objects;
try {
  objects = JSON.parse(input);
} catch (e) {
  console.log(`input is not JSON: ${e.message}`);
  process.exit(2);
}
let problems = 0;
for (const object of objects) {
  const name = `${object.apiVersion} ${object.kind} ${object.metadata?.name}`;
  const Model = object.apiVersion === "monitoring.coreos.com/v1" ? MODELS[object.kind] : undefined;
  if (!Model) {
    console.log(`${name}: no model for this kind`);
    problems++;
    continue;
  }
  try {
    new Model(object).validate();
  } catch (e) {
    console.log(`${name}: ${e.message}`);
    problems++;
  }
}
console.log(`checked ${objects.length}, ${problems} with problems`);
process.exit(problems === 0 ? 0 : 1);
