package quorumwire

import "bytes"

// ZkfleMark follows the standard payload of a zkfle leader's LEADERINFO
// (after the 4-byte protocol version) and of a zkfle learner's LearnerInfo
// (after the 20-byte record). ZooKeeper reads only the fields it knows
// from both and ignores what follows, so Java peers see ordinary packets;
// zkfle peers use the mark to tell each other from ZooKeeper servers:
//
//   - a zkfle learner whose leader sent no mark follows a ZooKeeper
//     leader, which would sync data into it and count its acks; it stays
//     an election-only follower instead (Established.ElectionOnly);
//   - a zkfle leader refuses a learner that sent no mark, since a
//     ZooKeeper server cannot sync its data from a leader that has none.
//
// docs/INTEROP.md lists the mixed layouts this supports.
var ZkfleMark = []byte("zkfle\x00\x00\x01")

// hasZkfleMark reports whether data carries the mark right after its
// first n bytes.
func hasZkfleMark(data []byte, n int) bool {
	return len(data) >= n && bytes.HasPrefix(data[n:], ZkfleMark)
}
