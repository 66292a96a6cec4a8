// Package metrics exposes a running node to Prometheus: its state, its
// elections (a duration histogram from entering LOOKING to the reported
// role, and a total), notifications per peer, connection attempts and
// failures, queue depths, actor failures and restarts per kind, and
// malformed inputs by reason.
//
// Most figures are read from the node's status queries at scrape time (a
// collector, so a scrape always sees the node's own counters and nothing
// can drift); the election histogram is fed by a history.Recorder as
// elections finish. Every series carries a constant sid label so several
// nodes embedded in one process can share a registry. docs/OBSERVABILITY.md
// lists every metric.
package metrics
