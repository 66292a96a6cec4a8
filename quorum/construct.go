package quorum

// This file states the constructors the rest of the project relies on.
// Implementations live in majority.go, hierarchical.go and config.go.

// Groups maps a group id to the sids in that group (hierarchical quorums,
// zoo.cfg `group.<gid>=<sid>:<sid>...`).
type Groups map[int64][]int64

// Weights maps a sid to its weight (zoo.cfg `weight.<sid>=<w>`).
type Weights map[int64]int64
