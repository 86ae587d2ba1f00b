package packet

import (
	"archive/zip"
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"strings"

	"github.com/caisbot/caisbot/dialogs"
)

// Limits on what Verify reads, so a hostile zip cannot exhaust memory.
const (
	maxFiles    = 64
	maxFileSize = 64 << 20
	maxTotal    = 256 << 20
)

// Verify checks the packet at path offline and returns a one-line
// summary, or an error naming the first problem.
func Verify(path string) (string, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return "", err
	}
	return VerifyBytes(filepath.Base(path), b)
}

// VerifyBytes checks a packet held in memory (name is for the summary):
// every file matches MANIFEST.sha256 and none is missing from it or
// unlisted, audit.jsonl's hash chain is unbroken, audit.csv holds the
// same entries, summary.pdf names that trail (checkSummary), and every
// roadmap an entry names is in the packet.
func VerifyBytes(name string, b []byte) (string, error) {
	files, err := unzip(b)
	if err != nil {
		return "", err
	}
	if err := checkManifest(files); err != nil {
		return "", err
	}
	entries, err := ParseJSONL(files[JSONLName])
	if err != nil {
		return "", err
	}
	head := ""
	if len(entries) > 0 {
		head = entries[len(entries)-1].Hash
	}
	if b := dialogs.VerifyChain(entries, head); b != nil {
		return "", fmt.Errorf("%s: the hash chain breaks at %s", JSONLName, b)
	}
	versions, err := checkRoadmaps(files, entries)
	if err != nil {
		return "", err
	}
	rd := readableFrom(files) // its step titles come from those roadmaps
	if err := checkCSV(files[CSVName], entries, rd); err != nil {
		return "", err
	}
	pdf, err := checkSummary(files, entries)
	if err != nil {
		return "", err
	}
	return fmt.Sprintf("%s: OK — %d files match %s; %s chained (SHA-256), latest hash %s; %s %s; %s; roadmap %s",
		name, len(files)-1, ManifestName, nounsOf(len(entries), "audit entry", "audit entries"), orNone(head), CSVName, rd.words(), pdf, versions), nil
}

// unzip reads every file of the packet by name.
func unzip(b []byte) (map[string][]byte, error) {
	zr, err := zip.NewReader(bytes.NewReader(b), int64(len(b)))
	if err != nil {
		return nil, fmt.Errorf("not a readable zip file: %w", err)
	}
	if len(zr.File) > maxFiles {
		return nil, fmt.Errorf("the zip holds %d files; a packet holds far fewer", len(zr.File))
	}
	files := map[string][]byte{}
	total := int64(0)
	for _, f := range zr.File {
		if strings.HasSuffix(f.Name, "/") {
			continue
		}
		if _, dup := files[f.Name]; dup {
			return nil, fmt.Errorf("the zip holds %s twice", f.Name)
		}
		body, err := readMember(f, &total)
		if err != nil {
			return nil, err
		}
		files[f.Name] = body
	}
	return files, nil
}

func readMember(f *zip.File, total *int64) ([]byte, error) {
	rc, err := f.Open()
	if err != nil {
		return nil, fmt.Errorf("%s cannot be read from the zip: %w", f.Name, err)
	}
	defer rc.Close()
	body, err := io.ReadAll(io.LimitReader(rc, maxFileSize+1))
	if err != nil {
		return nil, fmt.Errorf("%s cannot be read from the zip: %w", f.Name, err)
	}
	*total += int64(len(body))
	if len(body) > maxFileSize || *total > maxTotal {
		return nil, fmt.Errorf("%s is larger than any packet file", f.Name)
	}
	return body, nil
}

// manifestLine is one line `sha256sum` writes: the hex digest, a space,
// a space (text mode) or "*" (binary mode), the file name.
var manifestLine = regexp.MustCompile(`^([0-9a-f]{64}) [ *](.+)$`)

