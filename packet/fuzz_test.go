package packet_test

import (
	"fmt"
	"maps"
	"os"
	"path/filepath"
	"reflect"
	"strconv"
	"testing"

	"github.com/caisbot/caisbot/packet"
)

// The seed corpus under testdata/fuzz comes from a journey's packet
// (summary.pdf left out, to keep it small): PACKET_SEEDS=1 go test
// ./packet -run TestWriteFuzzSeeds writes it again.
func TestWriteFuzzSeeds(t *testing.T) {
	if os.Getenv("PACKET_SEEDS") == "" {
		t.Skip("set PACKET_SEEDS=1 to rewrite the seed corpus")
	}
	_, files := freshPacket(t)
	small := maps.Clone(files)
	delete(small, packet.SummaryName)
	seeds := map[string][]byte{
		"FuzzVerifyBytes/journey":   rezip(t, small, true),
		"FuzzParseJSONL/journey":    files[packet.JSONLName],
		"FuzzParseManifest/journey": files[packet.ManifestName],
	}
	for name, b := range seeds {
		path := filepath.Join("testdata", "fuzz", name)
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		body := fmt.Sprintf("go test fuzz v1\n[]byte(%s)\n", strconv.Quote(string(b)))
		if err := os.WriteFile(path, []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

// FuzzVerifyBytes: any bytes get an answer, never a panic; a packet that
// verifies still verifies packed again.
func FuzzVerifyBytes(f *testing.F) {
	f.Add([]byte("PK\x05\x06" + string(make([]byte, 18))))
	f.Add([]byte("not a zip"))
	f.Fuzz(func(t *testing.T, b []byte) {
		if _, err := packet.VerifyBytes("f.zip", b); err != nil {
			return
		}
		if _, err := packet.VerifyBytes("f.zip", rezip(t, unzipAll(t, b), false)); err != nil {
			t.Errorf("verified, then not after repacking: %v", err)
		}
	})
}

// FuzzParseJSONL: what parses writes back as lines that parse to the
// same entries.
func FuzzParseJSONL(f *testing.F) {
	f.Add([]byte(`{"seq":1,"at":"2026-11-24T15:00:00Z","user":"U1","action":"confirm","version":1,"prev":"","hash":"x"}` + "\n"))
	f.Add([]byte("{}\n{}\n"))
	f.Add([]byte("[]\n"))
	f.Fuzz(func(t *testing.T, b []byte) {
		entries, err := packet.ParseJSONL(b)
		if err != nil {
			return
		}
		again, err := packet.JSONL(entries)
		if err != nil {
			t.Fatal(err)
		}
		back, err := packet.ParseJSONL(again)
		if err != nil || !reflect.DeepEqual(back, entries) {
			t.Errorf("round trip: %v\n%q\n%q", err, b, again)
		}
	})
}

// FuzzParseManifest: what parses is one file per line, each with a
// 64-digit lowercase hex sum.
func FuzzParseManifest(f *testing.F) {
	f.Add([]byte("e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855  a.txt\n"))
	f.Add([]byte("e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855 *b.bin\n"))
	f.Fuzz(func(t *testing.T, b []byte) {
		sums, err := packet.ParseManifest(b)
		if err != nil {
			return
		}
		for name, sum := range sums {
			if name == "" || len(sum) != 64 {
				t.Errorf("%q: %q", name, sum)
			}
		}
	})
}
