package dialogs

import (
	"fmt"
	"time"
)

// evidence replays evidenceClick: the entry's detail is the evidence, its
// user and time who added it and when.
func (rp *Replayed) evidence(e Entry) {
	ev, ok := parseEvidence(e.Detail)
	if !ok {
		rp.problem(e, "adds evidence whose record cannot be read (“"+Lit(e.Detail)+"”)")
		return
	}
	ev.User, ev.At = e.User, e.At.UTC()
	addEvidence(&rp.Progress, e.Step, ev)
	if rp.EvidenceSeq == nil {
		rp.EvidenceSeq = map[string][]int64{}
	}
	rp.EvidenceSeq[e.Step] = append(rp.EvidenceSeq[e.Step], e.Seq)
}

// diffEvidence names each piece of evidence the stored progress and the
// trail disagree on, step by step and in order.
func (f *Flow) diffEvidence(stored Progress, rp Replayed) []string {
	var out []string
	want := rp.Progress.Evidence
	for _, k := range sortedKeys(stored.Evidence, want) {
		g, w, seqs := stored.Evidence[k], want[k], rp.EvidenceSeq[k]
		for i := 0; i < max(len(g), len(w)); i++ {
			var seq int64
			if i < len(seqs) {
				seq = seqs[i]
			}
			switch {
			case i >= len(w):
				out = append(out, fmt.Sprintf("the stored progress lists evidence for %s that no entry records: %s", f.stepName(k), evidenceWords(g[i])))
			case i >= len(g):
				out = append(out, fmt.Sprintf("the trail adds evidence to %s%s that the stored progress lacks: %s", f.stepName(k), entryRef(seq), evidenceWords(w[i])))
			case !sameEvidence(g[i], w[i]):
				out = append(out, fmt.Sprintf("the stored progress says evidence %d of %s is %s; the trail says %s%s", i+1, f.stepName(k), evidenceWords(g[i]), evidenceWords(w[i]), entryRef(seq)))
			}
		}
	}
	return out
}

func sameEvidence(a, b Evidence) bool {
	return a.Ref == b.Ref && a.Link == b.Link && a.Note == b.Note && a.User == b.User && a.At.Equal(b.At)
}

// evidenceWords is evidence with who added it and when, for verify.
func evidenceWords(e Evidence) string {
	return evidenceSummary(chatWords, e) + " (added by " + Mention(e.User) + " at " + e.At.UTC().Format(time.RFC3339) + ")"
}
