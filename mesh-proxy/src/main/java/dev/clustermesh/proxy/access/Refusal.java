package dev.clustermesh.proxy.access;

/**
 * Why a client may not use the API.
 *
 * @param reason a short stable word for the metric's {@code reason} tag, e.g. {@code not-on-access-list}
 * @param message the whole explanation, naming the identity, for the client's trailer and the log
 */
public record Refusal(String reason, String message) {
    public static final String NO_CERTIFICATE = "no-certificate";
    public static final String NOT_MESH_IDENTITY = "not-mesh-identity";
    public static final String OTHER_CLUSTER = "other-cluster";
    public static final String NOT_ON_ACCESS_LIST = "not-on-access-list";
    public static final String PIN_MISMATCH = "pin-mismatch";
}
