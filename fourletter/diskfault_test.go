package fourletter

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/zkfle/zkfle/messages"
)

// A disk-faulted node says so in srvr, stat and mntr, after ZooKeeper's
// own lines, whether it is LOOKING (usual) or serving; a healthy node's
// answers have no zkfle line.
func TestDiskFaultLines(t *testing.T) {
	const fault = "cannot persist epochs in /data/version-2: read-only file system"
	all := []string{"*"}

	looking := Snapshot{State: messages.ServerState_LOOKING, DiskFault: fault}
	assert.Equal(t, NotServing+"\n"+DiskFaultPrefix+fault+"; not standing for leader\n", Answer(Srvr, looking, nil))
	assert.Equal(t, NotServing+"\n"+DiskFaultKey+"\t1\n", Answer(Mntr, looking, all))
	assert.Equal(t, NotServing+"\n", Answer(Conf, looking, all), "other words unchanged")

	s := serving()
	healthy := Answer(Srvr, s, nil)
	healthyMntr := Answer(Mntr, s, all)
	assert.NotContains(t, healthy, DiskFaultPrefix)
	assert.NotContains(t, healthyMntr, DiskFaultKey)

	s.DiskFault = fault
	srvr := Answer(Srvr, s, nil)
	assert.True(t, strings.HasPrefix(srvr, healthy), "ZooKeeper's lines first, unchanged")
	assert.Equal(t, DiskFaultPrefix+fault+"; not standing for leader\n", strings.TrimPrefix(srvr, healthy))
	assert.Equal(t, healthyMntr+DiskFaultKey+"\t1\n", Answer(Mntr, s, all))
	assert.Contains(t, Answer(Stat, s, all), DiskFaultPrefix)
}
