package quorum

import (
	"testing"
)

// fiveMembers is a typical 5-member config as a Java 3.8 node with
// reconfig enabled prints it.
const fiveMembers = "server.1=10.0.0.1:2888:3888:participant;0.0.0.0:2181\n" +
	"server.2=10.0.0.2:2888:3888:participant;0.0.0.0:2181\n" +
	"server.3=10.0.0.3:2888:3888:participant;0.0.0.0:2181\n" +
	"server.4=10.0.0.4:2888:3888:participant;0.0.0.0:2181\n" +
	"server.5=10.0.0.5:2888:3888:observer;0.0.0.0:2181\n" +
	"version=100000000"

// BenchmarkString: String() runs for every outbound notification, so it
// must be a cached value.
func BenchmarkString(b *testing.B) {
	v, err := ParseConfig(fiveMembers)
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	n := 0
	for i := 0; i < b.N; i++ {
		n += len(v.String())
	}
	if n == 0 {
		b.Fatal("empty config string")
	}
}

func BenchmarkParseConfig(b *testing.B) {
	b.ReportAllocs()
	b.SetBytes(int64(len(fiveMembers)))
	for i := 0; i < b.N; i++ {
		if _, err := ParseConfig(fiveMembers); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkContainsQuorum(b *testing.B) {
	maj, err := ParseConfig(fiveMembers)
	if err != nil {
		b.Fatal(err)
	}
	hier, err := NewHierarchical(servers([]int64{1, 2, 3, 4, 5, 6}), Groups{1: {1, 2, 3}, 2: {4, 5, 6}}, nil, 0)
	if err != nil {
		b.Fatal(err)
	}
	set := acks(1, 2, 4, 5)
	for _, bc := range []struct {
		name string
		v    Verifier
	}{{"majority", maj}, {"hierarchical", hier}} {
		b.Run(bc.name, func(b *testing.B) {
			b.ReportAllocs()
			for i := 0; i < b.N; i++ {
				if !bc.v.ContainsQuorum(set) {
					b.Fatal("expected a quorum")
				}
			}
		})
	}
}
