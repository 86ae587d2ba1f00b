package dialogs

import (
	_ "embed"
	"sync"
)

// beforeRefs is the roadmap every build embedded before audit entries
// named one (main at 1280205, the last build to write such entries), byte
// for byte. Entries that name no roadmap were made against it, so verify
// replays them against it and the exam packet includes it.
//
//go:embed roadmap-before-refs.yaml
var beforeRefs []byte

var beforeRefsRoadmap = sync.OnceValue(func() *Roadmap {
	r, err := Parse(beforeRefs)
	if err != nil {
		panic("roadmap before refs: " + err.Error())
	}
	return r
})

// RoadmapBeforeRefs returns the roadmap that entries naming no roadmap
// were made against, and its text. It is parsed once and shared: callers
// must not change it.
func RoadmapBeforeRefs() (*Roadmap, []byte) {
	return beforeRefsRoadmap(), beforeRefs
}
