package main

import (
	"bytes"
	"log/slog"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"github.com/zkfle/zkfle/actors"
	"github.com/zkfle/zkfle/history/testensemble"
)

// A client port that stops serving while the node runs fails the node
// (exit 1), as a taken one fails its start: the node does not run without
// its client port, as ZooKeeper does not.
func TestRunFailsWhenTheClientPortDies(t *testing.T) {
	e := testensemble.New(t, 3)
	node := e.Start(1)[0]
	defer e.StopAll()
	c := clientPortConfig{addr: "127.0.0.1:0", words: []string{"srvr"}}
	ln, err := bindClientPort(c)
	require.NoError(t, err)
	var logs bytes.Buffer
	log := slog.New(slog.NewTextHandler(&logs, nil))
	client, err := serveClientPort(ln, node, e.Config(1), c, log)
	require.NoError(t, err)
	defer client.close()

	require.NoError(t, ln.Close()) // the listener dies under the server
	assert.Equal(t, exitFailed, waitForEnd(node, client, log, nil))
	assert.Contains(t, logs.String(), `msg="node cannot continue"`)
	assert.Contains(t, logs.String(), "client port accept loop ended")
}

// Without a client port there is nothing to watch: the node runs on.
func TestNoClientPortServesNothing(t *testing.T) {
	ln, err := bindClientPort(clientPortConfig{})
	require.NoError(t, err)
	assert.Nil(t, ln)
	client, err := serveClientPort(nil, nil, actors.Config{}, clientPortConfig{}, slog.Default())
	require.NoError(t, err)
	assert.Nil(t, client.done(), "a nil channel: waitForEnd never selects it")
	assert.NoError(t, client.err())
	client.close()
}
