package zkjava

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestSpecValidateNamesTheBadValue(t *testing.T) {
	good := Member{SID: 1, QuorumPort: 10, ElectionPort: 11, ClientPort: 12, Java: true}
	cases := []struct {
		name    string
		spec    Spec
		mention string
	}{
		{"no dir", Spec{Members: []Member{good}}, "Dir"},
		{"zero sid", Spec{Dir: "d", Members: []Member{good, {SID: 0, QuorumPort: 1, ElectionPort: 2}}}, "sid 0"},
		{"duplicate sid", Spec{Dir: "d", Members: []Member{good, good}}, "sid 1 appears twice"},
		{"bad election port", Spec{Dir: "d", Members: []Member{good, {SID: 2, QuorumPort: 1, ElectionPort: 70000}}}, "70000"},
		{"java without client port", Spec{Dir: "d", Members: []Member{{SID: 3, QuorumPort: 1, ElectionPort: 2, Java: true}}}, "client port 0"},
		{"no java", Spec{Dir: "d", Members: []Member{{SID: 2, QuorumPort: 1, ElectionPort: 2}}}, "no Java member"},
		{"bad host", Spec{Dir: "d", Members: []Member{good, {SID: 2, Host: "a:b", QuorumPort: 1, ElectionPort: 2}}}, `"a:b"`},
		{"bad extra", Spec{Dir: "d", Members: []Member{good}, Settings: Settings{Extra: []string{"justakey"}}}, "justakey"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := New(Installation{}, c.spec)
			require.ErrorIs(t, err, ErrBadSpec)
			assert.Contains(t, err.Error(), c.mention)
		})
	}
}

// The zoo.cfg of a Java member lists every member, Java or not, in sid
// order, and carries the test timing and the loopback-only settings.
func TestNewWritesConfigAndMyid(t *testing.T) {
	dir := t.TempDir()
	spec := Spec{
		Dir: dir,
		Members: []Member{
			{SID: 3, QuorumPort: 2003, ElectionPort: 3003, ClientPort: 1003, Java: true},
			{SID: 1, QuorumPort: 2001, ElectionPort: 3001},
			{SID: 9, QuorumPort: 2009, ElectionPort: 3009, Observer: true},
		},
		Settings: Settings{TickTime: 300 * time.Millisecond, Extra: []string{"cnxTimeout=1000"}},
	}
	e, err := New(Installation{Java: "java", Jar: "zk.jar", SLF4J: "slf.jar"}, spec)
	require.NoError(t, err)
	assert.Equal(t, []int64{3}, e.SIDs())
	assert.Nil(t, e.Server(1), "a non-Java member gets no server")

	myid, err := os.ReadFile(filepath.Join(dir, "s3", "data", "myid"))
	require.NoError(t, err)
	assert.Equal(t, "3\n", string(myid))
	cfg, err := os.ReadFile(filepath.Join(dir, "s3", "zoo.cfg"))
	require.NoError(t, err)
	text := string(cfg)
	for _, want := range []string{
		"tickTime=300\n", "initLimit=10\n", "syncLimit=5\n", "clientPort=1003\n",
		"clientPortAddress=127.0.0.1\n", "admin.enableServer=false\n", "4lw.commands.whitelist=*\n",
		"dataDir=" + filepath.Join(dir, "s3", "data") + "\n", "cnxTimeout=1000\n",
		"server.1=127.0.0.1:2001:3001\nserver.3=127.0.0.1:2003:3003\nserver.9=127.0.0.1:2009:3009:observer\n",
	} {
		assert.Contains(t, text, want)
	}
	assert.NotContains(t, text, "peerType", "server 3 is a participant")

	s := e.Server(3)
	assert.Equal(t, "127.0.0.1:1003", s.ClientAddr())
	assert.Equal(t, "127.0.0.1:3003", s.ElectionAddr())
	assert.Contains(t, strings.Join(s.args, " "), "-cp zk.jar:slf.jar")
	assert.Equal(t, filepath.Join(dir, "s3", "zoo.cfg"), s.args[len(s.args)-1])
	assert.False(t, s.Running())
	assert.ErrorIs(t, s.Kill(), ErrNotRunning)
	assert.NoError(t, s.Stop(), "stopping a server that never ran is a no-op")
	_, err = e.Srvr(4)
	assert.ErrorIs(t, err, ErrUnknownServer)
}

