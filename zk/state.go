package zk

import "strconv"

// ServerState is a server's state, as ZooKeeper's QuorumPeer.ServerState.
// The values are Java's ordinals, which are also the i32 state codes of an
// election notification, so a decoded code is stored as it came: a code
// outside the four (a hostile or future peer's) survives as a value for
// which Valid is false, and the election decides what to do with it.
type ServerState int32

const (
	// Looking: electing a leader (wire code 0).
	Looking ServerState = 0
	// Following: a voter following the elected leader (wire code 1).
	Following ServerState = 1
	// Leading: elected, leading (wire code 2).
	Leading ServerState = 2
	// Observing: a non-voter following the leader (wire code 3).
	Observing ServerState = 3
)

// String returns ZooKeeper's name for the state (LOOKING, FOLLOWING,
// LEADING, OBSERVING), or "ServerState(n)" for a code Java does not
// define.
func (s ServerState) String() string {
	switch s {
	case Looking:
		return "LOOKING"
	case Following:
		return "FOLLOWING"
	case Leading:
		return "LEADING"
	case Observing:
		return "OBSERVING"
	}
	return "ServerState(" + strconv.FormatInt(int64(s), 10) + ")"
}

// Valid reports whether s is one of the four states Java defines.
func (s ServerState) Valid() bool { return s >= Looking && s <= Observing }
