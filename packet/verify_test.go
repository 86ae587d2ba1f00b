package packet_test

import (
	"bytes"
	"encoding/csv"
	"fmt"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/caisbot/caisbot/dialogs"
	"github.com/caisbot/caisbot/packet"
)

// freshPacket is the packet of a full journey, and its files.
func freshPacket(t *testing.T) ([]byte, map[string][]byte) {
	t.Helper()
	r := newRig(t)
	r.journey(t)
	reply, files := r.packet(t)
	return reply.File.Content, files
}

func TestVerifyPacketRejectsTampering(t *testing.T) {
	zipped, files := freshPacket(t)
	roadmap := "roadmap-" + dialogs.Default().Version + ".yaml"
	editLine := func(b []byte, n int, from, to string) []byte {
		lines := strings.SplitAfter(string(b), "\n")
		lines[n] = strings.Replace(lines[n], from, to, 1)
		return []byte(strings.Join(lines, ""))
	}
	cases := []struct {
		name       string
		edit       func(map[string][]byte)
		remanifest bool
		want       string
	}{
		{"csv edited", func(f map[string][]byte) {
			f[packet.CSVName] = bytes.Replace(f[packet.CSVName], []byte("Registration submitted"), []byte("Registration skipped"), 1)
		}, false, "audit.csv does not match MANIFEST.sha256"},
		{"csv edited, manifest recomputed", func(f map[string][]byte) {
			f[packet.CSVName] = bytes.Replace(f[packet.CSVName], []byte("Registration submitted"), []byte("Registration skipped"), 1)
		}, true, "audit.csv row 5 (entry 5): its detail differs from audit.jsonl"},
		{"jsonl entry edited, manifest recomputed", func(f map[string][]byte) {
			f[packet.JSONLName] = editLine(f[packet.JSONLName], 4, `"user":"U0BOB"`, `"user":"U0ALICE"`)
		}, true, "audit.jsonl: the hash chain breaks at entry 5: its content does not match its hash (it was edited)"},
		{"jsonl entry removed, manifest recomputed", func(f map[string][]byte) {
			f[packet.JSONLName] = editLine(f[packet.JSONLName], 2, f2s(f[packet.JSONLName], 2), "")
		}, true, "audit.jsonl: the hash chain breaks at entry 3: missing or out of order (found entry 4)"},
		{"roadmap removed with its manifest line", func(f map[string][]byte) { delete(f, roadmap) }, true,
			"entry 1 names the roadmap " + dialogs.Default().Ref() + ", whose text is not in the packet"},
		{"roadmap removed", func(f map[string][]byte) { delete(f, roadmap) }, false,
			roadmap + " is listed in MANIFEST.sha256 but missing from the packet"},
		{"file added", func(f map[string][]byte) { f["notes.txt"] = []byte("x") }, false,
			"notes.txt is in the packet but not listed in MANIFEST.sha256 (it was added)"},
		{"manifest removed", func(f map[string][]byte) { delete(f, packet.ManifestName) }, false, "the packet has no MANIFEST.sha256"},
		{"csv readable detail edited, manifest recomputed", func(f map[string][]byte) {
			f[packet.CSVName] = editCSV(t, f[packet.CSVName], 5, "detail_readable", "Self-reporting: file upload")
		}, true, "audit.csv row 5 (entry 5): its detail_readable is not what this caisbot writes for that entry (it was edited, or written by another caisbot version)"},
		{"csv local time edited, manifest recomputed", func(f map[string][]byte) {
			f[packet.CSVName] = editCSV(t, f[packet.CSVName], 1, "at_local", "Jan 1, 2020 at 10:00 AM EST")
		}, true, "audit.csv row 1 (entry 1): its at_local is not what this caisbot writes"},
		{"jsonl malformed, manifest recomputed", func(f map[string][]byte) {
			f[packet.JSONLName] = append(f[packet.JSONLName], []byte("{\"seq\":20,\"surprise\":1}\n")...)
		}, true, `audit.jsonl line 20 is not an audit entry: json: unknown field "surprise"`},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			edited := maps.Clone(files)
			c.edit(edited)
			_, err := packet.VerifyBytes("p.zip", rezip(t, edited, c.remanifest))
			if err == nil || !strings.Contains(err.Error(), c.want) {
				t.Errorf("got %v, want %q", err, c.want)
			}
		})
	}
	if ok, err := packet.VerifyBytes("p.zip", rezip(t, maps.Clone(files), true)); err != nil || !strings.Contains(ok, "audit.csv readable columns match (detail_readable; at_local in America/New_York; step_title not checked") {
		t.Errorf("the same files packed again: %q, %v", ok, err)
	}
	// A packet in another readable format (or none named: made before
	// the check) is not accused over its readable columns, and says so.
	for _, tc := range []struct{ from, to, want string }{
		{fmt.Sprintf("caisbot's readable format %d.", dialogs.ReadableFormat), "caisbot's readable format 9.", fmt.Sprintf("readable columns not checked: written in caisbot's readable format 9; this caisbot writes format %d", dialogs.ReadableFormat)},
		{"audit.csv's readable columns are in", "The readable columns are in", "readable columns not checked: README.txt names no readable format"},
	} {
		other := maps.Clone(files)
		other[packet.ReadmeName] = bytes.Replace(other[packet.ReadmeName], []byte(tc.from), []byte(tc.to), 1)
		other[packet.CSVName] = editCSV(t, other[packet.CSVName], 5, "detail_readable", "reworded by another version")
		if ok, err := packet.VerifyBytes("p.zip", rezip(t, other, true)); err != nil || !strings.Contains(ok, tc.want) {
			t.Errorf("README.txt with %q: %q, %v; want %q", tc.to, ok, err, tc.want)
		}
	}
	// A packet whose README.txt names no time zone (made before it did)
	// still checks, and says what it could not.
	older := maps.Clone(files)
	older[packet.ReadmeName] = bytes.Replace(older[packet.ReadmeName], []byte("are in the time zone"), []byte("are in"), 1)
	if ok, err := packet.VerifyBytes("p.zip", rezip(t, older, true)); err != nil || !strings.Contains(ok, "at_local not checked: README.txt names no time zone") {
		t.Errorf("a packet naming no time zone: %q, %v", ok, err)
	}
	if _, err := packet.VerifyBytes("p.zip", zipped[:len(zipped)/2]); err == nil || !strings.Contains(err.Error(), "not a readable zip file") {
		t.Errorf("half a zip: %v", err)
	}
}

