package dev.clustermesh.core.policy;

/** The two directions a policy rule can constrain, seen from the pod the policy selects. */
public enum Direction {
    INGRESS("ingress"),
    EGRESS("egress");

    private final String field;

    Direction(String field) {
        this.field = field;
    }

    /** The lower-case name used in field paths and rule references. */
    public String field() {
        return field;
    }
}
