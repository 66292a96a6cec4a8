package testlog

import (
	"log/slog"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestRecorderKeepsLevelsMessagesAndAttrs(t *testing.T) {
	var r Recorder
	log := r.Logger().With("sid", int64(1))
	log.Debug("start looking", "round", int64(3))
	log.With("peer", int64(2)).Info("election decided", "state", "LEADING")
	log.WithGroup("g").Warn("start looking", "round", int64(4))

	recs := r.Records()
	require.Len(t, recs, 3)
	assert.Equal(t, slog.LevelDebug, recs[0].Level)
	assert.Equal(t, "start looking", recs[0].Message)
	assert.Equal(t, int64(1), recs[0].Attrs["sid"].Int64(), "Logger.With attributes are kept")
	assert.Equal(t, int64(3), recs[0].Attrs["round"].Int64())
	assert.Equal(t, int64(2), recs[1].Attrs["peer"].Int64(), "a derived handler records into the root")
	assert.Equal(t, "LEADING", recs[1].Attrs["state"].String())
	assert.Equal(t, int64(4), recs[2].Attrs["round"].Int64(), "groups do not qualify keys")

	assert.Equal(t, 2, r.Count("start looking"))
	assert.True(t, r.Has("election decided"))
	assert.False(t, r.Has("election"), "whole messages only")
	assert.Len(t, r.Find("start looking"), 2)
	assert.Equal(t, []string{"election decided", "start looking"}, r.AtLeast(slog.LevelInfo))
}

func TestRecorderIsSafeForConcurrentUse(t *testing.T) {
	var r Recorder
	log := r.Logger()
	var wg sync.WaitGroup
	for i := range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			log.With("i", i).Info("hello")
		}()
	}
	wg.Wait()
	assert.Equal(t, 8, r.Count("hello"))
}