// ParseManifest reads MANIFEST.sha256: file name → hex SHA-256.
func ParseManifest(b []byte) (map[string]string, error) {
	if len(b) == 0 {
		return nil, fmt.Errorf("%s is empty", ManifestName)
	}
	sums := map[string]string{}
	for i, line := range strings.Split(strings.TrimSuffix(string(b), "\n"), "\n") {
		m := manifestLine.FindStringSubmatch(line)
		if m == nil {
			return nil, fmt.Errorf("%s line %d is not “<sha256>  <file>”", ManifestName, i+1)
		}
		if _, dup := sums[m[2]]; dup {
			return nil, fmt.Errorf("%s lists %s twice", ManifestName, m[2])
		}
		sums[m[2]] = m[1]
	}
	return sums, nil
}

func checkManifest(files map[string][]byte) error {
	raw, ok := files[ManifestName]
	if !ok {
		return fmt.Errorf("the packet has no %s", ManifestName)
	}
	sums, err := ParseManifest(raw)
	if err != nil {
		return err
	}
	for _, name := range sortedNames(sums) {
		body, ok := files[name]
		if !ok {
			return fmt.Errorf("%s is listed in %s but missing from the packet", name, ManifestName)
		}
		sum := sha256.Sum256(body)
		if hex.EncodeToString(sum[:]) != sums[name] {
			return fmt.Errorf("%s does not match %s (it was changed after the packet was made)", name, ManifestName)
		}
	}
	for _, name := range sortedNames(files) {
		if _, listed := sums[name]; !listed && name != ManifestName {
			return fmt.Errorf("%s is in the packet but not listed in %s (it was added)", name, ManifestName)
		}
	}
	for _, need := range []string{JSONLName, CSVName} {
		if _, ok := files[need]; !ok {
			return fmt.Errorf("the packet has no %s", need)
		}
	}
	return nil
}

// checkBeforeRefs checks that the packet holds the roadmap entries naming
// none were made against (e is the first such entry), byte for byte.
func checkBeforeRefs(files map[string][]byte, e dialogs.Entry) error {
	text, ok := files[BeforeRefsName]
	if !ok {
		return fmt.Errorf("entry %d names no roadmap, and %s, the roadmap such entries were made against, is not in the packet: %w", e.Seq, BeforeRefsName, errNoRoadmap)
	}
	before, _ := dialogs.RoadmapBeforeRefs()
	if sum := sha256.Sum256(text); hex.EncodeToString(sum[:]) != before.SHA256() {
		return fmt.Errorf("%s is not the roadmap entries naming none were made against (SHA-256 %s)", BeforeRefsName, before.SHA256())
	}
	return nil
}

// errNoRoadmap is a roadmap an entry names that the packet lacks.
var errNoRoadmap = errors.New("roadmap missing from the packet")

// checkRoadmaps finds, for each roadmap an entry names, the
// roadmap-*.yaml file with its SHA-256; it returns the versions in words.
func checkRoadmaps(files map[string][]byte, entries []dialogs.Entry) (string, error) {
	bySum := map[string]string{}
	for _, name := range sortedNames(files) {
		if strings.HasPrefix(name, "roadmap-") && strings.HasSuffix(name, ".yaml") {
			sum := sha256.Sum256(files[name])
			bySum[hex.EncodeToString(sum[:])] = name
		}
	}
	var versions []string
	seen := map[string]bool{}
	for _, e := range entries {
		if e.Roadmap == "" && !seen[""] {
			seen[""] = true
			if err := checkBeforeRefs(files, e); err != nil {
				return "", err
			}
			versions = append(versions, "the roadmap before refs ("+BeforeRefsName+")")
		}
		if e.Roadmap == "" || seen[e.Roadmap] {
			continue
		}
		seen[e.Roadmap] = true
		version, sum, ok := dialogs.SplitRoadmapRef(e.Roadmap)
		if !ok {
			return "", fmt.Errorf("entry %d names the roadmap %q, which is not <version>@sha256:<hex>", e.Seq, e.Roadmap)
		}
		if bySum[sum] == "" {
			return "", fmt.Errorf("entry %d names the roadmap %s, whose text is not in the packet: %w", e.Seq, e.Roadmap, errNoRoadmap)
		}
		versions = append(versions, version+" ("+bySum[sum]+")")
	}
	if len(versions) == 0 {
		return "texts named by no entry", nil
	}
	return strings.Join(versions, ", "), nil
}
