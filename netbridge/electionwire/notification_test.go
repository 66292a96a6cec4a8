package electionwire

import (
	"bytes"
	"encoding/binary"
	"log/slog"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"github.com/zkfle/zkfle/zk"
)

// bodyBuilder writes notification fields by hand, independently of
// AppendEncode, so that decode tests do not trust the encoder.
type bodyBuilder struct{ b []byte }

func (w *bodyBuilder) i32(v int32) *bodyBuilder {
	w.b = binary.BigEndian.AppendUint32(w.b, uint32(v))
	return w
}

func (w *bodyBuilder) i64(v int64) *bodyBuilder {
	w.b = binary.BigEndian.AppendUint64(w.b, uint64(v))
	return w
}

func (w *bodyBuilder) raw(p []byte) *bodyBuilder {
	w.b = append(w.b, p...)
	return w
}

// head28 is state LOOKING, leader 3, zxid 0x100000005, round 2.
func head28() *bodyBuilder {
	return new(bodyBuilder).i32(0).i64(3).i64(0x100000005).i64(2)
}

func TestDecodeNotification28Bytes(t *testing.T) {
	var n Notification
	require.NoError(t, DecodeNotification(head28().b, &n))
	assert.Equal(t, Notification{zk.Looking, 3, 0x100000005, 2, 1, 0, nil, 28}, n)

	// The derived peerEpoch is an arithmetic shift, as ZxidUtils does it.
	neg := new(bodyBuilder).i32(0).i64(3).i64(-1 << 40).i64(2)
	require.NoError(t, DecodeNotification(neg.b, &n))
	assert.Equal(t, int64(-1<<8), n.PeerEpoch)
}

func TestDecodeNotification40BytesIgnoresTheVersion(t *testing.T) {
	for _, slot := range []int32{1, 0, 7, -1} {
		body := head28().i64(9).i32(slot).b
		var n Notification
		require.NoError(t, DecodeNotification(body, &n))
		assert.Equal(t, Notification{zk.Looking, 3, 0x100000005, 2, 9, 0, nil, 40}, n, "slot 0x%x", slot)
	}
}

func TestDecodeNotificationVersions(t *testing.T) {
	for _, tc := range []struct {
		name string
		body []byte
		want Notification
	}{
		{"current, empty config", head28().i64(1).i32(2).i32(0).b,
			Notification{zk.Looking, 3, 0x100000005, 2, 1, 2, []byte{}, 44}},
		{"current, with config", head28().i64(1).i32(2).i32(9).raw([]byte("version=0")).b,
			Notification{zk.Looking, 3, 0x100000005, 2, 1, 2, []byte("version=0"), 53}},
		{"a future version also carries a config", head28().i64(1).i32(3).i32(1).raw([]byte("x")).b,
			Notification{zk.Looking, 3, 0x100000005, 2, 1, 3, []byte("x"), 45}},
		{"version 1 in a long body: read, no config", head28().i64(1).i32(1).i32(99).b,
			Notification{zk.Looking, 3, 0x100000005, 2, 1, 1, nil, 44}},
		{"negative version: read, no config", head28().i64(1).i32(-5).raw([]byte{0}).b,
			Notification{zk.Looking, 3, 0x100000005, 2, 1, -5, nil, 41}},
		{"trailing bytes after the config are ignored", head28().i64(1).i32(2).i32(1).raw([]byte("xyz")).b,
			Notification{zk.Looking, 3, 0x100000005, 2, 1, 2, []byte("x"), 47}},
		{"unknown state codes decode (the caller drops them)", new(bodyBuilder).i32(9).i64(3).i64(0).i64(2).b,
			Notification{9, 3, 0, 2, 0, 0, nil, 28}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var n Notification
			require.NoError(t, DecodeNotification(tc.body, &n))
			assert.Equal(t, tc.want, n)
		})
	}
}

