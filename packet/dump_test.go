package packet_test

import (
	"os"
	"testing"
)

func TestDumpPacket(t *testing.T) {
	dir := os.Getenv("PACKET_DUMP")
	if dir == "" {
		t.Skip()
	}
	r := newRig(t)
	r.journey(t)
	reply, _ := r.packet(t)
	if err := os.WriteFile(dir+"/"+reply.File.Name, reply.File.Content, 0o644); err != nil {
		t.Fatal(err)
	}
}
