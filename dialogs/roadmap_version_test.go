package dialogs

import (
	"crypto/sha256"
	"encoding/hex"
	"testing"
)

// releasedRoadmaps are the embedded roadmap's texts by version: a
// version names one text, so that an entry's "roadmap" (version and
// hash) and a packet's roadmap file name what an examiner reads. A
// changed roadmap.yaml needs a new version here and in the file.
var releasedRoadmaps = map[string]string{
	"2026.12.1": "ee99b58f10cc98754d9df2a10c3ad7dbf1ce232e609a056836b0228270c76ddb",
	"2026.12.2": "7b0681747599e47a11d2d959c917d9606201f38fd4ea2880ccd5f7e94285b857",
	"2026.12.3": "acab45470d6eea872891c54918187deaee1c12f75db6d64d8d1db98fd1d6b4fa",
	"2026.12.4": "062aac0362fe44f8b44e27da2e1047b937129f975d501c1e701ffe879bd143a8",
}

func TestRoadmapVersionNamesOneText(t *testing.T) {
	sum := sha256.Sum256(embedded)
	got, version := hex.EncodeToString(sum[:]), Default().Version
	for v, h := range releasedRoadmaps {
		if h == got && v != version {
			t.Fatalf("roadmap.yaml is version %s's text but says %s", v, version)
		}
	}
	want, ok := releasedRoadmaps[version]
	if !ok || want != got {
		t.Fatalf("roadmap.yaml (SHA-256 %s) changed without a new version: give it one (now %s) and list it in releasedRoadmaps", got, version)
	}
}