func TestDecodeNotificationRejects(t *testing.T) {
	for _, tc := range []struct {
		name    string
		body    []byte
		wantErr error
		naming  string
	}{
		{"empty", nil, ErrShortNotification, "0 bytes"},
		{"27 bytes", head28().b[:27], ErrShortNotification, "27 bytes"},
		{"29 bytes", head28().i64(1).b[:29], ErrUnsupportedNotification, "29 bytes"},
		{"36 bytes, the 3.4.0-3.4.5 form", head28().i64(1).b, ErrUnsupportedNotification, "36 bytes"},
		{"39 bytes", head28().i64(1).i32(2).b[:39], ErrUnsupportedNotification, "39 bytes"},
		{"version 2 without room for the config length", head28().i64(1).i32(2).i32(0).b[:43], ErrConfigLength, "43 bytes"},
		{"config length beyond the body", head28().i64(1).i32(2).i32(45).b, ErrConfigLength, "45"},
		{"config length within the body but past its end", head28().i64(1).i32(2).i32(10).raw([]byte("abc")).b, ErrConfigLength, "only 3 bytes"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			before := Notification{State: 1, Leader: 2, Config: []byte("keep")}
			n := before
			err := DecodeNotification(tc.body, &n)
			require.ErrorIs(t, err, tc.wantErr)
			assert.Contains(t, err.Error(), tc.naming)
			assert.Equal(t, before, n, "n is untouched on error")
		})
	}
}

// TestDecodeNotificationMalformedMessages are the payloads of
// FLEMalformedNotificationMessageTest (ZooKeeper's own test, ZOOKEEPER-3769): the
// Java receiver skips each and survives; here each is a typed error,
// except the invalid config string, whose vote still counts.
func TestDecodeNotificationMalformedMessages(t *testing.T) {
	looking := func() *bodyBuilder {
		return new(bodyBuilder).i32(0).i64(0).i64(0).i64(1).i64(0)
	}
	cases := []struct {
		name    string
		body    []byte
		wantErr error
	}{
		{"TooShortPartialNotificationMessage", looking().b[:12], ErrShortNotification},
		{"NotificationMessageWithNegativeConfigLength", looking().i32(2).i32(-123).raw(make([]byte, 4)).b, ErrConfigLength},
		{"NotificationMessageWithInvalidConfigLength", looking().i32(2).i32(10000).raw(make([]byte, 4+29)).b, ErrConfigLength},
		{"NotificationMessageWithBadProtocol", looking().b[:30], ErrUnsupportedNotification},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			var n Notification
			assert.ErrorIs(t, DecodeNotification(tc.body, &n), tc.wantErr)
		})
	}
	t.Run("NotificationMessageWithInvalidConfig", func(t *testing.T) {
		cfg := "my very invalid config string"
		body := looking().i32(2).i32(int32(len(cfg))).raw([]byte(cfg)).b
		var n Notification
		require.NoError(t, DecodeNotification(body, &n))
		assert.Equal(t, cfg, string(n.Config), "the config is not parsed here; the vote still counts")
	})
	t.Run("48-byte body whose fields fill 44", func(t *testing.T) {
		body := looking().i32(2).i32(0).raw(make([]byte, 4)).b
		var n Notification
		require.NoError(t, DecodeNotification(body, &n))
		assert.Equal(t, 48, n.Size)
		assert.Equal(t, []byte{}, n.Config)
	})
}

func TestDecodeNotificationCopiesTheConfig(t *testing.T) {
	body := head28().i64(1).i32(2).i32(3).raw([]byte("abc")).b
	var n Notification
	require.NoError(t, DecodeNotification(body, &n))
	copy(body[44:], "XYZ") // the frame reader reuses its buffer like this
	assert.Equal(t, []byte("abc"), n.Config)
}

// TestDecodeKeepsAnyStateCode: the state is the i32 as sent, known or
// not; judging it is the election's job (after its voter check).
func TestDecodeKeepsAnyStateCode(t *testing.T) {
	for s := int32(-2); s <= 5; s++ {
		body := new(bodyBuilder).i32(s).i64(1).i64(0).i64(1).b // 28 bytes
		var n Notification
		require.NoError(t, DecodeNotification(body, &n))
		assert.Equal(t, s, int32(n.State))
		assert.Equal(t, s >= 0 && s <= 3, n.State.Valid(), "state %d", s)
	}
}

