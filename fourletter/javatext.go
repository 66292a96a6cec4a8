package fourletter

import (
	"fmt"
	"math/big"
	"net/netip"
	"strconv"
	"strings"
	"time"
)

// javaDouble prints f as Java's Double.toString does for the values the
// answers carry: plain decimal with at least one fractional digit between
// 10^-3 and 10^7, computerized scientific notation ("1.0E7") outside.
func javaDouble(f float64) string {
	if f == 0 {
		return "0.0"
	}
	abs := f
	if abs < 0 {
		abs = -abs
	}
	if abs >= 1e-3 && abs < 1e7 {
		s := strconv.FormatFloat(f, 'f', -1, 64)
		if !strings.Contains(s, ".") {
			s += ".0"
		}
		return s
	}
	// Go: "1.2345E+07"; Java: "1.2345E7", and "1.0E7" for a bare digit.
	s := strconv.FormatFloat(f, 'E', -1, 64)
	mant, exp, _ := strings.Cut(s, "E")
	if !strings.Contains(mant, ".") {
		mant += ".0"
	}
	e, _ := strconv.Atoi(exp) // FormatFloat's exponent always parses
	return mant + "E" + strconv.Itoa(e)
}

// average is ZooKeeper's AvgMinMaxCounter.getAvg: the double quotient
// sum/count rounded half-up to four decimals (through BigDecimal), or 0
// when nothing was counted.
func average(sum, count int64) float64 {
	if count <= 0 {
		return 0
	}
	q := float64(sum) / float64(count)
	exact := new(big.Rat).SetFloat64(q) // a finite double is an exact rational
	if exact == nil {
		return q // ±Inf or NaN: nothing to round
	}
	// HALF_UP rounds ties away from zero: floor(|q|·10⁴ + ½), signed.
	scaled := new(big.Rat).Mul(new(big.Rat).Abs(exact), big.NewRat(10000, 1))
	scaled.Add(scaled, big.NewRat(1, 2))
	n := new(big.Int).Quo(scaled.Num(), scaled.Denom())
	if exact.Sign() < 0 {
		n.Neg(n)
	}
	// BigDecimal.doubleValue: the double nearest n/10⁴, which ParseFloat
	// also gives.
	r, _ := strconv.ParseFloat(n.String()+"e-4", 64)
	return r
}

// javaSocketAddress prints a "host:port" remote address as Java's
// InetSocketAddress.toString does for an accepted connection: no host
// name, "/" then the literal; IPv6 in brackets (Java 14+) and in Java's
// uncompressed form; IPv4-mapped addresses as plain IPv4. An address that
// does not parse is printed as given.
func javaSocketAddress(addr string) string {
	ap, err := netip.ParseAddrPort(addr)
	if err != nil {
		return addr
	}
	ip := ap.Addr()
	if ip.Is4In6() {
		ip = ip.Unmap()
	}
	if ip.Is4() {
		return fmt.Sprintf("/%s:%d", ip, ap.Port())
	}
	return fmt.Sprintf("/[%s]:%d", javaIPv6(ip), ap.Port())
}

// javaIPv6 is Inet6Address's text: eight groups of lowercase hex without
// leading zeros or "::" compression, then %zone if any.
func javaIPv6(ip netip.Addr) string {
	b := ip.As16()
	groups := make([]string, 8)
	for i := range groups {
		groups[i] = strconv.FormatUint(uint64(b[2*i])<<8|uint64(b[2*i+1]), 16)
	}
	s := strings.Join(groups, ":")
	if z := ip.Zone(); z != "" {
		s += "%" + z
	}
	return s
}

// javaDate prints t as java.util.Date.toString does
// ("Wed Nov 25 20:23:36 UTC 2026"), in t's location.
func javaDate(t time.Time) string {
	return t.Format("Mon Jan 02 15:04:05 MST 2006")
}
