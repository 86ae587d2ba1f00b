package dialogs

import (
	"context"
	"slices"
	"strings"
	"time"

	"github.com/caisbot/caisbot/firm"
)

// Pausing. When a workspace removes caisbot (Slack's app_uninstalled, or
// its bot token revoked) nothing can be posted there, so its firms'
// subscriptions pause: the record keeps them, with who subscribed and
// when, and the announcer skips them. Reminders that fall due while
// paused are not owed. A reinstall resumes them; the trail says when
// both happened, by SystemUser, with the reason.

// Why subscriptions pause and resume, as the entries say it.
const (
	PauseUninstalled = "caisbot was removed from the workspace"
	PauseRevoked     = "the workspace revoked caisbot's token"
	ResumeInstalled  = "caisbot was added to the workspace again"
)

// pauseChannels introduces the channel list in a pause or resume
// entry's detail: "<reason>; channels C1, C2".
const pauseChannels = "; channels "

// PauseAnnouncements pauses every running subscription of the firm. A
// firm with none running changes nothing (so a repeated event, or a
// second replica, writes no second entry).
func (f *Flow) PauseAnnouncements(p Progress, reason string, at time.Time) Result {
	chs := subscribed(p, func(s Subscription) bool { return s.Paused.IsZero() })
	if len(chs) == 0 {
		return Result{Reply: Notice("Announcements unchanged", "No channel of this firm gets running deadline announcements. Nothing was changed.")}
	}
	next := p.Clone()
	for _, ch := range chs {
		s := next.Channels[ch]
		s.Paused = at.UTC()
		next.Channels[ch] = s
	}
	e := Entry{Action: ActAnnouncePause, Detail: reason + pauseChannels + strings.Join(chs, ", ")}
	return f.change(p, next, Event{User: SystemUser, At: at}, e, Notice("Announcements paused", "Deadline announcements are paused: "+reason+"."))
}

// ResumeAnnouncements resumes every paused subscription of the firm;
// reminders that fell due before at are not owed. None paused: no change.
func (f *Flow) ResumeAnnouncements(p Progress, reason string, at time.Time) Result {
	chs := subscribed(p, func(s Subscription) bool { return !s.Paused.IsZero() })
	if len(chs) == 0 {
		return Result{Reply: Notice("Announcements unchanged", "No channel of this firm has paused deadline announcements. Nothing was changed.")}
	}
	next := p.Clone()
	for _, ch := range chs {
		s := next.Channels[ch]
		s.Paused, s.Resumed = time.Time{}, at.UTC()
		next.Channels[ch] = s
	}
	e := Entry{Action: ActAnnounceResume, Detail: reason + pauseChannels + strings.Join(chs, ", ")}
	return f.change(p, next, Event{User: SystemUser, At: at}, e, Notice("Announcements resumed", "Deadline announcements run again: "+reason+"."))
}

// subscribed lists the firm's subscribed channels that keep, sorted.
func subscribed(p Progress, keep func(Subscription) bool) []string {
	var out []string
	for ch, s := range p.Channels {
		if keep(s) {
			out = append(out, ch)
		}
	}
	slices.Sort(out)
	return out
}

// PauseAnnouncements commits Flow.PauseAnnouncements; changed is false
// when the firm had nothing to pause.
func (s *Service) PauseAnnouncements(ctx context.Context, f firm.ID, reason string) (changed bool, err error) {
	at := s.Now()
	r, err := s.apply(ctx, f, func(p Progress) Result { return s.Flow.PauseAnnouncements(p, reason, at) })
	return r.Changed, err
}

// ResumeAnnouncements commits Flow.ResumeAnnouncements; changed is false
// when the firm had nothing paused.
func (s *Service) ResumeAnnouncements(ctx context.Context, f firm.ID, reason string) (changed bool, err error) {
	at := s.Now()
	r, err := s.apply(ctx, f, func(p Progress) Result { return s.Flow.ResumeAnnouncements(p, reason, at) })
	return r.Changed, err
}

// pauseReplay replays a pause or resume entry: the channels its detail
// names pause (or resume) at the entry's time.
func (rp *Replayed) pauseReplay(e Entry) {
	_, list, ok := cutLast(e.Detail, pauseChannels)
	if !ok || list == "" {
		rp.problem(e, "pauses or resumes announcements but names no channel")
		return
	}
	for _, ch := range strings.Split(list, ", ") {
		s, on := rp.Progress.Channels[ch]
		if !on {
			rp.problem(e, "pauses or resumes announcements to channel “"+Lit(ch)+"”, which the trail never subscribed")
			continue
		}
		if e.Action == ActAnnouncePause {
			s.Paused = e.At.UTC()
		} else {
			s.Paused, s.Resumed = time.Time{}, e.At.UTC()
		}
		rp.Progress.Channels[ch] = s
		rp.ChannelSeq[ch] = e.Seq
	}
}

// cutLast is strings.Cut at the last sep.
func cutLast(s, sep string) (before, after string, found bool) {
	i := strings.LastIndex(s, sep)
	if i < 0 {
		return s, "", false
	}
	return s[:i], s[i+len(sep):], true
}

// pauseEntryText is a pause or resume entry in the history's words.
func pauseEntryText(w words, e Entry) string {
	reason, list, _ := cutLast(e.Detail, pauseChannels)
	verb := "paused"
	if e.Action == ActAnnounceResume {
		verb = "resumed"
	}
	return verb + " announcements to " + w.lit(list) + " (" + w.lit(reason) + ")"
}