func TestNotificationAppendEncodeLayouts(t *testing.T) {
	for _, tc := range []struct {
		name string
		n    Notification
		want []byte
	}{
		{"version 0 -> 28 bytes", Notification{zk.Looking, 3, 0x100000005, 2, 1, 0, nil, 0},
			head28().b},
		{"version 0 with a peerEpoch the 28-byte form cannot carry -> 40 bytes, 0x0",
			Notification{zk.Looking, 3, 0x100000005, 2, 7, 0, nil, 0},
			head28().i64(7).i32(0).b},
		{"version 1 -> 40 bytes with 0x1 (3.4.6+)", Notification{zk.Looking, 3, 0x100000005, 2, 1, 1, nil, 0},
			head28().i64(1).i32(1).b},
		{"version 2 -> 44+N", Notification{zk.Looking, 3, 0x100000005, 2, 1, 2, []byte("version=0"), 0},
			head28().i64(1).i32(2).i32(9).raw([]byte("version=0")).b},
		{"version 2, no config -> 44", Notification{zk.Looking, 3, 0x100000005, 2, 1, 2, nil, 0},
			head28().i64(1).i32(2).i32(0).b},
		{"negative version keeps its slot", Notification{zk.Looking, 3, 0x100000005, 2, 1, -3, nil, 0},
			head28().i64(1).i32(-3).i32(0).b},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := tc.n.AppendEncode([]byte("pre"))
			assert.Equal(t, append([]byte("pre"), tc.want...), got)

			// What a 3.8 receiver makes of it is what was meant, except
			// that 3.8 reads the 40-byte form's version 1 as 0.
			var back Notification
			require.NoError(t, DecodeNotification(tc.want, &back))
			want := tc.n
			want.Size = len(tc.want)
			if want.Version == NotificationVersion1 {
				want.Version = 0
			}
			if want.Version > 1 && want.Config == nil {
				want.Config = []byte{}
			}
			assert.Equal(t, want, back)
		})
	}
}

func TestAppendNotificationFrame(t *testing.T) {
	n := Notification{zk.Leading, 2, 0x100000002, 2, 2, 2, []byte(cfgCapture), 0}
	got, err := AppendNotificationFrame([]byte{7}, &n)
	require.NoError(t, err)
	want, err := AppendFrame([]byte{7}, n.AppendEncode(nil))
	require.NoError(t, err)
	assert.Equal(t, want, got)

	huge := Notification{Version: 2, Config: make([]byte, MaxFrameLen-notificationLen44+1)}
	got, err = AppendNotificationFrame([]byte{7}, &huge)
	require.ErrorIs(t, err, ErrFrameLength)
	assert.Contains(t, err.Error(), "524289")
	assert.Equal(t, []byte{7}, got)
}

func TestNotificationAllocations(t *testing.T) {
	raw := readHexVector(t, "testdata/golden/gf-N1-frame-looking-fresh.hex")
	body := raw[frameHeaderLen:]
	var n Notification
	buf := make([]byte, 0, 512)
	decodeAllocs := testing.AllocsPerRun(100, func() {
		if err := DecodeNotification(body, &n); err != nil {
			panic(err)
		}
	})
	assert.Equal(t, 1.0, decodeAllocs, "decode allocates only the config copy")
	encodeAllocs := testing.AllocsPerRun(100, func() {
		buf = n.AppendEncode(buf[:0])
	})
	assert.Equal(t, 0.0, encodeAllocs, "encode into a buffer with room does not allocate")
	assert.Equal(t, body, buf)
}

func TestNotificationLogValue(t *testing.T) {
	var out bytes.Buffer
	log := slog.New(slog.NewTextHandler(&out, nil))
	n := Notification{zk.Following, 3, 0x100000002, 1, 1, 2, []byte(cfgCapture), 182}
	log.Info("got", "n", &n)
	line := out.String()
	for _, kv := range []string{"n.state=FOLLOWING", "n.leader=3", "n.zxid=0x100000002", "n.round=1", "n.epoch=1", "n.version=2", "n.size=182"} {
		assert.True(t, strings.Contains(line, kv), "%q lacks %q", line, kv)
	}
	// An untrusted database's -1 prints as ZooKeeper's Long.toHexString
	// does, not as "-0x1".
	out.Reset()
	n.Zxid = -1
	log.Info("got", "n", &n)
	assert.Contains(t, out.String(), "n.zxid=0xffffffffffffffff")
}
