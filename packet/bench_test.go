package packet_test

import (
	"testing"
)

// BenchmarkPacket makes the packet of a full journey (agent branch,
// waits, evidence, a profile, approvals) through the Service, the trail
// read from Redis included; it reports the zip's size. Targets: under
// 1 s and under 1 MiB.
func BenchmarkPacket(b *testing.B) {
	r := newRig(b)
	r.journey(b)
	size := 0
	for b.Loop() {
		reply := r.command(b, "U0ALICE", "packet")
		size = len(reply.File.Content)
	}
	b.ReportMetric(float64(size), "bytes")
}
