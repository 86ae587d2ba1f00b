package dialogs

import (
	"fmt"
	"strings"
)

// roadmapsUsed says which roadmap verify replayed which entries against
// (pick's answer), as runs of consecutive entries, so an examiner can see
// that entries written before entries named a roadmap were checked
// against the one their build embedded.
func roadmapsUsed(entries []Entry, pick func(Entry) *Roadmap) string {
	type run struct {
		r          *Roadmap
		first, end int64
	}
	var runs []run
	for _, e := range entries {
		r := pick(e)
		if n := len(runs); n > 0 && runs[n-1].r == r {
			runs[n-1].end = e.Seq
			continue
		}
		runs = append(runs, run{r, e.Seq, e.Seq})
	}
	parts := make([]string, 0, len(runs))
	for _, r := range runs {
		span := fmt.Sprintf("entry %d", r.first)
		if r.end != r.first {
			span = fmt.Sprintf("entries %d–%d", r.first, r.end)
		}
		parts = append(parts, span+" against "+roadmapName(r.r))
	}
	if len(parts) == 0 {
		return ""
	}
	return "Replayed " + strings.Join(parts, "; ") + "."
}

// roadmapName names r in words.
func roadmapName(r *Roadmap) string {
	sum := r.SHA256()
	if len(sum) > 12 {
		sum = sum[:12] + "…"
	}
	if before, _ := RoadmapBeforeRefs(); r == before {
		return "the roadmap caisbot embedded before entries named one (SHA-256 `" + sum + "`)"
	}
	version := r.Version
	if version == "" {
		version = "(no version)"
	}
	return "roadmap " + Lit(version) + " (SHA-256 `" + sum + "`)"
}
