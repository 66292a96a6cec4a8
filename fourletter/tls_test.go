package fourletter

import (
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
)

// A TLS node's mntr and conf add zkfle lines (after ZooKeeper's mntr
// lines; before the membership that ends conf); a plaintext node's
// answers have none.
func TestTLSLines(t *testing.T) {
	all := []string{"*"}
	s := serving()
	plainMntr, plainConf := Answer(Mntr, s, all), Answer(Conf, s, all)
	assert.NotContains(t, plainMntr, "zk_zkfle_tls")
	assert.NotContains(t, plainConf, "sslQuorum")

	notAfter := time.Date(2031, 5, 6, 7, 8, 9, 0, time.UTC)
	s.TLS = &TLSInfo{Subject: "CN=server1,O=zkfle tests", NotAfter: notAfter}
	mntr := Answer(Mntr, s, all)
	added, ok := strings.CutPrefix(mntr, plainMntr)
	assert.True(t, ok, "ZooKeeper's lines first, unchanged")
	assert.Equal(t, TLSEnabledKey+"\t1\n"+TLSNotAfterKey+"\t"+strconv.FormatInt(notAfter.Unix(), 10)+"\n", added)
	values := monitorValues(t, mntr)
	assert.Equal(t, "1", values[TLSEnabledKey])

	conf := Answer(Conf, s, all)
	head, members, ok := strings.Cut(conf, "membership: \n")
	assert.True(t, ok)
	plainHead, plainMembers, _ := strings.Cut(plainConf, "membership: \n")
	assert.Equal(t, plainMembers, members)
	assert.Equal(t, plainHead+"sslQuorum=true\nportUnification=false\n"+
		"zkfle.ssl.quorum.certSubject=CN=server1,O=zkfle tests\nzkfle.ssl.quorum.certNotAfter=2031-05-06T07:08:09Z\n", head)
}
