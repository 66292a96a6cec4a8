package fourletter

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/zkfle/zkfle/messages"
)

func TestServing(t *testing.T) {
	for state, want := range map[messages.ServerState]bool{
		messages.ServerState_LOOKING:   false,
		messages.ServerState_FOLLOWING: true,
		messages.ServerState_LEADING:   true,
		messages.ServerState_OBSERVING: true,
		messages.ServerState(7):        false, // an unknown code serves nothing
	} {
		s := Snapshot{State: state}
		assert.Equal(t, want, s.Serving(), state.String())
	}
}

func TestSummaryAdd(t *testing.T) {
	var s Summary
	s.Add(300)
	assert.Equal(t, Summary{Count: 1, Sum: 300, Min: 300, Max: 300}, s)
	s.Add(100)
	s.Add(500)
	assert.Equal(t, Summary{Count: 3, Sum: 900, Min: 100, Max: 500}, s)
}
