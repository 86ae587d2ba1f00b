package dialogs

import (
	"fmt"
	"slices"
	"sort"
	"strings"
	"time"
)

// Differences names, in a compliance officer's words, each place where
// the stored progress differs from the progress the trail replays to
// (rp, from Replay). None means they agree on everything the trail
// records; Opened and Last are not compared (see Replayed).
func (f *Flow) Differences(stored Progress, rp Replayed) []string {
	out := slices.Clone(rp.Problems)
	out = append(out, f.diffEnd(stored, rp)...)
	out = append(out, f.diffCurrent(stored, rp)...)
	out = append(out, f.diffPath(stored, rp)...)
	out = append(out, f.diffTargets(stored, rp)...)
	out = append(out, diffChannels(stored, rp)...)
	out = append(out, f.diffWaits(stored, rp)...)
	out = append(out, f.diffEvidence(stored, rp)...)
	out = append(out, diffProfile(stored, rp)...)
	out = append(out, f.diffApproval(stored, rp)...)
	return out
}

// entryRef is " (entry 4)", or "" for no entry.
func entryRef(seq int64) string {
	if seq == 0 {
		return ""
	}
	return fmt.Sprintf(" (entry %d)", seq)
}

// stepName is "Step 4", or the stored id of a step this roadmap lacks.
func (f *Flow) stepName(id string) string {
	if s, ok := f.Roadmap.Step(id); ok {
		return s.Short()
	}
	return "step “" + Lit(id) + "”"
}

// heading names where a firm stands: "" is the roadmap's start.
func (f *Flow) heading(id string) string {
	if id == "" {
		id = f.Roadmap.Start
	}
	if s, ok := f.Roadmap.Step(id); ok {
		return s.Heading()
	}
	return "step “" + Lit(id) + "”"
}

func (f *Flow) diffEnd(stored Progress, rp Replayed) []string {
	var out []string
	t := rp.Progress
	if stored.Version != t.Version {
		out = append(out, fmt.Sprintf("the stored progress is at version %d; the trail's last entry made version %d%s", stored.Version, t.Version, entryRef(t.Seq)))
	}
	if stored.Seq != t.Seq {
		out = append(out, fmt.Sprintf("the stored progress says the trail ends at entry %d; the trail ends at entry %d", stored.Seq, t.Seq))
	}
	if stored.Head != t.Head {
		out = append(out, fmt.Sprintf("the stored progress names `%s` as the latest hash; the trail's last entry has `%s`", Lit(stored.Head), t.Head))
	}
	return out
}

func (f *Flow) diffCurrent(stored Progress, rp Replayed) []string {
	same := f.heading(stored.Current) == f.heading(rp.Progress.Current)
	if !rp.CurrentKnown || same {
		return nil
	}
	return []string{fmt.Sprintf("the stored progress says the firm is on %s; the trail says %s%s", f.heading(stored.Current), f.heading(rp.Progress.Current), entryRef(rp.CurrentFrom))}
}

func (f *Flow) diffPath(stored Progress, rp Replayed) []string {
	var out []string
	got, want := stored.Path, rp.Progress.Path
	if len(got) != len(want) {
		out = append(out, fmt.Sprintf("the stored progress lists %s; the trail has %d", plural(len(got), "confirmation"), len(want)))
	}
	for i := range min(len(got), len(want)) {
		out = append(out, f.diffConfirmation(got[i], want[i], rp.PathSeq[i])...)
	}
	for i := len(want); i < len(got); i++ {
		out = append(out, fmt.Sprintf("the stored progress says %s was answered “%s” by %s; the trail has no such confirmation", f.stepName(got[i].Step), Lit(got[i].Choice), Mention(got[i].User)))
	}
	for i := len(got); i < len(want); i++ {
		out = append(out, fmt.Sprintf("the trail says %s was answered “%s” by %s%s; the stored progress leaves it out", f.stepName(want[i].Step), Lit(want[i].Choice), Mention(want[i].User), entryRef(rp.PathSeq[i])))
	}
	return out
}

