package packet_test

import (
	"os"
	"testing"
)

// TestDumpPacket writes a journey's packet into $PACKET_DUMP, for a look
// at it (the README's screenshot: pdftoppm -png -r 80 -f 1 -l 1).
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
