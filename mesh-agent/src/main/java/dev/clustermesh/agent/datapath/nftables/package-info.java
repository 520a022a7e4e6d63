/**
 * The nftables datapath: the agent's own {@code inet clustermesh} table with Cilium-style backend slots. Owns that
 * table and nothing else in the ruleset; promises that each apply is all or nothing in the kernel, and that rules
 * outlive the agent process.
 *
 * <p>Layers, each knowing only the one below: {@code NftablesDatapath} decides what to apply (full sync,
 * adoption, difference); {@code NftRender}, {@code NftDiff}, {@code NftDigests} and {@code NftReturnPath} turn LB
 * maps into typed operations of one {@code NftTransaction} ({@code NftObjects}: table, chain, set or map, rule,
 * element), pure functions; the transaction checks each operation as it is added and keeps the first problem;
 * {@code NftBlock} is the only code that writes nft syntax; an {@code NftRunner} applies a transaction:
 * {@code NftFileRunner} (a fresh {@code nft -f -}) or {@code NftSession} (one long-lived {@code nft -i}), both
 * held to one contract test, as is the in-memory fake the unit tests use.
 *
 * <p>Why the interactive {@code nft -i} stays: a fresh process costs 15–20 ms per change here against a 5 ms
 * goal, the session well under 1 ms (docs/benchmarks.md). Its protocol relies on how nft 1.0.6's interactive mode
 * reports errors (see {@code NftSession}); what protects it from a changed nft is a read-only start-up probe of
 * exactly those behaviours on every new process. A process that fails it is never sent a transaction, and every
 * change then goes through {@code nft -f -}: slower, never wrong.
 *
 * <p>The table's schema digest (the comment of the digests sets, {@code NftDigests.schema()}) hashes the rendered
 * shape of an empty table. The typed transaction renders that shape byte for byte as the string renderer did, so
 * the digest is unchanged and a table an older agent left is adopted, not replaced. A change that alters the
 * rendered shape changes the digest: the first sync after such an upgrade replaces the table once (one full load,
 * about 1 s at 10,000 services; connections keep their NAT in conntrack).
 */
package dev.clustermesh.agent.datapath.nftables;
