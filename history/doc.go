// Package history records a node's recent elections: when each began
// (the node entered LOOKING), when it ended (the node reported LEADING,
// FOLLOWING or OBSERVING), how many rounds it took and how many
// notifications the node exchanged meanwhile. It also keeps the node's
// recent actor failures and restarts.
//
// It reads the node only through its public API (Subscribe,
// SubscribeSupervision, ElectionStatus, CnxStatus), so it can be attached
// to any *actors.Node. The admin endpoint serves the records as JSON and
// the metrics package turns finished elections into a histogram.
//
// The end of an election is the state change the node publishes. Once a
// node reports its role only after the post-election session is
// established (ZOOKEEPER-3479's lesson: an election is not over until the
// leader can lead), the recorded duration runs from LOOKING to
// established with no change here.
package history
