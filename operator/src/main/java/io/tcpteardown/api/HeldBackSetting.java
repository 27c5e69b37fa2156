package io.tcpteardown.api;

/** A setting that a profile asks for but the operator does not give to a node, with the reason. */
public record HeldBackSetting(String field, String profile, String reason) {}
