package main

import (
	"io"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestParseOptionsDefaults(t *testing.T) {
	o, err := parseOptions(nil, io.Discard)
	require.NoError(t, err)
	assert.Equal(t, []int{3, 5}, o.sizes)
	assert.Equal(t, 5, o.runs)
	assert.Equal(t, 5*time.Millisecond, o.poll)
	assert.True(t, o.withZK)
}

func TestParseSizesSortsAndDeduplicates(t *testing.T) {
	got, err := parseSizes("5, 3,5", maxServers)
	require.NoError(t, err)
	assert.Equal(t, []int{3, 5}, got)
}

func TestParseOptionsRejectsBadValuesByName(t *testing.T) {
	for _, tc := range []struct {
		args []string
		flag string
	}{
		{[]string{"-n", "1"}, "n"},
		{[]string{"-n", "3,x"}, "n"},
		{[]string{"-runs", "0"}, "runs"},
		{[]string{"-poll", "0s"}, "poll"},
		{[]string{"-timeout", "10ms"}, "timeout"},
		{[]string{"-heap", ""}, "heap"},
	} {
		_, err := parseOptions(tc.args, io.Discard)
		require.ErrorIs(t, err, ErrBadFlag, "%v", tc.args)
		var fe *FlagError
		require.ErrorAs(t, err, &fe)
		assert.Equal(t, tc.flag, fe.Flag)
		assert.Contains(t, err.Error(), tc.args[1], "the message names the value")
	}
}