// diffConfirmation compares one confirmation of the path with the one
// the trail's entry seq wrote.
func (f *Flow) diffConfirmation(got, want Confirmation, seq int64) []string {
	ref := entryRef(seq)
	if got.Step != want.Step {
		return []string{fmt.Sprintf("the stored progress has a confirmation of %s where the trail confirms %s%s", f.stepName(got.Step), f.stepName(want.Step), ref)}
	}
	name := f.stepName(got.Step)
	var out []string
	if got.Choice != want.Choice {
		out = append(out, fmt.Sprintf("the stored progress says %s was answered “%s”; the trail says “%s”%s", name, Lit(got.Choice), Lit(want.Choice), ref))
	}
	if got.User != want.User {
		out = append(out, fmt.Sprintf("the stored progress says %s was confirmed by %s; the trail says %s%s", name, Mention(got.User), Mention(want.User), ref))
	}
	if !got.At.Equal(want.At) {
		out = append(out, fmt.Sprintf("the stored progress says %s was confirmed at %s; the trail says %s%s", name, f.exact(got.At, want.At), f.exact(want.At, got.At), ref))
	}
	if !slices.Equal(got.Agents, want.Agents) {
		out = append(out, fmt.Sprintf("the stored progress names the CAT Reporting Agents %s with %s; the trail names %s%s", agentList(got.Agents), name, agentList(want.Agents), ref))
	}
	if got.Approver != want.Approver || !got.ApprovedAt.Equal(want.ApprovedAt) {
		out = append(out, fmt.Sprintf("the stored progress says %s %s; the trail says it %s%s", name, f.approval(got, want), f.approval(want, got), ref))
	}
	if got.Agent != want.Agent {
		out = append(out, fmt.Sprintf("the stored progress says this confirmation of %s is about agent %s; the trail says %s%s", name, agentList([]string{got.Agent}), agentList([]string{want.Agent}), ref))
	}
	return out
}

// exact is t as the bot shows times, or to the nanosecond when that
// would not tell it from other.
func (f *Flow) exact(t, other time.Time) string {
	if f.Stamp(t) == f.Stamp(other) {
		return t.UTC().Format(time.RFC3339Nano)
	}
	return f.Stamp(t)
}

// approval is how c was approved, in verify's words ("was approved by
// @{U} at …", or "needed no approval"); other is what it is compared with.
func (f *Flow) approval(c, other Confirmation) string {
	if c.Approver == "" && c.ApprovedAt.IsZero() {
		return "needed no approval"
	}
	at := f.Stamp(c.ApprovedAt)
	if !c.ApprovedAt.Equal(other.ApprovedAt) {
		at = f.exact(c.ApprovedAt, other.ApprovedAt)
	}
	return fmt.Sprintf("was approved by %s on %s", Mention(c.Approver), at)
}

func agentList(agents []string) string {
	if len(agents) == 0 || (len(agents) == 1 && agents[0] == "") {
		return "none"
	}
	quoted := make([]string, len(agents))
	for i, a := range agents {
		quoted[i] = "“" + Lit(a) + "”"
	}
	return strings.Join(quoted, ", ")
}

// sortedKeys lists the keys of a and b once each, sorted.
func sortedKeys[V any](a, b map[string]V) []string {
	var keys []string
	for k := range a {
		keys = append(keys, k)
	}
	for k := range b {
		if _, ok := a[k]; !ok {
			keys = append(keys, k)
		}
	}
	sort.Strings(keys)
	return keys
}

func (f *Flow) diffTargets(stored Progress, rp Replayed) []string {
	var out []string
	want := rp.Progress.Targets
	for _, k := range sortedKeys(stored.Targets, want) {
		g, w := stored.Targets[k], want[k]
		if g == w {
			continue
		}
		out = append(out, fmt.Sprintf("the stored progress says the target date for %s is %s; the trail says %s%s", f.stepName(k), orNone(g), orNone(w), entryRef(rp.TargetSeq[k])))
	}
	return out
}

func orNone(s string) string {
	if s == "" {
		return "none"
	}
	return Lit(s)
}

func diffChannels(stored Progress, rp Replayed) []string {
	var out []string
	want := rp.Progress.Channels
	for _, k := range sortedKeys(stored.Channels, want) {
		g, gok := stored.Channels[k]
		w, wok := want[k]
		ch, ref := "channel `"+Lit(k)+"`", entryRef(rp.ChannelSeq[k])
		switch {
		case gok && !wok:
			out = append(out, fmt.Sprintf("the stored progress says %s gets deadline announcements; the trail says it does not%s", ch, ref))
		case !gok && wok:
			out = append(out, fmt.Sprintf("the trail says %s gets deadline announcements%s; the stored progress says it does not", ch, ref))
		case g.User != w.User || !g.At.Equal(w.At):
			out = append(out, fmt.Sprintf("the stored progress says %s was subscribed by %s at %s; the trail says by %s at %s%s", ch, Mention(g.User), g.At.UTC().Format(time.RFC3339), Mention(w.User), w.At.UTC().Format(time.RFC3339), ref))
		case !g.Paused.Equal(w.Paused) || !g.Resumed.Equal(w.Resumed):
			out = append(out, fmt.Sprintf("the stored progress says %s's announcements are %s; the trail says %s%s", ch, pauseState(g), pauseState(w), ref))
		}
	}
	return out
}

