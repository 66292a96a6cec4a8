package quorum

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestParseHost: the host text Java prints (InetSocketAddress
// .getHostString), checked against OpenJDK 17.
func TestParseHost(t *testing.T) {
	tests := []struct {
		in, text  string
		delimited string
		literal   bool
	}{
		{"zk1.example.com", "zk1.example.com", "zk1.example.com", false},
		{"ZK-Two", "ZK-Two", "ZK-Two", false},
		{"zk-ü", "zk-ü", "zk-ü", false},
		{"127.0.0.1", "127.0.0.1", "127.0.0.1", true},
		{"127.1", "127.0.0.1", "127.0.0.1", true},
		{"1.2.3", "1.2.0.3", "1.2.0.3", true},
		{"010.0.0.1", "10.0.0.1", "10.0.0.1", true},
		{"2130706433", "127.0.0.1", "127.0.0.1", true},
		{"1.2.3.4.5", "1.2.3.4.5", "1.2.3.4.5", false},
		{"256.0.0.1", "256.0.0.1", "256.0.0.1", false},
		{"0000000000000001", "0000000000000001", "0000000000000001", false}, // over 15 chars
		{"::1", "0:0:0:0:0:0:0:1", "[0:0:0:0:0:0:0:1]", true},
		{"::", "0:0:0:0:0:0:0:0", "[0:0:0:0:0:0:0:0]", true},
		{"2001:DB8::1", "2001:db8:0:0:0:0:0:1", "[2001:db8:0:0:0:0:0:1]", true},
		{"::ffff:10.0.0.1", "10.0.0.1", "10.0.0.1", true},
		{"::1.2.3.4", "0:0:0:0:0:0:102:304", "[0:0:0:0:0:0:102:304]", true},
		{"fe80::1%1", "fe80:0:0:0:0:0:0:1%1", "[fe80:0:0:0:0:0:0:1%1]", true},
		{"fe80::1%eth0", "fe80::1%eth0", "[fe80::1%eth0]", false},
	}
	for _, tc := range tests {
		t.Run(tc.in, func(t *testing.T) {
			h, err := parseHost(tc.in)
			require.NoError(t, err)
			assert.Equal(t, tc.text, h.text)
			assert.Equal(t, tc.delimited, h.delimited())
			assert.Equal(t, tc.literal, h.ip.IsValid())
		})
	}
}

func TestParseHostErrors(t *testing.T) {
	for _, in := range []string{"", "a b", "a\tb", "a\x00b", "a\x7fb", `a\b`, "a|b", "a;b", "a[b", "a]b", "a:b", "1:2", "fe80::1%a b", "\xff"} {
		t.Run(in, func(t *testing.T) {
			_, err := parseHost(in)
			require.Error(t, err)
			assert.ErrorIs(t, err, ErrBadHost)
		})
	}
}

func TestHostEqual(t *testing.T) {
	tests := []struct {
		a, b string
		want bool
	}{
		{"::1", "0:0:0:0:0:0:0:1", true},
		{"::ffff:1.2.3.4", "1.2.3.4", true},
		{"127.1", "127.0.0.1", true},
		{"fe80::1%1", "fe80::1%2", true}, // Inet6Address.equals ignores the scope
		{"Zk1", "zK1", true},
		{"straße", "STRASSE", false}, // EqualFold is rune by rune, like equalsIgnoreCase
		{"\u212a", "k", true},        // Kelvin sign folds to k
		{"localhost", "127.0.0.1", false},
		{"a", "b", false},
	}
	for _, tc := range tests {
		t.Run(tc.a+"="+tc.b, func(t *testing.T) {
			a, err := parseHost(tc.a)
			require.NoError(t, err)
			b, err := parseHost(tc.b)
			require.NoError(t, err)
			assert.Equal(t, tc.want, a.equal(b))
			assert.Equal(t, tc.want, a.key() == b.key(), "key must agree with equal")
		})
	}
}

// TestEndpointJavaHash pins InetSocketAddress.hashCode values printed by
// OpenJDK 17 (for port 1).
func TestEndpointJavaHash(t *testing.T) {
	tests := []struct {
		host string
		want int32
	}{
		{"1.2.3.4", 16909061},
		{"127.0.0.1", 2130706434},
		{"::1", 2},
		{"1::", 65537},
		{"fe80::1%1", -41943038},
		{"ABCD::1", -1429405694},
		{"Zk1.invalid", -1878083286}, // unresolved: lower-cased name
		{"1.2.3.4.5", -1310052536},
	}
	for _, tc := range tests {
		t.Run(tc.host, func(t *testing.T) {
			h, err := parseHost(tc.host)
			require.NoError(t, err)
			assert.Equal(t, tc.want, int32(endpoint{h, 1}.javaHash()))
		})
	}
}

func TestCompareJavaStrings(t *testing.T) {
	tests := []struct {
		a, b string
		sign int
	}{
		{"a", "b", -1},
		{"b", "a", 1},
		{"a", "a", 0},
		{"a", "ab", -1},
		{"", "a", -1},
		{"Z", "a", -1},
		// U+FF21 sorts after U+1F600 in Go (byte order) but before it in
		// Java, whose U+1F600 starts with the surrogate U+D83D.
		{"\uff21", "\U0001F600", 1},
		{"\U0001F600", "\U0001F601", -1},
	}
	for _, tc := range tests {
		t.Run(tc.a+"|"+tc.b, func(t *testing.T) {
			got := compareJavaStrings(tc.a, tc.b)
			switch {
			case tc.sign < 0:
				assert.Negative(t, got)
			case tc.sign > 0:
				assert.Positive(t, got)
			default:
				assert.Zero(t, got)
			}
		})
	}
}

func TestJavaSplitAndTrim(t *testing.T) {
	assert.Equal(t, []string{""}, javaSplit("", ':'))
	assert.Equal(t, []string{"a"}, javaSplit("a", ':'))
	assert.Equal(t, []string{"a", "b"}, javaSplit("a:b::", ':'))
	assert.Equal(t, []string{"", "a"}, javaSplit(":a", ':'))
	assert.Equal(t, []string{}, javaSplit(":::", ':'))
	assert.Equal(t, "a b", JavaTrim("\x00\t a b \r\n"))
	assert.Equal(t, "\u00a0a", JavaTrim("\u00a0a "), "trim only strips chars <= ' '")
}
