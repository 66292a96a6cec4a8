package messages_test

import (
	"fmt"
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
		&messages.ConnectionClosed{Sid: 2, Reason: messages.CloseReason_BAD_FRAME_LENGTH, Detail: "frame length -20"},
		&messages.ConnectOne{Sid: 5},
		&messages.ConnectAll{},
		&messages.HaveDeliveredResponse{Delivered: true},
		&messages.StartLooking{Reason: messages.LookingReason_LEADER_LOST, LastZxid: 0x200000001, CurrentEpoch: 2},
		&messages.TimerFired{Kind: messages.TimerKind_FINALIZE, Seq: 7, Round: 3},
		&messages.Decision{Sid: 1, Leader: 3, Zxid: 0x100000005, ElectionEpoch: 2, PeerEpoch: 1, State: messages.ServerState_FOLLOWING, Path: "unanimity"},
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

// TestRoundTripEveryRegisteredMessage round-trips every message type the
// package's .proto files declare, including ones added after this test was
// written, each filled by fillAll with a distinct non-default value in
// every field.
func TestRoundTripEveryRegisteredMessage(t *testing.T) {
	var count int
	protoregistry.GlobalFiles.RangeFilesByPackage("zkfle.messages", func(fd protoreflect.FileDescriptor) bool {
		forEachMessage(fd.Messages(), func(md protoreflect.MessageDescriptor) {
			count++
			t.Run(string(md.FullName()), func(t *testing.T) {
				mt, err := protoregistry.GlobalTypes.FindMessageByName(md.FullName())
				require.NoError(t, err, "no Go type registered")
				m := mt.New()
				fillAll(m, 0)
				requireAllFieldsSet(t, m)

				b, err := proto.Marshal(m.Interface())
				require.NoError(t, err)
				got := mt.New().Interface()
				require.NoError(t, proto.Unmarshal(b, got))
				assert.True(t, proto.Equal(m.Interface(), got), "round trip changed %s:\n want %v\n got  %v", md.FullName(), m, got)
			})
		})
		return true
	})
	assert.GreaterOrEqual(t, count, len(samples()), "fewer registered messages than hand-written samples")
}

// forEachMessage calls f for every message in mds and the messages nested
// in them, except map entries (which exist only inside their map).
func forEachMessage(mds protoreflect.MessageDescriptors, f func(protoreflect.MessageDescriptor)) {
	for i := 0; i < mds.Len(); i++ {
		md := mds.Get(i)
		if md.IsMapEntry() {
			continue
		}
		f(md)
		forEachMessage(md.Messages(), f)
	}
}

// fillAll sets every field of m to a non-default value derived from the
// field number, so that a field swapped with another or dropped in a round
// trip shows. Repeated fields and maps get one element. Message fields are
// filled recursively, to a small depth for self-referencing types.
func fillAll(m protoreflect.Message, depth int) {
	fields := m.Descriptor().Fields()
	for i := 0; i < fields.Len(); i++ {
		fd := fields.Get(i)
		switch {
		case fd.IsMap():
			entries := m.Mutable(fd).Map()
			entries.Set(scalarValue(fd.MapKey()).MapKey(), elementValue(fd.MapValue(), entries.NewValue, depth))
		case fd.IsList():
			list := m.Mutable(fd).List()
			list.Append(elementValue(fd, list.NewElement, depth))
		case fd.Message() != nil:
			if depth < 3 {
				fillAll(m.Mutable(fd).Message(), depth+1)
			}
		default:
			m.Set(fd, scalarValue(fd))
		}
	}
}

// elementValue is a filled value for a list element or map value of fd's
// type; newValue makes an empty one of the right message type.
func elementValue(fd protoreflect.FieldDescriptor, newValue func() protoreflect.Value, depth int) protoreflect.Value {
	if fd.Message() == nil {
		return scalarValue(fd)
	}
	v := newValue()
	fillAll(v.Message(), depth+1)
	return v
}

// scalarValue is a non-default value for a scalar field, distinct per
// field number; signed fields get negative values to exercise the sign.
func scalarValue(fd protoreflect.FieldDescriptor) protoreflect.Value {
	n := int64(fd.Number())*1000 + 1
	switch fd.Kind() {
	case protoreflect.BoolKind:
		return protoreflect.ValueOfBool(true)
	case protoreflect.EnumKind:
		values := fd.Enum().Values()
		num := values.Get(values.Len() - 1).Number()
		if num == 0 {
			num = 1 // open enums keep unknown numbers
		}
		return protoreflect.ValueOfEnum(num)
	case protoreflect.Int32Kind, protoreflect.Sint32Kind, protoreflect.Sfixed32Kind:
		return protoreflect.ValueOfInt32(int32(-n))
	case protoreflect.Int64Kind, protoreflect.Sint64Kind, protoreflect.Sfixed64Kind:
		return protoreflect.ValueOfInt64(-n << 33)
	case protoreflect.Uint32Kind, protoreflect.Fixed32Kind:
		return protoreflect.ValueOfUint32(uint32(n))
	case protoreflect.Uint64Kind, protoreflect.Fixed64Kind:
		return protoreflect.ValueOfUint64(uint64(n) << 33)
	case protoreflect.FloatKind:
		return protoreflect.ValueOfFloat32(float32(n) + 0.5)
	case protoreflect.DoubleKind:
		return protoreflect.ValueOfFloat64(float64(n) + 0.5)
	case protoreflect.StringKind:
		return protoreflect.ValueOfString(fmt.Sprintf("field-%d", fd.Number()))
	case protoreflect.BytesKind:
		return protoreflect.ValueOfBytes([]byte{byte(fd.Number()), 0xff, 0})
	default:
		panic(fmt.Sprintf("fillAll: unhandled kind %v of %s", fd.Kind(), fd.FullName()))
	}
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
	assert.EqualValues(t, 3, messages.TimerKind_LINK_DOWN)
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
