/**
 * The nftables datapath: the agent's own {@code inet clustermesh} table with Cilium-style backend slots,
 * rendered from the LB maps by pure functions ({@code NftRender}, {@code NftDiff}) and applied as one nft
 * transaction per reconciliation, holding only what changed. Owns that table and nothing else in the ruleset;
 * promises that each apply is all or nothing in the kernel, and that rules outlive the agent process.
 */
package dev.clustermesh.agent.datapath.nftables;