func TestFindReportsWhatIsMissing(t *testing.T) {
	t.Setenv(EnvJar, "/nonexistent/zookeeper.jar")
	_, err := Find()
	require.ErrorIs(t, err, ErrNotInstalled)
	assert.Contains(t, err.Error(), "/nonexistent/zookeeper.jar")

	t.Setenv(EnvJava, "no-such-java-binary")
	_, err = Find()
	require.ErrorIs(t, err, ErrNotInstalled)
	assert.Contains(t, err.Error(), "no-such-java-binary")
}

// A TLS member's zoo.cfg carries ZooKeeper's sslQuorum keys and its own
// extra lines; the class path gains Netty's codec jar when there is one.
func TestNewWritesTLSLines(t *testing.T) {
	dir := t.TempDir()
	spec := Spec{Dir: dir, Members: []Member{
		{SID: 1, QuorumPort: 2001, ElectionPort: 3001, ClientPort: 1001, Java: true,
			TLS: &QuorumTLS{KeyStore: "/k/s1.p12", KeyStoreType: "PKCS12", KeyStorePassword: "pw",
				TrustStore: "/k/ca.pem", TrustStoreType: "PEM", PortUnification: true,
				NoHostnameVerification: true, ReloadCertFiles: true},
			Extra: []string{"ssl.quorum.clientAuth=need"}},
		{SID: 2, QuorumPort: 2002, ElectionPort: 3002, ClientPort: 1002, Java: true},
	}}
	e, err := New(Installation{Java: "java", Jar: "zk.jar", SLF4J: "slf.jar", NettyCodec: "codec.jar"}, spec)
	require.NoError(t, err)
	cfg, err := os.ReadFile(filepath.Join(dir, "s1", "zoo.cfg"))
	require.NoError(t, err)
	assert.Contains(t, string(cfg), "sslQuorum=true\nssl.quorum.keyStore.location=/k/s1.p12\nssl.quorum.keyStore.type=PKCS12\n"+
		"ssl.quorum.keyStore.password=pw\nssl.quorum.trustStore.location=/k/ca.pem\nssl.quorum.trustStore.type=PEM\n"+
		"portUnification=true\nssl.quorum.hostnameVerification=false\nsslQuorumReloadCertFiles=true\n"+
		"ssl.quorum.clientAuth=need\n")
	assert.NotContains(t, string(cfg), "trustStore.password", "no password, no line")
	plain, err := os.ReadFile(filepath.Join(dir, "s2", "zoo.cfg"))
	require.NoError(t, err)
	assert.NotContains(t, string(plain), "ssl", "server 2 stays plaintext")
	assert.Contains(t, strings.Join(e.Server(1).args, " "), "-cp zk.jar:slf.jar:codec.jar ")

	spec.Members[0].TLS = &QuorumTLS{KeyStore: "/k/s1.pem"}
	_, err = New(Installation{}, spec)
	require.ErrorIs(t, err, ErrBadSpec)
	assert.Contains(t, err.Error(), "trust store")
	spec.Members[0].TLS, spec.Members[0].Extra = nil, []string{"nokey"}
	_, err = New(Installation{}, spec)
	require.ErrorIs(t, err, ErrBadSpec)
	assert.Contains(t, err.Error(), "nokey")
}

func TestTLSReadyNeedsNettyCodec(t *testing.T) {
	err := Installation{}.TLSReady()
	require.ErrorIs(t, err, ErrNotInstalled)
	assert.Contains(t, err.Error(), DefaultNettyCodec)
	assert.NoError(t, Installation{NettyCodec: "x.jar"}.TLSReady())
}
