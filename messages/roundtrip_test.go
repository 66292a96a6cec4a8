package messages_test

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/reflect/protoreflect"
	"google.golang.org/protobuf/reflect/protoregistry"

	"github.com/zkfle/zkfle/messages"
)

// sampleNotification has every field set to a non-default value.
func sampleNotification() *messages.Notification {
	return &messages.Notification{
		State:         messages.ServerState_FOLLOWING,
		Leader:        3,
		Zxid:          0x100000005,
		ElectionEpoch: 2,
		PeerEpoch:     1,
		Version:       2,
		Config:        []byte("server.1=10.0.0.1:2888:3888:participant\nversion=0"),
		WireSize:      93,
	}
}

// samples returns one instance of every message in the package, each with
// every field set to a non-default value, so a round trip exercises all of
// them.
func samples() []proto.Message {
	return []proto.Message{
		&messages.Vote{Version: 2, Leader: 3, Zxid: 0x100000005, ElectionEpoch: 2, PeerEpoch: 1, State: messages.ServerState_LEADING},
		sampleNotification(),
		&messages.SendNotification{Sid: 2, Notification: sampleNotification()},
		&messages.SendFrame{Sid: 2, Body: []byte{0, 0, 0, 1}},
		&messages.NotificationReceived{Sid: 2, Notification: sampleNotification()},
		&messages.FrameReceived{Sid: 2, Body: []byte{0xde, 0xad}},
		&messages.NotificationDropped{Sid: 2, Reason: messages.DropReason_BAD_CONFIG_LENGTH, Detail: "config length -123", BodySize: 48},
		&messages.PeerConnected{Sid: 2, RemoteAddress: "127.0.0.1:3888", Direction: messages.Direction_OUTBOUND},
		&messages.ConnectionClosed{Sid: 2, Reason: messages.CloseReason_BAD_FRAME_LENGTH, Detail: "frame length -20"},
		&messages.ConnectOne{Sid: 5},
		&messages.ConnectAll{},
		&messages.HaveDeliveredRequest{},
		&messages.HaveDeliveredResponse{Delivered: true},
		&messages.StartLooking{Reason: messages.LookingReason_LEADER_LOST, LastZxid: 0x200000001, CurrentEpoch: 2},
		&messages.TimerFired{Kind: messages.TimerKind_FINALIZE, Seq: 7, Round: 3},
		&messages.Decision{Sid: 1, Leader: 3, Zxid: 0x100000005, ElectionEpoch: 2, PeerEpoch: 1, State: messages.ServerState_FOLLOWING},
		// Not a real transition (those pass through LOOKING, the zero value),
		// but both states must be non-default to prove they round-trip.
		&messages.StateChanged{Sid: 1, OldState: messages.ServerState_LEADING, NewState: messages.ServerState_FOLLOWING, Leader: 3, Zxid: 0x100000005, ElectionEpoch: 2, PeerEpoch: 1},
	}
}

func TestRoundTripEveryMessage(t *testing.T) {
	for _, m := range samples() {
		name := string(m.ProtoReflect().Descriptor().FullName())
		t.Run(name, func(t *testing.T) {
			requireAllFieldsSet(t, m.ProtoReflect())

			b, err := proto.Marshal(m)
			require.NoError(t, err)

			got := m.ProtoReflect().New().Interface()
			require.NoError(t, proto.Unmarshal(b, got))
			assert.True(t, proto.Equal(m, got), "round trip changed %s:\n want %v\n got  %v", name, m, got)
		})
	}
}

// requireAllFieldsSet fails when a sample leaves a field at its default
// value, which a round trip could not distinguish from a dropped field.
func requireAllFieldsSet(t *testing.T, m protoreflect.Message) {
	t.Helper()
	fields := m.Descriptor().Fields()
	for i := 0; i < fields.Len(); i++ {
		fd := fields.Get(i)
		require.Truef(t, m.Has(fd), "sample %s leaves field %s at its default", m.Descriptor().FullName(), fd.Name())
	}
}

// TestEveryMessageHasASample keeps samples() complete: a message added to a
// .proto without a round-trip sample fails here.
func TestEveryMessageHasASample(t *testing.T) {
	sampled := map[protoreflect.FullName]bool{}
	for _, m := range samples() {
		sampled[m.ProtoReflect().Descriptor().FullName()] = true
	}
	var declared int
	for _, file := range []string{"vote.proto", "connection.proto", "election.proto"} {
		fd, err := protoregistry.GlobalFiles.FindFileByPath(file)
		require.NoError(t, err)
		msgs := fd.Messages()
		for i := 0; i < msgs.Len(); i++ {
			declared++
			assert.Truef(t, sampled[msgs.Get(i).FullName()], "no round-trip sample for %s", msgs.Get(i).FullName())
		}
	}
	assert.Equal(t, declared, len(sampled), "samples() has duplicates or messages from elsewhere")
}

// TestServerStateMatchesWireCodes pins the enum values to ZooKeeper's wire
// codes, which the bridge stores without translation.
func TestServerStateMatchesWireCodes(t *testing.T) {
	assert.EqualValues(t, 0, messages.ServerState_LOOKING)
	assert.EqualValues(t, 1, messages.ServerState_FOLLOWING)
	assert.EqualValues(t, 2, messages.ServerState_LEADING)
	assert.EqualValues(t, 3, messages.ServerState_OBSERVING)
	// The values fle.TimerKind uses.
	assert.EqualValues(t, 1, messages.TimerKind_NOTIFICATION)
	assert.EqualValues(t, 2, messages.TimerKind_FINALIZE)
}

// TestUnknownStateCodeSurvives: a peer may send a state code outside 0..3;
// Java drops it only after the voter check, so the code must reach the
// election intact.
func TestUnknownStateCodeSurvives(t *testing.T) {
	n := &messages.Notification{State: messages.ServerState(7), Leader: 1}
	b, err := proto.Marshal(n)
	require.NoError(t, err)
	var got messages.Notification
	require.NoError(t, proto.Unmarshal(b, &got))
	assert.EqualValues(t, 7, got.GetState())
}
