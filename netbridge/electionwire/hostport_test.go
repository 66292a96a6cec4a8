package electionwire

import (
	"errors"
	"fmt"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestHostPortAccepts(t *testing.T) {
	cases := []struct {
		addr string
		host string
		port int
	}{
		{"127.0.0.1:12203", "127.0.0.1", 12203},
		{"10.0.0.2:3888", "10.0.0.2", 3888},
		{"zk1.example.com:1", "zk1.example.com", 1},
		{"[::1]:3888", "::1", 3888},
		{"[0:0:0:0:0:0:0:1]:65535", "0:0:0:0:0:0:0:1", 65535},
		{"[fe80::1%eth0]:3888", "fe80::1%eth0", 3888},
		{"0.0.0.0:3888", "0.0.0.0", 3888},
		{"h:03888", "h", 3888},
		{"hôte:3888", "hôte", 3888}, // UTF-8 host names travel as UTF-8 since 3.8.5
	}
	for _, tc := range cases {
		host, port, err := HostPort(tc.addr)
		require.NoError(t, err, tc.addr)
		assert.Equal(t, tc.host, host, tc.addr)
		assert.Equal(t, tc.port, port, tc.addr)
	}
}

func TestHostPortRejects(t *testing.T) {
	for _, addr := range []string{
		"",
		"what's going on here?",
		"host",
		"host:",
		":3888",
		"host:0",
		"host:65536",
		"host:123456",
		"host:+3888",
		"host:-1",
		"host:38 88",
		"host:1:2",
		"::1:3888",    // IPv6 must be bracketed
		"[::1]3888",   // no ':' after ']'
		"[::1]",       // no port
		"[::1]:",      // empty port
		"[::1:3888",   // no ']'
		"[1.2.3.4]:1", // brackets are for IPv6 only
		"[host]:1",    // Java would take it; no Java sender writes it
		"[fe80::1%a|b]:1",
		"a|b:1",
		"a b:1",
		"a\x00:1",
		"a\n:1",
	} {
		_, _, err := HostPort(addr)
		require.Error(t, err, "%q", addr)
		assert.True(t, errors.Is(err, ErrBadAddress), "%q: %v", addr, err)
		assert.Contains(t, err.Error(), fmt.Sprintf("%q", addr), "the error names the address")
	}
}

// TestIsWildcardHost mirrors CnxManagerTest.testWildcardAddressRecognition
// (ZooKeeper's own parser tests), with literal recognition only.
func TestIsWildcardHost(t *testing.T) {
	for _, host := range []string{"0.0.0.0", "::", "0:0:0:0:0:0:0:0", "::ffff:0.0.0.0", "::%eth0"} {
		assert.True(t, IsWildcardHost(host), host)
	}
	for _, host := range []string{
		"127.0.0.1", "255.255.255.255", "1.2.3.4", "::1",
		"unresolvable.invalid", "www.google.com",
		"0",        // Java's resolver reads it as 0.0.0.0; we do no resolving
		"[::]",     // HostPort strips brackets before this is asked
		"0.0.0.0 ", // not a literal
	} {
		assert.False(t, IsWildcardHost(host), host)
	}
}
