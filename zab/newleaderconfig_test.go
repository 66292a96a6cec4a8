package zab

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
)

func TestNewLeaderConfig(t *testing.T) {
	v := parseConfig(t, captureConfig)
	assert.Equal(t, captureConfig, string(NewLeaderConfig(v, nil, false, 3)), "reconfig disabled: the committed text as is")
	withZxid := string(NewLeaderConfig(v, nil, true, 3))
	assert.True(t, strings.HasSuffix(withZxid, "\nversion=300000000"), withZxid)
	assert.Equal(t, strings.TrimSuffix(captureConfig, "version=0"), strings.TrimSuffix(withZxid, "version=300000000"))

	next := parseConfig(t, strings.Replace(captureConfig, "version=0", "version=100000004", 1))
	assert.Equal(t, next.String(), string(NewLeaderConfig(v, next, true, 3)), "a pending reconfig: its text, version kept")
	assert.Equal(t, next.String(), string(NewLeaderConfig(next, nil, true, 3)), "a non-zero committed version is kept")
}
