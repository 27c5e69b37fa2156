package io.tcpteardown.api;

/** Whether a profile's pod rules are written into pods' network namespaces or only reported. */
public enum PodMode {
  Apply,
  ReportOnly
}
