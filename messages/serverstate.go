package messages

import "github.com/zkfle/zkfle/zk"

// The one conversion between the actor messages' protobuf enum and zk's
// ServerState. Both carry Java's ordinals, so the conversion is the
// identity on every value, including a code no state has: a peer's
// unknown code survives the trip for the election to judge, as proto3's
// open enums let it.

// ServerStateOf returns s as the protobuf enum.
func ServerStateOf(s zk.ServerState) ServerState { return ServerState(s) }

// Zk returns the enum as zk's ServerState.
func (x ServerState) Zk() zk.ServerState { return zk.ServerState(x) }
