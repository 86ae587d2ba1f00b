// Package packet makes the exam packet — a zip an examiner can check
// without caisbot — from what dialogs read and checked (dialogs.PacketInput),
// and checks one offline (Verify, `caisbot verify-packet`). It is pure:
// no Redis, no chat platform.
package packet

import (
	"archive/zip"
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"github.com/caisbot/caisbot/dialogs"
)

// The packet's fixed file names.
const (
	SummaryName  = "summary.pdf"
	CSVName      = "audit.csv"
	JSONLName    = "audit.jsonl"
	ManifestName = "MANIFEST.sha256"
	ReadmeName   = "README.txt"
)

// Packager is the dialogs.Packager that internal/app wires.
type Packager struct{}

// Pack builds the packet file named in.FileName.
func (Packager) Pack(_ context.Context, in dialogs.PacketInput) (*dialogs.File, error) {
	b, err := Build(in)
	if err != nil {
		return nil, err
	}
	return &dialogs.File{Name: in.FileName, Title: "CAIS exam packet — " + in.Firm, Content: b, Kind: dialogs.FilePacket}, nil
}

var _ dialogs.Packager = Packager{}

// member is one file of the packet.
type member struct {
	name string
	body []byte
}

// Build returns the packet zip: summary.pdf, audit.csv, audit.jsonl, each
// roadmap text, README.txt and MANIFEST.sha256 over all of them.
func Build(in dialogs.PacketInput) ([]byte, error) {
	if in.Loc == nil {
		in.Loc = time.UTC
	}
	files := RoadmapFiles(in.Roadmaps)
	pdf, err := Summary(in, files)
	if err != nil {
		return nil, fmt.Errorf("summary.pdf: %w", err)
	}
	jsonl, err := JSONL(in.Entries)
	if err != nil {
		return nil, err
	}
	members := []member{{SummaryName, pdf}, {CSVName, in.CSV}, {JSONLName, jsonl}}
	for i, r := range in.Roadmaps {
		if files[i].Name != "" {
			members = append(members, member{files[i].Name, r.Text})
		}
	}
	members = append(members, member{ReadmeName, []byte(Readme(in, files))})
	members = append(members, member{ManifestName, Manifest(members)})
	return zipOf(in, members)
}

func zipOf(in dialogs.PacketInput, members []member) ([]byte, error) {
	var buf bytes.Buffer
	w := zip.NewWriter(&buf)
	for _, m := range members {
		// The time the packet was made, so the zip says when, and two
		// packets of one record made at one moment are identical.
		f, err := w.CreateHeader(&zip.FileHeader{Name: m.name, Method: zip.Deflate, Modified: in.Made.UTC()})
		if err != nil {
			return nil, err
		}
		if _, err := f.Write(m.body); err != nil {
			return nil, err
		}
	}
	if err := w.Close(); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

// JSONL is every entry as caisbot stores it (its JSON encoding of
// dialogs.Entry), one per line.
func JSONL(entries []dialogs.Entry) ([]byte, error) {
	var buf bytes.Buffer
	for _, e := range entries {
		b, err := json.Marshal(e)
		if err != nil {
			return nil, fmt.Errorf("audit.jsonl: entry %d: %w", e.Seq, err)
		}
		buf.Write(b)
		buf.WriteByte('\n')
	}
	return buf.Bytes(), nil
}

// Manifest is MANIFEST.sha256 for members, in the format `sha256sum -c`
// reads: the hex SHA-256, two spaces, the name; one line each.
func Manifest(members []member) []byte {
	var b strings.Builder
	for _, m := range members {
		sum := sha256.Sum256(m.body)
		b.WriteString(hex.EncodeToString(sum[:]) + "  " + m.name + "\n")
	}
	return []byte(b.String())
}

// RoadmapFile is where one roadmap's text is in the packet. Name is ""
// for a text that could not be read back (dialogs.PacketRoadmap.Missing);
// Shared says another text has the same version, so the name carries
// the start of the hash as well.
type RoadmapFile struct {
	Name   string
	Shared bool
}

// RoadmapFiles names each roadmap's file: roadmap-<version>.yaml, or
// roadmap-<version>-<first 12 hex digits of its SHA-256>.yaml when two
// texts share a version. Characters a file name should not hold are
// written as "_".
func RoadmapFiles(rs []dialogs.PacketRoadmap) []RoadmapFile {
	count := map[string]int{}
	for _, r := range rs {
		if r.Text != nil {
			count[versionName(r.Version)]++
		}
	}
	out := make([]RoadmapFile, len(rs))
	for i, r := range rs {
		if r.Text == nil {
			continue
		}
		if r.BeforeRefs {
			out[i].Name = BeforeRefsName
			continue
		}
		v := versionName(r.Version)
		out[i].Name = "roadmap-" + v + ".yaml"
		if count[v] > 1 {
			out[i] = RoadmapFile{Name: "roadmap-" + v + "-" + r.SHA256[:min(12, len(r.SHA256))] + ".yaml", Shared: true}
		}
	}
	return out
}

// BeforeRefsName is the file of the roadmap entries with an empty roadmap
// column were made against (dialogs.RoadmapBeforeRefs).
const BeforeRefsName = "roadmap-before-refs.yaml"

// versionName is a roadmap version fit for a file name.
func versionName(v string) string {
	if v == "" {
		return "unversioned"
	}
	return strings.Map(func(r rune) rune {
		if r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '.' || r == '-' || r == '_' {
			return r
		}
		return '_'
	}, v)
}
