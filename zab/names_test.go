package zab

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
)

func TestEnumNames(t *testing.T) {
	assert.Equal(t, "acceptedEpoch", AcceptedEpochFile.String())
	assert.Equal(t, "currentEpoch", CurrentEpochFile.String())
	assert.Equal(t, "EpochFile(7)", EpochFile(7).String())
	assert.Equal(t, "quorum lost", ReasonQuorumLost.String())
	assert.Equal(t, "Reason(0)", Reason(0).String())
	for k, name := range map[TimerKind]string{PhaseTimer: "phase", HeartbeatTimer: "heartbeat", ReadTimer: "read",
		ConnectTimer: "connect", RetryTimer: "retry", 0: "unknown"} {
		assert.Equal(t, name, k.String())
	}
	for r := ReasonStopped; r <= ReasonProtocol; r++ {
		assert.NotContains(t, r.String(), "Reason(", "every reason has a name")
	}
}

func TestEpochFileErrorTruncatesLongContent(t *testing.T) {
	err := &EpochFileError{Path: "/d/version-2/currentEpoch", Content: strings.Repeat("x", 100), Err: ErrCorruptEpochFile}
	assert.Equal(t, `zab: corrupt epoch file: found "`+strings.Repeat("x", 64)+`..." in /d/version-2/currentEpoch`, err.Error())
}
