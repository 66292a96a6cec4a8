package zoocfg

import (
	"errors"
	"io/fs"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/zkfle/zkfle/quorum"
)

// TestErrorsNameKeyAndValue: every way a zoo.cfg can be wrong gives an
// *Error naming the key and its value, wrapping the right sentinel.
func TestErrorsNameKeyAndValue(t *testing.T) {
	const dyn = "dynamicConfigFile=zoo.cfg.dynamic.100000000\n"
	tests := []struct {
		name     string
		zooCfg   string
		dynamic  string // content of zoo.cfg.dynamic.100000000, if any
		key      string
		value    string
		sentinel error
		also     error  // another error errors.Is must find, if any
		message  string // substring of the message after the file name
	}{
		{"tickTime not a number", base + "tickTime=abc\n" + ensemble3, "", "tickTime", "abc", ErrBadValue, nil, `tickTime="abc": not an integer`},
		{"tickTime over int", base + "tickTime=2147483648\n" + ensemble3, "", "tickTime", "2147483648", ErrBadValue, nil, "not an integer"},
		{"tickTime zero", base + "tickTime=0\n" + ensemble3, "", "tickTime", "0", ErrMissing, nil, "tickTime is not set"},
		{"tickTime negative", base + "tickTime=-5\n" + ensemble3, "", "tickTime", "-5", ErrBadValue, nil, "must be positive"},
		// ZooKeeper's default session timeouts are 2 and 20 ticks in int
		// arithmetic; 20 × 200000000 overflows, and ZooKeeper refuses it.
		{"tickTime overflowing maxSessionTimeout", base + "tickTime=200000000\n" + ensemble3, "", "minSessionTimeout", "400000000", ErrConflict, nil, "must not be larger than maxSessionTimeout (-294967296)"},
		{"initLimit missing", "syncLimit=5\ndataDir=/d\n" + ensemble3, "", "initLimit", "", ErrMissing, nil, `initLimit="": initLimit is not set`},
		{"syncLimit negative", "initLimit=10\nsyncLimit=-1\ndataDir=/d\n" + ensemble3, "", "syncLimit", "-1", ErrBadValue, nil, "must be positive"},
		{"dataDir missing", "initLimit=10\nsyncLimit=5\n" + ensemble3, "", "dataDir", "", ErrMissing, nil, "dataDir is not set"},
		{"dataDir empty", base + "dataDir=\n" + ensemble3, "", "dataDir", "", ErrMissing, nil, "dataDir is not set"},
		{"electionAlg", base + "electionAlg=0\n" + ensemble3, "", "electionAlg", "0", ErrBadValue, nil, "only 3 (FastLeaderElection) is supported"},
		{"peerType", base + "peerType=voter\n" + ensemble3, "", "peerType", "voter", ErrBadValue, nil, "not observer or participant"},
		{"standaloneEnabled", base + "standaloneEnabled=no\n" + ensemble3, "", "standaloneEnabled", "no", ErrBadValue, nil, "not true or false"},
		{"quorumListenOnAllIPs", base + "quorumListenOnAllIPs=1\n" + ensemble3, "", "quorumListenOnAllIPs", "1", ErrBadValue, nil, "not true or false"},
		{"clientPortAddress alone", base + "clientPortAddress=127.0.0.1\n" + ensemble3, "", "clientPortAddress", "127.0.0.1", ErrMissing, nil, "clientPortAddress is set but clientPort is not set"},
		{"clientPort range", base + "clientPort=70000\n" + ensemble3, "", "clientPort", "70000", ErrBadValue, nil, "port out of range"},
		{"secureClientPortAddress alone", base + "secureClientPortAddress=::1\n" + ensemble3, "", "secureClientPortAddress", "::1", ErrMissing, nil, "secureClientPort is not set"},
		{"session timeouts", base + "minSessionTimeout=50000\nmaxSessionTimeout=40000\n" + ensemble3, "", "minSessionTimeout", "50000", ErrConflict, nil, "must not be larger"},
		{"ignored key still type-checked", base + "maxClientCnxns=many\n" + ensemble3, "", "maxClientCnxns", "many", ErrBadValue, nil, "not an integer"},
		{"long key", base + "jvm.pause.warn-threshold.ms=1e4\n" + ensemble3, "", "jvm.pause.warn-threshold.ms", "1e4", ErrBadValue, nil, "not a long integer"},
		{"cnxTimeout not a number", base + "cnxTimeout=5s\n" + ensemble3, "", "cnxTimeout", "5s", ErrBadValue, nil, "not an integer"},
		{"cnxTimeout zero", base + "cnxTimeout=0\n" + ensemble3, "", "cnxTimeout", "0", ErrBadValue, nil, "must be positive"},
		{"prefixed cnxTimeout", base + "zookeeper.cnxTimeout=soon\n" + ensemble3, "", "zookeeper.cnxTimeout", "soon", ErrBadValue, nil, "not an integer"},
		{"quorumCnxnTimeoutMs", base + "quorumCnxnTimeoutMs=10s\n" + ensemble3, "", "quorumCnxnTimeoutMs", "10s", ErrBadValue, nil, "ZooKeeper would silently use its default"},
		{"electionPortBindRetry", base + "electionPortBindRetry=0x\n" + ensemble3, "", "electionPortBindRetry", "0x", ErrBadValue, nil, "not an integer"},
		{"tcpKeepAlive", base + "tcpKeepAlive=yes\n" + ensemble3, "", "tcpKeepAlive", "yes", ErrBadValue, nil, "silently take it as false"},
		{"min interval zero", base + "fastleader.minNotificationInterval=0\n" + ensemble3, "", "fastleader.minNotificationInterval", "0", ErrBadValue, nil, "must be positive"},
		{"max below min", base + "fastleader.minNotificationInterval=500\nfastleader.maxNotificationInterval=100\n" + ensemble3, "", "fastleader.maxNotificationInterval", "100", ErrBadValue, nil, "must not be below fastleader.minNotificationInterval (500 ms)"},
		{"min above default max", base + "fastleader.minNotificationInterval=70000\n" + ensemble3, "", "fastleader.minNotificationInterval", "70000", ErrBadValue, nil, "must not exceed fastleader.maxNotificationInterval (default 60000 ms)"},
		{"multiAddress.enabled", base + "multiAddress.enabled=on\n" + ensemble3, "", "multiAddress.enabled", "on", ErrBadValue, nil, "not true or false"},
		{"sslQuorum without a key store", base + "sslQuorum=true\n" + ensemble3, "", "ssl.quorum.keyStore.location", "", ErrMissing, nil, "sslQuorum=true needs a key store"},
		{"SASL", base + "quorum.auth.enableSasl=true\n" + ensemble3, "", "quorum.auth.enableSasl", "true", ErrUnsupported, nil, "no SASL"},
		{"SASL required, not enabled", base + "quorum.auth.learnerRequireSasl=TRUE\n" + ensemble3, "", "quorum.auth.learnerRequireSasl", "TRUE", ErrConflict, nil, "quorum.auth.enableSasl is disabled"},
		{"oracle", base + "oraclePath=/etc/zk/oracle\n" + ensemble3, "", "oraclePath", "/etc/zk/oracle", ErrUnsupported, nil, "no QuorumOracleMaj"},
		{"trailing space on a server line", base + "server.1=127.0.0.1:2888:3888 \nserver.2=127.0.0.2:2888:3888\nserver.3=127.0.0.3:2888:3888\n", "", "server.1", "127.0.0.1:2888:3888 ", ErrEnsemble, quorum.ErrBadPort, `election port "3888 "`},
		{"bad sid", base + "server.one=127.0.0.1:2888:3888\n", "", "server.one", "127.0.0.1:2888:3888", ErrEnsemble, quorum.ErrBadID, "server id"},
		{"same ports", base + "server.1=127.0.0.1:3888:3888\nserver.2=127.0.0.2:2888:3888\nserver.3=127.0.0.3:2888:3888\n", "", "server.1", "127.0.0.1:3888:3888", ErrEnsemble, quorum.ErrSamePorts, "quorum and election port are both 3888"},
		{"several addresses", base + "server.1=127.0.0.1:2888:3888|127.0.1.1:2888:3888\nserver.2=127.0.0.2:2888:3888\nserver.3=127.0.0.3:2888:3888\n", "", "server.1", "127.0.0.1:2888:3888|127.0.1.1:2888:3888", ErrMultiAddress, nil, "server 1 has 2 addresses but multiAddress.enabled is not true"},
		{"participant in no group", base + ensemble3 + "group.1=1:2\n", "", "group.1", "1:2", ErrEnsemble, quorum.ErrNoGroup, "participant 3 is in no group"},
		{"weight not a number", base + ensemble3 + "group.1=1:2:3\nweight.2=heavy\n", "", "weight.2", "heavy", ErrEnsemble, quorum.ErrBadWeight, `"heavy" is not a decimal long`},
		{"observers only", base + "server.1=127.0.0.1:2888:3888:observer\nserver.2=127.0.0.2:2888:3888:observer\n", "", "server.1", "127.0.0.1:2888:3888:observer", ErrEnsemble, quorum.ErrObserversOnly, "2 observers and no participant"},
		{"observer beside a standalone participant", base + "server.1=127.0.0.1:2888:3888\nserver.2=127.0.0.2:2888:3888:observer\n", "", "server.2", "127.0.0.2:2888:3888:observer", ErrConflict, nil, "Observers w/o quorum"},
		{"no participants, standaloneEnabled=false", base + "standaloneEnabled=false\n", "", "standaloneEnabled", "false", ErrConflict, nil, "number of participants should be >0"},
		{"server lines beside dynamicConfigFile", base + dyn + "server.1=127.0.0.1:2888:3888\n", ensemble3, "server.1", "127.0.0.1:2888:3888", ErrConflict, nil, "must be in the dynamic config file"},
		{"dynamic file missing", base + "dynamicConfigFile=nowhere.dynamic\n", "", "dynamicConfigFile", "nowhere.dynamic", ErrRead, fs.ErrNotExist, "cannot open: no such file or directory"},
		{"version in the dynamic file", base + dyn, ensemble3 + "version=100000000\n", "version", "100000000", ErrConflict, nil, "must not have a version"},
		{"other key in the dynamic file", base + dyn, ensemble3 + "tickTime=2000\n", "tickTime", "2000", ErrEnsemble, quorum.ErrUnknownKey, "unrecognised config key"},
		{"bad escape", base + "dataDir=C:\\users\\zk\n" + ensemble3, "", "", "", ErrSyntax, quorum.ErrSyntax, `malformed \uxxxx escape`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			files := map[string]string{"zoo.cfg": tt.zooCfg}
			if tt.dynamic != "" {
				files["zoo.cfg.dynamic.100000000"] = tt.dynamic
			}
			dir := writeFiles(t, files)
			_, err := Parse(strings.NewReader(tt.zooCfg), dir)
			require.Error(t, err)
			var e *Error
			require.True(t, errors.As(err, &e), "%T: %v", err, err)
			assert.Equal(t, tt.key, e.Key)
			assert.Equal(t, tt.value, e.Value)
			assert.ErrorIs(t, err, tt.sentinel)
			if tt.also != nil {
				assert.ErrorIs(t, err, tt.also)
			}
			assert.Contains(t, err.Error(), tt.message)
			if tt.key != "" {
				assert.Contains(t, err.Error(), tt.key+"="+strconv.Quote(tt.value)+": ")
			}
		})
	}
}

// TestErrorFileNames: an error names the file the bad line is in.
func TestErrorFileNames(t *testing.T) {
	dir := writeFiles(t, map[string]string{
		"conf/zoo.cfg":          base + "dynamicConfigFile=DIR/conf/ensemble.dynamic\n",
		"conf/ensemble.dynamic": "server.1=127.0.0.1:2888\n",
	})
	_, err := Load(dir + "/conf/zoo.cfg")
	require.Error(t, err)
	assert.True(t, strings.HasPrefix(err.Error(), dir+`/conf/ensemble.dynamic: server.1="127.0.0.1:2888": `), err.Error())
	var se *quorum.ServerError
	require.ErrorAs(t, err, &se)
	assert.Equal(t, int64(1), se.ID)

	_, err = Load(dir + "/conf/missing.cfg")
	require.Error(t, err)
	assert.Equal(t, dir+"/conf/missing.cfg: cannot open: no such file or directory", err.Error())
	assert.ErrorIs(t, err, fs.ErrNotExist)
	assert.ErrorIs(t, err, ErrRead)

	_, err = parse(t, "tickTime=x\n")
	assert.EqualError(t, err, `zoo.cfg: tickTime="x": not an integer`)
}