// pauseState says whether a subscription is paused, in verify's words.
func pauseState(s Subscription) string {
	switch {
	case !s.Paused.IsZero():
		return "paused since " + s.Paused.UTC().Format(time.RFC3339)
	case !s.Resumed.IsZero():
		return "running since " + s.Resumed.UTC().Format(time.RFC3339)
	}
	return "running"
}

func (f *Flow) diffWaits(stored Progress, rp Replayed) []string {
	var out []string
	want := rp.Progress.Waits
	for _, k := range sortedKeys(stored.Waits, want) {
		g, gok := stored.Waits[k]
		w, wok := want[k]
		name, ref := f.stepName(k), entryRef(rp.WaitSeq[k])
		switch {
		case gok && !wok:
			out = append(out, fmt.Sprintf("the stored progress says %s is %s; the trail says it waits on no one%s", name, Lit(waitDetail(g)), ref))
		case !gok && wok:
			out = append(out, fmt.Sprintf("the trail says %s is %s%s; the stored progress says it waits on no one", name, Lit(waitDetail(w)), ref))
		case !waitMatches(g, w, rp.waitText[k]):
			out = append(out, fmt.Sprintf("the stored progress says %s is %s (since %s, noted by %s); the trail says %s (since %s, noted by %s)%s",
				name, Lit(waitDetail(g)), g.Since.UTC().Format(time.RFC3339), Mention(g.User), Lit(waitDetail(w)), w.Since.UTC().Format(time.RFC3339), Mention(w.User), ref))
		}
	}
	return out
}

// waitMatches compares a stored wait with the replayed one. Who,
// reference and follow-up are read back from the entry's words; when
// those words could be read two ways, the stored wait matches if it is
// described by exactly those words.
func waitMatches(stored, replayed Wait, text string) bool {
	if stored.User != replayed.User || !stored.Since.Equal(replayed.Since) {
		return false
	}
	if stored.Who == replayed.Who && stored.Ref == replayed.Ref && stored.FollowUp == replayed.FollowUp {
		return true
	}
	d := waitDetail(stored)
	return strings.HasSuffix(text, ": "+d) || strings.HasSuffix(text, "; "+d)
}

// maxDifferences bounds the differences one verify reply lists.
const maxDifferences = 10

// VerifyRecord checks the trail's hash chain (Verify), then that the
// stored progress p is what the trail replays to, naming each difference.
func (f *Flow) VerifyRecord(p Progress, entries []Entry) Reply {
	return f.VerifyReplayed(p, entries, Replay(f.Roadmap, entries))
}

// VerifyReplayed is VerifyRecord with the trail already replayed (rp).
func (f *Flow) VerifyReplayed(p Progress, entries []Entry, rp Replayed) Reply {
	if VerifyChain(entries, p.Head) != nil {
		return f.Verify(entries, p.Head)
	}
	return f.differencesReply(entries, p.Head, f.Differences(p, rp), rp.Against)
}

// differencesReply answers verify for an intact chain: verified, or the
// differences between the stored progress and what the trail replays to.
func (f *Flow) differencesReply(entries []Entry, head string, diffs []string, against string) Reply {
	if len(diffs) == 0 {
		r := f.verifyReply(entries, head, nil)
		if against != "" {
			r.context(against)
		}
		return r
	}
	lines := make([]string, 0, maxDifferences+1)
	for i, d := range diffs {
		if i == maxDifferences {
			lines = append(lines, fmt.Sprintf("• … and %d more", len(diffs)-maxDifferences))
			break
		}
		lines = append(lines, "• "+strings.ToUpper(d[:1])+d[1:]+".")
	}
	out := Reply{Title: "⚠️ Record failed its check"}
	out.text("The audit trail's hash chain is intact, but the stored progress — what `{cmd} status` and the cards show — differs from what the trail records:")
	out.text(strings.Join(lines, "\n"))
	out.context("The audit trail is the record of what was done; the stored progress was changed outside caisbot. Keep your exports and contact your administrator.")
	return out
}
