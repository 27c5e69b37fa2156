package io.tcpteardown.rules.advice;

/** TIME_WAIT and FIN_WAIT2 mini-sockets toward one destination whose local port is in the range. */
public record DestinationCount(Destination destination, long sockets) {}