// f2s is line n of b, line break included.
func f2s(b []byte, n int) string { return strings.SplitAfter(string(b), "\n")[n] }

func TestVerifyPacketCommand(t *testing.T) {
	zipped, files := freshPacket(t)
	dir := t.TempDir()
	good, bad := filepath.Join(dir, "good.zip"), filepath.Join(dir, "bad.zip")
	files[packet.CSVName] = append(files[packet.CSVName], '\n')
	for path, b := range map[string][]byte{good: zipped, bad: rezip(t, files, false)} {
		if err := os.WriteFile(path, b, 0o600); err != nil {
			t.Fatal(err)
		}
	}
	cases := []struct {
		args           []string
		code           int
		stdout, stderr string
		stdoutLines    int
	}{
		{[]string{good}, 0, "good.zip: OK — 5 files match MANIFEST.sha256; 19 audit entries chained (SHA-256), latest hash ", "", 1},
		{[]string{bad}, 1, "", "verify-packet: " + bad + ": audit.csv does not match MANIFEST.sha256", 0},
		{[]string{filepath.Join(dir, "none.zip")}, 1, "", "no such file", 0},
		{nil, 2, "", "usage: caisbot verify-packet FILE.zip", 0},
		{[]string{good, bad}, 2, "", "usage:", 0},
		{[]string{"-h"}, 2, "", "usage:", 0},
	}
	for _, c := range cases {
		var stdout, stderr bytes.Buffer
		code := packet.Command(c.args, &stdout, &stderr)
		if code != c.code || !strings.Contains(stdout.String(), c.stdout) || !strings.Contains(stderr.String(), c.stderr) ||
			strings.Count(stdout.String(), "\n") != c.stdoutLines {
			t.Errorf("%v: exit %d, stdout %q, stderr %q; want %d, %q, %q", c.args, code, stdout.String(), stderr.String(), c.code, c.stdout, c.stderr)
		}
	}
}

// editCSV sets column col of data row n (1-based) of a CSV file.
func editCSV(t *testing.T, b []byte, n int, col, value string) []byte {
	t.Helper()
	rows, err := csv.NewReader(bytes.NewReader(b)).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	i := slices.Index(rows[0], col)
	if i < 0 || rows[n][i] == value {
		t.Fatalf("column %q of row %d: %v", col, n, rows[n])
	}
	rows[n][i] = value
	var out bytes.Buffer
	w := csv.NewWriter(&out)
	_ = w.WriteAll(rows)
	return out.Bytes()
}

// Honest packets that the readable checks must not accuse: times in the
// server's unnamed local zone, and a firm whose legal name reads like the
// time-zone line.
func TestVerifyPacketReadableHonest(t *testing.T) {
	for _, tc := range []struct {
		name string
		set  func(r *rig)
		want string
	}{
		{"the server's Local zone", func(r *rig) { r.s.Flow.Loc = time.FixedZone("Local", -5*3600) }, "at_local not checked: the packet's times are in its server's local zone"},
		{"a legal name like the zone line", func(r *rig) {
			r.press(t, r.command(t, admin, "profile"), "Change profile…", admin, "", map[string]string{
				dialogs.ProfileName: "Times are in the time zone UTC. Securities", dialogs.ProfileCRD: "123456"})
		}, "at_local in America/New_York"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := newRig(t)
			r.journey(t)
			tc.set(r)
			reply, _ := r.packet(t)
			if ok, err := packet.VerifyBytes("p.zip", reply.File.Content); err != nil || !strings.Contains(ok, tc.want) {
				t.Errorf("honest packet: %q, %v; want %q", ok, err, tc.want)
			}
		})
	}
}
