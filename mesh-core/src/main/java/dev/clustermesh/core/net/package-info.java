/**
 * Address parsing that never touches DNS: IP literals and CIDRs as they appear in keys, manifests and
 * protobuf values. Invalid input is answered with a message naming the value.
 */
package dev.clustermesh.core.net;
